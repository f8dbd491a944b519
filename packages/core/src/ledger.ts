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
  /**
   * Receipt format version ({@link receiptFormatVersion}); absent in receipts written before
   * versioning, which verifiers read as version 1. Verifiers keep accepting every version.
   */
  version?: number;
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

/** The receipt format version this release writes. */
export const receiptFormatVersion = 1;

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

/**
 * A trust anchor the verifier chose, instead of asking the party under audit:
 * - `ledgerdb-digest`: a digest the auditor trusts (typically signed by the ledger owner, with
 *   the owner's Ed25519 public key pinned as PEM or raw hex), at or after the receipt's position;
 * - `ethereum-block`: a block hash (and its number) the auditor trusts, at or after the
 *   receipt's block, e.g. read from a second node, a block explorer or a light client;
 * - `fabric-config-block`: the SHA-256 (hex) of the channel configuration block the auditor
 *   pinned (the header hash Fabric chains blocks with);
 * - `fabric-msp-roots`: per MSP id, the PEM root certificates the auditor trusts.
 */
export type TrustAnchor =
  | { type: 'ledgerdb-digest'; digest: JsonObject; publicKey?: string }
  | { type: 'ethereum-block'; number: number; hash: string }
  | { type: 'fabric-config-block'; hash: string }
  | { type: 'fabric-msp-roots'; roots: Record<string, string[]> };

/**
 * A receipt or revision with the evidence to verify it without asking anyone: what
 * `Ledger.evidence` returns and what `ledgerkit verify` and the browser verifiers read. The
 * evidence is untrusted data (blocks, headers, proofs); only the anchor the verifier chooses
 * is trusted.
 */
export interface VerificationBundle {
  /** Marks the JSON document. */
  format: 'ledgerkit.verification-bundle';
  /** Bundle format version, 1. */
  version: number;
  /** What the evidence is for. */
  subject: Receipt | Revision;
  /** Backend-specific evidence as plain JSON; see each backend's `verify<Backend>Receipt`. */
  evidence: JsonObject;
}

/** Options of {@link Ledger.verify}. */
export interface VerifyOptions extends CallOptions {
  /**
   * What to verify against. Without it the ledger asks its own backend for the anchor, and the
   * result says so (`anchor.explicit === false`).
   */
  anchor?: TrustAnchor;
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

/** What a verification was checked against. */
export interface VerificationAnchor {
  /** The anchor's type, as in {@link TrustAnchor}. */
  type: TrustAnchor['type'];
  /**
   * True when the verifier supplied the anchor; false when it was taken from the backend that
   * was asked for the evidence, which the verification then trusts.
   */
  explicit: boolean;
  /** The anchor in words, e.g. `digest of tree size 42, root ab12…, signature by the pinned key`. */
  detail: string;
}

/** Result of verifying a receipt or revision: never a bare boolean. */
export interface Verification {
  /** True only when there is at least one check and every check passed. */
  ok: boolean;
  /** Each check made, in order. */
  checks: VerificationCheck[];
  /** What the checks were made against, when the verifier knows it. */
  anchor?: VerificationAnchor;
}

/**
 * Builds a {@link Verification} from its checks; `ok` holds only when there is at least
 * one check and all passed, so an empty verification never counts as success.
 *
 * @param checks - the checks made
 * @param anchor - what they were made against
 * @returns the verification
 */
export function verification(checks: readonly VerificationCheck[], anchor?: VerificationAnchor): Verification {
  const result: Verification = { ok: checks.length > 0 && checks.every((check) => check.ok), checks: [...checks] };
  if (anchor) result.anchor = anchor;
  return result;
}

/**
 * Runs one named check. A thrown error becomes a failed check carrying its message, so
 * malformed input fails a named check instead of escaping as an exception.
 *
 * @param name - the check's name
 * @param run - returns whether it passed and what was compared
 * @returns the check
 */
export function check(name: string, run: () => readonly [boolean, string]): VerificationCheck {
  try {
    const [ok, detail] = run();
    return { name, ok, detail };
  } catch (error) {
    return { name, ok: false, detail: errorText(error) };
  }
}

/**
 * {@link check} for checks that await.
 *
 * @param name - the check's name
 * @param run - resolves with whether it passed and what was compared
 * @returns the check
 */
export async function checkAsync(
  name: string,
  run: () => Promise<readonly [boolean, string]>,
): Promise<VerificationCheck> {
  try {
    const [ok, detail] = await run();
    return { name, ok, detail };
  } catch (error) {
    return { name, ok: false, detail: errorText(error) };
  }
}

function errorText(error: unknown): string {
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { shortMessage?: unknown }).shortMessage === 'string'
  ) {
    return (error as { shortMessage: string }).shortMessage;
  }
  return error instanceof Error ? error.message : String(error);
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
   * Checks a receipt or revision cryptographically: fetches the evidence from the backend,
   * then runs the backend's pure verifier against `options.anchor` (or, without one, against
   * an anchor read from the backend itself, which `Verification.anchor.explicit` reports).
   * Malformed input is a failed named check, never an exception.
   *
   * @param subject - what to verify
   * @param options - the trust anchor the verifier chose, and an abort signal
   * @returns each check made, what they were checked against, and the overall outcome
   */
  verify(subject: Receipt | Revision, options?: VerifyOptions): Promise<Verification>;

  /**
   * Fetches the evidence that verifies `subject` (blocks, headers, proofs) and returns it with
   * the subject as one JSON document, for an auditor to verify later without any access to
   * the backend (`ledgerkit verify`, the browser verifiers).
   *
   * @param subject - a receipt or revision of this ledger
   * @param options - abort signal
   * @returns the subject and its evidence
   */
  evidence(subject: Receipt | Revision, options?: CallOptions): Promise<VerificationBundle>;

  /** Releases connections and child resources. */
  close(): Promise<void>;
}
