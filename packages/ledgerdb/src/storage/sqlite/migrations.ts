import { LedgerError } from '@ledgerkit/core';
import type { SqliteConnection } from './connection.js';

const migrations: string[] = [
  `CREATE TABLE ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
   INSERT INTO ledger_meta (key, value) VALUES ('ddl_version', '0'), ('indexed_leaves', '0');
   -- nodes before body: proof reads stay on the row's first page even for large documents
   CREATE TABLE leaves (leaf INTEGER PRIMARY KEY, nodes BLOB NOT NULL, body TEXT NOT NULL);
   CREATE TABLE revisions (
     tbl TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
     leaf INTEGER NOT NULL, seq INTEGER NOT NULL, deleted INTEGER NOT NULL,
     PRIMARY KEY (tbl, id, version)) WITHOUT ROWID;
   CREATE TABLE blocks (seq INTEGER PRIMARY KEY, leaf INTEGER NOT NULL, tx_id TEXT NOT NULL, tx_time TEXT NOT NULL);
   CREATE TABLE user_tables (name TEXT PRIMARY KEY) WITHOUT ROWID;
   CREATE TABLE user_indexes (tbl TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (tbl, path)) WITHOUT ROWID;
   CREATE TABLE index_entries (
     tbl TEXT NOT NULL, path TEXT NOT NULL, value_key TEXT NOT NULL, id TEXT NOT NULL,
     PRIMARY KEY (tbl, path, value_key, id)) WITHOUT ROWID;`,
  // Journal format 2: a revision's data beside its leaf (the leaf holds its hash), so a
  // redaction can remove it. Last column: proof reads never touch it.
  'ALTER TABLE leaves ADD COLUMN data TEXT;',
];

/**
 * Brings the file's tables to this version's schema, in one transaction.
 *
 * @throws `UNSUPPORTED` when the file was written by a newer ledgerdb
 */
export function migrate(connection: SqliteConnection): void {
  const db = connection.database();
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec('CREATE TABLE IF NOT EXISTS ledger_schema (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT max(version) AS version FROM ledger_schema').get() as { version: number | null };
    const current = row.version ?? 0;
    if (current > migrations.length) {
      throw new LedgerError(
        'UNSUPPORTED',
        `ledger storage has schema version ${current}; this ledgerdb knows ${migrations.length}`,
      );
    }
    for (let version = current + 1; version <= migrations.length; version++) {
      db.exec(migrations[version - 1] as string);
      db.prepare('INSERT INTO ledger_schema (version) VALUES (?)').run(version);
    }
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
