import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as reference from '../../test/rfc9162-reference.js';
import { isLedgerError } from '../errors.js';
import { toHex } from './hex.js';
import { MerkleTree } from './tree.js';
import { verifyConsistency, verifyInclusion } from './verify.js';

// Each run builds a random tree and compares with the naive reference implementation in
// test/rfc9162-reference.ts. 1,000 runs, as the foundation issue asks.
const runs = { numRuns: 1_000 };

const treeArbitrary = fc
  .record({
    size: fc.integer({ min: 1, max: 200 }),
    seed: fc.integer(),
    leafFraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    oldFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ size, seed, leafFraction, oldFraction }) => {
    const leaves = Array.from({ length: size }, (_, i) => new TextEncoder().encode(`${seed}:${i}`));
    return {
      leaves,
      leafIndex: Math.floor(leafFraction * size),
      oldSize: Math.round(oldFraction * size),
    };
  });

type Tamper = 'flip-byte' | 'drop' | 'append' | 'swap' | 'other-leaf';
const tamperArbitrary = fc.record({
  kind: fc.constantFrom<Tamper>('flip-byte', 'drop', 'append', 'swap', 'other-leaf'),
  position: fc.nat(),
  byte: fc.integer({ min: 0, max: 31 }),
});

function build(leaves: readonly Uint8Array[]): MerkleTree {
  const tree = new MerkleTree();
  for (const leaf of leaves) tree.append(leaf);
  return tree;
}

function expectRejected(run: () => void): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(isLedgerError(caught, 'MERKLE_PROOF_INVALID')).toBe(true);
}

/** Applies a tampering that must invalidate any proof; returns undefined if not applicable. */
function tamper(path: Buffer[], how: { kind: Tamper; position: number; byte: number }): Uint8Array[] | undefined {
  const copy: Uint8Array[] = path.map((hash) => Uint8Array.from(hash));
  const at = copy.length === 0 ? 0 : how.position % copy.length;
  switch (how.kind) {
    case 'flip-byte': {
      const target = copy[at];
      if (!target) return undefined;
      target[how.byte] = (target[how.byte] as number) ^ 0xff;
      return copy;
    }
    case 'drop':
      return copy.length === 0 ? undefined : copy.filter((_, i) => i !== at);
    case 'append':
      return [...copy, reference.leafHash(Buffer.from('extra'))];
    case 'swap': {
      const next = (at + 1) % copy.length;
      const [first, second] = [copy[at] as Uint8Array, copy[next] as Uint8Array];
      if (copy.length < 2 || Buffer.compare(first, second) === 0) return undefined;
      [copy[at], copy[next]] = [second, first];
      return copy;
    }
    case 'other-leaf':
      return undefined; // handled by the caller: the path stays, the leaf changes
  }
}

describe('agreement with the RFC 9162 reference on random trees', () => {
  test('roots and inclusion proofs match and verify', () => {
    fc.assert(
      fc.property(treeArbitrary, ({ leaves, leafIndex }) => {
        const tree = build(leaves);
        const root = reference.mth(leaves);
        const path = reference.path(leafIndex, leaves);
        expect(toHex(tree.root())).toBe(root.toString('hex'));
        expect(tree.inclusionProof(leafIndex).map(toHex)).toEqual(path.map((hash) => hash.toString('hex')));
        verifyInclusion({
          leafHash: reference.leafHash(leaves[leafIndex] as Uint8Array),
          leafIndex,
          treeSize: leaves.length,
          auditPath: path,
          rootHash: root,
        });
      }),
      runs,
    );
  });

  test('consistency proofs match and verify', () => {
    fc.assert(
      fc.property(treeArbitrary, ({ leaves, oldSize }) => {
        const tree = build(leaves);
        const proof = reference.proof(oldSize, leaves);
        expect(tree.consistencyProof(oldSize).map(toHex)).toEqual(proof.map((hash) => hash.toString('hex')));
        verifyConsistency({
          oldSize,
          newSize: leaves.length,
          oldRoot: reference.mth(leaves.slice(0, oldSize)),
          newRoot: reference.mth(leaves),
          proof,
        });
      }),
      runs,
    );
  });

  test('tampered inclusion proofs are rejected', () => {
    fc.assert(
      fc.property(treeArbitrary, tamperArbitrary, ({ leaves, leafIndex }, how) => {
        const path = reference.path(leafIndex, leaves);
        const input = {
          leafHash: reference.leafHash(leaves[leafIndex] as Uint8Array),
          leafIndex,
          treeSize: leaves.length,
          auditPath: path,
          rootHash: reference.mth(leaves),
        };
        if (how.kind === 'other-leaf') {
          expectRejected(() => verifyInclusion({ ...input, leafHash: reference.leafHash(Buffer.from('forged')) }));
          return;
        }
        const forged = tamper(path, how);
        fc.pre(forged !== undefined);
        expectRejected(() => verifyInclusion({ ...input, auditPath: forged as Uint8Array[] }));
      }),
      runs,
    );
  });

  test('tampered consistency proofs are rejected', () => {
    fc.assert(
      fc.property(treeArbitrary, tamperArbitrary, ({ leaves, oldSize }, how) => {
        const proof = reference.proof(oldSize, leaves);
        const input = {
          oldSize,
          newSize: leaves.length,
          oldRoot: reference.mth(leaves.slice(0, oldSize)),
          newRoot: reference.mth(leaves),
          proof,
        };
        if (how.kind === 'other-leaf') {
          // A history with one entry rewritten: the old root no longer matches.
          fc.pre(oldSize > 0);
          const rewritten = leaves.map((leaf, i) => (i === how.position % oldSize ? Buffer.from('forged') : leaf));
          expectRejected(() => verifyConsistency({ ...input, oldRoot: reference.mth(rewritten.slice(0, oldSize)) }));
          return;
        }
        const forged = tamper(proof, how);
        fc.pre(forged !== undefined);
        expectRejected(() => verifyConsistency({ ...input, proof: forged as Uint8Array[] }));
      }),
      runs,
    );
  });
});
