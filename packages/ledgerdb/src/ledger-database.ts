import { createPrivateKey, createPublicKey, type KeyObject, hash as oneShotHash } from 'node:crypto';
import { EventEmitter, on } from 'node:events';
import { basename, extname } from 'node:path';
import {
  consistencyProofRanges,
  emptyRoot,
  hashChildren,
  hashLeaf,
  hashSize,
  InvalidArgumentError,
  inclusionProofRanges,
  isLedgerError,
  type JsonObject,
  type JsonValue,
  type Ledger,
  LedgerError,
  type LedgerEvent,
  type NodeId,
  type RetryOptions,
  rangeNodes,
  retry,
  toHex,
} from '@ledgerkit/core';
import { signDigest } from './digest-signing.js';
import { LimitExceededError, ledgerdbError, OccConflictError } from './errors.js';
import { canonicalize } from './internal/canonical-json.js';
import { Frontier, leafHashBinary } from './internal/frontier.js';
import { randomId } from './internal/ids.js';
import { NodeMirror } from './internal/node-mirror.js';
import { checkIndexPath, checkTableName, valueAt } from './internal/paths.js';
import { currentJournalFormat, type JournalFormat } from './internal/revision-format.js';
import { type JournalExportRecord, journalExportFormat } from './journal-export-verifier.js';
import { LedgerdbLedger } from './ledger-adapter.js';
import type {
  AppendBatch,
  IndexChange,
  JournalHead,
  LeafRow,
  StorageDriver,
  StorageReader,
  StorageWriter,
  VersionState,
} from './storage/driver.js';
import { sqliteStorage } from './storage/sqlite.js';
import {
  type DocumentEntry,
  findCommitted,
  isRedacted,
  parseRevision,
  recordKey,
  type Transaction,
  type TransactionHost,
  TransactionImpl,
} from './transaction.js';
import type {
  AuditReport,
  BlockBody,
  BlockProof,
  CommitSummary,
  ConsistencyProof,
  Digest,
  Limits,
  RedactionEntry,
  Revision,
  RevisionBody,
  RevisionProof,
  TransactionResult,
} from './types.js';

/** Options of {@link openLedger}. */
export interface OpenLedgerOptions {
  /** SQLite file of the embedded driver; `:memory:` (the default) for a throwaway ledger. */
  path?: string;
  /** Another storage driver instead of `path`. */
  storage?: StorageDriver;
  /** Ledger name written into digests and blocks (default: the file name, or `ledger`). */
  name?: string;
  /** The owner's Ed25519 private key; when given, every digest is signed. */
  signingKey?: KeyObject | string;
  /** Transaction limits; unset ones keep QLDB's defaults. */
  limits?: Partial<Limits>;
  /** Retry policy of `transaction()` on OCC conflicts (default: 4 retries, QLDB backoff). */
  retry?: RetryOptions;
  /**
   * Memory for the Merkle nodes appended since opening (default 128 MiB, about 2 million
   * leaves), so proofs of recent revisions need no storage reads.
   */
  proofCacheBytes?: number;
  /**
   * Journal format of a ledger this call creates (default 2). Format 2 leaves commit to a
   * hash of each revision's data, so revisions can be redacted; format 1 leaves hold the
   * data itself, as ledgerdb wrote before redaction existed (only for ledgers that older
   * readers must verify). An existing ledger keeps the format it was created with; naming
   * another is `INVALID_ARGUMENT`.
   */
  journalFormat?: JournalFormat;
}

/** Options of {@link LedgerDatabase.transaction}. */
export interface TransactionOptions {
  /** Overrides the ledger's retry policy for this transaction. */
  retry?: RetryOptions;
}

/** Options of {@link LedgerDatabase.history}. */
export interface HistoryWindow {
  /** Only revisions still active at or after this time. */
  from?: Date;
  /** Only revisions that became active at or before this time. */
  to?: Date;
}

/** Options of {@link LedgerDatabase.events}. */
export interface EventsOptions {
  /** Resume strictly after this checkpoint (`{ block: seq, index }`). */
  from?: { block: number; index: number };
  /** Ends the stream. */
  signal?: AbortSignal;
  /** How often to look for commits of other processes (default 250 ms). */
  pollMs?: number;
}

/** One block with its revisions, as `export()` writes it. */
export interface ExportedBlock {
  block: BlockBody & { hash: string; leafIndex: number };
  revisions: Revision[];
}

/** Options of {@link LedgerDatabase.exportJournal}: the range, by block number or commit time. */
export interface JournalExportOptions {
  /** First block (sequence number), or the first block committed at or after this time (default: the first). */
  from?: number | Date;
  /** Last block, or the last block committed at or before this time (default: the last). */
  to?: number | Date;
}

/** Default limits: QLDB's. */
export const defaultLimits: Readonly<Limits> = Object.freeze({
  documentsPerTransaction: 40,
  documentBytes: 128 * 1024,
  transactionMs: 30_000,
  indexesPerTable: 5,
});

interface JournalState {
  frontier: Frontier;
  lastSeq: number;
  lastBlockHash: string | null;
  lastTxTime: string;
}

/** Journal entries of validated transactions, as `#journal` builds them. */
interface Journal {
  rows: AppendBatch;
  /** One per transaction, in order. */
  summaries: CommitSummary[];
  next: JournalState;
}

const noVersions: ReadonlyMap<string, VersionState> = new Map();

/** A transaction's retry policy: by default only `OCC_CONFLICT` is retried. */
function transactionRetry(options: RetryOptions): RetryOptions {
  return { ...options, shouldRetry: options.shouldRetry ?? ((error) => isLedgerError(error, 'OCC_CONFLICT')) };
}

/** A storage failure as the error every transaction of a failed commit gets. */
function commitFailure(error: unknown): LedgerError {
  return isLedgerError(error)
    ? error
    : new LedgerError('UNAVAILABLE', 'the commit failed in storage; nothing was committed', { cause: error });
}

interface PendingCommit {
  tx: TransactionImpl;
  resolve: (summary: CommitSummary) => void;
  reject: (error: unknown) => void;
}

/**
 * Opens (creating if needed) a verifiable ledger database.
 *
 * @param options - where to store it, its name, signing key and limits
 * @returns the open ledger
 * @throws LedgerError `UNAVAILABLE` when the storage cannot be opened,
 * `TAMPER_DETECTED` when the file is not a readable database
 *
 * @example
 * ```ts
 * const ledger = await openLedger({ path: 'supply-chain.ledger' })
 * await ledger.createTable('shipments')
 * const { value: id } = await ledger.transaction((tx) => tx.insert('shipments', { sku: 'A-1', qty: 5 }))
 * const proof = await ledger.proof('shipments', id, 0)
 * ```
 */
