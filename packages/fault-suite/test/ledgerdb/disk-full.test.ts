// Scenario: the disk fills up during writes to an embedded SQLite ledger on a real small
// filesystem (see small-filesystem.ts). Writes must fail with a typed error and commit
// nothing; once space is freed, writes succeed again on the same open ledger; afterwards
// every acknowledged write is there exactly once, no failed write is, and the audit passes
// (also after reopening, which rebuilds the derived indexes from the journal). The same
// for `ledgerdb serve` on that filesystem, seen by its clients.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLedgerError } from '@ledgerkit/core';
import { openLedgerDatabase } from '@ledgerkit/ledgerdb';
import { LedgerdbClient } from '@ledgerkit/ledgerdb/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ErrorTally, reportAndAssert } from '../../src/report.ts';
import { createAdminToken, freePort, startServe } from './serve-process.ts';
import { mountSmallFilesystem, type SmallFilesystem } from './small-filesystem.ts';
import { countAndAudit, WriteLoad } from './write-load.ts';

let fs: SmallFilesystem;
beforeAll(async () => {
  fs = await mountSmallFilesystem(16);
});
afterAll(async () => {
  await fs?.destroy();
});

const pad = 'x'.repeat(3_000);

test('disk full under an embedded SQLite ledger: typed error, nothing half-written, writes resume once space is freed', async () => {
  const path = join(fs.dir, 'embedded.ledger');
  const ledger = await openLedgerDatabase({ path });
  await ledger.createTable('orders');
  const acknowledged: string[] = [];
  const failed: string[] = [];
  const errors = new ErrorTally();
  /** Errors other than a retryable UNAVAILABLE saying the storage is full. */
  const untyped: unknown[] = [];
  let sequence = 0;

  /** Four concurrent writers (group commits) until `until` says stop. */
  async function writeWhile(until: () => boolean): Promise<void> {
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (!until()) {
          const writeId = `w-${sequence++}`;
          try {
            await ledger.transaction((tx) => tx.insert('orders', { writeId, pad }));
            acknowledged.push(writeId);
          } catch (error) {
            failed.push(writeId);
            errors.add(error);
            if (!isLedgerError(error, 'UNAVAILABLE') || !error.retryable || error.details.reason !== 'storage-full') {
              untyped.push(error);
            }
          }
        }
      }),
    );
  }

  const ballast = fs.fill(400 * 1024);
  const deadline = Date.now() + 60_000;
  // Until 20 writes failed: the first ENOSPC and a few after it, on the same ledger.
  await writeWhile(() => failed.length >= 20 || Date.now() > deadline);
  expect(failed.length).toBeGreaterThanOrEqual(20);
  const atFull = acknowledged.length;

  ballast.release();
  const freedAt = Date.now();
  let recoveryMs: number | null = null;
  await writeWhile(() => {
    if (recoveryMs === null && acknowledged.length > atFull) recoveryMs = Date.now() - freedAt;
    return acknowledged.length >= atFull + 50 || Date.now() > deadline + 30_000;
  });
  const live = await ledger.audit();
  await ledger.close();

  const counts = await countAndAudit({ path }, 'orders', acknowledged);
  const failedAndPresent = (await countAndAudit({ path }, 'orders', failed)).present;
  reportAndAssert({
    scenario: 'ledgerdb.disk-full-embedded',
    acknowledged: counts.acknowledged,
    present: counts.present,
    lost: counts.lost,
    duplicates: counts.duplicates,
    errorsByCode: errors.byCode,
    recoveryMs,
    ok: counts.auditOk && live.ok && untyped.length === 0 && failedAndPresent === 0,
  });
  expect(untyped).toEqual([]);
  expect(failedAndPresent).toBe(0);
  expect(live.ok).toBe(true);
  expect(counts.auditOk).toBe(true);
  expect(acknowledged.length).toBeGreaterThanOrEqual(atFull + 50);
});

test('disk full under ledgerdb serve: clients get a retryable UNAVAILABLE (storage-full), and their retries commit once space is freed', async () => {
  const dir = join(fs.dir, 'served');
  mkdirSync(dir);
  const db = join(dir, 'served.ledger');
  // The tokens live off the small filesystem: only the ledger should meet ENOSPC.
  const tokens = join(mkdtempSync(join(tmpdir(), 'fault-full-')), 'tokens.json');
  const token = createAdminToken(tokens);
  const server = await startServe(['--db', db, '--tokens', tokens, '--port', String(await freePort())]);
  const load = new WriteLoad({ url: server.url, token, clients: 8, table: 'orders', pad: 2_000 });
  let recoveryMs: number | null = null;
  let fullError: unknown;
  try {
    await new LedgerdbClient({ url: server.url, token }).createTable('orders');
    load.start();
    await load.waitForMore(50, 60_000);
    const ballast = fs.fill(300 * 1024);
    const deadline = Date.now() + 60_000;
    while ((load.errors.byCode.UNAVAILABLE ?? 0) < 30 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    fullError = load.lastError;
    ballast.release();
    const freedAt = Date.now();
    await load.waitForMore(50, 60_000);
    recoveryMs = load.recoveryMsAfter(freedAt);
  } finally {
    await load.stop();
    await server.stop();
  }
  expect(await server.exited).toBe(0);
  const counts = await countAndAudit({ path: db }, 'orders', load.acknowledged);
  const reportedFull = isLedgerError(fullError, 'UNAVAILABLE') && fullError.details.reason === 'storage-full';
  reportAndAssert({
    scenario: 'ledgerdb.disk-full-serve',
    acknowledged: counts.acknowledged,
    present: counts.present,
    lost: counts.lost,
    duplicates: counts.duplicates,
    errorsByCode: load.errors.byCode,
    recoveryMs,
    ok: counts.auditOk && load.unexpected.length === 0 && reportedFull,
  });
  expect(load.unexpected).toEqual([]);
  expect(reportedFull, String(fullError)).toBe(true);
  expect(counts.auditOk).toBe(true);
});
