import { checkAsync, type VerificationCheck } from '@ledgerkit/core';
import { encodeRlp, keccak256, toBeHex, zeroPadValue } from 'ethers';
import { quantity } from './internal/encoding.js';
import { emptyTrieRoot, provenValue } from './internal/tries.js';

/** Code hash of an account without code, `keccak256('')`. */
const emptyCodeHash = '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470';

/** An `eth_getProof` (EIP-1186) answer. */
export interface StateProof {
  address: string;
  accountProof: string[];
  balance: string;
  codeHash: string;
  nonce: string;
  storageHash: string;
  storageProof: Array<{ key: string; value: string; proof: string[] }>;
}

/**
 * Verifies an account and storage proof (`eth_getProof`) against a block's state root:
 * the account (nonce, balance, storage root, code hash) under `keccak256(address)` in the
 * state trie, and each storage value under `keccak256(slot)` in the account's storage trie.
 * Proofs of absence verify too: an address never used is absent from the state trie and
 * the node claims the empty account; a zero slot is absent from the storage trie (for an
 * account without storage, under the empty root, with a `[]` or `["0x80"]` proof).
 *
 * @param stateRoot - the trusted block header's `stateRoot`
 * @param proof - the node's `eth_getProof` answer (untrusted)
 * @returns one check per proof: `account-proof`, then `storage-proof:<slot>`; a malformed
 *   proof is a failed check, never an exception
 */
export async function verifyStateProof(stateRoot: string, proof: StateProof): Promise<VerificationCheck[]> {
  const checks: VerificationCheck[] = [];
  checks.push(
    await checkAsync('account-proof', async () => {
      const account = encodeRlp([quantity(proof.nonce), quantity(proof.balance), proof.storageHash, proof.codeHash]);
      const value = await provenValue(stateRoot, keccak256(proof.address), proof.accountProof);
      if (value === null) {
        const empty =
          BigInt(proof.nonce) === 0n &&
          BigInt(proof.balance) === 0n &&
          proof.storageHash.toLowerCase() === emptyTrieRoot &&
          proof.codeHash.toLowerCase() === emptyCodeHash;
        return empty
          ? [
              true,
              `account ${proof.address} does not exist in state root ${stateRoot} (empty account, proof of absence)`,
            ]
          : [false, `state root ${stateRoot} proves no account ${proof.address}, the node claimed ${account}`];
      }
      return value === account
        ? [true, `account ${proof.address} (storage root ${proof.storageHash}) is in state root ${stateRoot}`]
        : [false, `state root ${stateRoot} proves ${value}, the node claimed ${account}`];
    }),
  );
  // Read defensively: a proof or slot that is not an object must fail its check, not throw here.
  const slots: unknown = (proof as { storageProof?: unknown } | null)?.storageProof;
  if (slots !== undefined && !Array.isArray(slots)) {
    checks.push({ name: 'storage-proof', ok: false, detail: 'the storage proofs are not a list' });
  }
  for (const slot of Array.isArray(slots) ? (slots as StateProof['storageProof']) : []) {
    const rawKey = (slot as { key?: unknown } | null)?.key;
    let key: string;
    try {
      key = zeroPadValue(toBeHex(BigInt(rawKey as string)), 32);
    } catch {
      key = String(rawKey);
    }
    checks.push(
      await checkAsync(`storage-proof:${key}`, async () => {
        const value = await provenValue(proof.storageHash, keccak256(key), slot.proof);
        const claimed = BigInt(slot.value) === 0n ? null : encodeRlp(quantity(slot.value));
        return value === claimed
          ? [true, `slot ${key} = ${toBeHex(BigInt(slot.value), 32)} under storage root ${proof.storageHash}`]
          : [
              false,
              `storage root ${proof.storageHash} proves ${value ?? 'an empty slot'}, the node claimed ${slot.value}`,
            ];
      }),
    );
  }
  return checks;
}
