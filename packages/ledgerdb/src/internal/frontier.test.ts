import { createHash } from 'node:crypto';
import { expect, test } from 'vitest';
import { leafHashBinary } from './frontier.js';

/** RFC 9162 leaf hash computed the plain way: SHA-256 of 0x00 and the body's UTF-8. */
const plainLeafHash = (body: string) =>
  createHash('sha256')
    .update(Buffer.from([0]))
    .update(body, 'utf8')
    .digest()
    .toString('latin1');

test('leaf hashes equal SHA-256(0x00 || UTF-8 body) for short, multi-byte and large bodies, in any order', () => {
  const bodies = [
    '',
    '{"a":1}',
    // Built by concatenation, as commits build them.
    `{"blockAddress":{"index":0,"seq":${7}},` + `"data":{"name":"Zürich ✓ 𝄞"},` + `"metadata":{"id":"x"}}`,
    // Larger than the reused buffer's first size: it grows, and later short bodies still hash right.
    `{"data":"${'é'.repeat(40_000)}"}`,
    '{"b":2}',
    `{"data":"${'𝄞'.repeat(70_000)}"}`,
    '{"c":3}',
  ];
  for (const body of bodies) expect(leafHashBinary(body)).toBe(plainLeafHash(body));
});

test('the next leaf path is the RFC 9162 inclusion proof of that leaf in the tree it ends', async () => {
  const { MerkleTree, hashLeaf, toHex } = await import('@ledgerkit/core');
  const { Frontier } = await import('./frontier.js');
  const frontier = new Frontier(0, []);
  const tree = new MerkleTree();
  for (let i = 0; i < 70; i++) {
    const leaf = hashLeaf(`leaf ${i}`);
    const path = frontier.nextLeafPath();
    frontier.append(leaf);
    tree.appendLeafHash(leaf);
    expect(path).toEqual(tree.inclusionProof(i).map((hash) => toHex(hash)));
  }
});
