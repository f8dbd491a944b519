// The checks of the block as a whole: its envelopes decode, its data hashes to its header, it
// chains to the previous block, and the peer's commit hash over its valid writes recomputes.
import { check, type VerificationCheck } from '@ledgerkit/core';
import { blockDataHash, blockHeaderHash } from '../block-hash.js';
import { equalBytes, toHex } from '../bytes.js';
import { commitHash, updateBatchBytes, type ValidTransactionWrites } from '../commit-hash.js';
import {
  commitHashOf,
  type DecodedBlock,
  type DecodedEnvelope,
  decodeBlock,
  decodeEndorserTransaction,
  decodeEnvelope,
  headerTypeEndorserTransaction,
} from '../decode.js';
import { validationCodeName, validCode } from '../validation-codes.js';
import { errorMessage, failed, shortHex } from './check-text.js';

/** A block's envelopes in order, each decoded or the error it did not decode with. */
export type BlockEnvelopes = ReadonlyArray<DecodedEnvelope | Error>;

/** The previous block as the hash-chain and commit-hash checks need it. */
export interface BlockSummary {
  number: number;
  headerHash: Uint8Array;
  commitHash: Uint8Array | undefined;
}

/**
 * Decodes every envelope of a block: the transaction's own, and the writes of the valid ones
 * for the commit hash.
 *
 * @param block - the decoded block
 * @returns each envelope, or the error it failed with
 */
export function decodeEnvelopes(block: DecodedBlock): BlockEnvelopes {
  return block.data.map((entry): DecodedEnvelope | Error => {
    try {
      return decodeEnvelope(entry);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  });
}

/**
 * The `block-decodes` check of a block that decoded: every envelope decodes.
 *
 * @param block - the decoded block
 * @param envelopes - its envelopes
 * @returns the check
 */
export function blockDecodesCheck(block: DecodedBlock, envelopes: BlockEnvelopes): VerificationCheck {
  const undecodable = envelopes.flatMap((entry, index) => (entry instanceof Error ? [index] : []));
  return {
    name: 'block-decodes',
    ok: undecodable.length === 0,
    detail:
      undecodable.length === 0
        ? `block ${block.number}: ${block.data.length} envelopes, ${block.metadata.length} metadata entries`
        : `block ${block.number}: envelopes ${undecodable.join(', ')} do not decode`,
  };
}

/**
 * The `block-data-hash` check: SHA-256 of the data entries concatenated is the header's data hash.
 *
 * @param block - the decoded block
 * @returns the check
 */
export function blockDataHashCheck(block: DecodedBlock): VerificationCheck {
  return check('block-data-hash', () => {
    const computed = blockDataHash(block.data);
    return [
      equalBytes(computed, block.dataHash),
      `SHA-256 of the ${block.data.length} data entries of block ${block.number} is ${toHex(computed)}; the header says ${toHex(block.dataHash)}`,
    ];
  });
}

// Not cached: a cache key (SHA-256 of the whole block) costs more than this decoding, which
// reads views into the bytes, for blocks of more than a few transactions.
function summarize(bytes: Uint8Array): BlockSummary {
  const block = decodeBlock(bytes);
  return { number: block.number, headerHash: blockHeaderHash(block), commitHash: commitHashOf(block) };
}

/**
 * The `block-hash-chain` check: the header's previous hash is SHA-256 of the DER of the
 * previous block's header. Made for block 0 (no previous hash) and when the previous block is given.
 *
 * @param block - the decoded block
 * @param previousBlock - the serialized block before it, if given
 * @returns the check (none without a previous block) and the previous block's summary when it decoded
 */
export function hashChainChecks(
  block: DecodedBlock,
  previousBlock: Uint8Array | undefined,
): { checks: VerificationCheck[]; previous: BlockSummary | undefined } {
  if (block.number === 0) {
    const check = {
      name: 'block-hash-chain',
      ok: block.previousHash.length === 0,
      detail: `block 0 has no previous block; its header previous hash is ${shortHex(block.previousHash)}`,
    };
    return { checks: [check], previous: undefined };
  }
  if (previousBlock === undefined) return { checks: [], previous: undefined };
  let previous: BlockSummary | undefined;
  const chained = check('block-hash-chain', () => {
    previous = summarize(previousBlock);
    const { number, headerHash } = previous;
    const ok = number === block.number - 1 && equalBytes(headerHash, block.previousHash);
    return [
      ok,
      `header of block ${number} hashes (SHA-256 of its DER) to ${toHex(headerHash)}; block ${block.number} names previous block ${toHex(block.previousHash)}`,
    ];
  });
  return { checks: [chained], previous };
}

/**
 * The `commit-hash` check: the peer's commit hash recomputed from the validation codes, the
 * valid writes and the previous block's commit hash. Not made (undefined) for block 0, without
 * the previous block's commit hash, or when a valid transaction writes key-level endorsement
 * metadata (recomputing would need the state database).
 *
 * @param block - the decoded block
 * @param envelopes - its envelopes
 * @param filter - its TRANSACTIONS_FILTER
 * @param previous - the previous block's summary, if it decoded
 * @returns the check, or undefined when it is not made
 */
export function commitHashCheck(
  block: DecodedBlock,
  envelopes: BlockEnvelopes,
  filter: Uint8Array,
  previous: BlockSummary | undefined,
): VerificationCheck | undefined {
  let recorded: Uint8Array | undefined;
  try {
    recorded = commitHashOf(block);
  } catch (error) {
    return failed('commit-hash', `the COMMIT_HASH metadata does not decode: ${errorMessage(error)}`);
  }
  // Peers record commit hashes from block 1 on; the previous one is needed to recompute (none before block 1).
  const previousCommitHash = block.number === 1 ? new Uint8Array() : previous?.commitHash;
  if (block.number === 0 || previousCommitHash === undefined || (recorded === undefined && previous === undefined)) {
    return undefined;
  }
  const transactions: ValidTransactionWrites[] = [];
  let broken: number | undefined;
  for (const [index, entry] of envelopes.entries()) {
    if (filter[index] !== validCode || entry instanceof Error || entry.headerType !== headerTypeEndorserTransaction)
      continue;
    try {
      const actions = decodeEndorserTransaction(entry);
      // Key-level endorsement metadata writes take the key's value from the state database,
      // which a block does not hold: the commit hash cannot be recomputed, so it is not checked.
      if (actions.some((action) => action.hasMetadataWrites)) return undefined;
      transactions.push({ index, writes: actions.flatMap((action) => action.writes) });
    } catch {
      broken ??= index;
    }
  }
  return check('commit-hash', () => {
    if (recorded === undefined) {
      return [false, `block ${block.number} carries no commit hash though block ${block.number - 1} does`];
    }
    const undecodable = envelopes.findIndex((entry, index) => filter[index] === validCode && entry instanceof Error);
    const first = undecodable >= 0 ? Math.min(undecodable, broken ?? undecodable) : broken;
    if (first !== undefined) return [false, `transaction ${first} is marked VALID but does not decode`];
    const computed = commitHash(filter, updateBatchBytes(block.number, transactions), previousCommitHash);
    const codes = [...filter].map(validationCodeName);
    return [
      equalBytes(computed, recorded),
      `commit hash over the validation codes [${codes.join(', ')}], the writes of ${transactions.length} valid transactions and block ${block.number - 1}'s commit hash ${shortHex(previousCommitHash)} is ${toHex(computed)}; block ${block.number} records ${toHex(recorded)}`,
    ];
  });
}
