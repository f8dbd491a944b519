import { MerklePatriciaTrie, verifyMerkleProof } from '@ethereumjs/mpt';
import { encodeRlp, getBytes, hexlify, keccak256 } from 'ethers';
import { quantity } from './encoding.js';

/** Root hash of the empty trie, `keccak256(rlp(''))`: an account without storage has it. */
export const emptyTrieRoot = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';

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
 * The empty trie is special: it has no node to prove with, so nodes answer with no proof
 * (geth: `[]`) or with the empty node itself (EDR: `["0x80"]`, whose hash is the empty
 * root). Both prove absence, and only under the empty root.
 *
 * @returns the proven value (RLP), or null when the proof shows the key is absent
 * @throws when the proof does not lead to `root` or is malformed
 */
export async function provenValue(root: string, key: string, proof: readonly string[]): Promise<string | null> {
  const normalizedRoot = root.toLowerCase();
  if (normalizedRoot === emptyTrieRoot) {
    if (proof.every((node) => node.toLowerCase() === '0x80')) return null;
    throw new Error('the root is the empty trie, but the proof holds nodes');
  }
  if (proof.length === 0) throw new Error(`empty proof for the non-empty root ${root}`);
  if (keccak256(proof[0] as string) !== normalizedRoot) {
    throw new Error(`the proof's first node does not hash to the root ${root}`);
  }
  const value = await verifyMerkleProof(
    getBytes(key),
    proof.map((node) => getBytes(node)),
    { root: getBytes(root) },
  );
  return value === null ? null : hexlify(value);
}
