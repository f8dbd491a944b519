import { isLedgerError, LedgerError } from '@ledgerkit/core';
import { LimitExceededError, ledgerdbError, OccConflictError } from '../errors.js';
import type { JournalFormat } from '../internal/revision-format.js';
import type { LeafRow, StorageDriver, StorageWriter, VersionState } from '../storage/driver.js';
import {
  findCommitted,
  isRedacted,
  recordKey,
  type Transaction,
  type TransactionHost,
  TransactionImpl,
} from '../transaction.js';
import type { CommitSummary, Limits, TransactionResult } from '../types.js';
import { type Journal, type JournalEncoder, type JournalState, loadJournalState } from './journal-encoder.js';
import type { LedgerState } from './ledger-state.js';

/** What the queue needs from its ledger. */
export interface CommitQueueParts {
  storage: StorageDriver;
  state: LedgerState;
  encoder: JournalEncoder;
  limits: Readonly<Limits>;
  journalFormat: JournalFormat;
  /** After a commit is durable: the new journal state and the leaves it appended. */
  committed(next: JournalState, leaves: readonly LeafRow[]): void;
  /** After a commit's transactions are answered: wakes event streams. */
  notify(): void;
}

interface PendingCommit {
  tx: TransactionImpl;
  resolve: (summary: CommitSummary) => void;
  reject: (error: unknown) => void;
}

const noVersions: ReadonlyMap<string, VersionState> = new Map();

/** A storage failure as the error every transaction of a failed commit gets. */
function commitFailure(error: unknown): LedgerError {
  return isLedgerError(error)
    ? error
    : new LedgerError('UNAVAILABLE', 'the commit failed in storage; nothing was committed', { cause: error });
}

/**
 * Runs transaction functions and commits what they wrote. A transaction that is alone (no
 * other running or waiting) and ran no query commits at once through the driver's
 * synchronous `writeNow`; the others queue, and every transaction that is ready within one
 * event-loop turn joins one batch: one storage write, one fsync (group commit). At commit,
 * each transaction is validated against storage and the batch's earlier transactions
 * (optimistic concurrency): a failed one gets its error, the others commit.
 */
export class CommitQueue {
  readonly #parts: CommitQueueParts;
  /** What transactions may use of this ledger; every transaction shares it. */
  readonly #host: TransactionHost;
  #pending: PendingCommit[] = [];
  /** Transactions whose function is still running: they may join the next batch. */
  #running = 0;
  #flushing = false;

  constructor(parts: CommitQueueParts) {
    this.#parts = parts;
    const { state } = parts;
    this.#host = {
      reader: parts.storage,
      limits: parts.limits,
      journalFormat: parts.journalFormat,
      indexesOf: (table: string) => state.indexesOrThrow(table),
    };
  }

  /** Whether no commit is queued or in progress. */
  get idle(): boolean {
    return !this.#flushing && this.#pending.length === 0;
  }

  /** One run of a transaction function and its commit. */
  async attempt<T>(work: (tx: Transaction) => Promise<T>): Promise<TransactionResult<T>> {
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
    const { storage, state } = this.#parts;
    const outcomes = new Map<PendingCommit, CommitSummary | Error>();
    const appended: LeafRow[] = [];
    let nextState: JournalState | undefined;
    // Writes build on versions the transactions read (inserts of new ids read nothing):
    // the driver may read them in the round trip that takes its write lock.
    const keys: { table: string; id: string }[] = [];
    for (const { tx } of batch) for (const read of tx.reads.values()) keys.push(read);
    try {
      await storage.write(
        async (writer) => {
          const head = await writer.head();
          if (head.schemaVersion !== state.schemaVersion) await state.loadSchema(writer, head);
          const current = state.current(head) ?? (await loadJournalState(writer, head));
          nextState = await this.#applyBatch(writer, current, batch, keys, outcomes, appended);
        },
        { versionsOf: keys },
      );
    } catch (error) {
      // Nothing of this batch is committed; reload state before the next one.
      state.journal = undefined;
      const failure = commitFailure(error);
      for (const pending of batch) pending.reject(failure);
      return;
    }
    this.#parts.committed(nextState as JournalState, appended);
    for (const pending of batch) {
      const outcome = outcomes.get(pending);
      if (outcome instanceof Error || outcome === undefined) pending.reject(outcome);
      else pending.resolve(outcome);
    }
    this.#parts.notify();
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
    const journal = this.#parts.encoder.encode(
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
    const { storage, state, encoder } = this.#parts;
    if (storage.writeNow === undefined) return undefined;
    let written: { value: Journal | Error | undefined } | undefined;
    try {
      written = storage.writeNow((writer) => {
        const head = writer.head();
        const current = head.schemaVersion === state.schemaVersion ? state.current(head) : undefined;
        if (current === undefined) return undefined;
        const versions = tx.reads.size === 0 ? noVersions : writer.versions([...tx.reads.values()]);
        const failure = this.#validateReads(tx, versions, noVersions);
        if (failure) return failure;
        // Appends to the ledger's own frontier: nothing runs until the write ends, and
        // if it fails the state is dropped and reloaded.
        const journal = encoder.encode(current, current.frontier, [tx]);
        writer.append(journal.rows);
        return journal;
      });
    } catch (error) {
      state.journal = undefined;
      throw commitFailure(error);
    }
    const journal = written?.value;
    if (journal === undefined) return undefined;
    if (journal instanceof Error) throw journal;
    this.#parts.committed(journal.next, journal.rows.leaves);
    this.#parts.notify();
    return journal.summaries[0];
  }

  /** The time limit and the documents read: everything of validation but queries. */
  #validateReads(
    tx: TransactionImpl,
    versions: ReadonlyMap<string, VersionState>,
    overlay: ReadonlyMap<string, VersionState>,
  ): Error | undefined {
    const { limits } = this.#parts;
    const elapsed = Date.now() - tx.startedAt;
    if (elapsed > limits.transactionMs) {
      return new LimitExceededError(
        'transactionMs',
        `transaction ran ${elapsed} ms before commit; the limit is ${limits.transactionMs} ms`,
        { elapsedMs: elapsed, max: limits.transactionMs },
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
      const indexes = this.#parts.state.indexesOrThrow(predicate.table);
      const now = await findCommitted(writer, indexes, predicate.table, predicate.where);
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
}
