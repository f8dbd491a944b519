import type * as grpc from '@grpc/grpc-js';
import {
  type ChaincodeEvent,
  type CloseableAsyncIterable,
  CommitError,
  type Contract,
  type Gateway,
  type Network,
} from '@hyperledger/fabric-gateway';
import { type common, peer } from '@hyperledger/fabric-protos';
import {
  anySignal,
  type CallOptions,
  type Checkpoint,
  type HistoryOptions,
  InvalidArgumentError,
  isLedgerError,
  type JsonValue,
  type LedgerCall,
  LedgerError,
  type LedgerEvent,
  type Receipt,
  type Revision,
  raceSignal,
  receiptFormatVersion,
  retry,
  sleep,
  throwIfAborted,
  type Verification,
  type VerificationBundle,
  type VerifyOptions,
  verification,
} from '@ledgerkit/core';
import { type Checkpointer, checkCheckpoint } from '../checkpointer.js';
import { fetchFabricEvidence, qsccBlockSource, whereIs } from '../evidence.js';
import type {
  FabricBlockEvent,
  FabricBlockEventsOptions,
  FabricCallOptions,
  FabricEventsOptions,
  FabricLedger,
  FabricNative,
  FabricReceiptProof,
  FabricSubmitResult,
  FabricTransactionOptions,
} from '../fabric-ledger.js';
import { fabricReceiptProblem } from '../verify/checks/input-checks.js';
import { type DecodedBlock, decodeBlock } from '../verify/decode.js';
import { verifyFabricReceipt } from '../verify/fabric-receipt.js';
import { validationCodeName } from '../verify/validation-codes.js';
import { blockTransactions, fromProtoBlock, proposalTimestamp, transactionDetails } from './blocks.js';
import { type ErrorContext, toLedgerError } from './gateway-errors.js';
import type { ResolvedConnection } from './options.js';
import { chaincodeArguments, parseResult } from './values.js';

/** What `connectFabric` hands to the ledger. */
export interface LedgerSettings extends ResolvedConnection {
  gateway: Gateway;
  client: grpc.Client;
}

interface Target {
  contract: Contract;
  chaincode: string;
  /** Name as sent to the chaincode: `contract:Method` or `Method`. */
  transaction: string;
  method: string;
}

/** How many blocks' transaction indexes a ledger keeps for the receipts of its submits. */
const recentBlocks = 16;

export class FabricLedgerImpl implements FabricLedger {
  readonly kind = 'fabric' as const;
  readonly trustModel = 'decentralized' as const;
  readonly id: string;
  readonly native: FabricNative;
  readonly channel: string;
  readonly chaincode: string;
  readonly mspId: string;

  readonly #settings: LedgerSettings;
  readonly #network: Network;
  readonly #contracts = new Map<string, Contract>();
  /** Transaction indexes of recently committed blocks, by block number (see #indexIn). */
  readonly #blockIndexes = new Map<number, Promise<Map<string, number>>>();
  readonly #closing = new AbortController();
  #closed = false;

