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
