import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { LedgerError, type NodeId } from '@ledgerkit/core';
import type {
  AppendBatch,
  BlockRow,
  IndexChange,
  JournalHead,
  LeafRow,
  RevisionRow,
  StorageDriver,
  StorageReader,
  StorageWriter,
  StoredRevision,
  TableSchema,
  VersionState,
} from './driver.js';

/** Options of {@link sqliteStorage}. */
export interface SqliteStorageOptions {
  /** Database file; `:memory:` for a throwaway ledger (not durable, single connection). */
  path: string;
  /** Milliseconds to wait for another process's write lock (default 10,000). */
  busyTimeoutMs?: number;
}

const migrations: string[] = [
  `CREATE TABLE ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
   INSERT INTO ledger_meta (key, value) VALUES ('ddl_version', '0');
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
];

/**
 * The embedded storage driver, on Node's built-in `node:sqlite`. The file is opened in
 * WAL mode with `synchronous=FULL`, so a write resolves only after its WAL frames are
 * fsynced; writes take SQLite's write lock (`BEGIN IMMEDIATE`), so several processes may
 * share one file. Reads use a second connection and see only committed data.
 *
 * @param options - file path and lock timeout
 * @returns a driver for `openLedger({ storage })`
 */
export function sqliteStorage(options: SqliteStorageOptions): StorageDriver {
  return new SqliteStorage(options);
}

class SqliteStorage implements StorageDriver {
  readonly #options: Readonly<SqliteStorageOptions>;
  #writeDb: DatabaseSync | undefined;
  #reader: SqliteReader | undefined;
  #writer: SqliteWriter | undefined;
  #writing = false;

  constructor(options: Readonly<SqliteStorageOptions>) {
    this.#options = options;
  }

  async open(): Promise<void> {
    const { path } = this.#options;
    const timeout = this.#options.busyTimeoutMs ?? 10_000;
    const writeDb = openDatabase(path, timeout);
    try {
      if (path !== ':memory:') writeDb.exec('PRAGMA journal_mode = WAL');
      writeDb.exec('PRAGMA synchronous = FULL');
      migrate(writeDb);
    } catch (error) {
      writeDb.close();
      throw storageError(`cannot open ledger storage ${path}`, error);
    }
    this.#writeDb = writeDb;
    this.#writer = new SqliteWriter(writeDb);
    // An in-memory database exists only on its one connection.
    this.#reader = path === ':memory:' ? this.#writer : new SqliteReader(openDatabase(path, timeout));
  }

  async close(): Promise<void> {
    if (this.#reader && this.#reader !== this.#writer) this.#reader.db.close();
    this.#writeDb?.close();
    this.#writeDb = undefined;
    this.#reader = undefined;
    this.#writer = undefined;
  }

  async write<T>(work: (writer: StorageWriter) => Promise<T>): Promise<T> {
    const db = this.#writeDb;
    const writer = this.#writer;
    if (!db || !writer) throw closedError();
    if (this.#writing) throw new LedgerError('INTERNAL', 'overlapping write transactions on one SQLite connection');
    this.#writing = true;
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      this.#writing = false;
      throw storageError('cannot start a write transaction', error);
    }
    try {
      const result = await work(writer);
      db.exec('COMMIT');
      return result;
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    } finally {
      this.#writing = false;
    }
  }

  #read(): SqliteReader {
    if (!this.#reader) throw closedError();
    return this.#reader;
  }

  head = () => this.#read().head();
  schema = () => this.#read().schema();
  latest = (table: string, id: string) => this.#read().latest(table, id);
  versions = (keys: readonly { table: string; id: string }[]) => this.#read().versions(keys);
  revision = (table: string, id: string, version: number) => this.#read().revision(table, id, version);
  history = (table: string, id?: string) => this.#read().history(table, id);
  scan = (table: string) => this.#read().scan(table);
  lookup = (table: string, path: string, valueKey: string) => this.#read().lookup(table, path, valueKey);
  nodes = (ids: readonly NodeId[]) => this.#read().nodes(ids);
  leaves = (from: number, to: number) => this.#read().leaves(from, to);
  blocks = (after: number, limit: number) => this.#read().blocks(after, limit);
  counts = () => this.#read().counts();
  meta = (key: string) => this.#read().meta(key);
  revisionRow = (table: string, id: string, version: number) => this.#read().revisionRow(table, id, version);
}

function openDatabase(path: string, timeout: number): DatabaseSync {
  try {
    return new DatabaseSync(path, { timeout });
  } catch (error) {
    throw storageError(`cannot open ledger storage ${path}`, error);
  }
}

function migrate(db: DatabaseSync): void {
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

function storageError(message: string, cause: unknown): LedgerError {
  if (cause instanceof LedgerError) return cause;
  const text = cause instanceof Error ? cause.message : String(cause);
  // A damaged file is evidence, not an outage: say so.
  const code = /malformed|not a database|corrupt/i.test(text) ? 'TAMPER_DETECTED' : 'UNAVAILABLE';
  return new LedgerError(code, `${message}: ${text}`, { cause });
}

function closedError(): LedgerError {
  return new LedgerError('UNAVAILABLE', 'the ledger storage is closed');
}

const versionKey = (table: string, id: string) => `${table}\u0000${id}`;

interface RevisionRecord {
  version: number;
  leaf: number;
  deleted: number;
  body: string;
}

const toStored = (row: RevisionRecord): StoredRevision => ({
  version: row.version,
  leaf: row.leaf,
  deleted: row.deleted === 1,
  body: row.body,
});

class SqliteReader implements StorageReader {
  readonly db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  protected statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  protected run<T>(what: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw storageError(what, error);
    }
  }

  async head(): Promise<JournalHead> {
    return this.run('cannot read the journal head', () => {
      const leaves = this.statement('SELECT max(leaf) AS leaf FROM leaves').get() as { leaf: number | null };
      const block = this.statement('SELECT seq, leaf FROM blocks ORDER BY seq DESC LIMIT 1').get() as
        | { seq: number; leaf: number }
        | undefined;
      const ddl = this.statement("SELECT value FROM ledger_meta WHERE key = 'ddl_version'").get() as { value: string };
      return {
        treeSize: leaves.leaf === null ? 0 : leaves.leaf + 1,
        lastSeq: block?.seq ?? -1,
        lastBlockLeaf: block?.leaf ?? -1,
        schemaVersion: Number(ddl.value),
      };
    });
  }

  async schema(): Promise<TableSchema[]> {
    return this.run('cannot read the table list', () => {
      const tables = this.statement('SELECT name FROM user_tables ORDER BY name').all() as { name: string }[];
      const indexes = this.statement('SELECT tbl, path FROM user_indexes ORDER BY tbl, path').all() as {
        tbl: string;
        path: string;
      }[];
      return tables.map(({ name }) => ({
        name,
        indexes: indexes.filter((index) => index.tbl === name).map((index) => index.path),
      }));
    });
  }

  async latest(table: string, id: string): Promise<StoredRevision | undefined> {
    return this.run('cannot read a document', () => {
      const row = this.statement(
        `SELECT r.version, r.leaf, r.deleted, l.body FROM revisions r JOIN leaves l ON l.leaf = r.leaf
         WHERE r.tbl = ? AND r.id = ? ORDER BY r.version DESC LIMIT 1`,
      ).get(table, id) as RevisionRecord | undefined;
      return row && toStored(row);
    });
  }

  async versions(keys: readonly { table: string; id: string }[]): Promise<Map<string, VersionState>> {
    return this.run('cannot read document versions', () => {
      const statement = this.statement(
        'SELECT version, deleted FROM revisions WHERE tbl = ? AND id = ? ORDER BY version DESC LIMIT 1',
      );
      const out = new Map<string, VersionState>();
      for (const { table, id } of keys) {
        const key = versionKey(table, id);
        if (out.has(key)) continue;
        const row = statement.get(table, id) as { version: number; deleted: number } | undefined;
        if (row) out.set(key, { version: row.version, deleted: row.deleted === 1 });
      }
      return out;
    });
  }

  async revision(table: string, id: string, version: number): Promise<StoredRevision | undefined> {
    return this.run('cannot read a revision', () => {
      const row = this.statement(
        `SELECT r.version, r.leaf, r.deleted, l.body FROM revisions r JOIN leaves l ON l.leaf = r.leaf
         WHERE r.tbl = ? AND r.id = ? AND r.version = ?`,
      ).get(table, id, version) as RevisionRecord | undefined;
      return row && toStored(row);
    });
  }

  async history(table: string, id?: string): Promise<StoredRevision[]> {
    return this.run('cannot read history', () => {
      const rows = (id === undefined
        ? this.statement(
            `SELECT r.version, r.leaf, r.deleted, l.body FROM revisions r JOIN leaves l ON l.leaf = r.leaf
               WHERE r.tbl = ? ORDER BY r.leaf`,
          ).all(table)
        : this.statement(
            `SELECT r.version, r.leaf, r.deleted, l.body FROM revisions r JOIN leaves l ON l.leaf = r.leaf
               WHERE r.tbl = ? AND r.id = ? ORDER BY r.version`,
          ).all(table, id)) as unknown as RevisionRecord[];
      return rows.map(toStored);
    });
  }

  async scan(table: string): Promise<(StoredRevision & { id: string })[]> {
    return this.run('cannot scan a table', () => {
      const rows = this.statement(
        `SELECT r.id, r.version, r.leaf, r.deleted, l.body
         FROM (SELECT id, max(version) AS version FROM revisions WHERE tbl = ? GROUP BY id) latest
         JOIN revisions r ON r.tbl = ? AND r.id = latest.id AND r.version = latest.version
         JOIN leaves l ON l.leaf = r.leaf ORDER BY r.id`,
      ).all(table, table) as unknown as (RevisionRecord & { id: string })[];
      return rows.map((row) => ({ id: row.id, ...toStored(row) }));
    });
  }

  async lookup(table: string, path: string, valueKey: string): Promise<string[]> {
    return this.run('cannot read an index', () => {
      const rows = this.statement(
        'SELECT id FROM index_entries WHERE tbl = ? AND path = ? AND value_key = ? ORDER BY id',
      ).all(table, path, valueKey) as { id: string }[];
      return rows.map((row) => row.id);
    });
  }

  async nodes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    return this.run('cannot read Merkle nodes', () => {
      // Node (level, index) is stored with the leaf that completed it.
      const leafOf = (node: NodeId) => (node.index + 1) * 2 ** node.level - 1;
      const wanted = [...new Set(ids.map(leafOf))];
      const rows = this.statement('SELECT leaf, nodes FROM leaves WHERE leaf IN (SELECT value FROM json_each(?))').all(
        JSON.stringify(wanted),
      ) as { leaf: number; nodes: Uint8Array }[];
      const byLeaf = new Map(rows.map((row) => [row.leaf, row.nodes]));
      return ids.map((node) => {
        const blob = byLeaf.get(leafOf(node));
        const start = node.level * 32;
        if (!blob || blob.length < start + 32) {
          throw new LedgerError(
            'TAMPER_DETECTED',
            `Merkle node (${node.level}, ${node.index}) is missing from storage`,
            {
              details: { ...node },
            },
          );
        }
        return blob.subarray(start, start + 32);
      });
    });
  }

  async leaves(from: number, to: number): Promise<LeafRow[]> {
    return this.run('cannot read journal leaves', () => {
      return this.statement('SELECT leaf, nodes, body FROM leaves WHERE leaf >= ? AND leaf < ? ORDER BY leaf').all(
        from,
        to,
      ) as unknown as LeafRow[];
    });
  }

  async blocks(after: number, limit: number): Promise<BlockRow[]> {
    return this.run('cannot read blocks', () => {
      const rows = this.statement(
        'SELECT seq, leaf, tx_id AS txId, tx_time AS txTime FROM blocks WHERE seq > ? ORDER BY seq LIMIT ?',
      ).all(after, limit) as unknown as BlockRow[];
      return rows;
    });
  }

  async counts(): Promise<{ revisions: number; blocks: number; leaves: number }> {
    return this.run('cannot count rows', () => {
      const count = (table: string) => (this.statement(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      return { revisions: count('revisions'), blocks: count('blocks'), leaves: count('leaves') };
    });
  }

  async meta(key: string): Promise<string | undefined> {
    return this.run('cannot read ledger settings', () => {
      const row = this.statement('SELECT value FROM ledger_meta WHERE key = ?').get(key) as { value: string } | undefined;
      return row?.value;
    });
  }

  async revisionRow(table: string, id: string, version: number): Promise<RevisionRow | undefined> {
    return this.run('cannot read a revision row', () => {
      const row = this.statement(
        'SELECT tbl AS "table", id, version, leaf, seq, deleted FROM revisions WHERE tbl = ? AND id = ? AND version = ?',
      ).get(table, id, version) as (Omit<RevisionRow, 'deleted'> & { deleted: number }) | undefined;
      return row && { ...row, deleted: row.deleted === 1 };
    });
  }
}

class SqliteWriter extends SqliteReader implements StorageWriter {
  async append(batch: AppendBatch): Promise<void> {
    this.run('cannot append to the journal', () => {
      const leaf = this.statement('INSERT INTO leaves (leaf, nodes, body) VALUES (?, ?, ?)');
      for (const row of batch.leaves) leaf.run(row.leaf, row.nodes, row.body);
      const revision = this.statement(
        'INSERT INTO revisions (tbl, id, version, leaf, seq, deleted) VALUES (?, ?, ?, ?, ?, ?)',
      );
      for (const row of batch.revisions) {
        revision.run(row.table, row.id, row.version, row.leaf, row.seq, row.deleted ? 1 : 0);
      }
      const block = this.statement('INSERT INTO blocks (seq, leaf, tx_id, tx_time) VALUES (?, ?, ?, ?)');
      for (const row of batch.blocks) block.run(row.seq, row.leaf, row.txId, row.txTime);
      this.#applyIndex(batch.index);
    });
  }

  #applyIndex(changes: readonly IndexChange[]): void {
    if (changes.length === 0) return;
    const add = this.statement('INSERT OR IGNORE INTO index_entries (tbl, path, value_key, id) VALUES (?, ?, ?, ?)');
    const remove = this.statement('DELETE FROM index_entries WHERE tbl = ? AND path = ? AND value_key = ? AND id = ?');
    for (const change of changes)
      (change.add ? add : remove).run(change.table, change.path, change.valueKey, change.id);
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.run('cannot write ledger settings', () => {
      this.statement('INSERT INTO ledger_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
    });
  }

  async createTable(name: string): Promise<void> {
    this.run('cannot create a table', () => {
      this.statement('INSERT INTO user_tables (name) VALUES (?)').run(name);
      this.#bumpDdl();
    });
  }

  async createIndex(table: string, path: string, entries: readonly IndexChange[]): Promise<void> {
    this.run('cannot create an index', () => {
      this.statement('INSERT INTO user_indexes (tbl, path) VALUES (?, ?)').run(table, path);
      this.#applyIndex(entries);
      this.#bumpDdl();
    });
  }

  #bumpDdl(): void {
    this.statement("UPDATE ledger_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'ddl_version'").run();
  }
}
