// Scenario: an operator serves a verifying client a history other than the one it saw:
// the database replaced by an older copy (rolled back), an older copy written on until it
// is longer than what the client trusted (a fork), and two servers with two histories of
// the same length (a split view between two clients that compare digests). The client
// keeps its last trusted digest in a file (DigestTracker); each attack must be refused with
// DIGEST_INCONSISTENT naming both tree sizes, for digests and for reads alike.
//
// Reported counts are attacks, not writes: `acknowledged` = histories served that the
// client must refuse, `present` = refused, `lost` = accepted (a miss fails the test).
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLedgerError } from '@ledgerkit/core';
import { LedgerdbClient } from '@ledgerkit/ledgerdb/client';
import { afterEach, expect, test } from 'vitest';
import { ErrorTally, reportAndAssert } from '../../src/report.ts';
import { createAdminToken, freePort, type ServeProcess, startServe } from './serve-process.ts';

const running: ServeProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

async function serve(db: string, tokens: string, port: number): Promise<ServeProcess> {
  const server = await startServe(['--db', db, '--tokens', tokens, '--port', String(port), '--name', 'shop']);
  running.push(server);
  return server;
}

async function stop(server: ServeProcess): Promise<void> {
  await server.stop();
  running.splice(running.indexOf(server), 1);
}

/** Copies a stopped server's SQLite file (and any WAL beside it) to a new path. */
function copyLedger(from: string, to: string): void {
  const dir = join(from, '..');
  const base = from.split('/').pop() as string;
  for (const name of readdirSync(dir)) {
    if (name.startsWith(base))
      copyFileSync(join(dir, name), join(to, '..', `${to.split('/').pop()}${name.slice(base.length)}`));
  }
}

async function write(client: LedgerdbClient, count: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    await client.transaction([{ op: 'insert', table: 'orders', data: { tag, i } }]);
  }
}

test('a rolled-back, forked or split-view server is refused with DIGEST_INCONSISTENT naming both tree sizes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fault-fork-'));
  const tokens = join(dir, 'tokens.json');
  const token = createAdminToken(tokens);
  const db = join(dir, 'live.ledger');
  const backup = join(dir, 'backup.ledger');
  const port = await freePort();
  const errors = new ErrorTally();
  const refusals: { attack: string; trustedSize: number; newSize: number }[] = [];
  let attacks = 0;

  /** Expects the client to refuse what it is served now, via digest() and a verified read. */
  async function expectRefused(attack: string, client: LedgerdbClient): Promise<void> {
    attacks++;
    let refused: unknown;
    try {
      await client.digest();
    } catch (error) {
      refused = error;
    }
    errors.add(refused);
    if (isLedgerError(refused, 'DIGEST_INCONSISTENT')) {
      refusals.push({
        attack,
        trustedSize: refused.details.trustedSize as number,
        newSize: refused.details.newSize as number,
      });
    }
    expect(isLedgerError(refused, 'DIGEST_INCONSISTENT'), `${attack}: ${String(refused)}`).toBe(true);
    // A verified read refuses too: it needs a digest the client can trust.
    await expect(client.find('orders', { tag: 'early' })).rejects.toMatchObject({ code: 'DIGEST_INCONSISTENT' });
  }

  // The live history: 10 writes, backed up, then 10 more that the client sees and trusts.
  let server = await serve(db, tokens, port);
  const setup = new LedgerdbClient({ url: server.url, token });
  await setup.createTable('orders');
  await write(setup, 10, 'early');
  await stop(server);
  copyLedger(db, backup);
  server = await serve(db, tokens, port);
  const trustFile = join(dir, 'trusted-digest.json');
  const client = new LedgerdbClient({ url: server.url, token, trustedDigestFile: trustFile });
  await write(client, 10, 'late');
  const trusted = await client.digest();
  await stop(server);

  // 1. Rolled back: the operator serves the older copy on the same address.
  const rolledBack = join(dir, 'rolled-back.ledger');
  copyLedger(backup, rolledBack);
  server = await serve(rolledBack, tokens, port);
  await expectRefused('rollback', new LedgerdbClient({ url: server.url, token, trustedDigestFile: trustFile }));

  // 2. Forked: the older copy takes new, different writes until it is longer than the
  // trusted history (a client that never saw the live history accepts it: nothing to compare).
  await write(new LedgerdbClient({ url: server.url, token }), 20, 'fork');
  await expectRefused('fork', new LedgerdbClient({ url: server.url, token, trustedDigestFile: trustFile }));
  await stop(server);

  // 3. Split view: two servers at once, each with a history of the trusted length; the
  // client that trusted the live one is shown the other.
  const other = join(dir, 'other.ledger');
  copyLedger(backup, other);
  server = await serve(db, tokens, port);
  const otherServer = await serve(other, tokens, await freePort());
  const otherWriter = new LedgerdbClient({ url: otherServer.url, token });
  while ((await otherWriter.digest()).treeSize < trusted.treeSize) {
    await otherWriter.transaction([{ op: 'insert', table: 'orders', data: { tag: 'split' } }]);
  }
  const otherDigest = await otherWriter.digest();
  expect(otherDigest.treeSize).toBe(trusted.treeSize);
  expect(otherDigest.rootHash).not.toBe(trusted.rootHash);
  // The live server is still consistent with what the client trusts.
  expect((await new LedgerdbClient({ url: server.url, token, trustedDigestFile: trustFile }).digest()).treeSize).toBe(
    trusted.treeSize,
  );
  await expectRefused('split-view', new LedgerdbClient({ url: otherServer.url, token, trustedDigestFile: trustFile }));

  reportAndAssert({
    scenario: 'ledgerdb.forked-server',
    acknowledged: attacks,
    present: refusals.length,
    lost: attacks - refusals.length,
    duplicates: 0,
    errorsByCode: errors.byCode,
    recoveryMs: null,
  });
  expect(refusals.map((refusal) => refusal.attack)).toEqual(['rollback', 'fork', 'split-view']);
  for (const refusal of refusals) expect(refusal.trustedSize).toBe(trusted.treeSize);
  expect(refusals[0]?.newSize).toBeLessThan(trusted.treeSize);
  expect(refusals[1]?.newSize).toBeGreaterThan(trusted.treeSize);
  expect(refusals[2]?.newSize).toBe(trusted.treeSize);
});
