import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject, Ledger, Receipt, TrustAnchor } from '@ledgerkit/core';
import { asLedger, type LedgerDatabase, openLedgerDatabase } from '@ledgerkit/ledgerdb';
import type { ConformanceBackend, ConformanceFactory } from '../../src/conformance/types.js';
import { runLedgerConformance } from '../../src/conformance.js';
import { ledgerdbWorkload } from '../fixtures/ledgerdb-workload.js';

// Embedded ledgerdb on a SQLite file: the database runs inside the test process, so there is
// no separate process to restart (restart closes and reopens the file, as reopen does), no
// network to be unreachable and no identities to refuse a write; the suite prints those.

const table = 'conformance';
// The table whose rule refuses every write: the "service enforces the rules" of the centralized model.
const guarded = 'guarded';

const workload = ledgerdbWorkload(table, guarded);

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const pinnedKey = publicKey.export({ type: 'spki', format: 'pem' }).toString();
let dir: string | undefined;
// The ledger opened last (open, reopen, restart), which close() closes.
let last: Ledger<LedgerDatabase> | undefined;

async function open(path: string, name: string): Promise<Ledger<LedgerDatabase>> {
  const database = await openLedgerDatabase({ path, name, signingKey: privateKey });
  const tables = new Set((await database.tables()).map((one) => one.name));
  for (const needed of [table, guarded]) if (!tables.has(needed)) await database.createTable(needed);
  return asLedger(database, {
    rules: {
      [guarded]: () => {
        throw new Error('the guarded table takes no writes');
      },
    },
  });
}

function pathOf(name: string): string {
  dir ??= mkdtempSync(join(tmpdir(), 'ledgerkit-conformance-'));
  return join(dir, `${name}.ledger`);
}

const backendOf = (ledger: Ledger<LedgerDatabase>): ConformanceBackend => {
  last = ledger;
  return { ledger, workload };
};

const factory: ConformanceFactory = {
  open: async () => backendOf(await open(pathOf('main'), 'main')),
  reopen: async (backend) => {
    await backend.ledger.close();
    return backendOf(await open(pathOf('main'), 'main'));
  },
  // The database is a library inside this process: restarting it is closing and reopening the file.
  restart: async (backend) => {
    await backend.ledger.close();
    return backendOf(await open(pathOf('main'), 'main'));
  },
  foreignReceipt: async (): Promise<Receipt> => {
    const other = await open(pathOf('other'), 'other');
    try {
      return await other.submit(workload.write('foreign', { from: 'another ledger' }, false));
    } finally {
      await other.close();
    }
  },
  anchor: async (backend): Promise<TrustAnchor> => {
    const database = backend.ledger.native as LedgerDatabase;
    // The digest is signed by the owner key, and the verifier pins the owner's public key.
    return { type: 'ledgerdb-digest', digest: { ...(await database.digest()) } as JsonObject, publicKey: pinnedKey };
  },
  close: async () => {
    await last?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
  missing: {
    unreachable: 'embedded: the database is a library in the test process, there is no network to lose',
    unauthorized: 'embedded: whoever holds the file writes; identities and grants belong to ledgerdb serve',
  },
};

runLedgerConformance('ledgerdb-embedded', factory);
