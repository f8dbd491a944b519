// The peer-agreement check. The validation codes and the commit hash are written by each peer,
// not signed by the orderer: a peer that rewrote both consistently is caught only by another
// organization's peer serving its own copy of the block.
import { check, type VerificationCheck } from '@ledgerkit/core';
import { blockHeaderHash } from '../block-hash.js';
import { equalBytes, toHex } from '../bytes.js';
import { commitHashOf, type DecodedBlock, decodeBlock, transactionsFilter } from '../decode.js';
import { validationCodeName } from '../validation-codes.js';
import { errorMessage, shortHex } from './check-text.js';

/**
 * The `peer-agreement` check: other peers' copies of the block carry the same header,
 * validation codes and commit hash.
 *
 * @param block - the decoded block
 * @param filter - its TRANSACTIONS_FILTER
 * @param witnessBlocks - other peers' serialized copies of it
 * @returns the check
 */
export function peerAgreementCheck(
  block: DecodedBlock,
  filter: Uint8Array,
  witnessBlocks: readonly Uint8Array[],
): VerificationCheck {
  return check('peer-agreement', () => {
    const headerHash = blockHeaderHash(block);
    const commit = commitHashOf(block);
    const disagreements = witnessBlocks.flatMap((bytes, witness) => {
      try {
        const copy = decodeBlock(bytes);
        const differences = [
          ...(equalBytes(blockHeaderHash(copy), headerHash) ? [] : [`block ${copy.number} with another header`]),
          ...(equalBytes(transactionsFilter(copy), filter)
            ? []
            : [`validation codes [${[...transactionsFilter(copy)].map(validationCodeName).join(', ')}]`]),
          ...(equalBytes(commitHashOf(copy) ?? new Uint8Array(), commit ?? new Uint8Array())
            ? []
            : [`commit hash ${toHex(commitHashOf(copy) ?? new Uint8Array())}`]),
        ];
        return differences.length === 0 ? [] : [`witness ${witness} holds ${differences.join(', ')}`];
      } catch (error) {
        return [`witness ${witness}'s block does not decode: ${errorMessage(error)}`];
      }
    });
    const about = `${witnessBlocks.length} other peers' copies of block ${block.number} against this one (header ${shortHex(headerHash)}, validation codes [${[...filter].map(validationCodeName).join(', ')}], commit hash ${shortHex(commit ?? new Uint8Array())})`;
    return [
      disagreements.length === 0,
      disagreements.length === 0 ? `${about}: identical` : `${about}: ${disagreements.join('; ')}`,
    ];
  });
}
