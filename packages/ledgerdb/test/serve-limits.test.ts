// `ledgerdb serve`'s limit flags, on the real CLI as a child process (the built CLI, as
// server-fault.test.ts): a transaction of more than QLDB's 40 documents is refused with
// LIMIT_EXCEEDED by default and accepted by a server started with
// --max-documents-per-transaction; a bad limit value is a usage error (exit code 2).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { runCli } from '../src/cli/run.js';
import { LedgerdbClient } from '../src/client.js';
import { codeOf } from './error-code.js';
import { cliBuilt, ledgerdbBin, startServe } from './serve-process.js';

const dir = mkdtempSync(join(tmpdir(), 'ledgerdb-serve-limits-'));
const tokens = join(dir, 'tokens.json');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function adminToken(): string {
  const output = execFileSync(process.execPath, [
    ledgerdbBin,
    ...['token', 'create', '--json', '--tokens', tokens, '--name', `admin-${Date.now()}`],
    ...['--role', 'admin', '--role', 'read:*', '--role', 'write:*'],
  ]);
  return JSON.parse(output.toString()).token;
}

/** Serves a fresh ledger with `flags`, writes one transaction of 50 documents, stops it. */
async function insertFifty(name: string, flags: string[]): Promise<string | undefined> {
  const token = adminToken();
  const server = await startServe(['--db', join(dir, `${name}.ledger`), '--tokens', tokens, '--port', '0', ...flags]);
  children.push(server.child);
  try {
    const client = new LedgerdbClient({ url: server.url, token });
    await client.createTable('orders');
    const statements = Array.from({ length: 50 }, (_, n) => ({ op: 'insert' as const, table: 'orders', data: { n } }));
    return await codeOf(client.transaction(statements));
  } finally {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }
}

test.skipIf(!cliBuilt)(
  'without the flag a transaction of 50 documents is LIMIT_EXCEEDED',
  { timeout: 30_000 },
  async () => {
    expect(await insertFifty('default', [])).toBe('LIMIT_EXCEEDED');
  },
);

test.skipIf(!cliBuilt)(
  'with --max-documents-per-transaction 1000 the same transaction commits',
  { timeout: 30_000 },
  async () => {
    expect(await insertFifty('raised', ['--max-documents-per-transaction', '1000'])).toBeUndefined();
  },
);

test('a bad limit value exits 2 with INVALID_ARGUMENT naming the flag', async () => {
  for (const flag of ['--max-documents-per-transaction', '--max-document-bytes', '--max-transaction-ms']) {
    for (const value of ['0', '-5', '1.5', 'many', '99999999999999999']) {
      let stderr = '';
      const code = await runCli(['serve', '--db', join(dir, 'never.ledger'), '--tokens', tokens, flag, value], {
        stdout: () => undefined,
        stderr: (text) => {
          stderr += text;
        },
      });
      expect(code).toBe(2);
      expect(stderr).toContain('INVALID_ARGUMENT');
      expect(stderr).toContain(flag);
    }
  }
  // Nothing was opened: the flags are checked before the ledger.
  expect(existsSync(join(dir, 'never.ledger'))).toBe(false);
});
