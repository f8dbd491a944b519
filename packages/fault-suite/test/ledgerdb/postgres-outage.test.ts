// Scenario: PostgreSQL crashes (pg_ctl stop -m immediate: no checkpoint, WAL recovery on
// start) and comes back on the same port during a 32-client write load through
// `ledgerdb serve --postgres`. Users must meet only typed, retryable UNAVAILABLE/TIMEOUT
// errors while it is down; the server must accept writes again without a restart; every
// acknowledged write must be there exactly once and the audit must pass.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerdbClient } from '@ledgerkit/ledgerdb/client';
import { postgresStorage } from '@ledgerkit/ledgerdb/postgres';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { reportAndAssert } from '../../src/report.ts';
import { type ControlledPostgres, startControlledPostgres } from './postgres-control.ts';
import { createAdminToken, freePort, type ServeProcess, startServe } from './serve-process.ts';
import { countAndAudit, WriteLoad } from './write-load.ts';

let postgres: ControlledPostgres;
beforeAll(async () => {
  postgres = await startControlledPostgres();
});
afterAll(async () => {
  await postgres?.destroy();
});

test('PostgreSQL crash and restart under a 32-client load: typed UNAVAILABLE, recovery on its own, nothing lost', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fault-pg-'));
  const tokens = join(dir, 'tokens.json');
  const token = createAdminToken(tokens);
  const schema = 'fault_outage';
  const port = await freePort();
  const server: ServeProcess = await startServe([
    '--postgres',
    postgres.url,
    '--schema',
    schema,
    '--tokens',
    tokens,
    '--port',
    String(port),
  ]);
  const load = new WriteLoad({ url: server.url, token, clients: 32, table: 'orders' });
  let recoveryMs: number | null = null;
  let duringOutage: Record<string, number> = {};
  try {
    await new LedgerdbClient({ url: server.url, token }).createTable('orders');
    load.start();
    await load.waitForMore(200, 60_000);

    const before = { ...load.errors.byCode };
    await postgres.stop('immediate');
    // Down long enough for every user to notice (the client's own retry takes ~150 ms).
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await postgres.start();
    const restartedAt = Date.now();
    duringOutage = Object.fromEntries(
      Object.entries(load.errors.byCode).map(([code, count]) => [code, count - (before[code] ?? 0)]),
    );
    await load.waitForMore(200, 20_000);
    recoveryMs = load.recoveryMsAfter(restartedAt);
  } catch (error) {
    throw new Error(`${String(error)}; server stderr: ${server.stderr().slice(-2000)}`);
  } finally {
    await load.stop();
    await server.stop();
  }
  expect(await server.exited).toBe(0);

  const counts = await countAndAudit(
    { storage: postgresStorage({ connectionString: postgres.url, schema }) },
    'orders',
    load.acknowledged,
  );
  reportAndAssert({
    scenario: 'ledgerdb.postgres-outage',
    acknowledged: counts.acknowledged,
    present: counts.present,
    lost: counts.lost,
    duplicates: counts.duplicates,
    errorsByCode: load.errors.byCode,
    recoveryMs,
    ok: counts.auditOk && load.unexpected.length === 0 && (duringOutage.UNAVAILABLE ?? 0) > 0,
  });
  expect(load.unexpected).toEqual([]);
  expect(duringOutage.UNAVAILABLE).toBeGreaterThan(0);
  expect(counts.auditOk).toBe(true);
});
