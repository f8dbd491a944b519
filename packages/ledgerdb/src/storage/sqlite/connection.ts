import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { LedgerError } from '@ledgerkit/core';
import type { JournalHead, RevisionRow, StoredRevision } from '../driver.js';
import { PendingIndexes } from './pending-indexes.js';

/**
 * What every part of the SQLite driver shares: the open file with its prepared statements,
 * the journal head as this process last wrote it, and the derived rows not yet written.
 */
export class SqliteConnection {
  /** The database file, `:memory:` for a throwaway ledger. */
  readonly path: string;
  /** Derived rows committed to the journal but not yet written to their index tables. */
  readonly pending = new PendingIndexes();
  head: JournalHead = { treeSize: 0, lastSeq: -1, lastBlockLeaf: -1, schemaVersion: 0 };
  #db: DatabaseSync | undefined;
  readonly #statements = new Map<string, StatementSync>();

  constructor(path: string) {
    this.path = path;
  }

  /** The open database, undefined before `attach` and after `detach`. */
  get db(): DatabaseSync | undefined {
    return this.#db;
  }

  attach(db: DatabaseSync): void {
    this.#db = db;
  }

  /** Forgets the database and its prepared statements (the caller closes it). */
  detach(): void {
    this.#db = undefined;
    this.#statements.clear();
  }

  /** @throws `UNAVAILABLE` when the storage is closed */
  database(): DatabaseSync {
    if (!this.#db) throw new LedgerError('UNAVAILABLE', 'the ledger storage is closed');
    return this.#db;
  }

  /** A prepared statement, prepared once per connection. */
  statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.database().prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `work`, turning a SQLite failure into a typed error that says `what` failed. */
  run<T>(what: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw storageError(what, error);
    }
  }

  /** A revision row with its leaf's bytes and data. */
  storedFromRow(row: RevisionRow): StoredRevision {
    const body = this.statement('SELECT body, data FROM leaves WHERE leaf = ?').get(row.leaf) as
      | { body: string; data: string | null }
      | undefined;
    if (!body) throw new LedgerError('TAMPER_DETECTED', `journal leaf ${row.leaf} is missing`);
    return { version: row.version, leaf: row.leaf, deleted: row.deleted, body: body.body, data: body.data };
  }
}

/** A SQLite failure as a `LedgerError`: busy, full disk and damage each with their own meaning. */
export function storageError(message: string, cause: unknown): LedgerError {
  if (cause instanceof LedgerError) return cause;
  const text = cause instanceof Error ? cause.message : String(cause);
  if (/locked|busy/i.test(text)) {
    return new LedgerError(
      'UNAVAILABLE',
      `${message}: the file is in use by another ledger (one process owns a SQLite ledger)`,
      {
        cause,
      },
    );
  }
  // SQLITE_FULL (13): the disk or filesystem is full. SQLite rolled the statement back, so
  // nothing was written; the same write succeeds once space is freed.
  const sqliteCode = (cause as { errcode?: unknown } | undefined)?.errcode;
  if ((typeof sqliteCode === 'number' && (sqliteCode & 0xff) === 13) || /disk is full|ENOSPC/i.test(text)) {
    return new LedgerError('UNAVAILABLE', `${message}: the disk is full`, {
      cause,
      retryable: true,
      details: { reason: 'storage-full' },
    });
  }
  // A damaged file is evidence, not an outage: say so.
  const code = /malformed|not a database|corrupt/i.test(text) ? 'TAMPER_DETECTED' : 'UNAVAILABLE';
  return new LedgerError(code, `${message}: ${text}`, { cause });
}
