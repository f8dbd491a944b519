import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import * as node from './native-node.js';
import * as portable from './native-portable.js';

// The two sides of `#merkle-native` must agree byte for byte: the browser bundle verifies
// with the portable one what Node wrote with the native one.
const sides = { node, portable };

function reference(...parts: (Uint8Array | number[])[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(Uint8Array.from(part));
  return hash.digest('hex');
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe.each(Object.entries(sides))('%s', (_name, side) => {
  test('exports the same functions as the other side', () => {
    expect(Object.keys(side).sort()).toEqual(Object.keys(node).sort());
  });

  test('leaf hashes of strings (UTF-8, incl. multi-byte) and bytes', () => {
    for (const text of ['', 'a', '{"k":"ä€𝄞"}', 'x'.repeat(5000)]) {
      expect(hex(side.sha256Leaf(text))).toBe(reference([0], Buffer.from(text, 'utf8')));
    }
    const bytes = Uint8Array.from({ length: 100 }, (_, i) => i * 7);
    expect(hex(side.sha256Leaf(bytes))).toBe(reference([0], bytes));
  });

  test('node hashes, including of odd-sized inputs', () => {
    const left = Uint8Array.from({ length: 32 }, (_, i) => i);
    const right = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    expect(hex(side.sha256Node(left, right))).toBe(reference([1], left, right));
    expect(hex(side.sha256Node(left.subarray(3), right))).toBe(reference([1], left.subarray(3), right));
  });

  test('the empty root and hex both ways', () => {
    expect(hex(side.sha256Empty())).toBe(reference());
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i * 9);
    expect(side.bytesToHex(bytes)).toBe(hex(bytes));
    expect(side.hexToBytes(hex(bytes))).toEqual(bytes);
  });
});
