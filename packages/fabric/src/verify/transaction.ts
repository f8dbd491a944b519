// The pure core of Fabric verification: one transaction checked from the blocks alone. No I/O,
// no Node built-ins, no clock: the verdict depends on the bytes only, so it runs in a browser.
import { check, type Receipt, type Verification, type VerificationCheck, verification } from '@ledgerkit/core';
import type { FabricReceiptProof } from '../fabric-ledger.js';
import { blockDataHash, blockHeaderBytes, blockHeaderHash } from './block-hash.js';
import { concatBytes, equalBytes, sha256, toHex } from './bytes.js';
import { type ChannelConfig, channelConfigOf, checkSigner, withAnchorRoots } from './channel-config.js';
import { commitHash, updateBatchBytes, type ValidTransactionWrites } from './commit-hash.js';
import {
  commitHashOf,
  type DecodedAction,
  type DecodedBlock,
  type DecodedEnvelope,
  decodeBlock,
  decodeBlockSignatures,
  decodeEndorserTransaction,
  decodeEnvelope,
  headerTypeEndorserTransaction,
  timestampToDate,
  transactionsFilter,
} from './decode.js';
import { validationCodeName } from './validation-codes.js';
import type { Certificate } from './x509.js';

/** The blocks an auditor needs to verify one transaction offline. */
export interface FabricTransactionInput {
  /** The transaction to verify. */
  txId: string;
  /** Serialized `common.Block` holding the transaction. */
  block: Uint8Array;
  /**
   * Serialized block before it (`block - 1`); without it the `block-hash-chain` and
   * `commit-hash` checks are not made (and not listed). Not needed for block 0.
   */
  previousBlock?: Uint8Array;
  /** Serialized config block the block names as its last config (the MSP trust anchors). */
  configBlock: Uint8Array;
  /** The receipt to hold against the ledger: channel, position, timestamp and `proof`. */
  receipt?: Receipt;
  /**
   * Copies of `block` served by other peers, e.g. another organization's. The validation codes
   * and commit hash are written by each peer, not signed by the orderer; copies that agree make
   * the `peer-agreement` check, which a single lying peer cannot pass.
   */
  witnessBlocks?: readonly Uint8Array[];
}

/** Extra trust for {@link verifyTransactionChecks}. */
export interface TransactionTrust {
  /** Root certificates by MSP id that replace the config block's (a `fabric-msp-roots` anchor). */
  roots?: ReadonlyMap<string, Certificate[]>;
}

const valid = 0; // TxValidationCode.VALID

const hex = toHex;
const short = (bytes: Uint8Array) => (bytes.length === 0 ? '(empty)' : `${hex(bytes).slice(0, 16)}…`);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function fail(name: string, detail: string): VerificationCheck {
  return { name, ok: false, detail };
}

/**
 * Why `receipt` is not shaped like a Fabric receipt, or undefined when it is. A malformed
 * receipt fails the `receipt-format` check; a well-formed receipt that disagrees with the
 * ledger fails the check of what disagrees.
 *
 * @param receipt - anything
 * @returns the field at fault and why, or undefined
 */
export function fabricReceiptProblem(receipt: unknown): { field: string; reason: string } | undefined {
  const bad = (field: string, reason: string) => ({ field: `receipt${field === '' ? '' : `.${field}`}`, reason });
  if (typeof receipt !== 'object' || receipt === null) return bad('', 'the receipt is not an object');
  const candidate = receipt as Partial<Receipt>;
  if (candidate.backend !== 'fabric') return bad('backend', `backend is ${String(candidate.backend)}, not fabric`);
  if (typeof candidate.ledger !== 'string' || candidate.ledger === '') return bad('ledger', 'no channel name');
  if (typeof candidate.txId !== 'string' || candidate.txId === '') return bad('txId', 'no transaction id');
  const { position } = candidate;
  if (
    typeof position !== 'object' ||
    position === null ||
    !Number.isSafeInteger(position.block) ||
    position.block < 0
  ) {
    return bad('position.block', 'the block number is not a non-negative integer');
  }
  if (!Number.isSafeInteger(position.index) || position.index < -1) {
    return bad('position.index', 'the index is not an integer of at least -1');
  }
  // A time without a zone would be read in the verifying machine's zone: the verdict must not depend on it.
  if (
    typeof candidate.timestamp !== 'string' ||
    !/(?:Z|[+-]\d{2}:?\d{2})$/i.test(candidate.timestamp) ||
    Number.isNaN(Date.parse(candidate.timestamp))
  ) {
    return bad('timestamp', 'the timestamp is not an ISO 8601 time with a zone (Z or an offset)');
  }
  if (candidate.version !== undefined && candidate.version !== 1) {
    return bad('version', `receipt format version ${String(candidate.version)} is unknown (this verifier reads 1)`);
  }
  const proof = candidate.proof;
  if (proof !== undefined && (typeof proof !== 'object' || proof === null || Array.isArray(proof))) {
    return bad('proof', 'proof is not an object');
  }
  for (const field of ['chaincode', 'transaction', 'mspId', 'validationCode'] as const) {
    if (proof?.[field] !== undefined && typeof proof[field] !== 'string') return bad(`proof.${field}`, 'not a string');
  }
  return undefined;
}

