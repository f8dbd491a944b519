// Starts the built `ledgerkit` executable (dist/cli.js) as a child process, as a user would.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const run = promisify(execFile);

test('the built bin prints help and its version', async () => {
  const { stdout } = await run(process.execPath, [bin, '--help']);
  expect(stdout).toMatch(/^Usage: ledgerkit /);
  expect((await run(process.execPath, [bin, '--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
});

test('the built bin runs the demo and exits 0', async () => {
  const { stdout } = await run(process.execPath, [bin, 'demo']);
  expect(stdout).toContain('All checks passed');
});

test('the built bin exits 2 on bad input, with one line on stderr', async () => {
  await expect(run(process.execPath, [bin, 'demo', '--events', '1'])).rejects.toMatchObject({
    code: 2,
    stderr:
      "ledgerkit demo: option '--events <n>' argument '1' is invalid. expected an integer from 2 to 1000000, got '1' [INVALID_ARGUMENT]\n",
  });
});

test('progress goes to stderr, results to stdout: --json output is one document even when progress is reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerkit-bin-'));
  try {
    // create-table reports no progress; audit does, as a JSON line on stderr.
    await run(process.execPath, [bin, 'db', 'create-table', 't', '--db', join(dir, 'a.ledger')]);
    const audit = await run(process.execPath, [bin, 'db', 'audit', '--db', join(dir, 'a.ledger'), '--json']);
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true });
    expect(JSON.parse(audit.stderr.trim().split('\n')[0] as string)).toHaveProperty('progress');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
