import { sha256Empty, sha256Leaf, sha256Node } from '#merkle-native';

/** Size of every hash in the tree, in bytes (SHA-256). */
export const hashSize = 32;

/**
 * RFC 9162 §2.1.1 leaf hash: `SHA-256(0x00 || data)`. Strings are hashed as UTF-8.
 *
 * @param data - the leaf's bytes
 * @returns the 32-byte leaf hash
 */
export function hashLeaf(data: Uint8Array | string): Uint8Array {
  return sha256Leaf(data);
}

/**
 * RFC 9162 §2.1.1 interior node hash: `SHA-256(0x01 || left || right)`.
 *
 * @param left - hash of the left subtree (32 bytes)
 * @param right - hash of the right subtree (32 bytes)
 * @returns the 32-byte node hash
 */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256Node(left, right);
}

/**
 * Root of the empty tree: `SHA-256()` of no bytes.
 *
 * @returns the 32-byte empty root
 */
export function emptyRoot(): Uint8Array {
  return sha256Empty();
}
