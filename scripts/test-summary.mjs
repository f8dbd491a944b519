// Adds up the vitest JSON reports (test-report.json in each workspace) into one line:
// "tests: N passed, N failed, N skipped". Exits 1 when a report shows a failure or
// when no test ran at all, so an empty suite never looks green. Before it, one line per
// backend of the ledger conformance suite (its describe is titled "conformance <backend>"):
// "conformance <backend>: N passed, M failed", where a case that did not pass (failed,
// skipped, todo) counts as failed; a conformance file that did not run at all fails too.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const perPackage = [];
/** Conformance results per backend: [passed, failed]. */
const conformance = new Map();
const brokenConformanceFiles = [];
for (const group of ['packages', 'contracts', 'examples']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const report = join(dir, name, 'test-report.json');
    if (!existsSync(report)) continue;
    const result = JSON.parse(readFileSync(report, 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    skipped += result.numPendingTests + result.numTodoTests;
    perPackage.push(`${group}/${name}: ${result.numPassedTests} passed, ${result.numFailedTests} failed`);
    for (const file of result.testResults ?? []) {
      let cases = 0;
      for (const assertion of file.assertionResults ?? []) {
        const backend = /^conformance (.+)$/.exec(assertion.ancestorTitles?.[0] ?? '')?.[1];
        if (backend === undefined) continue;
        cases++;
        const counts = conformance.get(backend) ?? [0, 0];
        counts[assertion.status === 'passed' ? 0 : 1]++;
        conformance.set(backend, counts);
      }
      // A file of the suite that failed before registering any case (import error, crash).
      if (cases === 0 && file.status === 'failed' && /[/\\]conformance[/\\]/.test(file.name ?? '')) {
        brokenConformanceFiles.push(file.name);
      }
    }
  }
}
for (const line of perPackage) console.log(`  ${line}`);
let conformanceFailed = brokenConformanceFiles.length > 0;
for (const [backend, [backendPassed, backendFailed]] of [...conformance].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`conformance ${backend}: ${backendPassed} passed, ${backendFailed} failed`);
  if (backendFailed > 0 || backendPassed === 0) conformanceFailed = true;
}
for (const file of brokenConformanceFiles) console.log(`conformance ${file}: did not run`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 || conformanceFailed ? 1 : 0);
