import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex as nobleBytesToHex, hexToBytes as nobleHexToBytes } from '@noble/hashes/utils.js';
import type { HashInput } from './hex.js';

// The portable side of `#merkle-native`: the same functions as native-node.ts in pure
// JS (no Node built-ins, no Buffer), for browser bundles. package.json `imports` selects
// it under the `browser` condition.

const utf8 = new TextEncoder();

/** `SHA-256(0x00 || data)`; strings are hashed as UTF-8. */
export function sha256Leaf(data: Uint8Array | string): Uint8Array {
  const bytes = typeof data === 'string' ? utf8.encode(data) : data;
  return sha256.create().update(Uint8Array.of(0x00)).update(bytes).digest();
}

/** `SHA-256(0x01 || left || right)`. */
export function sha256Node(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256.create().update(Uint8Array.of(0x01)).update(left).update(right).digest();
}

/** `SHA-256()` of no bytes. */
export function sha256Empty(): Uint8Array {
  return sha256(new Uint8Array(0));
}

/** Lowercase hex of bytes. */
export function bytesToHex(bytes: Uint8Array): string {
  return nobleBytesToHex(bytes);
}

/** Bytes of an even-length hex string the caller has validated. */
export function hexToBytes(hex: string): Uint8Array {
  return nobleHexToBytes(hex);
}

/** There is no faster path here: the general verifier always decides. */
export function inclusionVerifiesFast(
  _leafHash: HashInput,
  _index: number,
  _size: number,
  _path: readonly HashInput[],
  _rootHash: HashInput,
): boolean {
  return false;
}
