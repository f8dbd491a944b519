// Starts the built `ledgerkit` executable (dist/cli.js) as a child process, as a user would.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const run = promisify(execFile);

test('the built bin prints help', async () => {
  const { stdout } = await run(process.execPath, [bin, '--help']);
  expect(stdout).toMatch(/^ledgerkit \d+\.\d+\.\d+/);
});

test('the built bin runs the demo and exits 0', async () => {
  const { stdout } = await run(process.execPath, [bin, 'demo']);
  expect(stdout).toContain('All checks passed');
});

test('the built bin exits 2 on bad input', async () => {
  await expect(run(process.execPath, [bin, 'demo', '--events', '1'])).rejects.toMatchObject({ code: 2 });
});
