import { LedgerError } from '@ledgerkit/core';
import type { AppendBatch, IndexChange, JournalHead, LeafRow } from '../driver.js';
import { type SqliteConnection, storageError } from './connection.js';
import type { PendingIndexes } from './pending-indexes.js';

/** Rows a multi-row INSERT carries: per-statement costs dominate for small rows. */
const leavesPerStatement = 64;
const revisionsPerStatement = 64;
/** `INSERT INTO leaves` of exactly n rows, for n = 1..leavesPerStatement. */
const insertLeaves = Array.from({ length: leavesPerStatement + 1 }, (_, n) =>
  n === 0 ? '' : `INSERT INTO leaves (leaf, nodes, body, data) VALUES ${Array(n).fill('(?, ?, ?, ?)').join(', ')}`,
);

/**
 * The driver's writes. Only the journal leaves are written at commit; the derived rows
 * (revisions by document, blocks by sequence, equality index entries) wait in memory and are
 * written in batches a few milliseconds later ({@link SqliteWriter.flush}).
 */
export class SqliteWriter {
  readonly #connection: SqliteConnection;
  readonly #indexDelayMs: number;
  /** Whether the driver's write slot is taken: derived rows are written between writes. */
  readonly #writing: () => boolean;
  #flushTimer: NodeJS.Timeout | undefined;
  #staged: AppendBatch[] | undefined;
  /** The first append of a write, held back until it is known whether others follow. */
  #deferred: AppendBatch | undefined;
  /** Set by a write that redacted: its commit is followed by a WAL checkpoint. */
  #redacted = false;

  constructor(connection: SqliteConnection, indexDelayMs: number, writing: () => boolean) {
    this.#connection = connection;
    this.#indexDelayMs = indexDelayMs;
    this.#writing = writing;
  }

  /** Begins a write (the caller holds the write slot); returns the head to restore on failure. */
  startWrite(): JournalHead {
    this.#staged = [];
    return this.#connection.head;
  }

  /** Forgets the write's held-back rows, whether it committed or not. */
  endWrite(): void {
    this.#staged = undefined;
    this.#deferred = undefined;
  }

  /** Commits the current write; on failure the caller aborts it. */
  finishWrite(): void {
    const connection = this.#connection;
    const db = connection.database();
    const deferred = this.#deferred as AppendBatch | undefined;
    if (db.isTransaction) {
      connection.statement('COMMIT').run();
    } else if (deferred) {
      // The whole write is one append. Reads needed no SQLite transaction (this process
      // owns the file and writes one at a time): when the append is a single statement,
      // SQLite's own autocommit makes it atomic and durable, and the commit saves a
      // BEGIN and a COMMIT statement.
      this.#deferred = undefined;
      if (deferred.leaves.length > leavesPerStatement) connection.statement('BEGIN IMMEDIATE').run();
      this.#insertLeaves(deferred);
      if (db.isTransaction) connection.statement('COMMIT').run();
    }
    for (const batch of this.#staged ?? []) connection.pending.add(batch);
    this.#scheduleFlush();
    this.#checkpointAfterRedaction();
  }

  /** Undoes the current write; returns the error to throw. */
  abortWrite(head: JournalHead, error: unknown): LedgerError {
    const db = this.#connection.database();
    if (db.isTransaction) db.exec('ROLLBACK');
    this.#redacted = false;
    this.#connection.head = head;
    return storageError('the write failed; nothing was committed', error);
  }

  append(batch: AppendBatch): void {
    const connection = this.#connection;
    const redactions = batch.redactions ?? [];
    if (this.#deferred === undefined && !connection.database().isTransaction && redactions.length === 0) {
      this.#deferred = batch;
    } else {
      this.#begin();
      this.#insertLeaves(batch);
      if (redactions.length > 0) this.#redact(redactions);
    }
    // Derived rows become visible only once the leaves are committed.
    this.#staged?.push(batch);
    const head = connection.head;
    const lastBlock = batch.blocks[batch.blocks.length - 1];
    const lastLeaf = batch.leaves[batch.leaves.length - 1];
    connection.head = {
      ...head,
      treeSize: lastLeaf ? lastLeaf.leaf + 1 : head.treeSize,
      lastSeq: lastBlock?.seq ?? head.lastSeq,
      lastBlockLeaf: lastBlock?.leaf ?? head.lastBlockLeaf,
    };
  }

  setMeta(name: string, value: string): void {
    this.#begin();
    setMeta(this.#connection, name, value);
  }

  createTable(name: string): void {
    this.#begin();
    this.#connection.run('cannot create a table', () => {
      this.#connection.statement('INSERT INTO user_tables (name) VALUES (?)').run(name);
      this.#bumpDdl();
    });
  }

