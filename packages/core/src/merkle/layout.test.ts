import { describe, expect, test } from 'vitest';
import { consistencyProofRanges, inclusionProofRanges, rangeNodes } from './layout.js';

describe('proof layouts', () => {
  test('inclusion proof of leaf 6 in a tree of 7 (RFC 9162 §2.1.5 example, d)', () => {
    expect(inclusionProofRanges(6, 7)).toEqual([
      [4, 6],
      [0, 4],
    ]);
  });

  test('inclusion proof of leaf 0 in a tree of 7 (RFC 9162 §2.1.5 example, a)', () => {
    expect(inclusionProofRanges(0, 7)).toEqual([
      [1, 2],
      [2, 4],
      [4, 7],
    ]);
  });

  test('consistency proof from 3 to 7 (RFC 9162 §2.1.5 example, hash c d g l)', () => {
    expect(consistencyProofRanges(3, 7)).toEqual([
      [2, 3],
      [3, 4],
      [0, 2],
      [4, 7],
    ]);
  });

  test('consistency proof from 4 to 7 omits the old root (RFC 9162 §2.1.5 example, l)', () => {
    expect(consistencyProofRanges(4, 7)).toEqual([[4, 7]]);
  });

  test('empty consistency proofs for the empty and the identical tree', () => {
    expect(consistencyProofRanges(0, 9)).toEqual([]);
    expect(consistencyProofRanges(9, 9)).toEqual([]);
  });

  test('rejects an index outside the tree and sizes out of order', () => {
    expect(() => inclusionProofRanges(7, 7)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => inclusionProofRanges(-1, 7)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => consistencyProofRanges(8, 7)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  test('splits an aligned range into perfect subtrees, largest first', () => {
    expect(rangeNodes([8, 15])).toEqual([
      { level: 2, index: 2 },
      { level: 1, index: 6 },
      { level: 0, index: 14 },
    ]);
    expect(() => rangeNodes([1, 3])).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
