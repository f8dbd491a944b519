import { MerklePatriciaTrie, verifyMerkleProof } from '@ethereumjs/mpt';
import { encodeRlp, getBytes, hexlify } from 'ethers';
import { quantity } from './encoding.js';

/**
 * Root of an ordered trie (transactions or receipts of a block): key `rlp(index)`,
 * value the item's consensus encoding.
 */
export async function orderedTrieRoot(items: readonly string[]): Promise<string> {
  const trie = new MerklePatriciaTrie();
  for (const [index, item] of items.entries()) {
    await trie.put(getBytes(encodeRlp(quantity(index))), getBytes(item));
  }
  return hexlify(trie.root());
}

/**
 * Verifies an EIP-1186 Merkle-Patricia proof of `key` (already hashed) against `root`.
 *
 * @returns the proven value (RLP), or null when the proof shows the key is absent
 * @throws when the proof does not lead to `root` or is malformed
 */
export async function provenValue(root: string, key: string, proof: readonly string[]): Promise<string | null> {
  if (proof.length === 0) throw new Error('empty proof');
  const value = await verifyMerkleProof(
    getBytes(key),
    proof.map((node) => getBytes(node)),
    { root: getBytes(root) },
  );
  return value === null ? null : hexlify(value);
}
