// The pure core of Fabric verification: one transaction checked from the blocks alone. No I/O,
// no Node built-ins, no clock: the verdict depends on the bytes only, so it runs in a browser.
// This file orders the checks; each lives in checks/ with the others of its kind.
import { type Verification, type VerificationCheck, verification } from '@ledgerkit/core';
import {
  blockDataHashCheck,
  blockDecodesCheck,
  commitHashCheck,
  decodeEnvelopes,
  hashChainChecks,
} from './checks/block-checks.js';
import { errorMessage, failed } from './checks/check-text.js';
import { blockTime, channelCheck, channelConfigCheck, ordererSignatureCheck } from './checks/config-checks.js';
import { inputProblem } from './checks/input-checks.js';
import { peerAgreementCheck } from './checks/peer-agreement.js';
import {
  blockLocatedCheck,
  locateTransaction,
  timestampCheck,
  transactionChecks,
  validationCodeCheck,
} from './checks/transaction-checks.js';
import { type DecodedBlock, decodeBlock, transactionsFilter } from './decode.js';
import type { FabricTransactionInput, TransactionTrust } from './transaction-input.js';

export type { FabricTransactionInput, TransactionTrust } from './transaction-input.js';

/**
 * Verifies a Fabric transaction offline from the blocks alone, without trusting whoever
 * supplied them: pure, synchronous, and never throws on tampered bytes (each problem is a
 * failed check). The trust anchors are the MSP root certificates in `configBlock`, whose
 * header hash the `channel-config` check reports so an auditor can compare it with a pinned one.
 *
 * Checks, in order: `block-decodes`; `block-located` (the transaction's id is in the block,
 * at the receipt's block and index); `block-data-hash` (SHA-256 of the data entries
 * concatenated = header data hash); `block-hash-chain` (header previous hash = SHA-256 of the
 * DER of the previous block's header); `channel-config`; `channel`; `orderer-signature` (an orderer
 * organization's node signed the header with the orderer metadata); `tx-id` (SHA-256 of nonce
 * and creator); `creator-signature` (the submitting client signed the envelope);
 * `proposal` (the endorsed response answers this proposal, chaincode and transaction);
 * `endorsement:<MSP id>` per endorsement (a peer of that MSP, chained to its roots and valid at
 * the transaction's time, signed the response payload); `validation-code` (the peer's
 * TRANSACTIONS_FILTER says VALID); `commit-hash` (the peer's commit hash recomputed from the
 * filter, the valid writes and the previous block's commit hash); `peer-agreement` (with
 * `witnessBlocks`: other peers' copies carry the same header, validation codes and commit
 * hash); `timestamp`.
 *
 * Certificates are checked as Fabric's MSPs check them: chained to the MSP's root (through
 * its intermediates), not a CA certificate, holding the role's NodeOU (`peer` for endorsers,
 * `orderer`, `client` or `admin` for submitters), valid at the transaction's time, and not
 * revoked by a CRL of the issuing CA in the MSP's revocation list.
 *
 * Limits: the endorsement policy itself is not evaluated (each endorsement is checked and
 * named; `validation-code` reports the peers' policy verdict); the filter and commit hash are
 * the peer's, not the orderer's: a peer that rewrites both consistently is caught only by
 * comparing with another organization's peer (`witnessBlocks`); BFT (Fabric 3) orderer signatures by identifier
 * header are reported as unsupported; in blocks with key-level endorsement metadata writes the
 * commit hash is not checked (and not listed): recomputing it would need the state database.
 *
 * @param input - the transaction id, its block, the previous block, the config block and the receipt
 * @returns every check made; `ok` when all passed
 * A malformed receipt or input is a failed `receipt-format` or `input-format` check.
 * @example
 * ```ts
 * const result = verifyFabricTransaction({ txId, block, previousBlock, configBlock, receipt });
 * if (!result.ok) console.log(result.checks.filter((check) => !check.ok));
 * ```
 */
export function verifyFabricTransaction(input: FabricTransactionInput): Verification {
  return verification(verifyTransactionChecks(input));
}

/**
 * The checks of {@link verifyFabricTransaction}, with the MSP roots optionally replaced.
 *
 * @param input - the blocks and the receipt
 * @param trust - roots that replace the config block's
 * @returns every check made
 */
export function verifyTransactionChecks(
  input: FabricTransactionInput,
  trust: TransactionTrust = {},
): VerificationCheck[] {
  const problem = inputProblem(input);
  if (problem) return [problem];
  let block: DecodedBlock;
  try {
    block = decodeBlock(input.block);
  } catch (error) {
    return [failed('block-decodes', `the block does not decode: ${errorMessage(error)}`)];
  }
  return verifyDecodedTransaction(input, block, trust);
}

/** {@link verifyFabricTransaction} of checked input whose block (`input.block`) is decoded. */
function verifyDecodedTransaction(
  input: FabricTransactionInput,
  block: DecodedBlock,
  trust: TransactionTrust,
): VerificationCheck[] {
  const { txId, receipt } = input;
  const envelopes = decodeEnvelopes(block);
  const location = locateTransaction(envelopes, txId);
  const { located } = location;
  // The transaction's own checks need exactly one decoded action.
  const checkable = location.problem === undefined ? located : undefined;
  const filter = transactionsFilter(block);

  const checks = [blockDecodesCheck(block, envelopes), blockLocatedCheck(block, txId, location, receipt)];
  checks.push(blockDataHashCheck(block));
  const chain = hashChainChecks(block, input.previousBlock);
  checks.push(...chain.checks);
  const { check: configCheck, config } = channelConfigCheck(block, input.configBlock, trust);
  checks.push(configCheck, channelCheck(block, envelopes, located?.envelope, config, receipt));
  if (config) checks.push(ordererSignatureCheck(block, config, blockTime(envelopes, located?.envelope)));
  if (checkable) {
    checks.push(...transactionChecks(checkable, config, receipt));
    checks.push(validationCodeCheck(block, filter, checkable.index, receipt));
  }
  const commitCheck = commitHashCheck(block, envelopes, filter, chain.previous);
  if (commitCheck) checks.push(commitCheck);
  if (input.witnessBlocks && input.witnessBlocks.length > 0) {
    checks.push(peerAgreementCheck(block, filter, input.witnessBlocks));
  }
  if (receipt && located) checks.push(timestampCheck(located, receipt));
  return checks;
}
