import { hash } from 'node:crypto';
import type { HashInput } from './hex.js';

/**
 * The hot path of inclusion verification, with no allocation per level: every level's
 * hash input `0x01 || left || right` is a 65-byte record of one reused buffer, the audit
 * path is decoded into it with one native call, and each computed hash travels as a
 * 32-character latin1 string (Node returns those far cheaper than a Buffer). Anything
 * unusual (malformed hashes, a path longer than any tree of safe-integer size) returns
 * undefined, and the caller takes the general path, which also names the problem.
 */

const maxLevels = 64;
const recordSize = 65;
const stagingOffset = maxLevels * recordSize;
const area = Buffer.allocUnsafeSlow(maxLevels * recordSize + maxLevels * 32);
const records: Buffer[] = [];
for (let level = 0; level < maxLevels; level++) {
  area[level * recordSize] = 0x01;
  records.push(area.subarray(level * recordSize, (level + 1) * recordSize));
}

/** A 32-byte hash from bytes or 64 hex digits, as a latin1 string; undefined otherwise. */
export function binaryHash(input: HashInput): string | undefined {
  if (typeof input === 'string') {
    if (input.length !== 64 || area.write(input, stagingOffset, 32, 'hex') !== 32) return undefined;
  } else if (input instanceof Uint8Array && input.length === 32) {
    area.set(input, stagingOffset);
  } else {
    return undefined;
  }
  return area.toString('latin1', stagingOffset, stagingOffset + 32);
}

/** Decodes an audit path into the staging area; false when any element is malformed. */
function stagePath(path: readonly HashInput[]): boolean {
  if (!Array.isArray(path) || path.length > maxLevels) return false;
  let allHex = true;
  for (let i = 0; i < path.length; i++) {
    const element = path[i];
    if (typeof element === 'string') {
      if (element.length !== 64) return false;
    } else if (element instanceof Uint8Array && element.length === 32) {
      allHex = false;
    } else {
      return false;
    }
  }
  if (allHex) {
    // One decode of the whole path; decoding stops at the first non-hex digit.
    const bytes = path.length * 32;
    return path.length === 0 || area.write(path.join(''), stagingOffset, bytes, 'hex') === bytes;
  }
  for (let i = 0; i < path.length; i++) {
    const element = path[i] as HashInput;
    const at = stagingOffset + i * 32;
    if (typeof element === 'string') {
      if (area.write(element, at, 32, 'hex') !== 32) return false;
    } else {
      area.set(element, at);
    }
  }
  return true;
}

/**
 * Folds an inclusion proof (RFC 9162 §2.1.3.2) to the root it leads to, as a latin1
 * string, or returns undefined when the path is malformed or not exactly as long as the
 * proof of `index` in a tree of `size` leaves must be. The caller checks the bounds of
 * `index` and `size`.
 */
export function foldInclusionFast(
  leaf: string,
  index: number,
  size: number,
  path: readonly HashInput[],
): string | undefined {
  if (!stagePath(path)) return undefined;
  let fn = index;
  let sn = size - 1;
  let current = leaf;
  for (let level = 0; level < path.length; level++) {
    if (sn === 0) return undefined;
    const at = level * recordSize;
    const sibling = stagingOffset + level * 32;
    if (fn % 2 === 1 || fn === sn) {
      area.copyWithin(at + 1, sibling, sibling + 32);
      area.write(current, at + 33, 32, 'latin1');
      if (fn % 2 === 0) {
        // A left child without a right sibling at this level: climb until it has one.
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      area.write(current, at + 1, 32, 'latin1');
      area.copyWithin(at + 33, sibling, sibling + 32);
    }
    current = hash('sha256', records[level] as Buffer, 'binary');
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? current : undefined;
}