  createIndex(table: string, path: string, entries: readonly IndexChange[]): void {
    this.#begin();
    const connection = this.#connection;
    connection.run('cannot create an index', () => {
      connection.statement('INSERT INTO user_indexes (tbl, path) VALUES (?, ?)').run(table, path);
      // The entries were computed from documents including pending ones: write the
      // pending rows first so the index starts complete.
      writeIndexRows(connection, connection.pending);
      connection.pending.clear();
      writeIndexChanges(connection, entries);
      this.#bumpDdl();
    });
  }

  /** Writes the pending derived rows and records how far the indexes reach. */
  flush(): void {
    if (this.#flushTimer) {
      clearTimeout(this.#flushTimer);
      this.#flushTimer = undefined;
    }
    const connection = this.#connection;
    const db = connection.db;
    if (!db || connection.pending.size === 0) return;
    // Derived rows need no fsync of their own: if a crash loses them, `indexed_leaves`
    // is lost with them and open() rebuilds them from the leaves; and the next journal
    // commit's fsync of the write-ahead log covers these frames, which precede it.
    const durable = connection.path !== ':memory:';
    if (durable) db.exec('PRAGMA synchronous = NORMAL');
    try {
      db.exec('BEGIN IMMEDIATE');
      try {
        writeIndexRows(connection, connection.pending);
        setMeta(connection, 'indexed_leaves', String(connection.head.treeSize));
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw storageError('cannot write derived indexes', error);
      }
    } finally {
      if (durable) db.exec('PRAGMA synchronous = FULL');
    }
    connection.pending.clear();
  }

  /** Opens the SQLite transaction of the current write, with any append held back. */
  #begin(): void {
    const db = this.#connection.database();
    if (db.isTransaction) return;
    this.#connection.statement('BEGIN IMMEDIATE').run();
    const deferred = this.#deferred;
    this.#deferred = undefined;
    if (deferred) this.#insertLeaves(deferred);
  }