  constructor(settings: LedgerSettings) {
    this.#settings = settings;
    this.channel = settings.channel;
    this.id = settings.channel;
    this.chaincode = settings.chaincode;
    this.mspId = settings.mspId;
    this.#network = settings.gateway.getNetwork(settings.channel);
    const contract = this.#network.getContract(settings.chaincode);
    this.#contracts.set(settings.chaincode, contract);
    this.native = { gateway: settings.gateway, network: this.#network, contract, client: settings.client };
  }

  async submit(call: LedgerCall, options: FabricCallOptions = {}): Promise<Receipt> {
    return (await this.submitTransaction(call, options)).receipt;
  }

  async submitTransaction(call: LedgerCall, options: FabricCallOptions = {}): Promise<FabricSubmitResult> {
    this.#assertOpen();
    const target = this.#target(call);
    const proposal = target.contract.newProposal(target.method, {
      arguments: chaincodeArguments(call.args),
      ...proposalOptions(options),
    });
    const txId = proposal.getTransactionId();
    const context: ErrorContext = {
      operation: 'submit',
      channel: this.channel,
      chaincode: target.chaincode,
      transaction: target.transaction,
      txId,
    };
    const { signal } = options;
    const endorsed = await this.#attempt(() => proposal.endorse(), context, signal);
    throwIfAborted(signal);
    let submitted = await this.#attempt(() => endorsed.submit(), context, signal);
    let status: Awaited<ReturnType<typeof submitted.getStatus>>;
    for (let round = 0; ; round++) {
      try {
        status = await this.#attempt(
          () => submitted.getStatus(),
          context,
          signal,
          (error) => isLedgerError(error, 'UNAVAILABLE'),
        );
        break;
      } catch (error) {
        // An orderer can lose a transaction it accepted (its Raft leader killed before the
        // transaction was in a block): the commit status then waits in vain. The same signed
        // envelope goes to the orderers again — one transaction id, so it commits at most
        // once (a second copy is invalidated as DUPLICATE_TXID; the status names the first).
        if (!isLedgerError(error, 'TIMEOUT') || signal?.aborted || round >= (this.#settings.retry.retries ?? 6))
          throw error;
        submitted = await this.#attempt(() => endorsed.submit(), context, signal);
      }
    }
    if (!status.successful) {
      throw toLedgerError(
        new CommitError({
          code: status.code,
          transactionId: txId,
          message: `transaction ${txId} failed to commit with ${validationCodeName(status.code)}`,
        }),
        { ...context, block: Number(status.blockNumber) },
      );
    }
    const proof: FabricReceiptProof = {
      chaincode: target.chaincode,
      transaction: target.transaction,
      mspId: this.mspId,
      validationCode: 'VALID',
    };
    const receipt: Receipt = {
      version: receiptFormatVersion,
      backend: 'fabric',
      ledger: this.channel,
      txId,
      position: { block: Number(status.blockNumber), index: await this.#indexIn(Number(status.blockNumber), txId) },
      timestamp: proposalTimestamp(proposal.getBytes()) ?? new Date().toISOString(),
      proof: { ...proof },
    };
    return { receipt, result: parseResult(submitted.getResult()) };
  }

  /**
   * The transaction's index in its block, read back through qscc, so that a receipt names its
   * exact position (a moved receipt then fails verification); -1 when the block cannot be read
   * now: the transaction is committed either way, and verification accepts -1 as "not located".
   * Submits that committed in the same block share one read of it: with many in flight a block
   * holds dozens of them, and reading it once each halved the SDK's submit throughput.
   */
  async #indexIn(block: number, txId: string): Promise<number> {
    let indexes = this.#blockIndexes.get(block);
    if (indexes === undefined) {
      indexes = qsccBlockSource(this.#network)
        .blockByNumber(block)
        .then((bytes) => new Map(blockTransactions(decodeBlock(bytes)).map(({ txId: id, index }) => [id, index])));
      this.#blockIndexes.set(block, indexes);
      // Only the latest blocks: commits arrive in block order, give or take a few.
      for (const old of this.#blockIndexes.keys()) {
        if (this.#blockIndexes.size <= recentBlocks) break;
        this.#blockIndexes.delete(old);
      }
    }
    try {
      return (await indexes).get(txId) ?? -1;
    } catch {
      // Not cached as failed: the next submit of this block tries again.
      if (this.#blockIndexes.get(block) === indexes) this.#blockIndexes.delete(block);
      return -1;
    }
  }

  async evaluate(call: LedgerCall, options: FabricCallOptions = {}): Promise<unknown> {
    this.#assertOpen();
    const target = this.#target(call);
    const context: ErrorContext = {
      operation: 'evaluate',
      channel: this.channel,
      chaincode: target.chaincode,
      transaction: target.transaction,
    };
    const args = chaincodeArguments(call.args);
    const bytes = await this.#attempt(
      () => target.contract.evaluate(target.method, { arguments: args, ...proposalOptions(options) }),
      context,
      options.signal,
    );
    return parseResult(bytes);
  }

  transaction(call: LedgerCall, options?: FabricTransactionOptions): Promise<FabricSubmitResult>;
  transaction<T>(work: (attempt: number) => Promise<T>, options?: FabricTransactionOptions): Promise<T>;
  async transaction<T>(
    work: LedgerCall | ((attempt: number) => Promise<T>),
    options: FabricTransactionOptions = {},
  ): Promise<T | FabricSubmitResult> {
    this.#assertOpen();
    if (typeof work !== 'function' && (typeof work !== 'object' || work === null)) {
      throw new InvalidArgumentError('work', 'transaction needs a call or a function');
    }
    const run = typeof work === 'function' ? work : () => this.submitTransaction(work, options);
    return retry<T | FabricSubmitResult>(run, {
      retries: options.retries ?? 10,
      baseDelayMs: options.baseDelayMs ?? 20,
      maxDelayMs: options.maxDelayMs ?? 2_000,
      jitter: options.jitter ?? 'full',
      ...(options.random ? { random: options.random } : {}),
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      shouldRetry: (error) => isLedgerError(error, 'OCC_CONFLICT'),
    });
  }

  async history(key: string, options: HistoryOptions = {}): Promise<Revision[]> {
    this.#assertOpen();
    if (typeof key !== 'string' || key === '') throw new InvalidArgumentError('key', 'history needs a non-empty key');
    const transaction = this.#settings.historyTransaction;
    let raw: unknown;
    try {
      raw = await this.evaluate({ method: transaction, args: [key] }, options);
    } catch (error) {
      // fabric-contract-api answers an unknown transaction name with this message.
      if (
        isLedgerError(error, 'CONTRACT_REVERTED') &&
        /function that does not exist/i.test(String(error.details.reason))
      ) {
        throw new LedgerError(
          'UNSUPPORTED',
          `chaincode ${this.chaincode} has no transaction ${transaction} for history(); name the chaincode's history transaction with connectFabric's historyTransaction option`,
          { details: { chaincode: this.chaincode, transaction, option: 'historyTransaction' }, cause: error },
        );
      }
      throw error;
    }
    const entries = historyEntries(raw, transaction);
    const receipts = await mapLimit(entries, 8, (entry) => this.receiptOf(entry.txId, options));
    const revisions: Revision[] = entries.map((entry, version) => {
      const receipt = receipts[version] as Receipt;
      return {
        key,
        version,
        value: entry.isDelete ? null : (entry.value ?? null),
        deleted: entry.isDelete,
        // A chaincode that keeps `key` under another world-state key (a prefix, a composite
        // key) names it in its history entries; the verifier checks the write under it.
        receipt:
          entry.key === undefined || entry.key === key
            ? receipt
            : { ...receipt, proof: { ...receipt.proof, stateKey: entry.key } },
      };
    });
    const from = options.from?.getTime();
    const to = options.to?.getTime();
    if (from === undefined && to === undefined) return revisions;
    // A revision is active from its commit until the next revision of the key.
    return revisions.filter((revision, index) => {
      const start = Date.parse(revision.receipt.timestamp);
      const next = revisions[index + 1];
      const end = next ? Date.parse(next.receipt.timestamp) : Number.POSITIVE_INFINITY;
      return (to === undefined || start <= to) && (from === undefined || end > from);
    });
  }

  async receiptOf(txId: string, options: CallOptions = {}): Promise<Receipt> {
    this.#assertOpen();
    if (typeof txId !== 'string' || txId === '')
      throw new InvalidArgumentError('txId', 'receiptOf needs a transaction id');
    const context: ErrorContext = { operation: 'receiptOf', channel: this.channel, chaincode: 'qscc', txId };
    let bytes: Uint8Array;
    try {
      bytes = await this.#attempt(
        () => this.#contract('qscc').evaluate('GetBlockByTxID', { arguments: [this.channel, txId] }),
        context,
        options.signal,
      );
    } catch (error) {
      if (isLedgerError(error, 'CONTRACT_REVERTED') && /no such transaction/i.test(String(error.details.reason))) {
        throw new LedgerError('NOT_FOUND', `channel ${this.channel} has no transaction ${txId}`, {
          details: { channel: this.channel, txId },
          cause: error,
        });
      }
      throw error;
    }
    let block: DecodedBlock;
    try {
      block = decodeBlock(bytes);
    } catch (error) {
      throw new LedgerError('INTERNAL', `qscc returned a block for transaction ${txId} that does not decode`, {
        details: { channel: this.channel, txId },
        cause: error,
      });
    }
    const found = blockTransactions(block).find((transaction) => transaction.txId === txId);
    if (!found) {
      throw new LedgerError('INTERNAL', `qscc returned block ${block.number} without transaction ${txId}`, {
        details: { channel: this.channel, txId, block: block.number },
      });
    }
    if (found.validationCode !== 'VALID') {
      throw new LedgerError(
        'COMMIT_FAILED',
        `transaction ${txId} is in block ${block.number} but invalid (${found.validationCode})`,
        {
          details: { channel: this.channel, txId, block: block.number, validationCode: found.validationCode },
        },
      );
    }
    const details = transactionDetails(found.envelope);
    return {
      version: receiptFormatVersion,
      backend: 'fabric',
      ledger: this.channel,
      txId,
      position: { block: block.number, index: found.index },
      timestamp: details.timestamp ?? new Date(0).toISOString(),
      proof: {
        chaincode: details.chaincode ?? '',
        transaction: details.transaction ?? '',
        mspId: details.mspId ?? '',
        validationCode: 'VALID',
      },
    };
  }

  async *events(options: FabricEventsOptions = {}): AsyncIterable<LedgerEvent> {
    this.#assertOpen();
    let cursor = await startingPoint(options.from, options.checkpointer);
    const chaincode = this.chaincode;
    yield* this.#reconnecting<ChaincodeEvent, LedgerEvent>({
      signal: anySignal(options.signal, this.#closing.signal),
      context: { operation: 'events', channel: this.channel, chaincode },
      checkpointer: options.checkpointer,
      open: () => this.#network.getChaincodeEvents(chaincode, { startBlock: BigInt(cursor ? cursor.block : 0) }),
      // A new stream starts at the cursor's block, so counting restarts with it.
      reader: () => {
        let block = -1;
        let index = -1;
        return (event) => {
          const number = Number(event.blockNumber);
          index = number === block ? index + 1 : 0;
          block = number;
          if (cursor && (block < cursor.block || (block === cursor.block && index <= cursor.index))) return undefined;
          cursor = { block, index };
          return {
            checkpoint: { block, index },
            txId: event.transactionId,
            name: event.eventName,
            payload: parsePayload(event.payload),
          };
        };
      },
    });
  }

  async *blockEvents(options: FabricBlockEventsOptions = {}): AsyncIterable<FabricBlockEvent> {
    this.#assertOpen();
    let cursor = await startingPoint(options.from, options.checkpointer);
    const nextBlock = () => (cursor === undefined ? 0 : cursor.index === -1 ? cursor.block : cursor.block + 1);
    yield* this.#reconnecting<common.Block | peer.FilteredBlock, FabricBlockEvent>({
      signal: anySignal(options.signal, this.#closing.signal),
      context: { operation: 'blockEvents', channel: this.channel },
      checkpointer: options.checkpointer,
      open: () =>
        options.filtered
          ? this.#network.getFilteredBlockEvents({ startBlock: BigInt(nextBlock()) })
          : this.#network.getBlockEvents({ startBlock: BigInt(nextBlock()) }),
      reader: () => {
        const first = nextBlock();
        return (received) => {
          const event = blockEvent(received);
          if (event.number < first) return undefined;
          cursor = event.checkpoint;
          return event;
        };
      },
    });
  }

  /**
   * Delivers a gateway event stream, reopening it with backoff when it fails transiently
   * or ends (peer restart); `reader` maps raw events and drops those already delivered.
   * Each event's checkpoint is saved once the consumer asks for the next one.
   */
  async *#reconnecting<TRaw, TEvent extends { checkpoint: Checkpoint }>(stream: {
    signal: AbortSignal;
    context: ErrorContext;
    checkpointer: Checkpointer | undefined;
    open: () => Promise<CloseableAsyncIterable<TRaw>>;
    reader: () => (raw: TRaw) => TEvent | undefined;
  }): AsyncGenerator<TEvent> {
    const { signal, checkpointer } = stream;
    let failures = 0;
    while (!signal.aborted) {
      let opened: CloseableAsyncIterable<TRaw> | undefined;
      const stop = () => opened?.close();
      signal.addEventListener('abort', stop, { once: true });
      try {
        opened = await stream.open();
        if (signal.aborted) return;
        const read = stream.reader();
        for await (const raw of opened) {
          failures = 0;
          const event = read(raw);
          if (event === undefined) continue;
          if (signal.aborted) return;
          yield event;
          // The loop body that received the event has finished: it counts as processed.
          if (checkpointer) await saveCheckpoint(checkpointer, event.checkpoint);
        }
      } catch (error) {
        if (signal.aborted) return;
        if (isLedgerError(error) && error.details.checkpointer === true) throw error;
        const typed = toLedgerError(error, stream.context);
        if (!isTransient(typed)) throw typed;
      } finally {
        signal.removeEventListener('abort', stop);
        opened?.close();
      }
      // Failed transiently, or ended without an error (a peer shutting down): reopen after a pause.
      failures += 1;
      // Resolves early (rejects) when the signal aborts; the loop condition then ends the stream.
      await sleep(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)), signal).catch(() => undefined);
    }
  }

  async verify(subject: Receipt | Revision, options: VerifyOptions = {}): Promise<Verification> {
    this.#assertOpen();
    throwIfAborted(options.signal);
    const receipt = typeof subject === 'object' && subject !== null && 'receipt' in subject ? subject.receipt : subject;
    const { anchor } = options;
    // Malformed subjects and anchors of another backend fail their named check before any I/O.
    const early = await verifyFabricReceipt(subject, {}, anchor);
    if (early.checks.some((item) => ['revision-format', 'receipt-format', 'anchor-type'].includes(item.name))) {
      return early;
    }
    const source = qsccBlockSource(this.#network);
    let evidence: Awaited<ReturnType<typeof fetchFabricEvidence>>;
    try {
      evidence = await raceSignal(fetchFabricEvidence(source, subject), options.signal);
    } catch (error) {
      if (!isLedgerError(error, 'NOT_FOUND')) throw error;
      return verification([
        {
          name: 'block-located',
          ok: false,
          detail: `channel ${this.channel} has no block ${receipt.position.block}${await whereIs(source, receipt.txId)}`,
        },
      ]);
    }
    const result = await verifyFabricReceipt(subject, evidence, anchor);
    const located = result.checks.find((item) => item.name === 'block-located');
    if (located && !located.ok) located.detail += await whereIs(source, receipt.txId);
    return result;
  }

  async evidence(subject: Receipt | Revision, options: CallOptions = {}): Promise<VerificationBundle> {
    this.#assertOpen();
    throwIfAborted(options.signal);
    const receipt = typeof subject === 'object' && subject !== null && 'receipt' in subject ? subject.receipt : subject;
    const problem = fabricReceiptProblem(receipt);
    if (problem) throw new InvalidArgumentError(problem.field, `not a Fabric receipt: ${problem.reason}`);
    const evidence = await raceSignal(fetchFabricEvidence(qsccBlockSource(this.#network), subject), options.signal);
    return { format: 'ledgerkit.verification-bundle', version: 1, subject, evidence: { ...evidence } };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort(new LedgerError('ABORTED', 'the ledger was closed'));
    this.#settings.gateway.close();
    this.#settings.client.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new LedgerError('ABORTED', 'the ledger is closed');
  }

  #contract(chaincode: string, contractName?: string): Contract {
    const key = contractName === undefined ? chaincode : `${chaincode}:${contractName}`;
    let contract = this.#contracts.get(key);
    if (!contract) {
      contract = this.#network.getContract(chaincode, contractName);
      this.#contracts.set(key, contract);
    }
    return contract;
  }

  #target(call: LedgerCall): Target {
    if (typeof call !== 'object' || call === null)
      throw new InvalidArgumentError('call', 'a call is { contract?, method, args? }');
    if (typeof call.method !== 'string' || call.method === '') {
      throw new InvalidArgumentError('call.method', 'call.method must name a chaincode transaction');
    }
    const spec = call.contract ?? this.chaincode;
    if (typeof spec !== 'string' || spec === '') {
      throw new InvalidArgumentError('call.contract', "call.contract must be 'chaincode' or 'chaincode:contract'");
    }
    const separator = spec.indexOf(':');
    const chaincode = separator === -1 ? spec : spec.slice(0, separator);
    const contractName = separator === -1 ? undefined : spec.slice(separator + 1);
    if (chaincode === '' || contractName === '') {
      throw new InvalidArgumentError(
        'call.contract',
        `call.contract '${spec}' is not 'chaincode' or 'chaincode:contract'`,
      );
    }
    return {
      contract: this.#contract(chaincode, contractName),
      chaincode,
      method: call.method,
      transaction: contractName === undefined ? call.method : `${contractName}:${call.method}`,
    };
  }

  /**
   * One gateway step, repeated while the failure is transient: the peer unreachable, a
   * deadline, or no endorsing peers known yet. Each step is safe to repeat. An abort of
   * `signal` ends the wait at once (`TIMEOUT` or `ABORTED`); the gRPC call itself runs on, so a
   * submit whose deadline passed while waiting for the commit status may still commit.
   */
  async #attempt<T>(
    step: () => Promise<T>,
    context: ErrorContext,
    signal: AbortSignal | undefined,
    shouldRetry: (error: unknown) => boolean = isTransient,
  ): Promise<T> {
    return retry(
      async () => {
        try {
          return await raceSignal(step(), signal);
        } catch (error) {
          throw toLedgerError(error, context);
        }
      },
      { ...this.#settings.retry, shouldRetry, ...(signal ? { signal } : {}) },
    );
  }
}

function isTransient(error: unknown): boolean {
  if (!isLedgerError(error)) return false;
  if (error.code === 'UNAVAILABLE' || error.code === 'TIMEOUT') return true;
  return error.code === 'ENDORSEMENT_FAILED' && error.details.grpcStatus === 'FAILED_PRECONDITION';
}

function proposalOptions(options: FabricCallOptions): {
  transientData?: Record<string, string | Uint8Array>;
  endorsingOrganizations?: string[];
} {
  const result: { transientData?: Record<string, string | Uint8Array>; endorsingOrganizations?: string[] } = {};
  if (options.transientData !== undefined) {
    if (typeof options.transientData !== 'object' || options.transientData === null) {
      throw new InvalidArgumentError('transientData', 'transientData must map names to strings or bytes');
    }
    result.transientData = options.transientData;
  }
  if (options.endorsingOrganizations !== undefined) {
    if (
      !Array.isArray(options.endorsingOrganizations) ||
      options.endorsingOrganizations.some((id) => typeof id !== 'string')
    ) {
      throw new InvalidArgumentError('endorsingOrganizations', 'endorsingOrganizations must be a list of MSP ids');
    }
    result.endorsingOrganizations = [...options.endorsingOrganizations];
  }
  return result;
}

interface HistoryEntry {
  txId: string;
  timestamp: string;
  isDelete: boolean;
  value: JsonValue | undefined;
  /** The world-state key the entry is a version of, when the chaincode reports it. */
  key: string | undefined;
}

function historyEntries(raw: unknown, transaction: string): HistoryEntry[] {
  if (!Array.isArray(raw)) {
    throw new LedgerError('INTERNAL', `the chaincode's ${transaction} transaction did not return a JSON array`, {
      details: { transaction, returned: typeof raw },
    });
  }
  return raw.map((entry: unknown, index) => {
    const record = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    if (typeof record.txId !== 'string') {
      throw new LedgerError('INTERNAL', `entry ${index} of ${transaction} has no txId`, {
        details: { transaction, index },
      });
    }
    return {
      txId: record.txId,
      timestamp: typeof record.timestamp === 'string' ? record.timestamp : '',
      isDelete: record.isDelete === true,
      value: record.value as JsonValue | undefined,
      key: typeof record.key === 'string' ? record.key : undefined,
    };
  });
}

function parsePayload(payload: Uint8Array): JsonValue {
  const value = parseResult(payload);
  return (value === undefined ? null : value) as JsonValue;
}

function blockEvent(received: common.Block | peer.FilteredBlock): FabricBlockEvent {
  if (received instanceof peer.FilteredBlock) {
    const transactions = received.getFilteredTransactionsList().map((transaction, index) => ({
      index,
      txId: transaction.getTxid(),
      validationCode: validationCodeName(transaction.getTxValidationCode()),
    }));
    const number = Number(received.getNumber());
    return {
      number,
      checkpoint: { block: number, index: transactions.length - 1 },
      transactions,
      filteredBlock: received,
    };
  }
  const decoded = fromProtoBlock(received);
  const transactions = blockTransactions(decoded).map(({ index, txId, validationCode }) => ({
    index,
    txId,
    validationCode,
  }));
  return {
    number: decoded.number,
    checkpoint: { block: decoded.number, index: transactions.length - 1 },
    transactions,
    block: received,
  };
}

async function startingPoint(
  from: Checkpoint | undefined,
  checkpointer: Checkpointer | undefined,
): Promise<Checkpoint | undefined> {
  const given = from === undefined ? undefined : checkCheckpoint(from);
  const saved = await checkpointer?.load();
  if (!given) return saved;
  if (!saved) return given;
  return saved.block > given.block || (saved.block === given.block && saved.index > given.index) ? saved : given;
}

async function saveCheckpoint(checkpointer: Checkpointer, checkpoint: Checkpoint): Promise<void> {
  try {
    await checkpointer.save({ ...checkpoint });
  } catch (error) {
    throw new LedgerError(isLedgerError(error) ? error.code : 'INTERNAL', 'saving the event checkpoint failed', {
      details: { checkpoint, checkpointer: true },
      cause: error,
    });
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
