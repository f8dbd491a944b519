// The checks of the one transaction: where it is in the block, who submitted and endorsed it,
// what it answers, the peer's validation code and the time the receipt claims.
import { check, type Receipt, type VerificationCheck } from '@ledgerkit/core';
import type { FabricReceiptProof } from '../../fabric-ledger.js';
import { concatBytes, equalBytes, sha256, sha256Concat, toHex } from '../bytes.js';
import { type ChannelConfig, checkSigner } from '../channel-config.js';
import {
  type DecodedAction,
  type DecodedBlock,
  type DecodedEnvelope,
  decodeEndorserTransaction,
  headerTypeEndorserTransaction,
  timestampToDate,
} from '../decode.js';
import { validationCodeName, validCode } from '../validation-codes.js';
import type { BlockEnvelopes } from './block-checks.js';
import { errorMessage, failed } from './check-text.js';

/** An endorser transaction found in its block, with its decoded actions. */
export interface LocatedTransaction {
  index: number;
  envelope: DecodedEnvelope;
  actions: DecodedAction[];
}

/** Where a transaction id is in a block, and what keeps it from being checked. */
export interface TransactionLocation {
  /** Its index among the block's envelopes, -1 when absent. */
  index: number;
  /** Set when its envelope is an endorser transaction whose actions decode. */
  located: LocatedTransaction | undefined;
  /** Why it cannot be checked: another header type, actions that do not decode or not exactly one. */
  problem: string | undefined;
}

/**
 * Finds a transaction among a block's envelopes and decodes its actions.
 *
 * @param envelopes - the block's envelopes
 * @param txId - the transaction id
 * @returns where it is and whether it can be checked
 */
export function locateTransaction(envelopes: BlockEnvelopes, txId: string): TransactionLocation {
  const index = envelopes.findIndex((entry) => !(entry instanceof Error) && entry.txId === txId);
  if (index < 0) return { index, located: undefined, problem: undefined };
  const envelope = envelopes[index] as DecodedEnvelope;
  if (envelope.headerType !== headerTypeEndorserTransaction) {
    const problem = `transaction ${index} is of header type ${envelope.headerType}, not an endorser transaction`;
    return { index, located: undefined, problem };
  }
  let actions: DecodedAction[];
  try {
    actions = decodeEndorserTransaction(envelope);
  } catch (error) {
    return { index, located: undefined, problem: `transaction ${index} does not decode: ${errorMessage(error)}` };
  }
  const problem =
    actions.length === 1 ? undefined : `the transaction holds ${actions.length} actions; Fabric commits exactly one`;
  return { index, located: { index, envelope, actions }, problem };
}

/**
 * The `block-located` check: the transaction is in the block, at the receipt's block and index.
 *
 * @param block - the decoded block
 * @param txId - the transaction id
 * @param location - where {@link locateTransaction} found it
 * @param receipt - the receipt, if any
 * @returns the check
 */
export function blockLocatedCheck(
  block: DecodedBlock,
  txId: string,
  location: TransactionLocation,
  receipt: Receipt | undefined,
): VerificationCheck {
  const { index, problem } = location;
  return check('block-located', () => {
    if (index < 0) return [false, `block ${block.number} holds no transaction ${txId}`];
    if (problem) return [false, problem];
    const where = `transaction ${txId} is transaction ${index} of block ${block.number}`;
    if (!receipt) return [true, where];
    const { block: claimedBlock, index: claimedIndex } = receipt.position;
    const ok = claimedBlock === block.number && (claimedIndex === -1 || claimedIndex === index);
    return [ok, `${where}; the receipt says block ${claimedBlock}, index ${claimedIndex}`];
  });
}

/**
 * The checks of who made the transaction: `tx-id`, `creator-signature`, `proposal` and one
 * `endorsement:<MSP id>` per endorsement (`endorsements` when there is none or no config).
 *
 * @param located - the transaction, with exactly one action
 * @param config - the channel configuration, when it parsed
 * @param receipt - the receipt, if any
 * @returns the checks
 */