export async function openLedger(options: OpenLedgerOptions = {}): Promise<LedgerDatabase> {
  const path = options.path ?? ':memory:';
  const storage = options.storage ?? sqliteStorage({ path });
  const proposedName = options.name ?? (path === ':memory:' ? 'ledger' : basename(path, extname(path)));
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(proposedName)) {
    throw new InvalidArgumentError('name', `ledger name ${JSON.stringify(proposedName)} is invalid`);
  }
  const limits = { ...defaultLimits, ...options.limits };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new InvalidArgumentError(`limits.${key}`, `limit ${key} must be a positive integer, got ${value}`);
    }
  }
  const retries = options.retry?.retries;
  if (retries !== undefined && (!Number.isSafeInteger(retries) || retries < 0)) {
    throw new InvalidArgumentError('retry.retries', `retries must be a non-negative integer, got ${retries}`);
  }
  const proofCacheBytes = options.proofCacheBytes ?? 128 * 1024 * 1024;
  if (!Number.isSafeInteger(proofCacheBytes) || proofCacheBytes < 0) {
    throw new InvalidArgumentError('proofCacheBytes', `proofCacheBytes must be a non-negative integer`);
  }
  let signingKey: KeyObject | undefined;
  if (options.signingKey !== undefined) {
    signingKey = typeof options.signingKey === 'string' ? createPrivateKey(options.signingKey) : options.signingKey;
    if (signingKey.asymmetricKeyType !== 'ed25519') {
      throw new InvalidArgumentError('signingKey', `signingKey must be an Ed25519 private key`);
    }
  }
  await storage.open();
  if (options.journalFormat !== undefined && options.journalFormat !== 1 && options.journalFormat !== 2) {
    throw new InvalidArgumentError('journalFormat', `journalFormat must be 1 or 2, got ${options.journalFormat}`);
  }
  let ledger: LedgerDatabase | undefined;
  try {
    // The name is part of every block and digest, so it is fixed when the ledger is created;
    // so is the journal format, which decides how revision leaves are hashed.
    const { name, format } = await storage.write(async (writer) => {
      const stored = await writer.meta('ledger_name');
      if (stored === undefined) await writer.setMeta('ledger_name', proposedName);
      else if (options.name !== undefined && options.name !== stored) {
        throw new InvalidArgumentError('name', `this storage holds ledger ${stored}, not ${options.name}`, { stored });
      }
      const format = await journalFormatOf(writer, options.journalFormat);
      return { name: stored ?? proposedName, format };
    });
    ledger = new LedgerDatabase(storage, name, limits, signingKey, options.retry ?? {}, proofCacheBytes, format);
    await ledger.refresh();
  } catch (error) {
    await storage.close();
    throw error;
  }
  return ledger;
}

/**
 * A verifiable ledger database: tables of JSON documents whose every change is a
 * revision in an append-only journal, hashed into one RFC 9162 Merkle tree. Anyone
 * holding a digest can check a revision with {@link verifyRevisionProof} and nothing
 * but SHA-256. Use {@link LedgerDatabase.asLedger} for the unified `Ledger` interface.
 */
export class LedgerDatabase {
  /** Ledger name, as written into digests and blocks. */
  readonly name: string;
  /** Effective limits. */
  readonly limits: Readonly<Limits>;
  /** How revision leaves are hashed: 2 (data hashed apart, redactable) or 1 (older ledgers). */
  readonly journalFormat: JournalFormat;
  readonly #storage: StorageDriver;
  readonly #signingKey: KeyObject | undefined;
  readonly #retry: RetryOptions;
  readonly #commits = new EventEmitter();
  readonly #nodeCache = new Map<number, Uint8Array>();
  readonly #mirror: NodeMirror;
  readonly #rangeCache = new Map<string, Uint8Array>();
  #schema = new Map<string, string[]>();
  #schemaVersion = -1;
  #state: JournalState | undefined;
  #pending: PendingCommit[] = [];
  /** Transactions whose function is still running: they may join the next batch. */
  #running = 0;
  #flushing = false;
  #closed = false;
  /** The ledger name as a JSON string, as blocks carry it. */
  readonly #nameJson: string;
  /** What transactions may use of this ledger; every transaction shares it. */
  readonly #host: TransactionHost;

