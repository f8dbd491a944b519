import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  emptyRoot,
  isLedgerError,
  type JsonObject,
  type JsonValue,
  LedgerError,
  type LedgerEvent,
  type RetryOptions,
  retry,
  toHex,
} from '@ledgerkit/core';
import { signDigest } from './digest-signing.js';
import { CommitQueue } from './engine/commit-queue.js';
import {
  EventStream,
  type ExportedBlock,
  type JournalEventsOptions,
  type JournalExportOptions,
} from './engine/event-stream.js';
import { JournalEncoder, pushIndexChanges } from './engine/journal-encoder.js';
import { LedgerState } from './engine/ledger-state.js';
import {
  checkOpenOptions,
  identifyLedger,
  type LedgerSettings,
  type OpenLedgerDatabaseOptions,
} from './engine/options.js';
import { ProofBuilder } from './engine/proof-builder.js';
import { LimitExceededError, ledgerdbError } from './errors.js';
import { checkIndexPath, checkTableName } from './internal/paths.js';
import { committedRevision, type JournalFormat } from './internal/revision-format.js';
import type { JournalExportRecord } from './journal-export-verifier.js';
import type { IndexChange, StorageDriver } from './storage/driver.js';
import { type DocumentEntry, parseRevision, type Transaction } from './transaction.js';
import type {
  AuditReport,
  BlockProof,
  CommitSummary,
  ConsistencyProof,
  Digest,
  DocumentRevision,
  Limits,
  RevisionProof,
  TransactionResult,
} from './types.js';

export type { ExportedBlock, JournalEventsOptions, JournalExportOptions } from './engine/event-stream.js';
export { defaultLimits, type OpenLedgerDatabaseOptions } from './engine/options.js';

/**
 * @deprecated Since 0.2.0: renamed {@link JournalEventsOptions}, so that `EventsOptions` means
 * the core one; removed in 0.3.0.
 */
export type EventsOptions = JournalEventsOptions;
/** @deprecated Since 0.2.0: renamed {@link OpenLedgerDatabaseOptions}; removed in 0.3.0. */
export type OpenLedgerOptions = OpenLedgerDatabaseOptions;

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

/** A transaction's retry policy: by default only `OCC_CONFLICT` is retried. */
function transactionRetry(options: RetryOptions): RetryOptions {
  return { ...options, shouldRetry: options.shouldRetry ?? ((error) => isLedgerError(error, 'OCC_CONFLICT')) };
}

/**
 * Opens (creating if needed) a verifiable ledger database.
 *
 * @param options - where to store it, its name, signing key and limits
 * @returns the open ledger
 * @throws LedgerError `INVALID_ARGUMENT` for a bad option, `UNAVAILABLE` when the storage
 * cannot be opened, `TAMPER_DETECTED` when the file is not a readable database
 *
 * @example
 * ```ts
 * const ledger = await openLedgerDatabase({ path: 'supply-chain.ledger' })
 * await ledger.createTable('shipments')
 * const { value: id } = await ledger.transaction((tx) => tx.insert('shipments', { sku: 'A-1', qty: 5 }))
 * const proof = await ledger.proof('shipments', id, 0)
 * ```
 */
export async function openLedgerDatabase(options: OpenLedgerDatabaseOptions = {}): Promise<LedgerDatabase> {
  const settings = checkOpenOptions(options);
  const { storage } = settings;
  await storage.open();
  let ledger: LedgerDatabase | undefined;
  try {
    const { name, format } = await storage.write((writer) => identifyLedger(writer, settings));
    ledger = new LedgerDatabase(settings, name, format);
    await ledger.refresh();
  } catch (error) {
    await storage.close();
    throw error;
  }
  return ledger;
}

/**
 * @deprecated Since 0.2.0: renamed {@link openLedgerDatabase} (it opens a `LedgerDatabase`;
 * a core `Ledger` is `asLedger(database)`); removed in 0.3.0.
 */
export const openLedger: typeof openLedgerDatabase = openLedgerDatabase;