export function transactionChecks(
  located: LocatedTransaction,
  config: ChannelConfig | undefined,
  receipt: Receipt | undefined,
): VerificationCheck[] {
  const checks: VerificationCheck[] = [];
  const { envelope } = located;
  const action = located.actions[0] as DecodedAction;
  const at = timestampToDate(envelope.timestamp);
  const proof = receipt?.proof as Partial<FabricReceiptProof> | undefined;

  checks.push(
    check('tx-id', () => {
      const computed = toHex(sha256Concat([envelope.nonce, envelope.creator]));
      return [
        computed === envelope.txId,
        `SHA-256 of the nonce and creator is ${computed}; the channel header names ${envelope.txId}`,
      ];
    }),
  );

  if (!config) {
    checks.push(failed('creator-signature', 'no channel config to check the creator against'));
    checks.push(failed('endorsements', 'no channel config to check the endorsers against'));
  } else {
    checks.push(
      check('creator-signature', () => {
        const { identity, problem } = checkSigner(
          config,
          envelope.creator,
          envelope.payload,
          envelope.signature,
          ['client', 'admin'],
          at,
        );
        const claimed = proof?.mspId;
        const mspProblem =
          claimed !== undefined && claimed !== identity.mspId ? `the receipt names submitter ${claimed}` : undefined;
        const why = problem ?? mspProblem;
        const who = `client ${identity.name} of ${identity.mspId || 'unknown MSP'}`;
        return [
          why === undefined,
          `envelope signature by ${who} against the ${identity.mspId} roots of ${config.rootsFrom}${why ? `: ${why}` : ': verified'}`,
        ];
      }),
    );
  }

  checks.push(
    check('proposal', () => {
      const computed = sha256Concat([envelope.channelHeader, action.signatureHeader, action.chaincodeProposalPayload]);
      const problems: string[] = [];
      if (!equalBytes(computed, action.proposalHash)) {
        problems.push(`the proposal hashes to ${toHex(computed)}, the response answers ${toHex(action.proposalHash)}`);
      }
      if (proof?.chaincode !== undefined && proof.chaincode !== action.chaincode) {
        problems.push(`the receipt names chaincode ${proof.chaincode}`);
      }
      if (proof?.transaction !== undefined && proof.transaction !== action.functionName) {
        problems.push(`the receipt names transaction ${proof.transaction}`);
      }
      const about = `proposal to invoke ${action.functionName} on chaincode ${action.chaincode}`;
      return [
        problems.length === 0,
        problems.length === 0 ? `${about}; the endorsed response answers it` : `${about}: ${problems.join('; ')}`,
      ];
    }),
  );

  if (config) checks.push(...endorsementChecks(action, config, at));
  return checks;
}

function endorsementChecks(action: DecodedAction, config: ChannelConfig, at: Date): VerificationCheck[] {
  if (action.endorsements.length === 0) return [failed('endorsements', 'the transaction carries no endorsement')];
  return action.endorsements.map((endorsement) => {
    const signed = concatBytes(action.proposalResponsePayload, endorsement.endorser);
    const { identity, problem } = checkSigner(
      config,
      endorsement.endorser,
      signed,
      endorsement.signature,
      ['peer'],
      at,
    );
    return {
      name: `endorsement:${identity.mspId || 'unknown'}`,
      ok: problem === undefined,
      detail:
        `peer ${identity.name} of ${identity.mspId || 'an unknown MSP'} signed the proposal response payload ` +
        `(SHA-256 ${toHex(sha256(action.proposalResponsePayload)).slice(0, 16)}…, shared by all ` +
        `${action.endorsements.length} endorsements), checked against the ${identity.mspId} roots of ` +
        `${config.rootsFrom} at ${at.toISOString()}${problem ? `: ${problem}` : ': verified'}`,
    };
  });
}

/**
 * The `validation-code` check: the peer's TRANSACTIONS_FILTER marks the transaction VALID, as
 * the receipt says.
 *
 * @param block - the decoded block
 * @param filter - its TRANSACTIONS_FILTER
 * @param index - the transaction's index
 * @param receipt - the receipt, if any
 * @returns the check
 */
export function validationCodeCheck(
  block: DecodedBlock,
  filter: Uint8Array,
  index: number,
  receipt: Receipt | undefined,
): VerificationCheck {
  return check('validation-code', () => {
    if (filter.length !== block.data.length) {
      return [false, `the TRANSACTIONS_FILTER holds ${filter.length} codes for ${block.data.length} transactions`];
    }
    const code = filter[index] as number;
    const claimed = receipt?.proof?.validationCode;
    return [
      code === validCode && (claimed === undefined || claimed === 'VALID'),
      `the peer's TRANSACTIONS_FILTER marks transaction ${index} of block ${block.number} ${validationCodeName(code)} (${code})${claimed === undefined ? '' : `; the receipt says ${String(claimed)}`}`,
    ];
  });
}

/**
 * The `timestamp` check: the receipt's time is the channel header's.
 *
 * @param located - the transaction
 * @param receipt - the receipt
 * @returns the check
 */
export function timestampCheck(located: LocatedTransaction, receipt: Receipt): VerificationCheck {
  return check('timestamp', () => {
    const ledgerTime = timestampToDate(located.envelope.timestamp);
    return [
      Date.parse(receipt.timestamp) === ledgerTime.getTime(),
      `channel header timestamp ${ledgerTime.toISOString()} (${located.envelope.timestamp.seconds}s ${located.envelope.timestamp.nanos}ns); the receipt says ${receipt.timestamp}`,
    ];
  });
}
