// scripts/check-docs.mjs keeps README.md and packages/cli/README.md true to the code: the
// package table, the Node.js and platform prerequisites, and the `ledgerkit` commands read
// from this package's built CLI (`--help`, recursively). It runs on the real docs here (the
// cli package's tests build it first), and on deliberately wrong copies, which it must refuse.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const script = join(repoRoot, 'scripts', 'check-docs.mjs');
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const cliReadme = readFileSync(join(repoRoot, 'packages', 'cli', 'README.md'), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'ledgerkit-docs-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the check with copies of the two READMEs; returns its exit code and report. */
function check(rootReadme: string, packageReadme = cliReadme, ...flags: string[]) {
  writeFileSync(join(scratch, 'README.md'), rootReadme);
  writeFileSync(join(scratch, 'cli-README.md'), packageReadme);
  const run = spawnSync(
    process.execPath,
    [script, '--readme', join(scratch, 'README.md'), '--cli-readme', join(scratch, 'cli-README.md'), ...flags],
    { encoding: 'utf8' },
  );
  return { status: run.status, report: run.stdout + run.stderr };
}

/** Replaces one exact passage, failing the test when the README no longer has it. */
function edit(text: string, from: string | RegExp, to: string): string {
  expect(text).toMatch(from);
  return text.replace(from, to);
}

test('the repository README and the cli README match the code', () => {
  const run = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
});

test('a wrong Node.js prerequisite fails', () => {
  const { status, report } = check(edit(readme, 'Node.js >= 22.13', 'Node.js 18 or newer'), cliReadme, '--no-cli');
  expect(status).toBe(1);
  expect(report).toContain('"Node.js 18 or newer" contradicts engines.node');
});

test('"Linux or macOS" fails while Fabric reads /proc', () => {
  const { status, report } = check(
    edit(readme, 'on Linux with Node.js', 'on Linux or macOS with Node.js'),
    cliReadme,
    '--no-cli',
  );
  expect(status).toBe(1);
  expect(report).toContain('says "Linux or macOS"');
});

test('a package missing from the table, or under another name, fails', () => {
  const withoutCore = edit(readme, /^\| \[`@ledgerkit\/core`\].*\n/m, '');
  expect(check(withoutCore, cliReadme, '--no-cli').report).toContain('the package table lacks @ledgerkit/core');
  const renamed = edit(readme, '[`@ledgerkit/testing`](packages/testing)', '[`@ledgerkit/test`](packages/testing)');
  const { status, report } = check(renamed, cliReadme, '--no-cli');
  expect(status).toBe(1);
  expect(report).toContain('names packages/testing @ledgerkit/test');
});

test('a command the CLI does not have fails, and so does a README that omits a command', () => {
  const { status, report } = check(`${readme}\n\nRun \`ledgerkit teleport --now\`.\n`);
  expect(status).toBe(1);
  expect(report).toContain('ledgerkit has no command teleport');
  const withoutVerify = check(readme, cliReadme.replace(/ledgerkit verify/g, 'ledgerkit'));
  expect(withoutVerify.status).toBe(1);
  expect(withoutVerify.report).toContain('never mentions `ledgerkit verify`');
});
