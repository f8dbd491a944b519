import { describe, expect, test } from 'vitest';
import { emptyRoot, hashLeaf } from './hasher.js';
import { toHex } from './hex.js';
import { MerkleTree } from './tree.js';

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
