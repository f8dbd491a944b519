import { createHash } from 'node:crypto';
import { peer } from '@hyperledger/fabric-protos';
import {
  InvalidArgumentError,
  isLedgerError,
  type Receipt,
  type Verification,
  type VerificationCheck,
  verification,
} from '@ledgerkit/core';
import type { FabricReceiptProof } from './fabric-ledger.js';
import { validationCodeName } from './internal/gateway-errors.js';
import { blockDataHash, blockHeaderBytes, blockHeaderHash } from './verify/block-hash.js';
import { type ChannelConfig, channelConfigOf, checkSigner } from './verify/channel-config.js';
import { commitHash, updateBatchBytes, type ValidTransactionWrites } from './verify/commit-hash.js';
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
} from './verify/decode.js';
import type { FabricBlockSource } from './verify/qscc-block-source.js';

export { type FabricBlockSource, type QsccBlockSourceOptions, qsccBlockSource } from './verify/qscc-block-source.js';

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

/** Options of {@link verifyFabricReceipt}. */
export interface VerifyFabricReceiptOptions {
  /**
   * Block sources of other peers (e.g. a {@link qsccBlockSource} through another
   * organization's gateway peer); their copies of the block must carry the same header,
   * validation codes and commit hash (`peer-agreement`).
   */
  witnesses?: readonly FabricBlockSource[];
}

const valid = peer.TxValidationCode.VALID;

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const short = (bytes: Uint8Array) => (bytes.length === 0 ? '(empty)' : `${hex(bytes).slice(0, 16)}…`);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function fail(name: string, detail: string): VerificationCheck {
  return { name, ok: false, detail };
}

function run(name: string, body: () => [boolean, string]): VerificationCheck {
  try {
    const [ok, detail] = body();
    return { name, ok, detail };
  } catch (error) {
    return fail(name, message(error));
  }
}

/**
 * Throws unless `receipt` is shaped like a Fabric receipt. A malformed receipt is bad input,
 * not a failed verification; a well-formed receipt that disagrees with the ledger is.
 */
function assertFabricReceipt(receipt: Receipt): void {
  const bad = (argument: string, reason: string) =>
    new InvalidArgumentError(`receipt.${argument}`, `not a Fabric receipt: ${reason}`, { receipt });
  if (typeof receipt !== 'object' || receipt === null) throw bad('', 'the receipt is not an object');
  if (receipt.backend !== 'fabric') throw bad('backend', `backend is ${String(receipt.backend)}, not fabric`);
  if (typeof receipt.ledger !== 'string' || receipt.ledger === '') throw bad('ledger', 'no channel name');
  if (typeof receipt.txId !== 'string' || receipt.txId === '') throw bad('txId', 'no transaction id');
  const { position } = receipt;
  if (
    typeof position !== 'object' ||
    position === null ||
    !Number.isSafeInteger(position.block) ||
    position.block < 0
  ) {
    throw bad('position.block', 'the block number is not a non-negative integer');
  }
  if (!Number.isSafeInteger(position.index) || position.index < -1) {
    throw bad('position.index', 'the index is not an integer of at least -1');
  }
  if (typeof receipt.timestamp !== 'string' || Number.isNaN(Date.parse(receipt.timestamp))) {
    throw bad('timestamp', 'the timestamp is not an ISO 8601 time');
  }
  const proof = receipt.proof;
  if (proof !== undefined && (typeof proof !== 'object' || proof === null))
    throw bad('proof', 'proof is not an object');
  for (const field of ['chaincode', 'transaction', 'mspId', 'validationCode'] as const) {
    if (proof?.[field] !== undefined && typeof proof[field] !== 'string') throw bad(`proof.${field}`, 'not a string');
  }
}

function assertBytes(argument: string, value: unknown): void {
  if (!(value instanceof Uint8Array)) {
    throw new InvalidArgumentError(argument, `${argument} must be the serialized block as a Uint8Array`);
  }
}

