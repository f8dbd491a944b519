import { createHash, hash } from 'node:crypto';
import { binaryHash, foldInclusionFast } from './fast-fold.js';
import type { HashInput } from './hex.js';

// The Node side of `#merkle-native` (the portable side is native-portable.ts; package.json
// `imports` picks this one everywhere but in a `browser` bundle). Node's one-shot hash is
// markedly faster than a Hash object or pure JS for the small inputs a tree hashes, and
// ledgerdb's commits and proofs hash once or twice a leaf.

// Interior nodes are hashed from one reused buffer: a single update of 65 bytes is
// markedly faster than three small ones, and hashing is synchronous so reuse is safe.
const nodeInput = new Uint8Array(65);
nodeInput[0] = 0x01;

// Node's one-shot hash allocates a fresh ArrayBuffer for 'buffer' output, which costs
// about twice the hashing itself for small inputs; a latin1 string (one char per byte)
// copied into a pooled Buffer is the same 32 bytes for a third of the price.
const digestBytes = (latin1: string): Uint8Array => Buffer.from(latin1, 'latin1');

/** `SHA-256(0x00 || data)`; strings are hashed as UTF-8. */
export function sha256Leaf(data: Uint8Array | string): Uint8Array {
  if (typeof data === 'string') return digestBytes(hash('sha256', `\u0000${data}`, 'binary'));
  const input = new Uint8Array(1 + data.length);
  input.set(data, 1);
  return digestBytes(hash('sha256', input, 'binary'));
}

/** `SHA-256(0x01 || left || right)`. */
export function sha256Node(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== 32 || right.length !== 32) {
    return createHash('sha256').update(nodeInput.subarray(0, 1)).update(left).update(right).digest();
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 33);
  return digestBytes(hash('sha256', nodeInput, 'binary'));
}

/** `SHA-256()` of no bytes. */
export function sha256Empty(): Uint8Array {
  return createHash('sha256').digest();
}

/** Lowercase hex of bytes. */
export function bytesToHex(bytes: Uint8Array): string {
  if (Buffer.isBuffer(bytes)) return bytes.toString('hex');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Bytes of an even-length hex string the caller has validated. */
export function hexToBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/**
 * True when the inclusion proof verifies on the allocation-free path; false means "not
 * shown here" (malformed input or a mismatch), and the caller's general path decides and
 * names the problem.
 */
export function inclusionVerifiesFast(
  leafHash: HashInput,
  index: number,
  size: number,
  path: readonly HashInput[],
  rootHash: HashInput,
): boolean {
  const leaf = binaryHash(leafHash);
  const root = leaf === undefined ? undefined : binaryHash(rootHash);
  return root !== undefined && foldInclusionFast(leaf as string, index, size, path) === root;
}
