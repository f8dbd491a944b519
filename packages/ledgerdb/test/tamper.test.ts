// Tampers with a real ledger file (through a second SQLite connection, and by flipping
// raw bytes in the file) and checks that audit() and offline proof verification notice.
import { copyFileSync, mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { beforeEach, describe, expect, test } from 'vitest';
import { type Digest, openLedgerDatabase } from '../src/index.js';
import { verifyRevisionProof } from '../src/verify.js';

let path: string;
let trusted: Digest;
let ids: string[];

beforeEach(async () => {
  path = join(mkdtempSync(join(tmpdir(), 'ledgerdb-tamper-')), 'supply.ledger');
  const ledger = await openLedgerDatabase({ path });
  await ledger.createTable('shipments');
  ids = [];
  for (let i = 0; i < 12; i++) {
    const marker = `MARKER-${String(i).padStart(4, '0')}`;
    ids.push((await ledger.transaction((tx) => tx.insert('shipments', { marker, qty: 5 }))).value);
  }
  trusted = await ledger.digest();
  expect((await ledger.audit()).ok).toBe(true);
  await ledger.close(); // checkpoints the WAL into the main file
});

function withRawDatabase(work: (db: DatabaseSync) => void): void {
  const db = new DatabaseSync(path);
  try {
    work(db);
  } finally {
    db.close();
  }
}

async function auditAndProof(target = 5) {
  const ledger = await openLedgerDatabase({ path });
  try {
    const audit = await ledger.audit({ against: trusted });
    const proof = await ledger.proof('shipments', ids[target] as string, 0, trusted).catch(() => undefined);
    const proofOk = proof ? verifyRevisionProof(proof, trusted).ok : false;
    return { audit, proofOk };
  } finally {
    await ledger.close();
  }
}

describe('tampering with the storage file is detected', () => {
  test('an untouched file audits clean and its proofs verify', async () => {
    const { audit, proofOk } = await auditAndProof();
    expect(audit.ok).toBe(true);
    expect(proofOk).toBe(true);
  });

  test('a changed document byte (SQL)', async () => {
    withRawDatabase((db) => {
      // Journal format 2 keeps the data beside the leaf, which holds its hash.
      const changed = db
        .prepare(`UPDATE leaves SET data = replace(data, '"qty":5', '"qty":6') WHERE data LIKE '%MARKER-0005%'`)
        .run();
      expect(changed.changes).toBe(1);
    });
    const { audit, proofOk } = await auditAndProof(5);
    expect(audit.ok).toBe(false);
    expect(audit.firstMismatch?.leaf).toBe(10); // revision of transaction 5 is leaf 2 * 5
    expect(proofOk).toBe(false);
  });

  test('a changed document byte (raw file bytes)', async () => {
    const bytes = readFileSync(path);
    const at = bytes.indexOf('MARKER-0007');
    expect(at).toBeGreaterThan(0);
    bytes[at + 'MARKER-000'.length] = '8'.charCodeAt(0);
    writeFileSync(path, bytes);
    const { audit, proofOk } = await auditAndProof(7);
    expect(audit.ok).toBe(false);
    expect(audit.firstMismatch?.leaf).toBe(14);
    expect(proofOk).toBe(false);
  });

  test('a deleted journal row', async () => {
    withRawDatabase((db) => db.prepare('DELETE FROM leaves WHERE leaf = 6').run());
    const { audit } = await auditAndProof();
    expect(audit.ok).toBe(false);
    expect(audit.firstMismatch).toMatchObject({ leaf: 6 });
  });

  test('a deleted revision index row', async () => {
    withRawDatabase((db) => db.prepare('DELETE FROM revisions WHERE leaf = 4').run());
    const { audit } = await auditAndProof();
    expect(audit).toMatchObject({ ok: false, firstMismatch: { leaf: 4 } });
  });

  test('reordered revisions (two bodies swapped)', async () => {
    withRawDatabase((db) => {
      const a = db.prepare('SELECT body FROM leaves WHERE leaf = 2').get() as { body: string };
      const b = db.prepare('SELECT body FROM leaves WHERE leaf = 8').get() as { body: string };
      db.prepare('UPDATE leaves SET body = ? WHERE leaf = 2').run(b.body);
      db.prepare('UPDATE leaves SET body = ? WHERE leaf = 8').run(a.body);
    });
    const { audit } = await auditAndProof();
    expect(audit).toMatchObject({ ok: false, firstMismatch: { leaf: 2 } });
  });

  test('a consistently rewritten document (hashes recomputed) breaks the trusted digest', async () => {
    // An insider rewrites history and recomputes every hash: only an outside digest catches it.
    const forgedPath = join(mkdtempSync(join(tmpdir(), 'ledgerdb-forged-')), 'supply.ledger');
    const forged = await openLedgerDatabase({ path: forgedPath });
    await forged.createTable('shipments');
    for (let i = 0; i < 12; i++) {
      const marker = `MARKER-${String(i).padStart(4, '0')}`;
      await forged.transaction((tx) =>
        tx.insert('shipments', { marker, qty: i === 3 ? 1 : 5 }, { id: ids[i] as string }),
      );
    }
    await forged.close();
    copyFileSync(forgedPath, path);
    const ledger = await openLedgerDatabase({ path });
    expect((await ledger.audit()).ok).toBe(true); // internally consistent...
    const audit = await ledger.audit({ against: trusted });
    expect(audit.ok).toBe(false); // ...but not the history the auditor trusted
    expect(audit.firstMismatch?.reason).toMatch(/trusted digest/);
    await expect(ledger.consistencyProof(trusted)).resolves.toBeDefined();
    await ledger.close();
  });

  test('the last transactions cut off (all their rows deleted)', async () => {
    withRawDatabase((db) => {
      db.prepare('DELETE FROM leaves WHERE leaf >= 20').run();
      db.prepare('DELETE FROM revisions WHERE leaf >= 20').run();
      db.prepare('DELETE FROM blocks WHERE leaf >= 20').run();
    });
    const ledger = await openLedgerDatabase({ path });
    expect((await ledger.audit()).ok).toBe(true);
    const audit = await ledger.audit({ against: trusted });
    expect(audit).toMatchObject({ ok: false });
    expect(audit.firstMismatch?.reason).toMatch(/fewer than the trusted digest/);
    await ledger.close();
  });

  test('a truncated file', async () => {
    truncateSync(path, Math.floor(statSync(path).size / 2));
    let outcome: { ok: boolean } | undefined;
    try {
      const ledger = await openLedgerDatabase({ path });
      outcome = await ledger.audit({ against: trusted });
      await ledger.close();
    } catch (error) {
      expect(error).toMatchObject({ code: expect.stringMatching(/TAMPER_DETECTED|UNAVAILABLE/) });
      return;
    }
    expect(outcome?.ok).toBe(false);
  });
});