/**
 * A verifiable ledger database: tables of JSON documents whose every change is a
 * revision in an append-only journal, hashed into one RFC 9162 Merkle tree. Anyone
 * holding a digest can check a revision with {@link verifyRevisionProof} and nothing
 * but SHA-256. Use {@link asLedger} for the unified `Ledger` interface.
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
  readonly #state: LedgerState;
  readonly #proofs: ProofBuilder;
  readonly #stream: EventStream;
  readonly #commits: CommitQueue;
  #closed = false;

  /** @internal use {@link openLedgerDatabase} */
  constructor(settings: Readonly<LedgerSettings>, name: string, journalFormat: JournalFormat) {
    const { storage, limits } = settings;
    this.name = name;
    this.limits = limits;
    this.journalFormat = journalFormat;
    this.#storage = storage;
    this.#signingKey = settings.signingKey;
    this.#retry = transactionRetry(settings.retry);
    const state = new LedgerState(storage);
    const proofs = new ProofBuilder(storage, state, settings.proofCacheBytes);
    const stream = new EventStream(storage);
    this.#state = state;
    this.#proofs = proofs;
    this.#stream = stream;
    this.#commits = new CommitQueue({
      storage,
      state,
      limits,
      journalFormat,
      encoder: new JournalEncoder(name, journalFormat, (table) => state.indexesOf(table)),
      committed: (next, leaves) => {
        state.journal = next;
        proofs.remember(leaves);
      },
      notify: () => stream.notify(),
    });
  }

  /** The owner's public key, when digests are signed. */
  get publicKey(): KeyObject | undefined {
    return this.#signingKey && createPublicKey(this.#signingKey);
  }

  /** @internal reloads cached schema and journal state from storage */
  async refresh(): Promise<void> {
    await this.#state.reload();
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
      await this.#state.loadSchema(writer, await writer.head());
      if (this.#state.indexesOf(name))
        throw ledgerdbError('ALREADY_EXISTS', `table ${name} already exists`, { table: name });
      await writer.createTable(name);
    });
    this.#state.tableCreated(name);
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
      await this.#state.loadSchema(writer, await writer.head());
      const indexes = this.#state.indexesOrThrow(table);
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
        if (!row.deleted) pushIndexChanges(entries, table, row.id, [path], undefined, parseRevision(row).data);
      }
      await writer.createIndex(table, path, entries);
    });
    await this.#state.loadSchema(this.#storage, await this.#storage.head());
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
      const commits = this.#commits;
      if (options.retry !== undefined || this.#retry.signal !== undefined) {
        // Per-call options are checked, and a signal consulted, before the first attempt.
        return retry(() => commits.attempt(work), transactionRetry({ ...this.#retry, ...options.retry }));
      }
      // The ledger's own policy was checked when it opened: the first attempt starts at
      // once, and the retry loop joins only when it fails.
      const first = commits.attempt(work);
      return first.catch(() => retry((attempt) => (attempt === 0 ? first : commits.attempt(work)), this.#retry));
    } catch (error) {
      return Promise.reject(error);
    }
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
  async revision(table: string, id: string, version?: number): Promise<DocumentRevision> {
    checkTableName(table);
    this.#checkOpen();
    const stored =
      version === undefined ? await this.#storage.latest(table, id) : await this.#storage.revision(table, id, version);
    if (!stored) {
      throw ledgerdbError(
        'NOT_FOUND',
        version === undefined ? `no document ${table}/${id}` : `no revision ${version} of ${table}/${id}`,
        { table, id, version },
      );
    }
    return committedRevision(stored);
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
  async history(table: string, id?: string, window: HistoryWindow = {}): Promise<DocumentRevision[]> {
    checkTableName(table);
    this.#checkOpen();
    this.#state.indexesOrThrow(table);
    const revisions = (await this.#storage.history(table, id)).map((stored) => committedRevision(stored));
    const from = window.from?.getTime();
    const to = window.to?.getTime();
    if (from === undefined && to === undefined) return revisions;
    // The next revision of the same document ends a revision's activity.
    const nextStart = new Map<DocumentRevision, number>();
    const lastByDocument = new Map<string, DocumentRevision>();
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
    await this.#state.sync();
    const { frontier, lastSeq, lastBlockHash } = this.#state.journal as NonNullable<LedgerState['journal']>;
    const root = frontier.root() ?? emptyRoot();
    const digest: Digest = {
      ledger: this.name,
      treeSize: frontier.size,
      rootHash: toHex(root),
      tip: lastBlockHash === null ? null : { seq: lastSeq, blockHash: lastBlockHash },
    };
    return this.#sign(digest);
  }

  /**
   * Root hash of the journal as it was at `treeSize` leaves: what a digest of that size
   * says. Servers use it to answer proofs against a size a client names.
   *
   * @throws `INVALID_ARGUMENT` when `treeSize` is negative or beyond the journal
   */
  async rootHashAt(treeSize: number): Promise<string> {
    this.#checkOpen();
    return this.#proofs.rootHashAt(this.name, treeSize);
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
    return this.#proofs.revisionProof(table, id, version, digest ?? (await this.digest()));
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
    return this.#proofs.blockProof(seq, digest ?? (await this.digest()));
  }

  /**
   * RFC 9162 consistency proof that `newDigest` (default: current) extends `oldDigest`.
   *
   * @throws `INVALID_ARGUMENT` when the sizes are out of order or beyond the journal
   */
  async consistencyProof(oldDigest: Digest, newDigest?: Digest): Promise<ConsistencyProof> {
    this.#checkOpen();
    return this.#proofs.consistencyProof(oldDigest, newDigest ?? (await this.digest()));
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
    yield* this.#stream.blocks();
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
    return this.#stream.exportJournal(
      {
        name: this.name,
        journalFormat: this.journalFormat,
        digest: () => this.digest(),
        rootHashAt: (treeSize) => this.rootHashAt(treeSize),
        consistencyProof: (oldDigest, newDigest) => this.consistencyProof(oldDigest, newDigest),
        sign: (digest) => this.#sign(digest),
      },
      options,
    );
  }

  /**
   * Committed revisions in journal order as {@link LedgerEvent}s, first the stored ones,
   * then live ones as they commit (also those of other processes, polled every
   * `pollMs`). Resume after any event by passing its `checkpoint` as `from`: delivery
   * continues with the next revision, with no gap and no duplicate.
   */
  async *events(options: JournalEventsOptions = {}): AsyncIterable<LedgerEvent> {
    this.#checkOpen();
    yield* this.#stream.events(options);
  }

  /** Closes the storage after in-flight commits finish. */
  async close(): Promise<void> {
    if (this.#closed) return;
    while (!this.#commits.idle) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    this.#closed = true;
    this.#stream.close();
    await this.#storage.close();
  }

  #sign(digest: Digest): Digest {
    return this.#signingKey ? signDigest(digest, this.#signingKey) : digest;
  }

  #checkOpen(): void {
    if (this.#closed) throw new LedgerError('UNAVAILABLE', `ledger ${this.name} is closed`);
  }
}
