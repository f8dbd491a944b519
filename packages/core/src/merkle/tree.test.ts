import { describe, expect, test } from 'vitest';
import { emptyRoot, hashLeaf } from './hasher.js';
import { toHex } from './hex.js';
import { MerkleTree } from './tree.js';
import { inclusionRoot } from './verify.js';

describe('MerkleTree', () => {
  test('the empty tree has the SHA-256 of no bytes as root', () => {
    expect(toHex(new MerkleTree().root())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(emptyRoot())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  test('a one-leaf tree has the leaf hash as root', () => {
    const tree = new MerkleTree();
    expect(tree.append('a')).toBe(0);
    expect(toHex(tree.root())).toBe(toHex(hashLeaf('a')));
  });

  test('roots of earlier sizes stay available after appends', () => {
    const tree = new MerkleTree();
    const roots: string[] = [];
    for (let i = 0; i < 20; i++) {
      tree.append(`entry ${i}`);
      roots.push(toHex(tree.root()));
    }
    for (const [i, root] of roots.entries()) expect(toHex(tree.root(i + 1))).toBe(root);
  });

  test('rejects sizes beyond the tree and unknown leaves', () => {
    const tree = new MerkleTree();
    tree.append('a');
    expect(() => tree.root(2)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => tree.leafHash(1)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('inclusionRoot', () => {
  test('folds every leaf of every small tree to its root, and refuses a path of the wrong length', () => {
    for (let size = 1; size <= 17; size++) {
      const tree = new MerkleTree();
      for (let leaf = 0; leaf < size; leaf++) tree.append(`leaf ${leaf}`);
      for (let leaf = 0; leaf < size; leaf++) {
        const auditPath = tree.inclusionProof(leaf, size);
        const leafHash = hashLeaf(`leaf ${leaf}`);
        expect(toHex(inclusionRoot({ leafHash, leafIndex: leaf, treeSize: size, auditPath }))).toBe(
          toHex(tree.root(size)),
        );
        if (auditPath.length > 0) {
          expect(() =>
            inclusionRoot({ leafHash, leafIndex: leaf, treeSize: size, auditPath: auditPath.slice(1) }),
          ).toThrow(expect.objectContaining({ code: 'MERKLE_PROOF_INVALID' }));
        }
        expect(() =>
          inclusionRoot({ leafHash, leafIndex: leaf, treeSize: size, auditPath: [...auditPath, leafHash] }),
        ).toThrow(expect.objectContaining({ code: 'MERKLE_PROOF_INVALID' }));
      }
    }
    expect(() => inclusionRoot({ leafHash: hashLeaf('x'), leafIndex: 3, treeSize: 3, auditPath: [] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
