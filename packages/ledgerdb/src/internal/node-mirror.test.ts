import { MerkleTree, toHex } from '@ledgerkit/core';
import { expect, test } from 'vitest';
import { Frontier } from './frontier.js';
import { NodeMirror } from './node-mirror.js';

function grow(mirror: NodeMirror, from: number, to: number, tree: MerkleTree, frontier: Frontier) {
  for (let leaf = from; leaf < to; leaf++) {
    const leafHash = tree.leafHash(tree.append(`leaf ${leaf}`));
    mirror.add(leaf, frontier.append(leafHash));
  }
}

test('holds every perfect subtree appended since it started, equal to the tree', () => {
  const tree = new MerkleTree();
  const frontier = new Frontier(0, []);
  const mirror = new NodeMirror(1 << 20);
  grow(mirror, 0, 300, tree, frontier);
  for (const [level, count] of [
    [0, 300],
    [1, 150],
    [4, 18],
    [8, 1],
  ] as const) {
    for (let index = 0; index < count; index++) {
      expect(toHex(mirror.get({ level, index }) as Uint8Array)).toBe(hashOf(tree, level, index));
    }
  }
  expect(mirror.get({ level: 0, index: 300 })).toBeUndefined();
  expect(mirror.get({ level: 9, index: 0 })).toBeUndefined();
});

test('drops the lowest levels first when over budget', () => {
  const tree = new MerkleTree();
  const frontier = new Frontier(0, []);
  const mirror = new NodeMirror(32 * 64 * 3);
  grow(mirror, 0, 200, tree, frontier);
  expect(mirror.get({ level: 0, index: 5 })).toBeUndefined();
  expect(toHex(mirror.get({ level: 6, index: 1 }) as Uint8Array)).toBe(hashOf(tree, 6, 1));
});

/** Hash of perfect subtree (level, index), as the root of that leaf range. */
function hashOf(tree: MerkleTree, level: number, index: number): string {
  const width = 2 ** level;
  const sub = new MerkleTree();
  for (let leaf = index * width; leaf < (index + 1) * width; leaf++) sub.appendLeafHash(tree.leafHash(leaf));
  return toHex(sub.root());
}
