// The driver's behaviour suite (test/partiql-driver-suite.ts) on an embedded ledger, and
// against a real `ledgerdb serve` process (the built bin, started per test) that executes
// every statement server-side, through the same LedgerDriver over a LedgerdbClient. The served
// ledger is on the PostgreSQL server of test/global-setup.ts (a fresh schema per test), so
// the test process can open the same ledger as the suite's other writer: a second process
// writing between a lambda's read and its commit.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { LedgerdbClient } from '../src/client.js';
import { openLedgerDatabase as openLedger } from '../src/index.js';
import { LedgerDriver } from '../src/partiql.js';
import { postgresStorage } from '../src/postgres.js';
import { createToken, parseRoles } from '../src/server.js';
import { driverSuite } from './partiql-driver-suite.js';
import { startServe } from './serve-process.js';

const postgresUrl = inject('postgresUrl');

driverSuite('embedded ledger', async () => {
  const ledger = await openLedger({ name: 'driver-test', limits: { documentsPerTransaction: 5 } });
  return {
    ledger,
    driver: new LedgerDriver(ledger, { retryLimit: 4 }),
    newDriver: (options) => new LedgerDriver(ledger, options),
    close: () => ledger.close(),
  };
});

driverSuite('ledgerdb serve', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerdb-driver-'));
  const schema = `driver_${randomBytes(6).toString('hex')}`;
  const tokens = join(dir, 'tokens.json');
  const { token } = await createToken(tokens, 'admin', parseRoles(['admin', 'read:*', 'write:*']));
  const served = await startServe([
    '--postgres',
    postgresUrl,
    '--schema',
    schema,
    '--tokens',
    tokens,
    '--port',
    '0',
    '--max-documents-per-transaction',
    '5',
  ]);
  const client = await LedgerdbClient.connect({ url: served.url, token });
  const ledger = await openLedger({ storage: postgresStorage({ connectionString: postgresUrl, schema }) });
  return {
    ledger,
    driver: new LedgerDriver(client, { retryLimit: 4 }),
    newDriver: (options) => new LedgerDriver(client, options),
    close: async () => {
      await ledger.close();
      served.child.kill('SIGTERM');
      await served.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