/** The previous block as the hash-chain and commit-hash checks need it. */
interface BlockSummary {
  number: number;
  headerHash: Uint8Array;
  commitHash: Uint8Array | undefined;
}

// Not cached: a cache key (SHA-256 of the whole block) costs more than this decoding, which
// reads views into the bytes, for blocks of more than a few transactions.
function summarize(bytes: Uint8Array): BlockSummary {
  const block = decodeBlock(bytes);
  return { number: block.number, headerHash: blockHeaderHash(block), commitHash: commitHashOf(block) };
}

/** Checks of the config block itself, once per parsed config. */
const configIntegrity = new WeakMap<ChannelConfig, string | undefined>();

function configProblem(config: ChannelConfig, bytes: Uint8Array): string | undefined {
  if (configIntegrity.has(config)) return configIntegrity.get(config);
  let problem: string | undefined;
  try {
    const block = decodeBlock(bytes);
    if (!equalBytes(blockDataHash(block.data), block.dataHash))
      problem = 'its data does not hash to its header data hash';
    // Config blocks after the genesis block are signed by the orderer; check the signature
    // against the orderer organizations the block itself configures.
    else if (block.number > 0) {
      const signed = ordererSignature(block, config, timeOf(decodeEnvelope(block.data[0] ?? new Uint8Array())));
      if (!signed.ok) problem = `its orderer signature does not verify: ${signed.detail}`;
    }
  } catch (error) {
    problem = message(error);
  }
  configIntegrity.set(config, problem);
  return problem;
}

function ordererSignature(block: DecodedBlock, config: ChannelConfig, at: Date): VerificationCheck {
  return check('orderer-signature', () => {
    const { value, signatures } = decodeBlockSignatures(block);
    if (signatures.length === 0) return [false, `block ${block.number} carries no orderer signature`];
    const headerBytes = blockHeaderBytes(block);
    const outcomes = signatures.map((signature) => {
      if (signature.creator.length === 0) {
        return { ok: false, text: `consenter ${signature.identifier} (BFT identifier header: not supported)` };
      }
      const signed = concatBytes(value, signature.signatureHeader, headerBytes);
      const { identity, problem } = checkSigner(
        config,
        signature.creator,
        signed,
        signature.signature,
        ['orderer'],
        at,
      );
      const ordererOrg = config.msps.get(identity.mspId)?.orderer === true;
      const why = problem ?? (ordererOrg ? undefined : `${identity.mspId} is not an orderer organization`);
      const who = `${identity.mspId || 'unknown MSP'} ${identity.name}`.trim();
      return { ok: why === undefined, text: why ? `${who}: ${why}` : `${who} signed` };
    });
    const ok = outcomes.some((outcome) => outcome.ok);
    return [
      ok,
      `block ${block.number} header (previous ${short(block.previousHash)}, data ${short(block.dataHash)}) and its ` +
        `orderer metadata, against the orderer MSP roots of ${config.rootsFrom}: ` +
        outcomes.map((outcome) => outcome.text).join('; '),
    ];
  });
}

interface LocatedTransaction {
  index: number;
  envelope: DecodedEnvelope;
  actions: DecodedAction[];
}

function timeOf(envelope: DecodedEnvelope): Date {
  return timestampToDate(envelope.timestamp);
}

