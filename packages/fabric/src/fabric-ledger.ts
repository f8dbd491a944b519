import type * as grpc from '@grpc/grpc-js';
import type { Contract, Gateway, Network } from '@hyperledger/fabric-gateway';
import type { common, peer } from '@hyperledger/fabric-protos';
import type {
  BackoffOptions,
  CallOptions,
  Checkpoint,
  EventsOptions,
  Ledger,
  LedgerCall,
  LedgerEvent,
  Receipt,
} from '@ledgerkit/core';
import type { Checkpointer } from './checkpointer.js';

/** The fabric-gateway objects behind a {@link FabricLedger}, for what it does not cover. */
export interface FabricNative {
  /** The gateway connection (one identity, one gateway peer). */
  gateway: Gateway;
  /** The ledger's channel. */
  network: Network;
  /** The ledger's chaincode on that channel. */
  contract: Contract;
  /** The gRPC client the gateway uses; closed by {@link FabricLedger.close}. */
  client: grpc.Client;
}

/** `proof` of a receipt {@link FabricLedger.submit} returns. */
export interface FabricReceiptProof {
  /** Chaincode invoked. */
  chaincode: string;
  /** Transaction name as sent to the chaincode: `Method`, or `contract:Method` when a contract name was given. */
  transaction: string;
  /** MSP id of the submitting identity. */
  mspId: string;
  /** Validation code the committing peer recorded; always `VALID` in a receipt. */
  validationCode: 'VALID';
}

/** Options of {@link FabricLedger.submit}, {@link FabricLedger.submitTransaction} and {@link FabricLedger.evaluate}. */
export interface FabricCallOptions extends CallOptions {
  /** Private inputs the chaincode reads with `getTransient()`; not written to the ledger. */
  transientData?: Record<string, string | Uint8Array>;
  /** MSP ids of the organizations that must endorse (default: the gateway chooses by the endorsement policy). */
  endorsingOrganizations?: readonly string[];
}

/** What {@link FabricLedger.submitTransaction} returns. */
export interface FabricSubmitResult {
  /** Receipt of the committed transaction. */
  receipt: Receipt;
  /** The chaincode's return value: parsed JSON when it is JSON, text otherwise, `undefined` when empty. */
  result: unknown;
}

/** Options of {@link FabricLedger.transaction}: the backoff between attempts and the call options. */
export interface FabricTransactionOptions extends FabricCallOptions, BackoffOptions {
  /** Attempts after the first one (default 10). */
  retries?: number;
  /** Called before each wait, e.g. for logging or metrics. */
  onRetry?: (event: { error: unknown; attempt: number; delayMs: number }) => void;
}

/** Options of {@link FabricLedger.events}. */
export interface FabricEventsOptions extends EventsOptions {
  /**
   * Loads the position to resume after and saves each event's checkpoint once the loop
   * body that received it finished. When `from` is given too, the later of the two wins.
   */
  checkpointer?: Checkpointer;
}

/** Options of {@link FabricLedger.blockEvents}. */
export interface FabricBlockEventsOptions extends CallOptions {
  /** Resume after this checkpoint: after block `block`, or at it when `index` is -1. Default: block 0. */
  from?: Checkpoint;
  /** Loads the position to resume after and saves each block's checkpoint once it was processed. */
  checkpointer?: Checkpointer;
  /** Filtered blocks (transaction ids and validation codes only, cheaper) instead of full blocks (default false). */
  filtered?: boolean;
}

/** One transaction as a block event lists it. */
export interface FabricBlockTransaction {
  /** Position within the block. */
  index: number;
  txId: string;
  /** `VALID`, `MVCC_READ_CONFLICT`, ... */
  validationCode: string;
}

/** One committed block. */
export interface FabricBlockEvent {
  /** Block number. */
  number: number;
  /** Pass it as `from` to continue after this block: `{ block: number, index: last transaction index }`. */
  checkpoint: Checkpoint;
  /** Every transaction of the block, valid or not, in order. */
  transactions: FabricBlockTransaction[];
  /** The full block (unless `filtered`). */
  block?: common.Block;
  /** The filtered block (when `filtered`). */
  filteredBlock?: peer.FilteredBlock;
}

/**
 * A {@link Ledger} on one channel and chaincode of a Hyperledger Fabric network, through
 * the Fabric Gateway of one peer.
 *
 * Calls: `contract` is the chaincode (default: the ledger's) or `chaincode:contract`,
 * `method` the transaction name, `args` become strings (objects as JSON). `submit` waits
 * for the commit status. History reads a chaincode transaction by convention (see
 * {@link ConnectFabricOptions.historyTransaction}). Event checkpoints are `(block, n)` where
 * `n` counts the chaincode's events within the block.
 */
export interface FabricLedger extends Ledger<FabricNative> {
  /** Channel name; also the ledger's `id`. */
  readonly channel: string;
  /** Default chaincode of calls, events and history. */
  readonly chaincode: string;
  /** MSP id of the identity that signs. */
  readonly mspId: string;

