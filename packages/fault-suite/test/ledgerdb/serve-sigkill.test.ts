// Scenario: `ledgerdb serve` (SQLite) is killed with SIGKILL mid-commit under a 16-client
// write load, three times, and restarted on the same file and port. Users retry each write
// with its idempotency key: every acknowledged write must be there exactly once (a write
// whose answer the kill swallowed is answered from the idempotency record, not committed
// again), and the audit must pass.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerdbClient } from '@ledgerkit/ledgerdb/client';
import { expect, test } from 'vitest';
import { reportAndAssert } from '../../src/report.ts';
import { createAdminToken, freePort, type ServeProcess, startServe } from './serve-process.ts';
import { countAndAudit, WriteLoad } from './write-load.ts';

test('SIGKILL of ledgerdb serve mid-commit, restart, retries with the same Idempotency-Key commit once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fault-kill-'));
  const db = join(dir, 'fault.ledger');
  const tokens = join(dir, 'tokens.json');
  const token = createAdminToken(tokens);
  const args = ['--db', db, '--tokens', tokens, '--port', String(await freePort())];
  let server: ServeProcess = await startServe(args);
  const load = new WriteLoad({ url: server.url, token, clients: 16, table: 'orders' });
  const recoveries: number[] = [];
  try {
    await new LedgerdbClient({ url: server.url, token }).createTable('orders');
    load.start();
    for (let round = 0; round < 3; round++) {
      await load.waitForMore(150, 60_000);
      server.child.kill('SIGKILL');
      await server.exited;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      server = await startServe(args);
      const restartedAt = Date.now();
      await load.waitForMore(50, 60_000);
      recoveries.push(load.recoveryMsAfter(restartedAt) ?? Number.NaN);
    }
    await load.waitForMore(100, 60_000);
  } finally {
    await load.stop();
    await server.stop();
  }
  expect(await server.exited).toBe(0);

  const counts = await countAndAudit({ path: db }, 'orders', load.acknowledged);
  reportAndAssert({
    scenario: 'ledgerdb.serve-sigkill-idempotency',
    acknowledged: counts.acknowledged,
    present: counts.present,
    lost: counts.lost,
    duplicates: counts.duplicates,
    errorsByCode: load.errors.byCode,
    recoveryMs: Math.max(...recoveries),
    ok: counts.auditOk && load.unexpected.length === 0,
  });
  expect(load.unexpected).toEqual([]);
  expect(counts.auditOk).toBe(true);
  console.log(`serve-sigkill: ${load.replayed} writes answered by replay after a kill`);
});
