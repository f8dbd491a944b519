import { describe, expect, test } from 'vitest';
import { isLedgerError } from '../errors.js';
import { toHex } from './hex.js';
import { MerkleTree } from './tree.js';
import { verifyInclusion } from './verify.js';

// The verifier's allocation-free path accepts bytes, hex of either case, or a mix; it
// must agree with the general path on every input shape it takes.
describe('verifyInclusion input shapes', () => {
  const tree = new MerkleTree();
  for (let i = 0; i < 77; i++) tree.append(new TextEncoder().encode(`leaf ${i}`));

  test('bytes, lowercase hex, uppercase hex and mixed paths all verify', () => {
    for (let index = 0; index < tree.size; index++) {
      const proof = tree.inclusionProof(index);
      const hex = proof.map((hash) => toHex(hash));
      const mixed = proof.map((hash, i) => (i % 2 === 0 ? hash : toHex(hash).toUpperCase()));
      for (const auditPath of [proof, hex, hex.map((h) => h.toUpperCase()), mixed]) {
        verifyInclusion({
          leafHash: tree.leafHash(index),
          leafIndex: index,
          treeSize: tree.size,
          auditPath,
          rootHash: tree.root(),
        });
        verifyInclusion({
          leafHash: toHex(tree.leafHash(index)).toUpperCase(),
          leafIndex: index,
          treeSize: tree.size,
          auditPath,
          rootHash: toHex(tree.root()),
        });
      }
    }
  });

  test('a non-hex digit anywhere in the path is rejected and named', () => {
    const hex = tree.inclusionProof(40).map((hash) => toHex(hash));
    for (let element = 0; element < hex.length; element++) {
      for (const position of [0, 31, 63]) {
        const broken = [...hex];
        const original = broken[element] as string;
        broken[element] = `${original.slice(0, position)}x${original.slice(position + 1)}`;
        let error: unknown;
        try {
          verifyInclusion({
            leafHash: tree.leafHash(40),
            leafIndex: 40,
            treeSize: tree.size,
            auditPath: broken,
            rootHash: tree.root(),
          });
        } catch (caught) {
          error = caught;
        }
        expect(isLedgerError(error) && error.code).toBe('INVALID_ARGUMENT');
        expect(String((error as Error).message)).toContain(`auditPath[${element}]`);
      }
    }
  });

  test('a wrong root or a path that is too long fails even when every hash is well formed', () => {
    const proof = tree.inclusionProof(5);
    const input = {
      leafHash: tree.leafHash(5),
      leafIndex: 5,
      treeSize: tree.size,
      auditPath: proof,
      rootHash: tree.root(),
    };
    expect(() => verifyInclusion({ ...input, rootHash: new Uint8Array(32) })).toThrow(/different root/);
    expect(() => verifyInclusion({ ...input, auditPath: [...proof, proof[0] as Uint8Array] })).toThrow(
      /hashes, expected/,
    );
  });
});
