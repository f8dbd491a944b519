// Adds up the vitest JSON reports (test-report.json in each workspace) into one line:
// "tests: N passed, N failed, N skipped". Exits 1 when a report shows a failure or
// when no test ran at all, so an empty suite never looks green. Before it, one line per
// backend of the ledger conformance suite (its describe is titled "conformance <backend>"):
// "conformance <backend>: N passed, M failed", where a case that did not pass (failed,
// skipped, todo) counts as failed; a conformance file that did not run at all fails too.
// Each failed test is named with the first lines of its failure, just before the total.
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
/** Failed tests: "file › full name" (the file's path from the root) and the first lines of the failure. */
const failures = [];
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
      const fileName = (file.name ?? '').replace(root, '');
      if (file.status === 'failed' && (file.assertionResults ?? []).every((a) => a.status !== 'failed')) {
        failures.push({ title: `${fileName} (the file failed outside any test)`, message: file.message ?? '' });
      }
      for (const assertion of file.assertionResults ?? []) {
        if (assertion.status === 'failed') {
          failures.push({
            title: `${fileName} › ${assertion.fullName}`,
            message: (assertion.failureMessages ?? []).join('\n'),
          });
        }
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
// Failed tests last but one, so a log that keeps only its tail still names them.
for (const { title, message } of failures) {
  console.log(`FAILED ${title}`);
  for (const line of message
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, 6))
    console.log(`    ${line.slice(0, 300)}`);
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 || conformanceFailed ? 1 : 0);