/**
 * Verifies a Fabric transaction offline from the blocks alone, without trusting whoever
 * supplied them: pure, synchronous, and never throws on tampered bytes (each problem is a
 * failed check). The trust anchors are the MSP root certificates in `configBlock`, whose
 * header hash the `channel-config` check reports so an auditor can compare it with a pinned one.
 *
 * Checks, in order: `block-decodes`; `block-located` (the transaction's id is in the block,
 * at the receipt's block and index); `channel`; `block-data-hash` (SHA-256 of the data entries
 * concatenated = header data hash); `block-hash-chain` (header previous hash = SHA-256 of the
 * DER of the previous block's header); `channel-config`; `orderer-signature` (an orderer
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

function inputProblem(input: FabricTransactionInput): VerificationCheck | undefined {
  if (typeof input !== 'object' || input === null) return fail('input-format', 'the input is not an object');
  const { txId, receipt } = input;
  if (receipt !== undefined) {
    const problem = fabricReceiptProblem(receipt);
    if (problem) return fail('receipt-format', `not a Fabric receipt: ${problem.field}: ${problem.reason}`);
  }
  if (typeof txId !== 'string' || txId === '') return fail('input-format', 'txId must be a non-empty string');
  if (receipt && receipt.txId !== txId) {
    return fail('input-format', `txId ${txId} is not the receipt's transaction id ${receipt.txId}`);
  }
  const blocks: Array<[string, unknown]> = [
    ['block', input.block],
    ['configBlock', input.configBlock],
    ...(input.previousBlock === undefined ? [] : [['previousBlock', input.previousBlock] as [string, unknown]]),
    ...(input.witnessBlocks ?? []).map((copy, index): [string, unknown] => [`witnessBlocks[${index}]`, copy]),
  ];
  const notBytes = blocks.find(([, value]) => !(value instanceof Uint8Array));
  return notBytes ? fail('input-format', `${notBytes[0]} must be the serialized block as a Uint8Array`) : undefined;
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
    return [fail('block-decodes', `the block does not decode: ${message(error)}`)];
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
  const checks: VerificationCheck[] = [];

  // Decode every envelope: the transaction's own, and the writes of the valid ones for the commit hash.
  const envelopes = block.data.map((entry): DecodedEnvelope | Error => {
    try {
      return decodeEnvelope(entry);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  });
  const undecodable = envelopes.flatMap((entry, index) => (entry instanceof Error ? [index] : []));
  checks.push({
    name: 'block-decodes',
    ok: undecodable.length === 0,
    detail:
      undecodable.length === 0
        ? `block ${block.number}: ${block.data.length} envelopes, ${block.metadata.length} metadata entries`
        : `block ${block.number}: envelopes ${undecodable.join(', ')} do not decode`,
  });

  const index = envelopes.findIndex((entry) => !(entry instanceof Error) && entry.txId === txId);
  let located: LocatedTransaction | undefined;
  let locationProblem: string | undefined;
  if (index >= 0) {
    const envelope = envelopes[index] as DecodedEnvelope;
    try {
      if (envelope.headerType !== headerTypeEndorserTransaction) {
        locationProblem = `transaction ${index} is of header type ${envelope.headerType}, not an endorser transaction`;
      } else {
        located = { index, envelope, actions: decodeEndorserTransaction(envelope) };
        if (located.actions.length !== 1) {
          locationProblem = `the transaction holds ${located.actions.length} actions; Fabric commits exactly one`;
        }
      }
    } catch (error) {
      locationProblem = `transaction ${index} does not decode: ${message(error)}`;
    }
  }
  checks.push(
    check('block-located', () => {
      if (index < 0) return [false, `block ${block.number} holds no transaction ${txId}`];
      if (locationProblem) return [false, locationProblem];
      const where = `transaction ${txId} is transaction ${index} of block ${block.number}`;
      if (!receipt) return [true, where];
      const { block: claimedBlock, index: claimedIndex } = receipt.position;
      const ok = claimedBlock === block.number && (claimedIndex === -1 || claimedIndex === index);
      return [ok, `${where}; the receipt says block ${claimedBlock}, index ${claimedIndex}`];
    }),
  );

  checks.push(
    check('block-data-hash', () => {
      const computed = blockDataHash(block.data);
      return [
        equalBytes(computed, block.dataHash),
        `SHA-256 of the ${block.data.length} data entries of block ${block.number} is ${hex(computed)}; the header says ${hex(block.dataHash)}`,
      ];
    }),
  );

  let previous: BlockSummary | undefined;
  if (block.number === 0) {
    checks.push({
      name: 'block-hash-chain',
      ok: block.previousHash.length === 0,
      detail: `block 0 has no previous block; its header previous hash is ${short(block.previousHash)}`,
    });
  } else if (input.previousBlock !== undefined) {
    const previousBytes = input.previousBlock;
    checks.push(
      check('block-hash-chain', () => {
        previous = summarize(previousBytes);
        const { number, headerHash } = previous;
        const ok = number === block.number - 1 && equalBytes(headerHash, block.previousHash);
        return [
          ok,
          `header of block ${number} hashes (SHA-256 of its DER) to ${hex(headerHash)}; block ${block.number} names previous block ${hex(block.previousHash)}`,
        ];
      }),
    );
  }

  const transactionTime = located ? timeOf(located.envelope) : undefined;
  let config: ChannelConfig | undefined;
  checks.push(
    check('channel-config', () => {
      const lastConfig = decodeBlockSignatures(block).lastConfig;
      const served = channelConfigOf(input.configBlock);
      config = trust.roots ? withAnchorRoots(served, trust.roots) : served;
      const problem = configProblem(config, input.configBlock);
      const organizations = [...config.msps.values()]
        .map((entry) => (entry.orderer ? `${entry.mspId} (orderer)` : entry.mspId))
        .join(', ');
      const about = `config block ${config.blockNumber} (hash ${config.blockHash}) of channel ${config.channelId}, organizations ${organizations}; block ${block.number} names last config ${String(lastConfig)}`;
      if (problem) return [false, `${about}; the config block is not intact: ${problem}`];
      return [lastConfig === config.blockNumber && lastConfig <= block.number, about];
    }),
  );

  checks.push(
    check('channel', () => {
      // The channel is the block's: every envelope of a block names the same one.
      const anyEnvelope = envelopes.find((entry): entry is DecodedEnvelope => !(entry instanceof Error));
      const blockChannel = located?.envelope.channelId ?? anyEnvelope?.channelId ?? '(no envelope decodes)';
      const ok =
        config !== undefined && blockChannel === config.channelId && (!receipt || receipt.ledger === blockChannel);
      return [
        ok,
        `block ${block.number} is on channel ${blockChannel}; config of channel ${config?.channelId ?? '(unparsed)'}${receipt ? `; receipt names ${receipt.ledger}` : ''}`,
      ];
    }),
  );

  if (config) {
    const firstEnvelope = envelopes.find((entry): entry is DecodedEnvelope => !(entry instanceof Error));
    const blockTime = transactionTime ?? (firstEnvelope ? timeOf(firstEnvelope) : new Date(0));
    checks.push(ordererSignature(block, config, blockTime));
  }

  if (located && !locationProblem) {
    checks.push(...transactionChecks(located, config, receipt));
  }

  const filter = transactionsFilter(block);
  if (located && !locationProblem) {
    const { index: at } = located;
    checks.push(
      check('validation-code', () => {
        if (filter.length !== block.data.length) {
          return [false, `the TRANSACTIONS_FILTER holds ${filter.length} codes for ${block.data.length} transactions`];
        }
        const code = filter[at] as number;
        const claimed = receipt?.proof?.validationCode;
        return [
          code === valid && (claimed === undefined || claimed === 'VALID'),
          `the peer's TRANSACTIONS_FILTER marks transaction ${at} of block ${block.number} ${validationCodeName(code)} (${code})${claimed === undefined ? '' : `; the receipt says ${String(claimed)}`}`,
        ];
      }),
    );
  }

  const commitCheck = commitHashCheck(block, envelopes, filter, previous);
  if (commitCheck) checks.push(commitCheck);
  if (input.witnessBlocks && input.witnessBlocks.length > 0) {
    checks.push(peerAgreement(block, filter, input.witnessBlocks));
  }

  if (receipt && located) {
    const transaction = located;
    checks.push(
      check('timestamp', () => {
        const ledgerTime = timeOf(transaction.envelope);
        return [
          Date.parse(receipt.timestamp) === ledgerTime.getTime(),
          `channel header timestamp ${ledgerTime.toISOString()} (${transaction.envelope.timestamp.seconds}s ${transaction.envelope.timestamp.nanos}ns); the receipt says ${receipt.timestamp}`,
        ];
      }),
    );
  }
  return checks;
}

function transactionChecks(
  located: LocatedTransaction,
  config: ChannelConfig | undefined,
  receipt: Receipt | undefined,
): VerificationCheck[] {
  const checks: VerificationCheck[] = [];
  const { envelope } = located;
  const action = located.actions[0] as DecodedAction;
  const at = timeOf(envelope);
  const proof = receipt?.proof as Partial<FabricReceiptProof> | undefined;

  checks.push(
    check('tx-id', () => {
      const computed = hex(sha256(concatBytes(envelope.nonce, envelope.creator)));
      return [
        computed === envelope.txId,
        `SHA-256 of the nonce and creator is ${computed}; the channel header names ${envelope.txId}`,
      ];
    }),
  );

  if (!config) {
    checks.push(fail('creator-signature', 'no channel config to check the creator against'));
    checks.push(fail('endorsements', 'no channel config to check the endorsers against'));
  } else {
    checks.push(
      check('creator-signature', () => {
        const { identity, problem } = checkSigner(
          config as ChannelConfig,
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
          `envelope signature by ${who} against the ${identity.mspId} roots of ${config?.rootsFrom}${why ? `: ${why}` : ': verified'}`,
        ];
      }),
    );
  }

  checks.push(
    check('proposal', () => {
      const computed = sha256(
        concatBytes(envelope.channelHeader, action.signatureHeader, action.chaincodeProposalPayload),
      );
      const problems: string[] = [];
      if (!equalBytes(computed, action.proposalHash)) {
        problems.push(`the proposal hashes to ${hex(computed)}, the response answers ${hex(action.proposalHash)}`);
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

  if (config) {
    if (action.endorsements.length === 0) checks.push(fail('endorsements', 'the transaction carries no endorsement'));
    for (const endorsement of action.endorsements) {
      const signed = concatBytes(action.proposalResponsePayload, endorsement.endorser);
      const { identity, problem } = checkSigner(
        config,
        endorsement.endorser,
        signed,
        endorsement.signature,
        ['peer'],
        at,
      );
      checks.push({
        name: `endorsement:${identity.mspId || 'unknown'}`,
        ok: problem === undefined,
        detail:
          `peer ${identity.name} of ${identity.mspId || 'an unknown MSP'} signed the proposal response payload ` +
          `(SHA-256 ${hex(sha256(action.proposalResponsePayload)).slice(0, 16)}…, shared by all ` +
          `${action.endorsements.length} endorsements), checked against the ${identity.mspId} roots of ` +
          `${config.rootsFrom} at ${at.toISOString()}${problem ? `: ${problem}` : ': verified'}`,
      });
    }
  }
  return checks;
}

function peerAgreement(
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
            : [`commit hash ${hex(commitHashOf(copy) ?? new Uint8Array())}`]),
        ];
        return differences.length === 0 ? [] : [`witness ${witness} holds ${differences.join(', ')}`];
      } catch (error) {
        return [`witness ${witness}'s block does not decode: ${message(error)}`];
      }
    });
    const about = `${witnessBlocks.length} other peers' copies of block ${block.number} against this one (header ${short(headerHash)}, validation codes [${[...filter].map(validationCodeName).join(', ')}], commit hash ${short(commit ?? new Uint8Array())})`;
    return [
      disagreements.length === 0,
      disagreements.length === 0 ? `${about}: identical` : `${about}: ${disagreements.join('; ')}`,
    ];
  });
}

function commitHashCheck(
  block: DecodedBlock,
  envelopes: ReadonlyArray<DecodedEnvelope | Error>,
  filter: Uint8Array,
  previous: BlockSummary | undefined,
): VerificationCheck | undefined {
  let recorded: Uint8Array | undefined;
  try {
    recorded = commitHashOf(block);
  } catch (error) {
    return fail('commit-hash', `the COMMIT_HASH metadata does not decode: ${message(error)}`);
  }
  // Peers record commit hashes from block 1 on; the previous one is needed to recompute (none before block 1).
  const previousCommitHash = block.number === 1 ? new Uint8Array() : previous?.commitHash;
  if (block.number === 0 || previousCommitHash === undefined || (recorded === undefined && previous === undefined)) {
    return undefined;
  }
  const transactions: ValidTransactionWrites[] = [];
  let broken: number | undefined;
  for (const [index, entry] of envelopes.entries()) {
    if (filter[index] !== valid || entry instanceof Error || entry.headerType !== headerTypeEndorserTransaction)
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
    const undecodable = envelopes.findIndex((entry, index) => filter[index] === valid && entry instanceof Error);
    const first = undecodable >= 0 ? Math.min(undecodable, broken ?? undecodable) : broken;
    if (first !== undefined) return [false, `transaction ${first} is marked VALID but does not decode`];
    const computed = commitHash(filter, updateBatchBytes(block.number, transactions), previousCommitHash);
    const codes = [...filter].map(validationCodeName);
    return [
      equalBytes(computed, recorded),
      `commit hash over the validation codes [${codes.join(', ')}], the writes of ${transactions.length} valid transactions and block ${block.number - 1}'s commit hash ${short(previousCommitHash)} is ${hex(computed)}; block ${block.number} records ${hex(recorded)}`,
    ];
  });
}
