import { createHash } from 'node:crypto';

/** Size of every hash in the tree, in bytes (SHA-256). */
export const hashSize = 32;

const leafPrefix = new Uint8Array([0x00]);
const nodePrefix = new Uint8Array([0x01]);

/**
 * RFC 9162 §2.1.1 leaf hash: `SHA-256(0x00 || data)`. Strings are hashed as UTF-8.
 *
 * @param data - the leaf's bytes
 * @returns the 32-byte leaf hash
 */
export function hashLeaf(data: Uint8Array | string): Uint8Array {
  return digest(createHash('sha256').update(leafPrefix).update(data));
}

/**
 * RFC 9162 §2.1.1 interior node hash: `SHA-256(0x01 || left || right)`.
 *
 * @param left - hash of the left subtree
 * @param right - hash of the right subtree
 * @returns the 32-byte node hash
 */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  return digest(createHash('sha256').update(nodePrefix).update(left).update(right));
}

/**
 * Root of the empty tree: `SHA-256()` of no bytes.
 *
 * @returns the 32-byte empty root
 */
export function emptyRoot(): Uint8Array {
  return digest(createHash('sha256'));
}

function digest(hash: ReturnType<typeof createHash>): Uint8Array {
  const buffer = hash.digest();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