  /**
   * Endorses, orders and waits for the commit of a transaction.
   *
   * @param call - chaincode (optional), transaction name and arguments
   * @param options - transient data, endorsing organizations, abort signal
   * @returns the receipt: channel, tx id, block number (`index: -1`, not located), channel-header time
   * @throws LedgerError `CONTRACT_REVERTED` (chaincode rejection, `details.reasonCode` from a `[CODE]` prefix;
   *   a `[NOT_FOUND]` or `[PERMISSION_DENIED]` prefix gives that code instead),
   *   `OCC_CONFLICT` (MVCC or phantom read conflict), `COMMIT_FAILED` (other invalid validation codes),
   *   `ENDORSEMENT_FAILED`, `UNAVAILABLE` and `TIMEOUT` (after retries), `INVALID_ARGUMENT`
   * @example
   * ```ts
   * const receipt = await ledger.submit({ method: 'Put', args: ['pallet-1', { owner: 'Acme' }] })
   * ```
   */
  submit(call: LedgerCall, options?: FabricCallOptions): Promise<Receipt>;

  /**
   * Like {@link FabricLedger.submit}, and also returns the chaincode's return value.
   *
   * @param call - chaincode (optional), transaction name and arguments
   * @param options - transient data, endorsing organizations, abort signal
   * @returns the receipt and the parsed result
   * @throws LedgerError as {@link FabricLedger.submit}
   * @example
   * ```ts
   * const { receipt, result } = await ledger.submitTransaction({ method: 'Increment', args: ['hits', 1] })
   * ```
   */
  submitTransaction(call: LedgerCall, options?: FabricCallOptions): Promise<FabricSubmitResult>;

  /**
   * Runs a transaction on the peers without ordering it.
   *
   * @param call - chaincode (optional), transaction name and arguments
   * @param options - transient data, endorsing organizations, abort signal
   * @returns the result: parsed JSON when it is JSON, text otherwise
   * @throws LedgerError `CONTRACT_REVERTED`, `NOT_FOUND` and `PERMISSION_DENIED` (by the chaincode's
   *   `[CODE]` prefix), `UNAVAILABLE`, `TIMEOUT`, `INVALID_ARGUMENT`
   */
  evaluate(call: LedgerCall, options?: FabricCallOptions): Promise<unknown>;

  /**
   * The transaction runner: submits `call` (or runs `work`) again, with jittered
   * exponential backoff, while it fails with `OCC_CONFLICT`. Each attempt endorses anew,
   * so it reads the state that the conflicting transaction left.
   *
   * @param call - the call to submit (the overload below takes a function doing reads and one
   * submit instead, re-run as a whole)
   * @param options - retries (default 10), backoff (default 20 ms doubling up to 2 s, full jitter), call options
   * @returns the submit result (the overload's: what the function returns)
   * @throws the last `OCC_CONFLICT` when retries run out; any other error at once
   * @example
   * ```ts
   * const { result } = await ledger.transaction({ method: 'Increment', args: ['hits', 1] })
   * ```
   */
  transaction(call: LedgerCall, options?: FabricTransactionOptions): Promise<FabricSubmitResult>;
  /** @see transaction — with a function re-run as a whole on `OCC_CONFLICT` */
  transaction<T>(work: (attempt: number) => Promise<T>, options?: FabricTransactionOptions): Promise<T>;

  /**
   * Chaincode events of the ledger's chaincode, in commit order, from valid transactions.
   * Reconnects with backoff when the stream fails (peer restart) and resumes after the
   * last delivered event. Ends when `signal` aborts or the ledger closes.
   *
   * @param options - `from` (resume strictly after it; default block 0), `checkpointer`, `signal`
   * @returns events with `checkpoint: { block, index }`, `index` counting the chaincode's events in the block
   * @throws LedgerError when the stream fails in a way retrying cannot fix (e.g. `PERMISSION_DENIED`)
   */
  events(options?: FabricEventsOptions): AsyncIterable<LedgerEvent>;

  /**
   * Committed blocks of the channel, in order, full or filtered, with the same reconnection
   * and checkpointing as {@link FabricLedger.events}.
   *
   * @param options - `from`, `checkpointer`, `filtered`, `signal`
   * @returns block events
   */
  blockEvents(options?: FabricBlockEventsOptions): AsyncIterable<FabricBlockEvent>;

  /**
   * The receipt of any committed transaction, located through the peer's `qscc` (block number
   * and transaction index).
   *
   * @param txId - transaction id
   * @param options - abort signal
   * @returns the receipt, with `position.index` set
   * @throws LedgerError `NOT_FOUND` when the channel has no such transaction, `COMMIT_FAILED` when it is invalid
   */
  receiptOf(txId: string, options?: CallOptions): Promise<Receipt>;
}
