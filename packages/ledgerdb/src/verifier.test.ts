import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { codeOf } from '../test/error-code.js';
import { signDigest } from './digest-signing.js';
import { fileDigestStore } from './digest-store.js';
import { openLedgerDatabase } from './ledger-database.js';
import type { Digest } from './types.js';
import { DigestTracker, verifyConsistencyProof, verifyDigestSignature, verifyRevisionProof } from './verifier.js';

async function filled(count: number, name = 'verify-test') {
  const ledger = await openLedgerDatabase({ name });
  await ledger.createTable('t');
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await ledger.transaction((tx) => tx.insert('t', { i }))).value);
  return { ledger, ids };
}

describe('verifyRevisionProof', () => {
  // Found by the fault suite's fuzzer (packages/fault-suite): these threw a TypeError.
  test('a missing digest or proof is a failed named check, not an exception', async () => {
    const { ledger, ids } = await filled(3);
    const digest = await ledger.digest();
    const proof = await ledger.proof('t', ids[1] as string, 0);
    const missing = undefined as unknown as Digest;
    expect(verifyRevisionProof(proof, missing).checks).toContainEqual(
      expect.objectContaining({ name: 'digest-match', ok: false }),
    );
    expect(verifyRevisionProof(null as unknown as typeof proof, digest).ok).toBe(false);
    expect(verifyConsistencyProof(await ledger.consistencyProof(digest), missing, digest).checks).toContainEqual(
      expect.objectContaining({ name: 'digests-match', ok: false }),
    );
    await ledger.close();
  });

  test('names each check and fails on any altered field', async () => {
    const { ledger, ids } = await filled(5);
    const digest = await ledger.digest();
    const proof = await ledger.proof('t', ids[2] as string, 0);
    const good = verifyRevisionProof(proof, digest);
    expect(good.checks.map((check) => [check.name, check.ok])).toEqual([
      ['revision-hash', true],
      ['data-hash', true],
      ['digest-match', true],
      ['inclusion-proof', true],
    ]);
    const alterations = [
      { ...proof, revision: { ...proof.revision, data: { i: 99 } } },
      { ...proof, leafIndex: proof.leafIndex + 1 },
      { ...proof, auditPath: [...proof.auditPath].reverse() },
      { ...proof, auditPath: proof.auditPath.slice(1) },
      { ...proof, revision: { ...proof.revision, metadata: { ...proof.revision.metadata, version: 1 } } },
    ];
    for (const altered of alterations) expect(verifyRevisionProof(altered, digest).ok).toBe(false);
    expect(verifyRevisionProof(proof, { ...digest, rootHash: 'ab'.repeat(32) }).ok).toBe(false);
    await ledger.close();
  });

  test('a revision rebuilt in another key order still verifies; one with non-JSON values does not', async () => {
    const { ledger, ids } = await filled(3);
    const digest = await ledger.digest();
    const proof = await ledger.proof('t', ids[1] as string, 0);
    const { metadata, data, dataHash, blockAddress } = proof.revision;
    const reordered = {
      metadata: { ...metadata },
      data: { ...data },
      dataHash: dataHash as string,
      blockAddress: { seq: blockAddress.seq, index: blockAddress.index },
    };
    expect(verifyRevisionProof({ ...proof, revision: reordered }, digest).ok).toBe(true);
    // JSON.stringify would drop the undefined field and hash the genuine revision.
    const padded = { ...proof.revision, data: { ...data, extra: undefined } } as unknown as typeof proof.revision;
    const result = verifyRevisionProof({ ...proof, revision: padded }, digest);
    expect(result.ok).toBe(false);
    // Journal format 2: the leaf commits to the data's hash, and the data check names it.
    expect(result.checks.find((check) => !check.ok)).toMatchObject({ name: 'data-hash', ok: false });
    await ledger.close();
  });

  test('audit paths as uppercase hex verify; malformed ones fail by name', async () => {
    const { ledger, ids } = await filled(9);
    const digest = await ledger.digest();
    const proof = await ledger.proof('t', ids[4] as string, 0);
    const upper = { ...proof, auditPath: proof.auditPath.map((hash) => hash.toUpperCase()) };
    expect(verifyRevisionProof(upper, digest).ok).toBe(true);
    const broken = {
      ...proof,
      auditPath: [`${(proof.auditPath[0] as string).slice(0, 63)}g`, ...proof.auditPath.slice(1)],
    };
    const result = verifyRevisionProof(broken, digest);
    expect(result.ok).toBe(false);
    expect(result.checks.find((check) => check.name === 'inclusion-proof')?.detail).toMatch(/auditPath\[0\]/);
    await ledger.close();
  });
});

describe('digest signatures', () => {
  test('sign and verify; any change to the digest breaks the signature', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519');
    const digest = signDigest({ ledger: 'l', treeSize: 3, rootHash: 'aa'.repeat(32), tip: null }, privateKey);
    expect(verifyDigestSignature(digest, publicKey)).toBe(true);
    expect(verifyDigestSignature({ ...digest, treeSize: 4 }, publicKey)).toBe(false);
    expect(verifyDigestSignature(digest, other.publicKey)).toBe(false);
    const { signature: _removed, ...unsigned } = digest;
    expect(verifyDigestSignature(unsigned, publicKey)).toBe(false);
  });
});

describe('DigestTracker', () => {
  test('accepts digests that extend the trusted one and persists it', async () => {
    const { ledger } = await filled(3);
    const path = join(mkdtempSync(join(tmpdir(), 'ledgerdb-')), 'trusted.json');
    const tracker = new DigestTracker({ store: fileDigestStore(path) });
    const first = await ledger.digest();
    await tracker.accept(first);
    await ledger.transaction((tx) => tx.insert('t', { more: true }));
    const second = await ledger.digest();
    await tracker.accept(second, await ledger.consistencyProof(first, second));
    const reloaded = new DigestTracker({ store: fileDigestStore(path) });
    expect(await reloaded.load()).toEqual(second);
    await ledger.close();
  });

  test('rejects a split view: a digest from a rewritten history', async () => {
    const honest = await filled(4, 'same');
    const tracker = new DigestTracker();
    await tracker.accept(await honest.ledger.digest());
    // The operator shows this client a different history of the same ledger.
    const forked = await openLedgerDatabase({ name: 'same' });
    await forked.createTable('t');
    for (const i of [0, 1, 99, 3, 4]) await forked.transaction((tx) => tx.insert('t', { i }));
    const forkDigest = await forked.digest();
    const fakeProof = await forked.consistencyProof(tracker.trusted as never, forkDigest);
    expect(await codeOf(tracker.accept(forkDigest, fakeProof))).toBe('DIGEST_INCONSISTENT');
    expect(await codeOf(tracker.accept(forkDigest))).toBe('DIGEST_INCONSISTENT');
    expect(await codeOf(tracker.accept({ ...(tracker.trusted as Digest), rootHash: 'cd'.repeat(32) }))).toBe(
      'DIGEST_INCONSISTENT',
    );
    expect(await codeOf(tracker.accept({ ...(tracker.trusted as Digest), treeSize: 1 }))).toBe('DIGEST_INCONSISTENT');
    await honest.ledger.close();
    await forked.close();
  });

  test('requires signatures when given the owner key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const ledger = await openLedgerDatabase({ signingKey: privateKey });
    const tracker = new DigestTracker({ publicKey });
    await tracker.accept(await ledger.digest());
    const { signature: _removed, ...unsigned } = await ledger.digest();
    expect(await codeOf(tracker.accept(unsigned))).toBe('SIGNATURE_INVALID');
    await ledger.close();
  });
});
