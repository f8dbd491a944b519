/** Which backend a ledger runs on. */
export type LedgerKind = 'ledgerdb' | 'fabric' | 'ethereum';

/**
 * Who must be trusted: one authority whose log anyone can verify (`centralized`), or
 * several parties with no central authority (`decentralized`).
 */
export type TrustModel = 'centralized' | 'decentralized';

/** A JSON value, as stored in receipts and revisions. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * One operation on a ledger. Backends read it as follows:
 * ledgerdb — `method` is a statement (`insert`, `update`, `delete`, `get`, ...) and
 * `args` its operands; Fabric — `contract` is the chaincode (or `chaincode:contract`) and
 * `method` the transaction name; Ethereum — `contract` is the deployed contract's name or
 * address and `method` its function.
 */
export interface LedgerCall {
  /** Contract, chaincode or table group the call addresses; backend-specific. */
  contract?: string;
  /** Operation or function name. */
  method: string;
  /** Arguments in order. */
  args?: readonly unknown[];
}

/** Options accepted by every operation that talks to a backend. */
export interface CallOptions {
  /** Aborts the operation; the backend may still commit what it already accepted. */
  signal?: AbortSignal;
}

/**
 * A position in a ledger's totally ordered stream of events: the block (journal block,
 * Fabric block, Ethereum block) and the index of the event within it. Resuming from a
 * checkpoint delivers the events strictly after it.
 */
export interface Checkpoint {
  /** Block number or journal sequence number. */
  block: number;
  /** Event index within the block (revision index, transaction index, log index). */
  index: number;
  /** Hash of the block, where the backend can reorganise (Ethereum), to detect it on resume. */
  blockHash?: string;
}

/**
 * Proof that a write happened: plain JSON, storable and sendable to an auditor who
 * verifies it without trusting the operator.
 */
export interface Receipt {
  /** Backend that produced it. */
  backend: LedgerKind;
  /** Ledger name, Fabric channel, or Ethereum chain id. */
  ledger: string;
  /** Transaction id as the backend names it. */
  txId: string;
  /** Where the transaction sits. */
  position: Checkpoint;
  /** Commit time, ISO 8601 UTC. */
  timestamp: string;
  /** Backend-specific material for verification (digest, block header, proof). */
  proof?: JsonObject;
}

/** One version of a keyed value, oldest first in {@link Ledger.history}. */
export interface Revision {
  /** The key as given to `history`. */
  key: string;
  /** Version number, 0 for the first write. */
  version: number;
  /** The value after this write; `null` when the write deleted it. */
  value: JsonValue;
  /** Whether this revision deletes the key. */
  deleted: boolean;
  /** Receipt of the transaction that wrote it. */
  receipt: Receipt;
}

/** A committed event, with the checkpoint to resume after it. */
export interface LedgerEvent {
  /** Position; pass it as `from` to continue after this event. */
  checkpoint: Checkpoint;
  /** Transaction that emitted it. */
  txId: string;
  /** Event name (contract event, chaincode event, or ledgerdb table). */
  name: string;
  /** Event data. */
  payload: JsonValue;
  /** Commit time, ISO 8601 UTC, when known. */
  timestamp?: string;
}

/** Options of {@link Ledger.history}. */
export interface HistoryOptions extends CallOptions {
  /** Only revisions active at or after this time. */
  from?: Date;
  /** Only revisions active at or before this time. */
  to?: Date;
}

/** Options of {@link Ledger.events}. */
export interface EventsOptions extends CallOptions {
  /** Resume strictly after this checkpoint; omitted means from the start of the ledger. */
  from?: Checkpoint;
}

/** One named check of a {@link Verification}. */
export interface VerificationCheck {
  /** What was checked, e.g. `inclusion-proof`, `digest-signature`, `endorsement:Org1MSP`. */
  name: string;
  /** Whether the check passed. */
  ok: boolean;
  /** What was compared with what, and against which trust anchor. */
  detail: string;
}

/** Result of verifying a receipt or revision: never a bare boolean. */
export interface Verification {
  /** True only when there is at least one check and every check passed. */
  ok: boolean;
  /** Each check made, in order. */
  checks: VerificationCheck[];
}

/**
 * Builds a {@link Verification} from its checks; `ok` holds only when there is at least
 * one check and all passed, so an empty verification never counts as success.
 *
 * @param checks - the checks made
 * @returns the verification
 */
export function verification(checks: readonly VerificationCheck[]): Verification {
  return { ok: checks.length > 0 && checks.every((check) => check.ok), checks: [...checks] };
}

/**
 * The one interface application code talks to, whatever backs it.
 *
 * @typeParam Native - the backend's own handle (ethers Contract, fabric-gateway
 * Contract, ledgerdb database), reachable through {@link Ledger.native}
 */
export interface Ledger<Native = unknown> {
  /** Backend kind. */
  readonly kind: LedgerKind;
  /** Trust model of the backend. */
  readonly trustModel: TrustModel;
  /** Ledger name, channel name or chain id. */
  readonly id: string;
  /** The backend's own API, for what the unified interface does not cover. */
  readonly native: Native;

  /**
   * Commits a write and waits until the backend considers it final.
   *
   * @param call - the operation
   * @param options - abort signal
   * @returns the receipt of the committed transaction
   * @throws LedgerError with a code such as `CONTRACT_REVERTED`, `OCC_CONFLICT`, `UNAVAILABLE`
   */
  submit(call: LedgerCall, options?: CallOptions): Promise<Receipt>;

  /**
   * Reads without writing.
   *
   * @param call - the query
   * @param options - abort signal
   * @returns the backend's answer as JSON-compatible data
   */
  evaluate(call: LedgerCall, options?: CallOptions): Promise<unknown>;

  /**
   * Every revision of a key, oldest first, each with its receipt.
   *
   * @param key - backend-specific key (`table/id` for ledgerdb, world-state key for Fabric)
   * @param options - time window and abort signal
   * @returns the revisions
   */
  history(key: string, options?: HistoryOptions): Promise<Revision[]>;

  /**
   * Committed events in ledger order, without gaps or duplicates, resumable after any
   * delivered event's checkpoint.
   *
   * @param options - where to resume
   * @returns an async iterable that ends when the ledger closes or `signal` aborts
   */
  events(options?: EventsOptions): AsyncIterable<LedgerEvent>;

  /**
   * Checks a receipt or revision cryptographically against the backend's trust anchor.
   *
   * @param subject - what to verify
   * @returns each check made and the overall outcome
   */
  verify(subject: Receipt | Revision): Promise<Verification>;

  /** Releases connections and child resources. */
  close(): Promise<void>;
}
