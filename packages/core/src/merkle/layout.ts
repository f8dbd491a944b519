import { InvalidArgumentError } from '../errors.js';
import { hashChildren } from './hasher.js';

/**
 * A perfect subtree: the `2^level` leaves starting at leaf `index * 2^level`. Such a
 * subtree never changes once its last leaf is appended, so stores keep these nodes and
 * derive everything else from them.
 */
export interface NodeId {
  level: number;
  index: number;
}

/** Leaves `[begin, end)` of the tree. */
export type LeafRange = readonly [begin: number, end: number];

/** Gives the stored hash of a perfect subtree. */
export type NodeLookup = (node: NodeId) => Uint8Array;

/**
 * The ranges whose hashes form the RFC 9162 inclusion proof (`PATH(m, D[n])`, §2.1.3.1)
 * of leaf `index` in a tree of `size` leaves, in proof order (from the leaf upwards).
 * Requires `0 <= index < size`.
 *
 * @param index - leaf index
 * @param size - tree size
 * @returns the ranges; each is aligned so {@link rangeNodes} can cover it
 * @throws InvalidArgumentError when the index is outside the tree
 */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  checkSize('size', size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new InvalidArgumentError('index', `leaf index ${index} is outside a tree of size ${size}`, { index, size });
  }
  const ranges: LeafRange[] = [];
  let begin = 0;
  let end = size;
  // Walk down from the root, remembering the sibling at each split; the proof lists
  // them from the bottom up.
  while (end - begin > 1) {
    const split = begin + largestPowerOfTwoBelow(end - begin);
    if (index < split) {
      ranges.push([split, end]);
      end = split;
    } else {
      ranges.push([begin, split]);
      begin = split;
    }
  }
  return ranges.reverse();
}

/**
 * The ranges whose hashes form the RFC 9162 consistency proof (`PROOF(m, D[n])`,
 * §2.1.4.1) from a tree of `oldSize` leaves to one of `newSize`, in proof order.
 * Requires `0 <= oldSize <= newSize`; an empty proof results when `oldSize` is 0 or
 * equals `newSize`.
 *
 * @param oldSize - size of the earlier tree
 * @param newSize - size of the later tree
 * @returns the ranges
 * @throws InvalidArgumentError when the sizes are out of order
 */
export function consistencyProofRanges(oldSize: number, newSize: number): LeafRange[] {
  checkSize('oldSize', oldSize);
  checkSize('newSize', newSize);
  if (oldSize > newSize) {
    throw new InvalidArgumentError('oldSize', `old tree size ${oldSize} exceeds new tree size ${newSize}`, {
      oldSize,
      newSize,
    });
  }
  if (oldSize === 0 || oldSize === newSize) return [];
  const ranges: LeafRange[] = [];
  let begin = 0;
  let end = newSize;
  let whole = true; // SUBPROOF's b: the old tree is the whole of [begin, end)'s left edge
  const m = oldSize;
  while (m !== end) {
    const split = begin + largestPowerOfTwoBelow(end - begin);
    if (m <= split) {
      ranges.push([split, end]);
      end = split;
    } else {
      ranges.push([begin, split]);
      begin = split;
      whole = false;
    }
  }
  // m == end: the old tree's last subtree is [begin, end); it is part of the proof
  // unless the verifier already knows it as the old root.
  if (!whole) ranges.push([begin, end]);
  return ranges.reverse();
}

/**
 * The perfect subtrees that make up an aligned range, largest (leftmost) first.
 *
 * @param range - a range produced by the proof layouts, or `[0, size)`
 * @returns the nodes covering it
 * @throws InvalidArgumentError when the range is not aligned to its subtrees
 */
export function rangeNodes(range: LeafRange): NodeId[] {
  const [begin, end] = range;
  if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end <= begin) {
    throw new InvalidArgumentError('range', `leaf range [${begin}, ${end}) is empty or invalid`, { begin, end });
  }
  const width = end - begin;
  // Most proof ranges are one perfect subtree: no loop needed.
  if ((width & (width - 1)) === 0 && width <= 2 ** 30 && begin % width === 0) {
    return [{ level: Math.log2(width), index: begin / width }];
  }
  const nodes: NodeId[] = [];
  let position = begin;
  let remaining = width;
  for (let level = Math.floor(Math.log2(remaining)) + 1; level >= 0; level--) {
    const width = 2 ** level;
    if (remaining >= width) {
      if (position % width !== 0) {
        throw new InvalidArgumentError('range', `leaf range [${begin}, ${end}) is not aligned to its subtrees`, {
          begin,
          end,
        });
      }
      nodes.push({ level, index: position / width });
      position += width;
      remaining -= width;
    }
  }
  return nodes;
}

/**
 * RFC 9162 `MTH` of an aligned range, from its perfect subtrees.
 *
 * @param range - an aligned range
 * @param lookup - stored hash of each perfect subtree
 * @returns the range's Merkle tree hash
 */
export function hashRange(range: LeafRange, lookup: NodeLookup): Uint8Array {
  const nodes = rangeNodes(range);
  let hash = lookup(nodes[nodes.length - 1] as NodeId);
  for (let i = nodes.length - 2; i >= 0; i--) {
    hash = hashChildren(lookup(nodes[i] as NodeId), hash);
  }
  return hash;
}

/** The largest power of two strictly below `n`; requires `n >= 2`. */
function largestPowerOfTwoBelow(n: number): number {
  let k = 2 ** Math.floor(Math.log2(n));
  if (k >= n) k /= 2;
  // Math.log2 can round up just below a power of two for very large n.
  while (k * 2 < n) k *= 2;
  return k;
}

function checkSize(argument: string, size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new InvalidArgumentError(argument, `${argument} must be a non-negative safe integer, got ${size}`, {
      value: size,
    });
  }
}
