// `npm test` of this workspace: runs Hardhat's Solidity and node:test suites with coverage,
// then writes test-report.json in the shape of vitest's JSON report (the counts that
// scripts/test-summary.mjs adds up) and fails when line coverage of contracts/ drops below 100%.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const requiredLineCoverage = 100;

const output: string[] = [];
const exitCode = await new Promise<number>((resolve, reject) => {
  const child = spawn('hardhat', ['test', '--coverage'], {
    cwd: root,
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY: 'true', FORCE_COLOR: '0', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    output.push(chunk.toString('utf8'));
  });
  child.on('error', reject);
  child.on('close', (code) => resolve(code ?? 1));
});

// Hardhat prints e.g. "32 passing (26 solidity, 6 nodejs)", "1 failing (...)", "2 skipped".
const text = output.join('');
const count = (label: string) => Number(new RegExp(`^\\s*(\\d+) ${label}`, 'm').exec(text)?.[1] ?? 0);
const passed = count('passing');
const failed = count('failing') + (exitCode !== 0 && count('failing') === 0 ? 1 : 0);
const skipped = count('skipped');
const todo = count('todo');

const lineCoverage = readLineCoverage();
const coverageOk = lineCoverage !== undefined && lineCoverage >= requiredLineCoverage;
console.log(
  `line coverage of contracts/: ${lineCoverage?.toFixed(2) ?? 'unknown'}% (required ${requiredLineCoverage}%)`,
);

writeFileSync(
  new URL('test-report.json', new URL('..', import.meta.url)),
  `${JSON.stringify(
    {
      numTotalTests: passed + failed + skipped + todo,
      numPassedTests: passed,
      numFailedTests: failed + (coverageOk ? 0 : 1),
      numPendingTests: skipped,
      numTodoTests: todo,
      success: exitCode === 0 && coverageOk,
      runner: 'hardhat test --coverage (solidity + node:test)',
      lineCoverage,
    },
    null,
    2,
  )}\n`,
);
process.exit(exitCode === 0 && coverageOk ? 0 : 1);

function readLineCoverage(): number | undefined {
  let found = 0;
  let hit = 0;
  try {
    for (const line of readFileSync(`${root}/coverage/lcov.info`, 'utf8').split('\n')) {
      if (line.startsWith('LF:')) found += Number(line.slice(3));
      if (line.startsWith('LH:')) hit += Number(line.slice(3));
    }
  } catch {
    return undefined;
  }
  return found === 0 ? undefined : (hit / found) * 100;
}