/** The previous block as the hash-chain and commit-hash checks need it. */
interface BlockSummary {
  number: number;
  headerHash: Buffer;
  commitHash: Buffer | undefined;
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
    if (!blockDataHash(block.data).equals(block.dataHash)) problem = 'its data does not hash to its header data hash';
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
  return run('orderer-signature', () => {
    const { value, signatures } = decodeBlockSignatures(block);
    if (signatures.length === 0) return [false, `block ${block.number} carries no orderer signature`];
    const headerBytes = blockHeaderBytes(block);
    const outcomes = signatures.map((signature) => {
      if (signature.creator.length === 0) {
        return { ok: false, text: `consenter ${signature.identifier} (BFT identifier header: not supported)` };
      }
      const signed = Buffer.concat([value, signature.signatureHeader, headerBytes]);
      const { identity, problem } = checkSigner(
        config,
        signature.creator,
        signed,
        signature.signature,
        ['orderer'],
        at,
        { cache: true },
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
        `orderer metadata, against the orderer MSP roots of config block ${config.blockNumber}: ` +
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
 * @throws InvalidArgumentError when the receipt is not a Fabric receipt or an input is not bytes
 * @example
 * ```ts
 * const result = verifyFabricTransaction({ txId, block, previousBlock, configBlock, receipt });
 * if (!result.ok) console.log(result.checks.filter((check) => !check.ok));
 * ```
 */
export function verifyFabricTransaction(input: FabricTransactionInput): Verification {
  assertTransactionInput(input);
  let block: DecodedBlock;
  try {
    block = decodeBlock(input.block);
  } catch (error) {
    return verification([fail('block-decodes', `the block does not decode: ${message(error)}`)]);
  }
  return verifyDecodedTransaction(input, block);
}

function assertTransactionInput(input: FabricTransactionInput): void {
  const { txId, receipt } = input;
  if (receipt !== undefined) assertFabricReceipt(receipt);
  if (typeof txId !== 'string' || txId === '')
    throw new InvalidArgumentError('txId', 'txId must be a non-empty string');
  if (receipt && receipt.txId !== txId) {
    throw new InvalidArgumentError('txId', 'txId is not the receipt transaction id', {
      txId,
      receiptTxId: receipt.txId,
    });
  }
  assertBytes('block', input.block);
  assertBytes('configBlock', input.configBlock);
  if (input.previousBlock !== undefined) assertBytes('previousBlock', input.previousBlock);
  for (const [index, copy] of (input.witnessBlocks ?? []).entries()) assertBytes(`witnessBlocks[${index}]`, copy);
}

/** {@link verifyFabricTransaction} of checked input whose block (`input.block`) is decoded. */
function verifyDecodedTransaction(input: FabricTransactionInput, block: DecodedBlock): Verification {
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
    run('block-located', () => {
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
    run('block-data-hash', () => {
      const computed = blockDataHash(block.data);
      return [
        computed.equals(block.dataHash),
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
      run('block-hash-chain', () => {
        previous = summarize(previousBytes);
        const { number, headerHash } = previous;
        const ok = number === block.number - 1 && headerHash.equals(block.previousHash);
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
    run('channel-config', () => {
      const lastConfig = decodeBlockSignatures(block).lastConfig;
      config = channelConfigOf(input.configBlock);
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
    run('channel', () => {
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
    const blockTime = transactionTime ?? (firstEnvelope ? timeOf(firstEnvelope) : new Date());
    checks.push(ordererSignature(block, config, blockTime));
  }

  if (located && !locationProblem) {
    checks.push(...transactionChecks(located, config, receipt));
  }

  const filter = transactionsFilter(block);
  if (located && !locationProblem) {
    const { index: at } = located;
    checks.push(
      run('validation-code', () => {
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
      run('timestamp', () => {
        const ledgerTime = timeOf(transaction.envelope);
        return [
          Date.parse(receipt.timestamp) === ledgerTime.getTime(),
          `channel header timestamp ${ledgerTime.toISOString()} (${transaction.envelope.timestamp.seconds}s ${transaction.envelope.timestamp.nanos}ns); the receipt says ${receipt.timestamp}`,
        ];
      }),
    );
  }
  return verification(checks);
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
    run('tx-id', () => {
      const computed = createHash('sha256').update(envelope.nonce).update(envelope.creator).digest('hex');
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
      run('creator-signature', () => {
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
          `envelope signature by ${who} against the ${identity.mspId} roots of config block ${config?.blockNumber}${why ? `: ${why}` : ': verified'}`,
        ];
      }),
    );
  }

  checks.push(
    run('proposal', () => {
      const computed = createHash('sha256')
        .update(envelope.channelHeader)
        .update(action.signatureHeader)
        .update(action.chaincodeProposalPayload)
        .digest();
      const problems: string[] = [];
      if (!computed.equals(action.proposalHash)) {
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
      const signed = Buffer.concat([action.proposalResponsePayload, endorsement.endorser]);
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
          `(SHA-256 ${hex(createHash('sha256').update(action.proposalResponsePayload).digest()).slice(0, 16)}…, shared by all ` +
          `${action.endorsements.length} endorsements), checked against the ${identity.mspId} roots of config block ` +
          `${config.blockNumber} at ${at.toISOString()}${problem ? `: ${problem}` : ': verified'}`,
      });
    }
  }
  return checks;
}

function peerAgreement(block: DecodedBlock, filter: Buffer, witnessBlocks: readonly Uint8Array[]): VerificationCheck {
  return run('peer-agreement', () => {
    const headerHash = blockHeaderHash(block);
    const commit = commitHashOf(block);
    const disagreements = witnessBlocks.flatMap((bytes, witness) => {
      try {
        const copy = decodeBlock(bytes);
        const differences = [
          ...(blockHeaderHash(copy).equals(headerHash) ? [] : [`block ${copy.number} with another header`]),
          ...(transactionsFilter(copy).equals(filter)
            ? []
            : [`validation codes [${[...transactionsFilter(copy)].map(validationCodeName).join(', ')}]`]),
          ...(Buffer.compare(commitHashOf(copy) ?? Buffer.alloc(0), commit ?? Buffer.alloc(0)) === 0
            ? []
            : [`commit hash ${hex(commitHashOf(copy) ?? Buffer.alloc(0))}`]),
        ];
        return differences.length === 0 ? [] : [`witness ${witness} holds ${differences.join(', ')}`];
      } catch (error) {
        return [`witness ${witness}'s block does not decode: ${message(error)}`];
      }
    });
    const about = `${witnessBlocks.length} other peers' copies of block ${block.number} against this one (header ${short(headerHash)}, validation codes [${[...filter].map(validationCodeName).join(', ')}], commit hash ${short(commit ?? Buffer.alloc(0))})`;
    return [
      disagreements.length === 0,
      disagreements.length === 0 ? `${about}: identical` : `${about}: ${disagreements.join('; ')}`,
    ];
  });
}

function commitHashCheck(
  block: DecodedBlock,
  envelopes: ReadonlyArray<DecodedEnvelope | Error>,
  filter: Buffer,
  previous: BlockSummary | undefined,
): VerificationCheck | undefined {
  let recorded: Buffer | undefined;
  try {
    recorded = commitHashOf(block);
  } catch (error) {
    return fail('commit-hash', `the COMMIT_HASH metadata does not decode: ${message(error)}`);
  }
  // Peers record commit hashes from block 1 on; the previous one is needed to recompute (none before block 1).
  const previousCommitHash = block.number === 1 ? Buffer.alloc(0) : previous?.commitHash;
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
  return run('commit-hash', () => {
    if (recorded === undefined) {
      return [false, `block ${block.number} carries no commit hash though block ${block.number - 1} does`];
    }
    const undecodable = envelopes.findIndex((entry, index) => filter[index] === valid && entry instanceof Error);
    const first = undecodable >= 0 ? Math.min(undecodable, broken ?? undecodable) : broken;
    if (first !== undefined) return [false, `transaction ${first} is marked VALID but does not decode`];
    const computed = commitHash(filter, updateBatchBytes(block.number, transactions), previousCommitHash);
    const codes = [...filter].map(validationCodeName);
    return [
      computed.equals(recorded),
      `commit hash over the validation codes [${codes.join(', ')}], the writes of ${transactions.length} valid transactions and block ${block.number - 1}'s commit hash ${short(previousCommitHash)} is ${hex(computed)}; block ${block.number} records ${hex(recorded)}`,
    ];
  });
}

/** Blocks fetched per source: committed blocks never change, so blocks are fetched once per source. */
const fetchedBlocks = new WeakMap<FabricBlockSource, Map<number, Promise<Uint8Array>>>();

function fetchBlock(source: FabricBlockSource, number: number): Promise<Uint8Array> {
  let cache = fetchedBlocks.get(source);
  if (!cache) {
    cache = new Map();
    fetchedBlocks.set(source, cache);
  }
  const cached = cache.get(number);
  if (cached) return cached;
  const fetched = source.blockByNumber(number);
  if (cache.size >= 128) cache.delete(cache.keys().next().value as number);
  cache.set(number, fetched);
  fetched.catch(() => cache.delete(number));
  return fetched;
}

/**
 * Verifies a Fabric receipt against the channel without trusting the peer that serves the
 * blocks: fetches the receipt's block, the block before it and the config block it names
 * (committed blocks never change, so the last 128 fetched are kept per source), then runs
 * {@link verifyFabricTransaction}. When the block does not hold the transaction, the
 * `block-located` detail says which block does, if the source knows. With `witnesses`, the
 * block is also fetched from them and compared (`peer-agreement`).
 *
 * @param receipt - a Fabric receipt (`backend: 'fabric'`, channel, txId, block position, timestamp)
 * @param source - where blocks come from, e.g. {@link qsccBlockSource}
 * @param options - other peers' sources to compare the block with
 * @returns every check made; `ok` when all passed
 * @throws InvalidArgumentError when the receipt is not a well-formed Fabric receipt
 * @throws LedgerError from the source when it cannot be reached (`UNAVAILABLE`, `TIMEOUT`)
 * @example
 * ```ts
 * const result = await verifyFabricReceipt(receipt, qsccBlockSource(gateway.getNetwork('mychannel')));
 * console.log(result.ok, result.checks.map((check) => `${check.name}: ${check.ok}`));
 * ```
 */
export async function verifyFabricReceipt(
  receipt: Receipt,
  source: FabricBlockSource,
  options: VerifyFabricReceiptOptions = {},
): Promise<Verification> {
  assertFabricReceipt(receipt);
  const number = receipt.position.block;
  let block: Uint8Array;
  try {
    block = await fetchBlock(source, number);
  } catch (error) {
    if (!isLedgerError(error, 'NOT_FOUND')) throw error;
    return verification([
      fail('block-located', `the channel has no block ${number}${await whereIs(source, receipt.txId)}`),
    ]);
  }
  let decoded: DecodedBlock | undefined;
  let lastConfig: number | undefined;
  try {
    decoded = decodeBlock(block);
    lastConfig = decodeBlockSignatures(decoded).lastConfig;
  } catch {
    // verifyFabricTransaction reports the undecodable block.
  }
  const fetchOptional = async (blockNumber: number | undefined) => {
    if (blockNumber === undefined || blockNumber < 0 || blockNumber === number) return undefined;
    try {
      return await fetchBlock(source, blockNumber);
    } catch (error) {
      if (isLedgerError(error, 'NOT_FOUND')) return undefined;
      throw error;
    }
  };
  const witnesses = options.witnesses ?? [];
  const [previousBlock, configBlock, witnessBlocks] = await Promise.all([
    fetchOptional(number - 1),
    fetchOptional(lastConfig),
    Promise.all(
      witnesses.map((witness) =>
        fetchBlock(witness, number).catch((error: unknown) => {
          if (isLedgerError(error, 'NOT_FOUND')) return new Uint8Array();
          throw error;
        }),
      ),
    ),
  ]);
  const input: FabricTransactionInput = {
    txId: receipt.txId,
    block,
    configBlock: configBlock ?? (lastConfig === number ? block : new Uint8Array()),
    receipt,
    ...(previousBlock ? { previousBlock } : {}),
    ...(witnessBlocks.length > 0 ? { witnessBlocks } : {}),
  };
  let result: Verification;
  if (decoded) {
    // The block is decoded already: check the input as verifyFabricTransaction does, without decoding it again.
    assertTransactionInput(input);
    result = verifyDecodedTransaction(input, decoded);
  } else {
    result = verifyFabricTransaction(input);
  }
  const located = result.checks.find((check) => check.name === 'block-located');
  if (located && !located.ok) located.detail += await whereIs(source, receipt.txId);
  if (number > 0 && !previousBlock) {
    return verification([...result.checks, fail('block-hash-chain', `the source has no block ${number - 1}`)]);
  }
  return result;
}

async function whereIs(source: FabricBlockSource, txId: string): Promise<string> {
  try {
    const holder = decodeBlock(await source.blockByTxId(txId));
    return `; the source holds transaction ${txId} in block ${holder.number}`;
  } catch (error) {
    return isLedgerError(error, 'NOT_FOUND') ? `; the source knows no transaction ${txId}` : '';
  }
}
