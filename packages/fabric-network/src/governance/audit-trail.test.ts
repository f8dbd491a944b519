import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLedgerError, type Ledger } from '@ledgerkit/core';
import { asLedger, type LedgerDatabase, openLedgerDatabase } from '@ledgerkit/ledgerdb';
import { verifyLedgerdbReceipt } from '@ledgerkit/ledgerdb/verify';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AuditTrail } from './audit-trail.js';

describe('AuditTrail on a ledgerdb ledger', () => {
  let dir: string;
  let ledger: Ledger<LedgerDatabase>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgerkit-audit-'));
    const { privateKey } = generateKeyPairSync('ed25519');
    const database = await openLedgerDatabase({
      path: join(dir, 'audit.ledger'),
      name: 'audit',
      signingKey: privateKey,
    });
    await database.createTable('governance');
    ledger = asLedger(database);
  });

  afterEach(async () => {
    await ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('each event is one document with a receipt the ledgerdb verifier accepts; a tampered document fails', async () => {
    const file = join(dir, 'audit.jsonl');
    const trail = await AuditTrail.open(ledger, 'governance', file, 'trade');
    const at = new Date('2026-12-04T12:00:00Z');
    const entries = await trail.record(
      [
        {
          type: 'PROPOSAL_CREATED',
          proposalId: 'p1',
          action: { type: 'INVITE', organization: 'Org3' },
          proposedBy: 'Org1',
          expiresAt: '2026-12-05T12:00:00.000Z',
        },
        { type: 'VOTE_CAST', proposalId: 'p1', member: 'Org1', vote: 'YES' },
      ],
      at,
    );
    expect(entries.map((entry) => entry.document)).toEqual([
      expect.objectContaining({ network: 'trade', index: 0, at: at.toISOString(), type: 'PROPOSAL_CREATED' }),
      expect.objectContaining({ network: 'trade', index: 1, type: 'VOTE_CAST', member: 'Org1', vote: 'YES' }),
    ]);
    for (const entry of entries) {
      const bundle = await ledger.evidence(entry.receipt);
      expect((await verifyLedgerdbReceipt(bundle.subject, bundle.evidence)).ok).toBe(true);
    }
    // The document on the ledger is the one recorded.
    const stored = (await ledger.evaluate({
      method: 'find',
      args: ['governance', { type: 'VOTE_CAST' }],
    })) as unknown[];
    expect(JSON.stringify(stored)).toContain('"member":"Org1"');

    const reopened = await AuditTrail.open(ledger, 'governance', file, 'trade');
    expect(await reopened.entries()).toEqual(entries);
    const [next] = await reopened.record([{ type: 'VOTE_CAST', proposalId: 'p1', member: 'Org2', vote: 'NO' }], at);
    expect(next?.document.index).toBe(2);
  });

  test('a ledger that refuses the write leaves the local trail unchanged', async () => {
    const file = join(dir, 'audit.jsonl');
    const trail = await AuditTrail.open(ledger, 'no_such_table', file, 'trade');
    const refused = await trail
      .record([{ type: 'VOTE_CAST', proposalId: 'p1', member: 'Org1', vote: 'YES' }], new Date())
      .catch((error: unknown) => error);
    expect(isLedgerError(refused, 'NOT_FOUND')).toBe(true);
    expect(await readFile(file, 'utf8').catch(() => 'absent')).toBe('absent');
  });
});
