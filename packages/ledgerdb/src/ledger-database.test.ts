import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { openLedgerDatabase } from './ledger-database.js';
import { verifyConsistencyProof, verifyRevisionProof } from './verifier.js';

async function ledgerWithTable() {
  const ledger = await openLedgerDatabase({ name: 'test' });
  await ledger.createTable('shipments');
  return ledger;
}

describe('documents and revisions', () => {
  test('insert, update and delete produce versions 0, 1, 2 and a final revision without data', async () => {
    const ledger = await ledgerWithTable();
    const { value: id } = await ledger.transaction((tx) => tx.insert('shipments', { sku: 'A-1', qty: 5 }));
    expect(id).toMatch(/^[0-9A-Za-z]{22}$/);
    await ledger.transaction((tx) => tx.update('shipments', id, { sku: 'A-1', qty: 4 }));
    expect(await ledger.get('shipments', id)).toEqual({ sku: 'A-1', qty: 4 });
    await ledger.transaction((tx) => tx.delete('shipments', id));
    expect(await ledger.get('shipments', id)).toBeUndefined();
    const history = await ledger.history('shipments', id);
    expect(history.map((revision) => revision.metadata.version)).toEqual([0, 1, 2]);
    expect(history.map((revision) => revision.data)).toEqual([
      { sku: 'A-1', qty: 5 },
      { sku: 'A-1', qty: 4 },
      undefined,
    ]);
    expect(history[0]?.blockAddress).toEqual({ seq: 0, index: 0 });
    expect(history[2]?.hash).toMatch(/^[0-9a-f]{64}$/);
    await ledger.close();
  });

  test('proofs verify offline against the digest and consistency holds across commits', async () => {
    const ledger = await ledgerWithTable();
    const { value: id } = await ledger.transaction((tx) => tx.insert('shipments', { sku: 'B' }));
    const first = await ledger.digest();
    for (let i = 0; i < 10; i++) await ledger.transaction((tx) => tx.insert('shipments', { n: i }));
    const second = await ledger.digest();
    const proof = await ledger.proof('shipments', id, 0);
    expect(verifyRevisionProof(proof, second)).toMatchObject({ ok: true });
    const older = await ledger.proof('shipments', id, 0, first);
    expect(verifyRevisionProof(older, first).ok).toBe(true);
    const consistency = await ledger.consistencyProof(first, second);
    expect(verifyConsistencyProof(consistency, first, second).ok).toBe(true);
    const audit = await ledger.audit({ against: first });
    expect(audit).toMatchObject({ ok: true, blocks: 11, revisions: 11, rootHash: second.rootHash });
    await ledger.close();
  });

  test('signed digests verify with the owner key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const ledger = await openLedgerDatabase({ signingKey: privateKey });
    await ledger.createTable('t');
    const { value: id } = await ledger.transaction((tx) => tx.insert('t', { a: 1 }));
    const digest = await ledger.digest();
    expect(digest.signature).toMatch(/^[0-9a-f]{128}$/);
    const proof = await ledger.proof('t', id, 0);
    expect(verifyRevisionProof(proof, digest, { publicKey }).ok).toBe(true);
    const forged = { ...digest, treeSize: digest.treeSize };
    forged.rootHash = `${'0'.repeat(63)}1`;
    expect(verifyRevisionProof(proof, forged, { publicKey }).ok).toBe(false);
    await ledger.close();
  });
});