  #insertLeaves(batch: AppendBatch): void {
    const connection = this.#connection;
    connection.run('cannot append to the journal', () => {
      // Full statements of leavesPerStatement rows, the rest in one of exactly that many:
      // the per-call cost dominates for small rows (a one-document commit is two leaves).
      const rows = batch.leaves;
      let i = 0;
      for (; i < rows.length; ) {
        const count = Math.min(leavesPerStatement, rows.length - i);
        const values: (number | string | Uint8Array | null)[] = [];
        for (let j = i; j < i + count; j++) {
          const row = rows[j] as LeafRow;
          values.push(row.leaf, row.nodes, row.body, row.data ?? null);
        }
        connection.statement(insertLeaves[count] as string).run(...values);
        i += count;
      }
    });
  }

  /**
   * Removes the data of redacted revisions, in the write's transaction. `secure_delete`
   * makes SQLite overwrite the freed bytes with zeros instead of leaving them in free pages;
   * after the commit, {@link #checkpointAfterRedaction} moves the pages into the main file and
   * empties the write-ahead log, so no copy of the data is left in either file.
   */
  #redact(leaves: readonly number[]): void {
    const connection = this.#connection;
    connection.run('cannot redact revision data', () => {
      const db = connection.database();
      db.exec('PRAGMA secure_delete = ON');
      try {
        const statement = connection.statement('UPDATE leaves SET data = NULL WHERE leaf = ? AND data IS NOT NULL');
        for (const leaf of leaves) {
          if (statement.run(leaf).changes !== 1) {
            throw new LedgerError('TAMPER_DETECTED', `journal leaf ${leaf} has no data to redact`);
          }
        }
      } finally {
        db.exec('PRAGMA secure_delete = OFF');
      }
    });
    this.#redacted = true;
  }

  #checkpointAfterRedaction(): void {
    if (!this.#redacted) return;
    this.#redacted = false;
    if (this.#connection.path === ':memory:') return;
    try {
      this.#connection.database().exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } catch {
      // Best effort: the next checkpoint (at the latest on close) overwrites the pages.
    }
  }

  #bumpDdl(): void {
    const connection = this.#connection;
    connection.statement("UPDATE ledger_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'ddl_version'").run();
    connection.head = { ...connection.head, schemaVersion: connection.head.schemaVersion + 1 };
  }

  #scheduleFlush(): void {
    if (this.#connection.pending.size >= 50_000) {
      this.flush();
      return;
    }
    if (this.#flushTimer || this.#connection.pending.size === 0) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      if (this.#writing()) {
        this.#scheduleFlush();
        return;
      }
      try {
        this.flush();
      } catch {
        // Rows stay pending and are retried; after a crash, open() rebuilds them.
        this.#scheduleFlush();
      }
    }, this.#indexDelayMs);
    this.#flushTimer.unref();
  }
}

/** Sets a ledger setting (`ledger_meta`), in the caller's transaction. */
export function setMeta(connection: SqliteConnection, name: string, value: string): void {
  connection.run('cannot write ledger settings', () => {
    connection
      .statement(
        'INSERT INTO ledger_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(name, value);
  });
}

/** Writes derived rows (revisions, blocks, index changes) to their tables, in the caller's transaction. */
export function writeIndexRows(connection: SqliteConnection, pending: PendingIndexes): void {
  const columns = 'INSERT OR REPLACE INTO revisions (tbl, id, version, leaf, seq, deleted) VALUES ';
  const many = connection.statement(
    `${columns}${'(?, ?, ?, ?, ?, ?), '.repeat(revisionsPerStatement - 1)}(?, ?, ?, ?, ?, ?)`,
  );
  const one = connection.statement(`${columns}(?, ?, ?, ?, ?, ?)`);
  let values: (string | number)[] = [];
  for (const row of pending.rows) {
    values.push(row.table, row.id, row.version, row.leaf, row.seq, row.deleted ? 1 : 0);
    if (values.length === revisionsPerStatement * 6) {
      many.run(...values);
      values = [];
    }
  }
  for (let i = 0; i < values.length; i += 6) one.run(...values.slice(i, i + 6));
  const block = connection.statement('INSERT OR REPLACE INTO blocks (seq, leaf, tx_id, tx_time) VALUES (?, ?, ?, ?)');
  for (const row of pending.blocks) block.run(row.seq, row.leaf, row.txId, row.txTime);
  writeIndexChanges(connection, pending.changes);
}

function writeIndexChanges(connection: SqliteConnection, changes: readonly IndexChange[]): void {
  if (changes.length === 0) return;
  const add = connection.statement(
    'INSERT OR IGNORE INTO index_entries (tbl, path, value_key, id) VALUES (?, ?, ?, ?)',
  );
  const remove = connection.statement(
    'DELETE FROM index_entries WHERE tbl = ? AND path = ? AND value_key = ? AND id = ?',
  );
  for (const change of changes) (change.add ? add : remove).run(change.table, change.path, change.valueKey, change.id);
}
