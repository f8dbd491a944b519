// Fault test of `ledgerdb serve` as a real child process (the built CLI): concurrent
// clients write with idempotency keys, the server is killed with SIGKILL mid-load and
// restarted on the same file and port, the clients retry. Afterwards every acknowledged
// write is present exactly once, nothing is duplicated, and audit() passes. Also: SIGTERM
// exits 0. Starts: `node bin/ledgerdb.js serve` child processes (needs `npm run build`).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { LedgerdbClient } from '../src/client.js';
import { openLedgerDatabase as openLedger } from '../src/index.js';
import { cliBuilt, ledgerdbBin, startServe } from './serve-process.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function createToken(tokens: string): string {
  const output = execFileSync(process.execPath, [
    ledgerdbBin,
    'token',
    'create',
    '--json',
    '--tokens',
    tokens,
    '--name',
    'loader',
    '--role',
    'admin',
    '--role',
    'read:*',
    '--role',
    'write:*',
  ]);
  return JSON.parse(output.toString()).token;
}

test.skipIf(!cliBuilt)(
  'SIGKILL mid-load, restart, client retries: every acknowledged write exactly once',
  {
    timeout: 120_000,
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledgerdb-fault-'));
    const db = join(dir, 'fault.ledger');
    const tokens = join(dir, 'tokens.json');
    const token = createToken(tokens);
    const port = await freePort();
    const args = ['--db', db, '--tokens', tokens, '--port', String(port), '--host', '127.0.0.1'];
    let server = await startServe(args);
    const setup = new LedgerdbClient({ url: server.url, token });
    await setup.createTable('orders');

    const acknowledged: string[] = [];
    let replays = 0;
    let stop = false;
    const workers = Array.from({ length: 16 }, async (_, worker) => {
      const client = new LedgerdbClient({
        url: server.url,
        token,
        trustedDigestFile: join(dir, `digest-${worker}.json`),
        retry: { retries: 60, baseDelayMs: 20, maxDelayMs: 250 },
      });
      for (let n = 0; !stop; n++) {
        const writeId = `${worker}-${n}`;
        const result = await client.transaction([{ op: 'insert', table: 'orders', data: { writeId, worker, n } }]);
        if (result.replayed) replays++;
        acknowledged.push(writeId);
      }
    });
    const failures: unknown[] = [];
    const running = Promise.all(workers.map((worker) => worker.catch((error) => failures.push(error))));

    for (let round = 0; round < 3; round++) {
      const target = acknowledged.length + 150;
      while (acknowledged.length < target && failures.length === 0) await new Promise((r) => setTimeout(r, 5));
      server.child.kill('SIGKILL');
      await server.exited;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      server = await startServe(args);
    }
    const afterLastRestart = acknowledged.length;
    while (acknowledged.length < afterLastRestart + 150 && failures.length === 0) {
      await new Promise((r) => setTimeout(r, 5));
    }
    stop = true;
    await running;
    expect(failures).toEqual([]);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    const ledger = await openLedger({ path: db });
    try {
      const count = new Map<string, number>();
      for await (const { revisions } of ledger.export()) {
        for (const revision of revisions) {
          if (revision.metadata.table !== 'orders') continue;
          const writeId = String(revision.data?.writeId);
          count.set(writeId, (count.get(writeId) ?? 0) + 1);
        }
      }
      const duplicates = [...count].filter(([, times]) => times > 1);
      expect(duplicates).toEqual([]);
      for (const writeId of acknowledged) expect(count.get(writeId), writeId).toBe(1);
      expect(acknowledged.length).toBeGreaterThanOrEqual(600);
      expect((await ledger.audit()).ok).toBe(true);
      console.log(
        `fault test: ${acknowledged.length} acknowledged, ${count.size} present, ${replays} answered by replay after a kill`,
      );
    } finally {
      await ledger.close();
    }
  },
);

test.skipIf(!cliBuilt)('serve exits 0 on SIGTERM and SIGINT', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerdb-serve-'));
  const tokens = join(dir, 'tokens.json');
  createToken(tokens);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const server = await startServe(['--db', join(dir, 'x.ledger'), '--tokens', tokens, '--port', '0']);
    const health = await fetch(new URL('/healthz', server.url));
    expect(health.status).toBe(200);
    server.child.kill(signal);
    expect(await server.exited).toBe(0);
  }
});

test.skipIf(!cliBuilt)('serve refuses bad options with exit code 2', async () => {
  const run = (...args: string[]) => {
    try {
      execFileSync(process.execPath, [ledgerdbBin, 'serve', ...args], { stdio: 'pipe' });
      return { status: 0, stderr: '' };
    } catch (error) {
      const failed = error as { status: number; stderr: Buffer };
      return { status: failed.status, stderr: failed.stderr.toString() };
    }
  };
  expect(run('--tokens', 't.json')).toMatchObject({ status: 2, stderr: expect.stringContaining('--db') });
  expect(run('--db', 'x', '--tokens', 't', '--port', '99999')).toMatchObject({ status: 2 });
  expect(run('--db', 'x', '--tokens', 't', '--tls-cert', 'c')).toMatchObject({ status: 2 });
  expect(run('--db', 'x', '--tokens', 't', '--bogus')).toMatchObject({ status: 2 });
});