  /** @internal use {@link openLedger} */
  constructor(
    storage: StorageDriver,
    name: string,
    limits: Readonly<Limits>,
    signingKey: KeyObject | undefined,
    retryOptions: RetryOptions,
    proofCacheBytes: number,
    journalFormat: JournalFormat = 1,
  ) {
    this.#storage = storage;
    this.journalFormat = journalFormat;
    this.#mirror = new NodeMirror(proofCacheBytes);
    this.name = name;
    this.#nameJson = JSON.stringify(name);
    this.limits = limits;
    this.#signingKey = signingKey;
    this.#retry = transactionRetry(retryOptions);
    this.#host = {
      reader: storage,
      limits,
      journalFormat,
      indexesOf: (table: string) => this.#indexesOrThrow(table),
    };
    this.#commits.setMaxListeners(0);
  }

  /** The owner's public key, when digests are signed. */
  get publicKey(): KeyObject | undefined {
    return this.#signingKey && createPublicKey(this.#signingKey);
  }

  /** @internal reloads cached schema and journal state from storage */
  async refresh(): Promise<void> {
    const head = await this.#storage.head();
    await this.#loadSchema(this.#storage, head);
    this.#state = await this.#loadState(this.#storage, head);
  }

  /**
   * Creates a table.
   *
   * @throws `INVALID_ARGUMENT` for a bad name, `ALREADY_EXISTS` when it exists
   */
  async createTable(name: string): Promise<void> {
    checkTableName(name);
    this.#checkOpen();
    await this.#storage.write(async (writer) => {
      const head = await writer.head();
      await this.#loadSchema(writer, head);
      if (this.#schema.has(name))
        throw ledgerdbError('ALREADY_EXISTS', `table ${name} already exists`, { table: name });
      await writer.createTable(name);
    });
    this.#schema.set(name, []);
    this.#schemaVersion++;
  }

  /**
   * Creates an equality index on a document path (`'sku'`, `'owner.id'`); `find` and
   * `tx.find` use it for lookups. Existing documents are indexed at once.
   *
   * @throws `NOT_FOUND` for an unknown table, `ALREADY_EXISTS`, `LIMIT_EXCEEDED` past `indexesPerTable`
   */
  async createIndex(table: string, path: string): Promise<void> {
    checkTableName(table);
    checkIndexPath(path);
    this.#checkOpen();
    await this.#storage.write(async (writer) => {
      const head = await writer.head();
      await this.#loadSchema(writer, head);
      const indexes = this.#indexesOrThrow(table);
      if (indexes.includes(path)) {
        throw ledgerdbError('ALREADY_EXISTS', `index ${table}.${path} already exists`, { table, path });
      }
      if (indexes.length >= this.limits.indexesPerTable) {
        throw new LimitExceededError('indexesPerTable', `table ${table} already has ${indexes.length} indexes`, {
          max: this.limits.indexesPerTable,
        });
      }
      const entries: IndexChange[] = [];
      for (const row of await writer.scan(table)) {
        if (row.deleted) continue;
        const value = valueAt(parseRevision(row).data, path);
        if (value !== undefined) entries.push({ table, path, valueKey: canonicalize(value), id: row.id, add: true });
      }
      await writer.createIndex(table, path, entries);
    });
    await this.#loadSchema(this.#storage, await this.#storage.head());
  }

  /** Tables and their indexed paths. */
  async tables(): Promise<{ name: string; indexes: string[] }[]> {
    this.#checkOpen();
    return this.#storage.schema();
  }

  /**
   * Runs `work` as one atomic transaction. Reads are validated at commit; on a conflict
   * the whole function runs again with jittered exponential backoff (4 retries by
   * default, as the QLDB driver), so **`work` must be idempotent**: no side effects
   * outside the transaction. Commits are durable (fsynced) before this resolves;
   * concurrent transactions share one fsync (group commit).
   *
   * @param work - reads and writes through the given {@link Transaction}
   * @returns the function's value and what was committed
   * @throws `OCC_CONFLICT` when retries run out, `LIMIT_EXCEEDED`, `INVALID_ARGUMENT`,
   * `NOT_FOUND`, `ALREADY_EXISTS`, or whatever `work` throws (nothing is committed then)
   */
  transaction<T>(
    work: (tx: Transaction) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<TransactionResult<T>> {
    // Not an async function (one promise less per transaction): errors still reject.
    try {
      this.#checkOpen();
      if (options.retry !== undefined || this.#retry.signal !== undefined) {
        // Per-call options are checked, and a signal consulted, before the first attempt.
        return retry(() => this.#attempt(work), transactionRetry({ ...this.#retry, ...options.retry }));
      }
      // The ledger's own policy was checked when it opened: the first attempt starts at
      // once, and the retry loop joins only when it fails.
      const first = this.#attempt(work);
      return first.catch(() => retry((attempt) => (attempt === 0 ? first : this.#attempt(work)), this.#retry));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** One run of a transaction function and its commit. */
  async #attempt<T>(work: (tx: Transaction) => Promise<T>): Promise<TransactionResult<T>> {
    const tx = new TransactionImpl(this.#host);
    this.#running++;
    let value: T;
    try {
      value = await work(tx);
    } finally {
      this.#running--;
    }
    if (tx.writes.size === 0 && tx.redactions.length === 0) {
      // Read-only: nothing to journal; reads were consistent when made.
      return { value, commit: undefined };
    }
    // Alone (nobody else running or waiting to commit): nothing to group with.
    const alone = this.#running === 0 && this.#pending.length === 0 && !this.#flushing;
    const simple = tx.predicates.length === 0 && tx.redactions.length === 0;
    const commit =
      (alone && simple ? this.#commitAlone(tx) : undefined) ??
      (await new Promise<CommitSummary>((resolve, reject) => {
        this.#pending.push({ tx, resolve, reject });
        this.#scheduleFlush();
      }));
    return { value, commit };
  }

  /**
   * Current data of a document (the user view).
   *
   * @returns the data, or undefined if it does not exist or was deleted
   */
  async get(table: string, id: string): Promise<JsonObject | undefined> {
    const result = await this.transaction((tx) => tx.get(table, id));
    return result.value;
  }

  /** Documents matching `{ path: value }` equalities, through an index where one exists. */
  async find(table: string, where: Readonly<Record<string, JsonValue>>): Promise<DocumentEntry[]> {
    const result = await this.transaction((tx) => tx.find(table, where));
    return result.value;
  }

  /**
   * Redacts a revision in a transaction of its own (QLDB's `REDACT_REVISION`): see
   * {@link Transaction.redact}. The revision's data is removed from storage; its metadata and
   * hash stay, history shows it with `dataHash` and no `data`, and the redaction is journaled
   * in the transaction's block (`redactions`).
   *
   * @param table - table name
   * @param id - document id
   * @param version - a revision that is not the document's latest
   * @returns what was committed: a block with no revisions and one redaction
   * @throws `NOT_FOUND`, `INVALID_ARGUMENT` (latest revision, a delete), `ALREADY_EXISTS`
   * (already redacted), `UNSUPPORTED` (a format-1 ledger)
   */
  async redactRevision(table: string, id: string, version: number): Promise<CommitSummary> {
    const { commit } = await this.transaction((tx) => tx.redact(table, id, version));
    return commit as CommitSummary;
  }

  /**
   * A revision in the committed view (data plus metadata and hash).
   *
   * @param version - default: the latest
   * @throws `NOT_FOUND` when there is no such revision
   */
  async revision(table: string, id: string, version?: number): Promise<Revision> {
    checkTableName(table);
    this.#checkOpen();
    const stored =
      version === undefined ? await this.#storage.latest(table, id) : await this.#storage.revision(table, id, version);
    if (!stored) {
      throw ledgerdbError('NOT_FOUND', `no revision ${version ?? 'latest'} of ${table}/${id}`, { table, id, version });
    }
    return withHash(stored);
  }

  /**
   * Every revision of a document (or of every document in a table), oldest first.
   * The window selects revisions *active* in it: a revision is active from its commit
   * until the next revision of the same document.
   *
   * @param table - table name
   * @param id - document id; omitted for the whole table
   * @param window - time bounds
   */
  async history(table: string, id?: string, window: HistoryWindow = {}): Promise<Revision[]> {
    checkTableName(table);
    this.#checkOpen();
    this.#indexesOrThrow(table);
    const revisions = (await this.#storage.history(table, id)).map((stored) => withHash(stored));
    const from = window.from?.getTime();
    const to = window.to?.getTime();
    if (from === undefined && to === undefined) return revisions;
    // The next revision of the same document ends a revision's activity.
    const nextStart = new Map<Revision, number>();
    const lastByDocument = new Map<string, Revision>();
    for (const revision of revisions) {
      const previous = lastByDocument.get(revision.metadata.id);
      if (previous) nextStart.set(previous, Date.parse(revision.metadata.txTime));
      lastByDocument.set(revision.metadata.id, revision);
    }
    return revisions.filter((revision) => {
      const start = Date.parse(revision.metadata.txTime);
      const end = nextStart.get(revision) ?? Number.POSITIVE_INFINITY;
      return (to === undefined || start <= to) && (from === undefined || end > from);
    });
  }

  /**
   * The journal's current digest, signed when a signing key is configured.
   *
   * @returns `{ ledger, treeSize, rootHash, tip, signature? }`
   */
  async digest(): Promise<Digest> {
    this.#checkOpen();
    await this.#syncState();
    const state = this.#state as JournalState;
    const root = state.frontier.root() ?? emptyRoot();
    const digest: Digest = {
      ledger: this.name,
      treeSize: state.frontier.size,
      rootHash: toHex(root),
      tip: state.lastBlockHash === null ? null : { seq: state.lastSeq, blockHash: state.lastBlockHash },
    };
    return this.#signingKey ? signDigest(digest, this.#signingKey) : digest;
  }

  /**
   * Root hash of the journal as it was at `treeSize` leaves: what a digest of that size
   * says. Servers use it to answer proofs against a size a client names.
   *
   * @throws `INVALID_ARGUMENT` when `treeSize` is negative or beyond the journal
   */
  async rootHashAt(treeSize: number): Promise<string> {
    this.#checkOpen();
    await this.#checkDigestSize({ ledger: this.name, treeSize, rootHash: '', tip: null });
    if (treeSize === 0) return toHex(emptyRoot());
    const [root] = await this.#hashRanges([[0, treeSize]]);
    return toHex(root as Uint8Array);
  }

  /**
   * Inclusion proof of a revision against a digest (default: the current one). The
   * proof's `revision` is exactly the object whose RFC 8785 bytes are the leaf; its
   * `leafHash` is recomputed from storage, so tampered storage yields a failing proof.
   *
   * @throws `NOT_FOUND` for an unknown revision; `INVALID_ARGUMENT` when the digest
   * predates the revision or is larger than the journal
   */
  async proof(table: string, id: string, version: number, digest?: Digest): Promise<RevisionProof> {
    checkTableName(table);
    this.#checkOpen();
    const target = digest ?? (await this.digest());
    const stored = await this.#storage.revision(table, id, version);
    if (!stored) throw ledgerdbError('NOT_FOUND', `no revision ${version} of ${table}/${id}`, { table, id, version });
    return {
      revision: parseRevision(stored),
      ...(await this.#leafProof(stored.leaf, stored.body, target, `revision ${table}/${id}@${version}`)),
    };
  }

  /**
   * Inclusion proof of a block (one committed transaction) against a digest, default
   * the current one: what a receipt is verified with.
   *
   * @param seq - block sequence number
   * @throws `NOT_FOUND` for an unknown block
   */
  async blockProof(seq: number, digest?: Digest): Promise<BlockProof> {
    this.#checkOpen();
    const target = digest ?? (await this.digest());
    const [row] = Number.isSafeInteger(seq) && seq >= 0 ? await this.#storage.blocks(seq - 1, 1) : [];
    if (!row || row.seq !== seq) throw ledgerdbError('NOT_FOUND', `no block ${seq}`, { seq });
    const [leaf] = await this.#storage.leaves(row.leaf, row.leaf + 1);
    if (!leaf) throw new LedgerError('TAMPER_DETECTED', `block ${seq} has no journal leaf`);
    return {
      block: JSON.parse(leaf.body) as BlockBody,
      ...(await this.#leafProof(row.leaf, leaf.body, target, `block ${seq}`)),
    };
  }

  /** Inclusion proof of a stored leaf; its hash is recomputed from the stored bytes. */
  async #leafProof(leaf: number, body: string, target: Digest, what: string) {
    await this.#checkDigestSize(target);
    if (leaf >= target.treeSize) {
      throw new InvalidArgumentError('digest', `${what} is newer than the digest`, {
        leafIndex: leaf,
        treeSize: target.treeSize,
      });
    }
    const auditPath = (await this.#hashRanges(inclusionProofRanges(leaf, target.treeSize))).map(toHex);
    return {
      leafIndex: leaf,
      treeSize: target.treeSize,
      leafHash: toHex(hashLeaf(body)),
      auditPath,
      rootHash: target.rootHash,
    };
  }

  /** The unified {@link Ledger} view of this database (submit, evaluate, history, events, verify). */
  asLedger(): Ledger<LedgerDatabase> {
    return new LedgerdbLedger(this);
  }

  /**
   * RFC 9162 consistency proof that `newDigest` (default: current) extends `oldDigest`.
   *
   * @throws `INVALID_ARGUMENT` when the sizes are out of order or beyond the journal
   */
  async consistencyProof(oldDigest: Digest, newDigest?: Digest): Promise<ConsistencyProof> {
    this.#checkOpen();
    const target = newDigest ?? (await this.digest());
    await this.#checkDigestSize(target);
    const ranges = consistencyProofRanges(oldDigest.treeSize, target.treeSize);
    return {
      oldSize: oldDigest.treeSize,
      newSize: target.treeSize,
      oldRoot: oldDigest.rootHash,
      newRoot: target.rootHash,
      proof: (await this.#hashRanges(ranges)).map(toHex),
    };
  }

  /**
   * Re-derives every leaf hash, Merkle node, block and revision index from storage and
   * reports the first entry that does not match. Pass a digest you trust (`against`) to
   * also catch a journal that was cut short or rewritten consistently.
   */
  async audit(options: { against?: Digest } = {}): Promise<AuditReport> {
    this.#checkOpen();
    const { runAudit } = await import('./internal/audit.js');
    return runAudit(this.#storage, this.name, options.against);
  }

  /** Every block with its revisions, in journal order: the data behind `ledgerdb export`. */
  async *export(): AsyncIterable<ExportedBlock> {
    this.#checkOpen();
    const { treeSize } = await this.#storage.head();
    let revisions: Revision[] = [];
    const chunk = 4096;
    for (let from = 0; from < treeSize; from += chunk) {
      for (const leaf of await this.#storage.leaves(from, Math.min(treeSize, from + chunk))) {
        const body = JSON.parse(leaf.body) as RevisionBody | BlockBody;
        const hash = toHex(hashLeaf(leaf.body));
        if ('blockAddress' in body) {
          revisions.push(withHash(leaf));
        } else {
          yield { block: { ...body, hash, leafIndex: leaf.leaf }, revisions };
          revisions = [];
        }
      }
    }
  }

  /**
   * The journal between two blocks (or commit times) with what verifies it offline
   * (`verifyJournalExport` from `@ledgerkit/ledgerdb/verify`): the range's revisions (redacted
   * ones as their hashes) and blocks, the perfect subtrees before the range, the digest at the
   * range's end (signed when the ledger has a signing key) and the consistency proof from it
   * to the current digest. Write it with `formatJournalExport` as JSON Lines or Ion text.
   *
   * @param options - `from` and `to` as block numbers or times (inclusive)
   * @returns the records, header first, digest last
   * @throws `INVALID_ARGUMENT` for a bad bound; `NOT_FOUND` when no block falls in the range
   */
  async exportJournal(options: JournalExportOptions = {}): Promise<JournalExportRecord[]> {
    this.#checkOpen();
    const head = await this.digest();
    // The head digest bounds the export: later commits are not part of it.
    const lastSeq = head.tip?.seq ?? -1;
    const blocks = lastSeq < 0 ? [] : await this.#allBlocks();
    const bound = (value: number | Date | undefined, name: 'from' | 'to'): number => {
      if (value === undefined) return name === 'from' ? 0 : lastSeq;
      if (value instanceof Date) {
        const time = value.getTime();
        if (Number.isNaN(time)) throw new InvalidArgumentError(name, `${name} is not a valid time`);
        const iso = value.toISOString();
        const found =
          name === 'from'
            ? blocks.find((block) => block.txTime >= iso)
            : blocks.findLast((block) => block.txTime <= iso);
        return found?.seq ?? (name === 'from' ? lastSeq + 1 : -1);
      }
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new InvalidArgumentError(name, `${name} must be a block number (a non-negative integer) or a time`, {
          value,
        });
      }
      return value;
    };
    const fromSeq = bound(options.from, 'from');
    const toSeq = Math.min(bound(options.to, 'to'), lastSeq);
    if (fromSeq > toSeq || fromSeq > lastSeq) {
      throw ledgerdbError('NOT_FOUND', `no block of ledger ${this.name} falls in the range`, {
        fromSeq,
        toSeq,
        lastSeq,
      });
    }
    const fromLeaf = fromSeq === 0 ? 0 : (blocks[fromSeq - 1]?.leaf as number) + 1;
    const toLeaf = (blocks[toSeq]?.leaf as number) + 1;
    const startNodes = fromLeaf === 0 ? [] : (await this.#storage.nodes(rangeNodes([0, fromLeaf]))).map(toHex);
    const records: JournalExportRecord[] = [
      {
        type: 'header',
        format: journalExportFormat,
        version: 1,
        ledger: this.name,
        journalFormat: this.journalFormat,
        fromSeq,
        toSeq,
        fromLeaf,
        toLeaf,
        startNodes,
        exportedAt: new Date().toISOString(),
      },
    ];
    let lastBlockHash = '';
    for (let from = fromLeaf; from < toLeaf; from += 4096) {
      for (const leaf of await this.#storage.leaves(from, Math.min(toLeaf, from + 4096))) {
        const hash = toHex(hashLeaf(leaf.body));
        const parsed = JSON.parse(leaf.body) as RevisionBody | BlockBody;
        if ('blockAddress' in parsed) {
          records.push({ type: 'revision', leafIndex: leaf.leaf, hash, revision: parseRevision(leaf as never) });
        } else {
          records.push({ type: 'block', leafIndex: leaf.leaf, hash, block: parsed });
          lastBlockHash = hash;
        }
      }
    }
    const endDigest: Digest = {
      ledger: this.name,
      treeSize: toLeaf,
      rootHash: toLeaf === head.treeSize ? head.rootHash : await this.rootHashAt(toLeaf),
      tip: { seq: toSeq, blockHash: lastBlockHash },
    };
    const consistency = await this.consistencyProof(endDigest, head);
    records.push({
      type: 'digest',
      digest: this.#signingKey ? signDigest(endDigest, this.#signingKey) : endDigest,
      head: { digest: head, consistency: consistency.proof },
    });
    return records;
  }

  /** Every block row, in order (index = sequence number). */
  async #allBlocks() {
    const rows = [];
    for (let after = -1; ; ) {
      const page = await this.#storage.blocks(after, 4096);
      rows.push(...page);
      if (page.length < 4096) return rows;
      after = (page[page.length - 1] as { seq: number }).seq;
    }
  }

  /**
   * Committed revisions in journal order as {@link LedgerEvent}s, first the stored ones,
   * then live ones as they commit (also those of other processes, polled every
   * `pollMs`). Resume after any event by passing its `checkpoint` as `from`: delivery
   * continues with the next revision, with no gap and no duplicate.
   */
  async *events(options: EventsOptions = {}): AsyncIterable<LedgerEvent> {
    this.#checkOpen();
    const resumeAfter = options.from;
    let cursor = resumeAfter ? resumeAfter.block - 1 : -1;
    const pollMs = options.pollMs ?? 250;
    while (!this.#closed && !options.signal?.aborted) {
      const blocks = await this.#storage.blocks(cursor, 256);
      for (const block of blocks) {
        const [blockLeaf] = await this.#storage.leaves(block.leaf, block.leaf + 1);
        if (!blockLeaf) throw new LedgerError('TAMPER_DETECTED', `block ${block.seq} has no journal leaf`);
        const count = (JSON.parse(blockLeaf.body) as BlockBody).revisions.length;
        const leaves = await this.#storage.leaves(block.leaf - count, block.leaf);
        for (const [index, leaf] of leaves.entries()) {
          if (resumeAfter && block.seq === resumeAfter.block && index <= resumeAfter.index) continue;
          const revision = withHash(leaf);
          yield {
            checkpoint: { block: block.seq, index },
            txId: block.txId,
            name: revision.metadata.table,
            payload: revision as unknown as JsonValue,
            timestamp: block.txTime,
          };
        }
        cursor = block.seq;
      }
      if (blocks.length < 256) await this.#waitForCommit(pollMs, options.signal);
    }
  }

  /** Closes the storage after in-flight commits finish. */
  async close(): Promise<void> {
    if (this.#closed) return;
    while (this.#flushing || this.#pending.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    this.#closed = true;
    this.#commits.emit('commit');
    await this.#storage.close();
  }

  // ---- internals ---------------------------------------------------------------

  #indexesOrThrow(table: string): string[] {
    const indexes = this.#schema.get(table);
    if (!indexes) throw ledgerdbError('NOT_FOUND', `table ${table} does not exist`, { table });
    return indexes;
  }

  #checkOpen(): void {
    if (this.#closed) throw new LedgerError('UNAVAILABLE', `ledger ${this.name} is closed`);
  }

  async #loadSchema(reader: StorageReader, head: JournalHead): Promise<void> {
    if (head.schemaVersion === this.#schemaVersion) return;
    this.#schema = new Map((await reader.schema()).map((table) => [table.name, table.indexes]));
    this.#schemaVersion = head.schemaVersion;
  }

  async #loadState(reader: StorageReader, head: JournalHead): Promise<JournalState> {
    const size = head.treeSize;
    const waiting: (Uint8Array | undefined)[] = [];
    if (size > 0) {
      const nodes = rangeNodes([0, size]);
      const hashes = await reader.nodes(nodes);
      nodes.forEach((node, i) => {
        waiting[node.level] = hashes[i];
      });
    }
    let lastBlockHash: string | null = null;
    let lastTxTime = new Date(0).toISOString();
    if (head.lastBlockLeaf >= 0) {
      const [leaf] = await reader.leaves(head.lastBlockLeaf, head.lastBlockLeaf + 1);
      if (!leaf) throw new LedgerError('TAMPER_DETECTED', `block leaf ${head.lastBlockLeaf} is missing`);
      lastBlockHash = toHex(hashLeaf(leaf.body));
      lastTxTime = (JSON.parse(leaf.body) as BlockBody).txTime;
    }
    return { frontier: new Frontier(size, waiting), lastSeq: head.lastSeq, lastBlockHash, lastTxTime };
  }

  /** Picks up commits made by other processes sharing the storage. */
  async #syncState(): Promise<void> {
    const head = await this.#storage.head();
    if (!this.#currentState(head)) this.#state = await this.#loadState(this.#storage, head);
  }

  async #checkDigestSize(digest: Digest): Promise<void> {
    await this.#syncState();
    const size = (this.#state as JournalState).frontier.size;
    if (!Number.isSafeInteger(digest.treeSize) || digest.treeSize < 0 || digest.treeSize > size) {
      throw new InvalidArgumentError(
        'digest',
        `digest tree size ${digest.treeSize} is outside this journal (0..${size})`,
        {
          treeSize: digest.treeSize,
          journalSize: size,
        },
      );
    }
  }

  /** Hashes of proof ranges from stored perfect subtrees, with a cache of the immutable upper levels. */
  async #hashRanges(ranges: readonly (readonly [number, number])[]): Promise<Uint8Array[]> {
    // A range's hash never changes (the tree only grows): composite ranges along the right
    // edge are shared by every proof against the same digest, so they are remembered.
    const composite = ([begin, end]: readonly [number, number]) => ((end - begin) & (end - begin - 1)) !== 0;
    const cached = ranges.map((range) =>
      composite(range) ? this.#rangeCache.get(`${range[0]}:${range[1]}`) : undefined,
    );
    const perRange = ranges.map((range, r) => (cached[r] ? [] : rangeNodes(range)));
    const cacheKey = (node: NodeId) => node.index * 64 + node.level;
    const missing: NodeId[] = [];
    for (const nodes of perRange) {
      for (const node of nodes) {
        if (!this.#mirror.get(node) && !this.#nodeCache.has(cacheKey(node))) missing.push(node);
      }
    }
    const fetched = new Map<number, Uint8Array>();
    if (missing.length > 0) {
      const hashes = await this.#storage.nodes(missing);
      missing.forEach((node, i) => {
        const hash = hashes[i] as Uint8Array;
        fetched.set(cacheKey(node), hash);
        // Nodes of level >= 4 (1/8 as many as leaves) are immutable and in most proofs.
        if (node.level >= 4) {
          if (this.#nodeCache.size >= 2_000_000) this.#nodeCache.clear();
          this.#nodeCache.set(cacheKey(node), hash);
        }
      });
    }
    const lookup = (node: NodeId) =>
      (this.#mirror.get(node) ?? this.#nodeCache.get(cacheKey(node)) ?? fetched.get(cacheKey(node))) as Uint8Array;
    // RFC 9162 MTH of an aligned range: its perfect subtrees folded from the right.
    return perRange.map((nodes, r) => {
      const known = cached[r];
      if (known) return known;
      let hash = lookup(nodes[nodes.length - 1] as NodeId);
      for (let i = nodes.length - 2; i >= 0; i--) hash = hashChildren(lookup(nodes[i] as NodeId), hash);
      if (nodes.length > 1) {
        if (this.#rangeCache.size >= 65_536) this.#rangeCache.clear();
        const [begin, end] = ranges[r] as readonly [number, number];
        this.#rangeCache.set(`${begin}:${end}`, hash);
      }
      return hash;
    });
  }

  #scheduleFlush(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    void this.#afterOthersJoin().then(() => this.#flush());
  }

  /**
   * Group commit: while other transactions are still running, wait one event-loop turn
   * so every one that is ready joins this batch and they share one fsync. When none is
   * running, nobody can join: commit at once.
   */
  #afterOthersJoin(): Promise<void> {
    return this.#running === 0 ? Promise.resolve() : new Promise((resolve) => setImmediate(resolve));
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, 4096);
      await this.#commitBatch(batch);
      if (this.#pending.length > 0) await this.#afterOthersJoin();
    }
    this.#flushing = false;
  }

  async #commitBatch(batch: PendingCommit[]): Promise<void> {
    const outcomes = new Map<PendingCommit, CommitSummary | Error>();
    const appended: LeafRow[] = [];
    let nextState: JournalState | undefined;
    // Writes build on versions the transactions read (inserts of new ids read nothing):
    // the driver may read them in the round trip that takes its write lock.
    const keys: { table: string; id: string }[] = [];
    for (const { tx } of batch) for (const read of tx.reads.values()) keys.push(read);
    try {
      await this.#storage.write(
        async (writer) => {
          const head = await writer.head();
          if (head.schemaVersion !== this.#schemaVersion) await this.#loadSchema(writer, head);
          const state = this.#currentState(head) ?? (await this.#loadState(writer, head));
          nextState = await this.#applyBatch(writer, state, batch, keys, outcomes, appended);
        },
        { versionsOf: keys },
      );
    } catch (error) {
      // Nothing of this batch is committed; reload state before the next one.
      this.#state = undefined;
      const failure = commitFailure(error);
      for (const pending of batch) pending.reject(failure);
      return;
    }
    this.#committed(nextState as JournalState, appended);
    for (const pending of batch) {
      const outcome = outcomes.get(pending);
      if (outcome instanceof Error || outcome === undefined) pending.reject(outcome);
      else pending.resolve(outcome);
    }
    this.#commits.emit('commit');
  }

  async #applyBatch(
    writer: StorageWriter,
    state: JournalState,
    batch: PendingCommit[],
    keys: readonly { table: string; id: string }[],
    outcomes: Map<PendingCommit, CommitSummary | Error>,
    appended: LeafRow[],
  ): Promise<JournalState> {
    const versions = keys.length === 0 ? noVersions : await writer.versions(keys);
    // What earlier transactions of this batch wrote: later ones validate against it.
    const overlay = new Map<string, VersionState>();
    const writtenTables = new Set<string>();
    const redactedLeaves = new Set<number>();
    const accepted: PendingCommit[] = [];
    const last = batch[batch.length - 1];
    for (const pending of batch) {
      // Most transactions ran no query: their validation needs no storage reads.
      const failure =
        pending.tx.predicates.length === 0 && pending.tx.redactions.length === 0
          ? this.#validateReads(pending.tx, versions, overlay)
          : await this.#validate(writer, pending.tx, versions, overlay, writtenTables, redactedLeaves);
      if (failure) {
        outcomes.set(pending, failure);
        continue;
      }
      accepted.push(pending);
      for (const write of pending.tx.writes.values()) {
        // The last transaction's writes need no overlay: nothing validates after it.
        if (pending !== last) {
          overlay.set(recordKey(write.table, write.id), {
            version: write.baseVersion + 1,
            deleted: write.dataJson === undefined,
          });
        }
        writtenTables.add(write.table);
      }
    }
    // A copy of the frontier: readers (digests, proofs) use the ledger's state while this
    // write awaits storage, and must not see leaves before they are committed.
    const journal = this.#journal(
      state,
      state.frontier.clone(),
      accepted.map((pending) => pending.tx),
    );
    for (let i = 0; i < accepted.length; i++) {
      outcomes.set(accepted[i] as PendingCommit, journal.summaries[i] as CommitSummary);
    }
    if (journal.rows.leaves.length > 0) await writer.append(journal.rows);
    appended.push(...journal.rows.leaves);
    return journal.next;
  }

  /**
   * Commits a transaction synchronously, when the storage driver offers `writeNow` and
   * the ledger's journal state is current: the same validation, journal rows and
   * durability as a group commit of one, without the group-commit queue's promise hops.
   * Undefined when the queue must take it (no `writeNow`, a write in progress, schema or
   * journal state to reload).
   *
   * @throws the transaction's validation failure (`OCC_CONFLICT`, `LIMIT_EXCEEDED`), or
   * `UNAVAILABLE` when storage fails; nothing is committed then
   */
  #commitAlone(tx: TransactionImpl): CommitSummary | undefined {
    if (this.#storage.writeNow === undefined) return undefined;
    let written: { value: Journal | Error | undefined } | undefined;
    try {
      written = this.#storage.writeNow((writer) => {
        const head = writer.head();
        const state = head.schemaVersion === this.#schemaVersion ? this.#currentState(head) : undefined;
        if (state === undefined) return undefined;
        const versions = tx.reads.size === 0 ? noVersions : writer.versions([...tx.reads.values()]);
        const failure = this.#validateReads(tx, versions, noVersions);
        if (failure) return failure;
        // Appends to the ledger's own frontier: nothing runs until the write ends, and
        // if it fails the state is dropped and reloaded.
        const journal = this.#journal(state, state.frontier, [tx]);
        writer.append(journal.rows);
        return journal;
      });
    } catch (error) {
      this.#state = undefined;
      throw commitFailure(error);
    }
    const journal = written?.value;
    if (journal === undefined) return undefined;
    if (journal instanceof Error) throw journal;
    this.#committed(journal.next, journal.rows.leaves);
    this.#commits.emit('commit');
    return journal.summaries[0];
  }

  /** The journal state this ledger holds, if it still matches storage's head; else undefined. */
  #currentState(head: JournalHead): JournalState | undefined {
    const state = this.#state;
    return state && state.frontier.size === head.treeSize && state.lastSeq === head.lastSeq ? state : undefined;
  }

  /** After a commit is durable: the new journal state, and its nodes for proofs. */
  #committed(next: JournalState, leaves: readonly LeafRow[]): void {
    this.#state = next;
    for (const leaf of leaves) this.#mirror.add(leaf.leaf, leaf.nodes);
  }

  /**
   * The journal entries of validated transactions, in order: one block each, after the
   * revision leaves of its writes; the rows to append and the state after them.
   *
   * @param frontier - the tree's right edge after `state`, appended to in place
   */
  #journal(state: JournalState, frontier: Frontier, txs: readonly TransactionImpl[]): Journal {
    const rows: AppendBatch = { leaves: [], revisions: [], blocks: [], index: [] };
    const summaries: CommitSummary[] = [];
    let seq = state.lastSeq;
    let prevBlockHash = state.lastBlockHash;
    const now = isoNow();
    // Never before the previous block, even if the clock stepped back.
    // biome-ignore lint/complexity/useMathMinMax: ISO 8601 strings, compared as text
    const txTime = now > state.lastTxTime ? now : state.lastTxTime;
    // Ids are base62 and times ISO 8601: JSON strings need no escapes.
    const txTimeJson = `"${txTime}"`;
    const ledgerJson = this.#nameJson;
    const hashData = this.journalFormat >= 2;

    for (const tx of txs) {
      seq++;
      const txId = randomId();
      const txIdJson = `"${txId}"`;
      const summary: CommitSummary = {
        txId,
        seq,
        txTime,
        blockHash: '',
        blockLeafIndex: 0,
        treeSize: 0,
        auditPath: [],
        revisions: [],
      };
      let index = 0;
      let revisionHashes = '';
      for (const write of tx.writes.values()) {
        const version = write.baseVersion + 1;
        // RFC 8785 by construction: keys in sorted order, data already canonical.
        // Format 2 hashes the data apart (`dataHash`) and keeps it beside the leaf, so a
        // redaction can remove it and leave the leaf as it was.
        const dataField =
          write.dataJson === undefined
            ? ''
            : hashData
              ? `"dataHash":"${oneShotHash('sha256', write.dataJson, 'hex')}",`
              : `"data":${write.dataJson},`;
        const body =
          `{"blockAddress":{"index":${index},"seq":${seq}},${dataField}` +
          // Ids and table names are validated to [A-Za-z0-9_-]: JSON strings without escapes.
          `"metadata":{"id":"${write.id}","table":"${write.table}",` +
          `"txId":${txIdJson},"txTime":${txTimeJson},"version":${version}}}`;
        const leaf = frontier.size;
        const nodes = frontier.appendBinary(leafHashBinary(body));
        rows.leaves.push(hashData ? { leaf, body, nodes, data: write.dataJson ?? null } : { leaf, body, nodes });
        rows.revisions.push({
          table: write.table,
          id: write.id,
          version,
          leaf,
          seq,
          deleted: write.dataJson === undefined,
        });
        const hash = nodes.toString('hex', 0, hashSize);
        revisionHashes += index === 0 ? `"${hash}"` : `,"${hash}"`;
        summary.revisions.push({ table: write.table, id: write.id, version, hash, leafIndex: leaf });
        for (const path of this.#schema.get(write.table) ?? []) {
          const before = write.previous === undefined ? undefined : valueAt(write.previous, path);
          const after = write.data === undefined ? undefined : valueAt(write.data, path);
          const beforeKey = before === undefined ? undefined : canonicalize(before);
          const afterKey = after === undefined ? undefined : canonicalize(after);
          if (beforeKey === afterKey) continue;
          const base = { table: write.table, path, id: write.id };
          if (beforeKey !== undefined) rows.index.push({ ...base, valueKey: beforeKey, add: false });
          if (afterKey !== undefined) rows.index.push({ ...base, valueKey: afterKey, add: true });
        }
        index++;
      }
      let redactions = '';
      if (tx.redactions.length > 0) {
        const entries: RedactionEntry[] = [];
        rows.redactions ??= [];
        for (const { table, id, version, leaf, revisionHash } of tx.redactions) {
          entries.push({ table, id, version, revisionHash });
          rows.redactions.push(leaf);
        }
        summary.redactions = entries;
        redactions = `"redactions":${canonicalize(entries)},`;
      }
      const blockBody =
        `{"ledger":${ledgerJson},"prevBlockHash":${prevBlockHash === null ? 'null' : `"${prevBlockHash}"`},` +
        redactions +
        `"revisions":[${revisionHashes}],` +
        `"seq":${seq},"txId":${txIdJson},"txTime":${txTimeJson}}`;
      const blockLeaf = frontier.size;
      summary.auditPath = frontier.nextLeafPath();
      summary.treeSize = blockLeaf + 1;
      const blockNodes = frontier.appendBinary(leafHashBinary(blockBody));
      rows.leaves.push({ leaf: blockLeaf, body: blockBody, nodes: blockNodes });
      rows.blocks.push({ seq, leaf: blockLeaf, txId, txTime });
      prevBlockHash = blockNodes.toString('hex', 0, hashSize);
      summary.blockHash = prevBlockHash;
      summary.blockLeafIndex = blockLeaf;
      summaries.push(summary);
    }
    return { rows, summaries, next: { frontier, lastSeq: seq, lastBlockHash: prevBlockHash, lastTxTime: txTime } };
  }

  /** The time limit and the documents read: everything of validation but queries. */
  #validateReads(
    tx: TransactionImpl,
    versions: ReadonlyMap<string, VersionState>,
    overlay: ReadonlyMap<string, VersionState>,
  ): Error | undefined {
    const elapsed = Date.now() - tx.startedAt;
    if (elapsed > this.limits.transactionMs) {
      return new LimitExceededError(
        'transactionMs',
        `transaction ran ${elapsed} ms before commit; the limit is ${this.limits.transactionMs} ms`,
        { elapsedMs: elapsed, max: this.limits.transactionMs },
      );
    }
    for (const [key, read] of tx.reads) {
      const current = overlay.get(key) ?? versions.get(key);
      const version = current?.version ?? -1;
      if (version !== read.version) {
        return new OccConflictError(`document ${read.table}/${read.id} changed since it was read`, {
          table: read.table,
          id: read.id,
          readVersion: read.version,
          currentVersion: version,
        });
      }
    }
    return undefined;
  }

  /** Backward validation: everything the transaction read must still be current. */
  async #validate(
    writer: StorageWriter,
    tx: TransactionImpl,
    versions: ReadonlyMap<string, VersionState>,
    overlay: Map<string, VersionState>,
    writtenTables: Set<string>,
    redactedLeaves: Set<number>,
  ): Promise<Error | undefined> {
    const failure = this.#validateReads(tx, versions, overlay);
    if (failure) return failure;
    for (const redaction of tx.redactions) {
      // Another transaction redacted it since this one looked (here or in this batch).
      const stored = await writer.revision(redaction.table, redaction.id, redaction.version);
      if (!stored || stored.leaf !== redaction.leaf || isRedacted(stored) || redactedLeaves.has(redaction.leaf)) {
        const { table, id, version } = redaction;
        return ledgerdbError('ALREADY_EXISTS', `revision ${table}/${id}@${version} is already redacted`, {
          table,
          id,
          version,
        });
      }
    }
    for (const redaction of tx.redactions) redactedLeaves.add(redaction.leaf);
    for (const predicate of tx.predicates) {
      if (writtenTables.has(predicate.table)) {
        return new OccConflictError(`a query on ${predicate.table} may have changed since it ran`, {
          table: predicate.table,
        });
      }
      const now = await findCommitted(writer, this.#indexesOrThrow(predicate.table), predicate.table, predicate.where);
      const ids = now.map((entry) => entry.id).sort();
      if (ids.length !== predicate.ids.length || ids.some((id, i) => id !== predicate.ids[i])) {
        return new OccConflictError(`the result of a query on ${predicate.table} changed since it ran`, {
          table: predicate.table,
          where: predicate.where,
        });
      }
    }
    return undefined;
  }

  async #waitForCommit(pollMs: number, signal: AbortSignal | undefined): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), pollMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const _ of on(this.#commits, 'commit', { signal: controller.signal })) break;
    } catch (error) {
      if (!(error instanceof Error && error.name === 'AbortError')) throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

let isoSecond = Number.NaN;
let isoPrefix = '';

/** `new Date().toISOString()`, without formatting a date on every commit. */
function isoNow(): string {
  const ms = Date.now();
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond) {
    // 'YYYY-MM-DDTHH:mm:ss.' of this second (toISOString is UTC, so only ms change within it).
    isoPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    isoSecond = second;
  }
  return `${isoPrefix}${String(ms - second * 1000).padStart(3, '0')}Z`;
}

/** The committed view of a stored revision: its body (with its data, if any) and leaf hash. */
function withHash(stored: { body: string; data?: string | null }): Revision {
  return { ...parseRevision(stored as Parameters<typeof parseRevision>[0]), hash: toHex(hashLeaf(stored.body)) };
}

/**
 * The journal format of the ledger in storage, recorded on first open: `requested` (default
 * {@link currentJournalFormat}) for a new ledger, 1 for a ledger that predates the setting.
 *
 * @throws `UNSUPPORTED` for a format this version does not know; `INVALID_ARGUMENT` when
 * `requested` differs from the ledger's
 */
async function journalFormatOf(writer: StorageWriter, requested: JournalFormat | undefined): Promise<JournalFormat> {
  const stored = await writer.meta('journal_format');
  let format: JournalFormat;
  if (stored === undefined) {
    // A journal written before the setting existed is format 1, whatever is asked.
    const { treeSize } = await writer.head();
    format = treeSize === 0 ? (requested ?? currentJournalFormat) : 1;
    await writer.setMeta('journal_format', String(format));
  } else if (stored === '1' || stored === '2') {
    format = Number(stored) as JournalFormat;
  } else {
    throw new LedgerError(
      'UNSUPPORTED',
      `this ledger uses journal format ${stored}; this ledgerdb reads formats 1 and 2 (upgrade ledgerdb)`,
      { details: { journalFormat: stored } },
    );
  }
  if (requested !== undefined && requested !== format) {
    throw new InvalidArgumentError('journalFormat', `this ledger uses journal format ${format}, not ${requested}`, {
      journalFormat: format,
    });
  }
  return format;
}
