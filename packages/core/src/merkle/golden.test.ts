import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { isLedgerError } from '../errors.js';
import { toHex } from './hex.js';
import { MerkleTree } from './tree.js';
import { verifyConsistency, verifyInclusion } from './verify.js';

// Vectors written by testdata/merkle/generate (transparency-dev/merkle), not by our code.
interface InclusionVector {
  mutation?: string;
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  auditPath: string[];
  rootHash: string;
}
interface ConsistencyVector {
  mutation?: string;
  oldSize: number;
  newSize: number;
  oldRoot: string;
  newRoot: string;
  proof: string[];
}
const load = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../testdata/merkle/${name}`, import.meta.url), 'utf8')) as T;

const { inclusion, maxSize } = load<{ inclusion: InclusionVector[]; maxSize: number }>('inclusion.json');
const { consistency } = load<{ consistency: ConsistencyVector[] }>('consistency.json');
const tampered = load<{ inclusion: InclusionVector[]; consistency: ConsistencyVector[] }>('tampered.json');

const leafData = (i: number) => `ledgerkit golden leaf ${i}`;

describe('golden vectors', () => {
  test('cover every leaf of every tree size 1..maxSize', () => {
    expect(maxSize).toBeGreaterThanOrEqual(33);
    expect(inclusion).toHaveLength((maxSize * (maxSize + 1)) / 2);
    const seen = new Set(inclusion.map((v) => `${v.leafIndex}/${v.treeSize}`));
    for (let size = 1; size <= maxSize; size++) {
      for (let index = 0; index < size; index++) expect(seen.has(`${index}/${size}`)).toBe(true);
    }
  });

  test('accepts every valid inclusion proof', () => {
    for (const vector of inclusion) expect(() => verifyInclusion(vector)).not.toThrow();
  });

  test('accepts every valid consistency proof', () => {
    for (const vector of consistency) expect(() => verifyConsistency(vector)).not.toThrow();
  });

  test('MerkleTree builds the same leaf hashes, roots and proofs as the reference library', () => {
    const tree = new MerkleTree();
    for (let i = 0; i < maxSize; i++) tree.append(leafData(i));
    for (const vector of inclusion) {
      expect(toHex(tree.leafHash(vector.leafIndex))).toBe(vector.leafHash);
      expect(toHex(tree.root(vector.treeSize))).toBe(vector.rootHash);
      expect(tree.inclusionProof(vector.leafIndex, vector.treeSize).map(toHex)).toEqual(vector.auditPath);
    }
    for (const vector of consistency) {
      expect(toHex(tree.root(vector.oldSize))).toBe(vector.oldRoot);
      expect(tree.consistencyProof(vector.oldSize, vector.newSize).map(toHex)).toEqual(vector.proof);
    }
  });
});

function rejection(run: () => void): { code: string; message: string; details: Record<string, unknown> } {
  try {
    run();
  } catch (error) {
    if (!isLedgerError(error)) throw error;
    return { code: error.code, message: error.message, details: { ...error.details } };
  }
  throw new Error('the proof was accepted');
}

describe('tampered vectors', () => {
  const kinds = (vectors: { mutation?: string }[]) => new Set(vectors.map((v) => v.mutation?.replace(/-\d+$/, '')));

  test('include every kind of tampering the issue names', () => {
    for (const set of [kinds(tampered.inclusion), kinds(tampered.consistency)]) {
      for (const kind of ['wrong-sibling', 'truncated-path', 'extra-element', 'swapped-order']) {
        expect(set.has(kind)).toBe(true);
      }
    }
    expect(kinds(tampered.inclusion).has('wrong-size-larger')).toBe(true);
    expect(kinds(tampered.consistency).has('wrong-new-size-larger')).toBe(true);
  });

  test.each(tampered.inclusion.map((v) => [`${v.mutation} leaf ${v.leafIndex} of ${v.treeSize}`, v] as const))(
    'rejects inclusion proof: %s',
    (_name, vector) => {
      const { code, message, details } = rejection(() => verifyInclusion(vector));
      expect(code).toBe('MERKLE_PROOF_INVALID');
      expect(details.expectedRoot).toBe(vector.rootHash);
      expect(details.computedRoot).toMatch(/^[0-9a-f]{64}$/);
      expect(message).toContain(`expected root ${vector.rootHash}`);
      expect(message).toContain(`computed ${String(details.computedRoot)}`);
    },
  );

  test.each(tampered.consistency.map((v) => [`${v.mutation} ${v.oldSize} -> ${v.newSize}`, v] as const))(
    'rejects consistency proof: %s',
    (_name, vector) => {
      const { code, message, details } = rejection(() => verifyConsistency(vector));
      expect(code).toBe('MERKLE_PROOF_INVALID');
      expect(details.expectedOldRoot).toBe(vector.oldRoot);
      expect(details.expectedNewRoot).toBe(vector.newRoot);
      expect(message).toContain(`expected old root ${vector.oldRoot}`);
      expect(message).toContain(`expected new root ${vector.newRoot}`);
      expect(message).toContain(`computed ${String(details.computedNewRoot)}`);
    },
  );
});
