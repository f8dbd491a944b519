import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { LedgerError, type NodeId } from '@ledgerkit/core';
import { pushIndexChanges } from '../engine/journal-encoder.js';
import { isDeleteRevision, storedRevisionBody } from '../internal/revision-format.js';
import type { BlockBody, RevisionBody } from '../types.js';
import type {
  AppendBatch,
  BlockRow,
  ImmediateWriter,
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
  /** Database file; `:memory:` for a throwaway ledger. */
  path: string;
  /** Milliseconds to wait when another process holds the file (default 2,000). */
  busyTimeoutMs?: number;
  /** How long derived index rows may stay in memory before they are written (default 50 ms). */
  indexDelayMs?: number;
}

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
 * The embedded storage driver, on Node's built-in `node:sqlite`.
 *
 * Durability: the file is in WAL mode with `synchronous=FULL`; a commit resolves only
 * after its journal leaves are fsynced. Only the leaves — the exact bytes hashed into
 * the Merkle tree, from which everything else derives — are written at commit. The
 * derived indexes (revisions by document, blocks by sequence, equality indexes) are kept
 * in memory and written in batches a few milliseconds later, so a commit touches one or
 * two pages instead of four; after a crash they are rebuilt from the leaves on open.
 *
 * One process owns the file (SQLite's exclusive locking mode): a second opener fails
 * with `UNAVAILABLE`. Use the `postgres` driver for several processes.
 *
 * @param options - file path and timing
 * @returns a driver for `openLedger({ storage })`
 */
export function sqliteStorage(options: SqliteStorageOptions): StorageDriver {
  return new SqliteStorage(options);
}

const key = (table: string, id: string) => `${table}\u0000${id}`;
/** Rows a multi-row INSERT carries: per-statement costs dominate for small rows. */
const leavesPerStatement = 64;
const revisionsPerStatement = 64;
/** `INSERT INTO leaves` of exactly n rows, for n = 1..leavesPerStatement. */
const insertLeaves = Array.from({ length: leavesPerStatement + 1 }, (_, n) =>
  n === 0 ? '' : `INSERT INTO leaves (leaf, nodes, body, data) VALUES ${Array(n).fill('(?, ?, ?, ?)').join(', ')}`,
);
const indexKey = (table: string, path: string, valueKey: string) => `${table}\u0000${path}\u0000${valueKey}`;

/** Derived rows committed to the journal but not yet written to their index tables. */
class PendingIndexes {
  /** Every pending revision row, in journal order. */
  readonly rows: RevisionRow[] = [];
  readonly blocks: BlockRow[] = [];
  /** Index changes per (table, path, value), in order: id -> present. */
  readonly entries = new Map<string, Map<string, boolean>>();
  readonly changes: IndexChange[] = [];
  readonly #byDocument = new Map<string, RevisionRow[]>();
  /** How many of `rows` are in `#byDocument`: it is built only when a read needs it. */
  #indexed = 0;

  get size(): number {
    return this.rows.length + this.blocks.length + this.changes.length;
  }

  get revisionCount(): number {
    return this.rows.length;
  }

  /** Revision rows per document, in version order. */
  get revisions(): ReadonlyMap<string, readonly RevisionRow[]> {
    for (; this.#indexed < this.rows.length; this.#indexed++) {
      const row = this.rows[this.#indexed] as RevisionRow;
      const rowKey = key(row.table, row.id);
      const rows = this.#byDocument.get(rowKey);
      if (rows) rows.push(row);
      else this.#byDocument.set(rowKey, [row]);
    }
    return this.#byDocument;
  }

  add(batch: Pick<AppendBatch, 'revisions' | 'blocks' | 'index'>): void {
    for (const row of batch.revisions) this.rows.push(row);
    for (const block of batch.blocks) this.blocks.push(block);
    for (const change of batch.index) {
      const entryKey = indexKey(change.table, change.path, change.valueKey);
      let ids = this.entries.get(entryKey);
      if (!ids) {
        ids = new Map();
        this.entries.set(entryKey, ids);
      }
      ids.set(change.id, change.add);
      this.changes.push(change);
    }
  }

  latest(table: string, id: string): RevisionRow | undefined {
    if (this.rows.length === 0) return undefined;
    const rows = this.revisions.get(key(table, id));
    return rows?.[rows.length - 1];
  }

  clear(): void {
    this.rows.length = 0;
    this.#byDocument.clear();
    this.#indexed = 0;
    this.blocks.length = 0;
    this.entries.clear();
    this.changes.length = 0;
  }
}

interface RevisionRecord {
  version: number;
  leaf: number;
  deleted: number;
  body: string;
  data: string | null;
}

const toStored = (row: RevisionRecord): StoredRevision => ({
  version: row.version,
  leaf: row.leaf,
  deleted: row.deleted === 1,
  body: row.body,
  data: row.data,
});

class SqliteStorage implements StorageDriver {
  readonly #options: Readonly<SqliteStorageOptions>;
  readonly #statements = new Map<string, StatementSync>();
  readonly #pending = new PendingIndexes();
  #db: DatabaseSync | undefined;
  #head: JournalHead = { treeSize: 0, lastSeq: -1, lastBlockLeaf: -1, schemaVersion: 0 };
  #writing: Promise<void> | undefined;
  #flushTimer: NodeJS.Timeout | undefined;
  readonly #writer: StorageWriter;

  constructor(options: Readonly<SqliteStorageOptions>) {
    this.#options = options;
    // Inside write(): the same reads without waiting for the write in progress.
    const unguarded = (name: keyof StorageReader) => this.#reader[name] as (...a: never[]) => unknown;
    this.#writer = {
      ...(Object.fromEntries(
        (
          [
            'head',
            'schema',
            'latest',
            'versions',
            'revision',
            'history',
            'scan',
            'lookup',
            'nodes',
            'leaves',
            'blocks',
            'counts',
            'meta',
            'revisionRow',
          ] as const
        ).map((name) => {
          const read = unguarded(name);
          return [name, async (...args: never[]) => read(...args)];
        }),
      ) as unknown as StorageReader),
      append: async (batch) => this.#append(batch),
      setMeta: async (name, value) => {
        this.#begin();
        this.#setMeta(name, value);
      },
      createTable: async (name) => {
        this.#begin();
        this.#createTable(name);
      },
      createIndex: async (table, path, entries) => {
        this.#begin();
        this.#createIndex(table, path, entries);
      },
    };
  }

  async open(): Promise<void> {
    const { path } = this.#options;
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path, { timeout: this.#options.busyTimeoutMs ?? 2_000 });
    } catch (error) {
      throw storageError(`cannot open ledger storage ${path}`, error);
    }
    try {
      db.exec('PRAGMA locking_mode = EXCLUSIVE');
      if (path !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = FULL');
      // Proofs read random leaves of a large file: map it, and keep a larger page cache.
      db.exec('PRAGMA mmap_size = 4294967296');
      db.exec('PRAGMA cache_size = -131072');
      this.#db = db;
      this.#migrate();
      this.#recover();
      this.#head = this.#readHead();
    } catch (error) {
      this.#db = undefined;
      db.close();
      throw storageError(`cannot open ledger storage ${path}`, error);
    }
  }

  async close(): Promise<void> {
    if (!this.#db) return;
    await this.#writing;
    this.#flush();
    this.#db.close();
    this.#db = undefined;
    this.#statements.clear();
  }

  async write<T>(work: (writer: StorageWriter) => Promise<T>): Promise<T> {
    this.#database();
    while (this.#writing) await this.#writing;
    let release!: () => void;
    this.#writing = new Promise((resolve) => {
      release = resolve;
    });
    const head = this.#startWrite();
    try {
      const result = await work(this.#writer);
      this.#finishWrite();
      return result;
    } catch (error) {
      throw this.#abortWrite(head, error);
    } finally {
      this.#endWrite();
      this.#writing = undefined;
      release();
    }
  }

  writeNow<T>(work: (writer: ImmediateWriter) => T): { value: T } | undefined {
    this.#database();
    // Synchronous from here to the end: nothing else can start a write or read meanwhile.
    if (this.#writing) return undefined;
    const head = this.#startWrite();
    try {
      const value = work(this.#immediateWriter);
      this.#finishWrite();
      return { value };
    } catch (error) {
      throw this.#abortWrite(head, error);
    } finally {
      this.#endWrite();
    }
  }

  readonly #immediateWriter: ImmediateWriter = {
    head: () => this.#head,
    versions: (keys) => this.#reader.versions(keys),
    append: (batch) => this.#append(batch),
  };

  /** Begins a write (the caller holds the write slot); returns the head to restore on failure. */
  #startWrite(): JournalHead {
    this.#staged = [];
    return this.#head;
  }

  /** Forgets the write's held-back rows, whether it committed or not. */
  #endWrite(): void {
    this.#staged = undefined;
    this.#deferred = undefined;
  }

  /** Commits the current write; on failure the caller aborts it. */
  #finishWrite(): void {
    const db = this.#database();
    const deferred = this.#deferred as AppendBatch | undefined;
    if (db.isTransaction) {
      this.#statement('COMMIT').run();
    } else if (deferred) {
      // The whole write is one append. Reads needed no SQLite transaction (this process
      // owns the file and writes one at a time): when the append is a single statement,
      // SQLite's own autocommit makes it atomic and durable, and the commit saves a
      // BEGIN and a COMMIT statement.
      this.#deferred = undefined;
      if (deferred.leaves.length > leavesPerStatement) this.#statement('BEGIN IMMEDIATE').run();
      this.#insertLeaves(deferred);
      if (db.isTransaction) this.#statement('COMMIT').run();
    }
    for (const batch of this.#staged ?? []) this.#pending.add(batch);
    this.#scheduleFlush();
    this.#checkpointAfterRedaction();
  }

  /** Undoes the current write; returns the error to throw. */
  #abortWrite(head: JournalHead, error: unknown): LedgerError {
    const db = this.#database();
    if (db.isTransaction) db.exec('ROLLBACK');
    this.#redacted = false;
    this.#head = head;
    return storageError('the write failed; nothing was committed', error);
  }

  #staged: AppendBatch[] | undefined;
  /** The first append of a write, held back until it is known whether others follow. */
  #deferred: AppendBatch | undefined;

  /** Opens the SQLite transaction of the current write, with any append held back. */
  #begin(): void {
    const db = this.#database();
    if (db.isTransaction) return;
    this.#statement('BEGIN IMMEDIATE').run();
    const deferred = this.#deferred;
    this.#deferred = undefined;
    if (deferred) this.#insertLeaves(deferred);
  }

  // ---- reads: every one waits for a write in progress, so none sees uncommitted rows

  async #guard(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  #guarded<Args extends unknown[], Result>(read: (...args: Args) => Result): (...args: Args) => Promise<Result> {
    return async (...args) => {
      await this.#guard();
      return read(...args);
    };
  }

  head = this.#guarded(() => this.#reader.head());
  schema = this.#guarded(() => this.#reader.schema());
  latest = this.#guarded((table: string, id: string) => this.#reader.latest(table, id));
  versions = this.#guarded((keys: readonly { table: string; id: string }[]) => this.#reader.versions(keys));
  revision = this.#guarded((table: string, id: string, version: number) => this.#reader.revision(table, id, version));
  history = this.#guarded((table: string, id?: string) => this.#reader.history(table, id));
  scan = this.#guarded((table: string) => this.#reader.scan(table));
  lookup = this.#guarded((table: string, path: string, valueKey: string) => this.#reader.lookup(table, path, valueKey));
  nodes = this.#guarded((ids: readonly NodeId[]) => this.#reader.nodes(ids));
  leaves = this.#guarded((from: number, to: number) => this.#reader.leaves(from, to));
  blocks = this.#guarded((after: number, limit: number) => this.#reader.blocks(after, limit));
  counts = this.#guarded(() => this.#reader.counts());
  meta = this.#guarded((name: string) => this.#reader.meta(name));
  revisionRow = this.#guarded((table: string, id: string, version: number) =>
    this.#reader.revisionRow(table, id, version),
  );

  /** Synchronous reads that see committed rows plus the pending derived rows. */
  readonly #reader = {
    head: (): JournalHead => ({ ...this.#head }),

    schema: (): TableSchema[] =>
      this.#run('cannot read the table list', () => {
        const tables = this.#statement('SELECT name FROM user_tables ORDER BY name').all() as { name: string }[];
        const indexes = this.#statement('SELECT tbl, path FROM user_indexes ORDER BY tbl, path').all() as {
          tbl: string;
          path: string;
        }[];
        return tables.map(({ name }) => ({
          name,
          indexes: indexes.filter((index) => index.tbl === name).map((index) => index.path),
        }));
      }),

    latest: (table: string, id: string): StoredRevision | undefined =>
      this.#run('cannot read a document', () => {
        const pending = this.#pending.latest(table, id);
        if (pending) return this.#storedFromRow(pending);
        const row = this.#statement(
          `SELECT r.version, r.leaf, r.deleted, l.body, l.data FROM revisions r JOIN leaves l ON l.leaf = r.leaf
           WHERE r.tbl = ? AND r.id = ? ORDER BY r.version DESC LIMIT 1`,
        ).get(table, id) as RevisionRecord | undefined;
        return row && toStored(row);
      }),

    versions: (keys: readonly { table: string; id: string }[]): Map<string, VersionState> =>
      this.#run('cannot read document versions', () => {
        const statement = this.#statement(
          'SELECT version, deleted FROM revisions WHERE tbl = ? AND id = ? ORDER BY version DESC LIMIT 1',
        );
        const out = new Map<string, VersionState>();
        for (const { table, id } of keys) {
          const name = key(table, id);
          if (out.has(name)) continue;
          const pending = this.#pending.latest(table, id);
          if (pending) {
            out.set(name, { version: pending.version, deleted: pending.deleted });
            continue;
          }
          const row = statement.get(table, id) as { version: number; deleted: number } | undefined;
          if (row) out.set(name, { version: row.version, deleted: row.deleted === 1 });
        }
        return out;
      }),

    revision: (table: string, id: string, version: number): StoredRevision | undefined =>
      this.#run('cannot read a revision', () => {
        const pending = this.#pending.revisions.get(key(table, id))?.find((row) => row.version === version);
        if (pending) return this.#storedFromRow(pending);
        const row = this.#statement(
          `SELECT r.version, r.leaf, r.deleted, l.body, l.data FROM revisions r JOIN leaves l ON l.leaf = r.leaf
           WHERE r.tbl = ? AND r.id = ? AND r.version = ?`,
        ).get(table, id, version) as RevisionRecord | undefined;
        return row && toStored(row);
      }),

    history: (table: string, id?: string): StoredRevision[] =>
      this.#run('cannot read history', () => {
        const stored = (id === undefined
          ? this.#statement(
              `SELECT r.version, r.leaf, r.deleted, l.body, l.data FROM revisions r JOIN leaves l ON l.leaf = r.leaf
                 WHERE r.tbl = ? ORDER BY r.leaf`,
            ).all(table)
          : this.#statement(
              `SELECT r.version, r.leaf, r.deleted, l.body, l.data FROM revisions r JOIN leaves l ON l.leaf = r.leaf
                 WHERE r.tbl = ? AND r.id = ? ORDER BY r.version`,
            ).all(table, id)) as unknown as RevisionRecord[];
        const pending: RevisionRow[] = [];
        if (id === undefined) {
          for (const rows of this.#pending.revisions.values()) {
            if (rows[0]?.table === table) pending.push(...rows);
          }
        } else {
          pending.push(...(this.#pending.revisions.get(key(table, id)) ?? []));
        }
        const all = [...stored.map(toStored), ...pending.map((row) => this.#storedFromRow(row))];
        return all.sort((a, b) => a.leaf - b.leaf);
      }),

    scan: (table: string): (StoredRevision & { id: string })[] =>
      this.#run('cannot scan a table', () => {
        const rows = this.#statement(
          `SELECT r.id, r.version, r.leaf, r.deleted, l.body, l.data
           FROM (SELECT id, max(version) AS version FROM revisions WHERE tbl = ? GROUP BY id) latest
           JOIN revisions r ON r.tbl = ? AND r.id = latest.id AND r.version = latest.version
           JOIN leaves l ON l.leaf = r.leaf`,
        ).all(table, table) as unknown as (RevisionRecord & { id: string })[];
        const byId = new Map(rows.map((row) => [row.id, { id: row.id, ...toStored(row) }]));
        for (const revisions of this.#pending.revisions.values()) {
          const last = revisions[revisions.length - 1];
          if (last?.table === table) byId.set(last.id, { id: last.id, ...this.#storedFromRow(last) });
        }
        return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      }),

    lookup: (table: string, path: string, valueKey: string): string[] =>
      this.#run('cannot read an index', () => {
        const rows = this.#statement('SELECT id FROM index_entries WHERE tbl = ? AND path = ? AND value_key = ?').all(
          table,
          path,
          valueKey,
        ) as { id: string }[];
        const ids = new Set(rows.map((row) => row.id));
        for (const [id, present] of this.#pending.entries.get(indexKey(table, path, valueKey)) ?? []) {
          if (present) ids.add(id);
          else ids.delete(id);
        }
        return [...ids].sort();
      }),

    nodes: (ids: readonly NodeId[]): Uint8Array[] =>
      this.#run('cannot read Merkle nodes', () => {
        // Node (level, index) is stored with the leaf that completed it.
        const leafOf = (node: NodeId) => (node.index + 1) * 2 ** node.level - 1;
        const wanted = [...new Set(ids.map(leafOf))];
        // A fixed 8-way IN list: one prepared statement, padded with -1 (no such leaf).
        const statement = this.#statement(`SELECT leaf, nodes FROM leaves WHERE leaf IN (${'?,'.repeat(7)}?)`);
        const byLeaf = new Map<number, Uint8Array>();
        for (let start = 0; start < wanted.length; start += 8) {
          const chunk = wanted.slice(start, start + 8);
          while (chunk.length < 8) chunk.push(-1);
          for (const row of statement.all(...chunk) as { leaf: number; nodes: Uint8Array }[]) {
            byLeaf.set(row.leaf, row.nodes);
          }
        }
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
      }),

    leaves: (from: number, to: number): LeafRow[] =>
      this.#run(
        'cannot read journal leaves',
        () =>
          this.#statement('SELECT leaf, nodes, body, data FROM leaves WHERE leaf >= ? AND leaf < ? ORDER BY leaf').all(
            from,
            to,
          ) as unknown as LeafRow[],
      ),

    blocks: (after: number, limit: number): BlockRow[] =>
      this.#run('cannot read blocks', () => {
        const stored = this.#statement(
          'SELECT seq, leaf, tx_id AS txId, tx_time AS txTime FROM blocks WHERE seq > ? ORDER BY seq LIMIT ?',
        ).all(after, limit) as unknown as BlockRow[];
        const pending = this.#pending.blocks.filter((block) => block.seq > after);
        return [...stored, ...pending].slice(0, limit);
      }),

    counts: (): { revisions: number; blocks: number; leaves: number } =>
      this.#run('cannot count rows', () => {
        const count = (table: string) =>
          (this.#statement(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
        return {
          revisions: count('revisions') + this.#pending.revisionCount,
          blocks: count('blocks') + this.#pending.blocks.length,
          leaves: count('leaves'),
        };
      }),

    meta: (name: string): string | undefined =>
      this.#run('cannot read ledger settings', () => {
        const row = this.#statement('SELECT value FROM ledger_meta WHERE key = ?').get(name) as
          | { value: string }
          | undefined;
        return row?.value;
      }),

    revisionRow: (table: string, id: string, version: number): RevisionRow | undefined =>
      this.#run('cannot read a revision row', () => {
        const pending = this.#pending.revisions.get(key(table, id))?.find((row) => row.version === version);
        if (pending) return { ...pending };
        const row = this.#statement(
          'SELECT tbl AS "table", id, version, leaf, seq, deleted FROM revisions WHERE tbl = ? AND id = ? AND version = ?',
        ).get(table, id, version) as (Omit<RevisionRow, 'deleted'> & { deleted: number }) | undefined;
        return row && { ...row, deleted: row.deleted === 1 };
      }),
  };

  // ---- writes -------------------------------------------------------------------

  #append(batch: AppendBatch): void {
    const redactions = batch.redactions ?? [];
    if (this.#deferred === undefined && !this.#database().isTransaction && redactions.length === 0) {
      this.#deferred = batch;
    } else {
      this.#begin();
      this.#insertLeaves(batch);
      if (redactions.length > 0) this.#redact(redactions);
    }
    // Derived rows become visible only once the leaves are committed.
    this.#staged?.push(batch);
    const lastBlock = batch.blocks[batch.blocks.length - 1];
    const lastLeaf = batch.leaves[batch.leaves.length - 1];
    this.#head = {
      ...this.#head,
      treeSize: lastLeaf ? lastLeaf.leaf + 1 : this.#head.treeSize,
      lastSeq: lastBlock?.seq ?? this.#head.lastSeq,
      lastBlockLeaf: lastBlock?.leaf ?? this.#head.lastBlockLeaf,
    };
  }

  #insertLeaves(batch: AppendBatch): void {
    this.#run('cannot append to the journal', () => {
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
        this.#statement(insertLeaves[count] as string).run(...values);
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
    this.#run('cannot redact revision data', () => {
      const db = this.#database();
      db.exec('PRAGMA secure_delete = ON');
      try {
        const statement = this.#statement('UPDATE leaves SET data = NULL WHERE leaf = ? AND data IS NOT NULL');
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

  /** Set by a write that redacted: its commit is followed by a WAL checkpoint. */
  #redacted = false;

  #checkpointAfterRedaction(): void {
    if (!this.#redacted) return;
    this.#redacted = false;
    if (this.#options.path === ':memory:') return;
    try {
      this.#database().exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } catch {
      // Best effort: the next checkpoint (at the latest on close) overwrites the pages.
    }
  }

  #setMeta(name: string, value: string): void {
    this.#run('cannot write ledger settings', () => {
      this.#statement(
        'INSERT INTO ledger_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ).run(name, value);
    });
  }

  #createTable(name: string): void {
    this.#run('cannot create a table', () => {
      this.#statement('INSERT INTO user_tables (name) VALUES (?)').run(name);
      this.#bumpDdl();
    });
  }

  #createIndex(table: string, path: string, entries: readonly IndexChange[]): void {
    this.#run('cannot create an index', () => {
      this.#statement('INSERT INTO user_indexes (tbl, path) VALUES (?, ?)').run(table, path);
      // The entries were computed from documents including pending ones: write the
      // pending rows first so the index starts complete.
      this.#writeIndexRows(this.#pending);
      this.#pending.clear();
      this.#writeIndexChanges(entries);
      this.#bumpDdl();
    });
  }

  #bumpDdl(): void {
    this.#statement("UPDATE ledger_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'ddl_version'").run();
    this.#head = { ...this.#head, schemaVersion: this.#head.schemaVersion + 1 };
  }

  #scheduleFlush(): void {
    if (this.#pending.size >= 50_000) {
      this.#flush();
      return;
    }
    if (this.#flushTimer || this.#pending.size === 0) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      if (this.#writing) {
        this.#scheduleFlush();
        return;
      }
      try {
        this.#flush();
      } catch {
        // Rows stay pending and are retried; after a crash, open() rebuilds them.
        this.#scheduleFlush();
      }
    }, this.#options.indexDelayMs ?? 50);
    this.#flushTimer.unref();
  }

  /** Writes the pending derived rows and records how far the indexes reach. */
  #flush(): void {
    if (this.#flushTimer) {
      clearTimeout(this.#flushTimer);
      this.#flushTimer = undefined;
    }
    const db = this.#db;
    if (!db || this.#pending.size === 0) return;
    // Derived rows need no fsync of their own: if a crash loses them, `indexed_leaves`
    // is lost with them and open() rebuilds them from the leaves; and the next journal
    // commit's fsync of the write-ahead log covers these frames, which precede it.
    const durable = this.#options.path !== ':memory:';
    if (durable) db.exec('PRAGMA synchronous = NORMAL');
    try {
      db.exec('BEGIN IMMEDIATE');
      try {
        this.#writeIndexRows(this.#pending);
        this.#setMeta('indexed_leaves', String(this.#head.treeSize));
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw storageError('cannot write derived indexes', error);
      }
    } finally {
      if (durable) db.exec('PRAGMA synchronous = FULL');
    }
    this.#pending.clear();
  }

  #writeIndexRows(pending: PendingIndexes): void {
    const columns = 'INSERT OR REPLACE INTO revisions (tbl, id, version, leaf, seq, deleted) VALUES ';
    const many = this.#statement(
      `${columns}${'(?, ?, ?, ?, ?, ?), '.repeat(revisionsPerStatement - 1)}(?, ?, ?, ?, ?, ?)`,
    );
    const one = this.#statement(`${columns}(?, ?, ?, ?, ?, ?)`);
    let values: (string | number)[] = [];
    for (const row of pending.rows) {
      values.push(row.table, row.id, row.version, row.leaf, row.seq, row.deleted ? 1 : 0);
      if (values.length === revisionsPerStatement * 6) {
        many.run(...values);
        values = [];
      }
    }
    for (let i = 0; i < values.length; i += 6) one.run(...values.slice(i, i + 6));
    const block = this.#statement('INSERT OR REPLACE INTO blocks (seq, leaf, tx_id, tx_time) VALUES (?, ?, ?, ?)');
    for (const row of pending.blocks) block.run(row.seq, row.leaf, row.txId, row.txTime);
    this.#writeIndexChanges(pending.changes);
  }

  #writeIndexChanges(changes: readonly IndexChange[]): void {
    if (changes.length === 0) return;
    const add = this.#statement('INSERT OR IGNORE INTO index_entries (tbl, path, value_key, id) VALUES (?, ?, ?, ?)');
    const remove = this.#statement('DELETE FROM index_entries WHERE tbl = ? AND path = ? AND value_key = ? AND id = ?');
    for (const change of changes)
      (change.add ? add : remove).run(change.table, change.path, change.valueKey, change.id);
  }

  // ---- opening --------------------------------------------------------------------

  #migrate(): void {
    const db = this.#database();
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

  /**
   * Rebuilds the derived rows of leaves committed after the last index write (a crash
   * between the two). Everything is recomputed from the leaf bodies.
   */
  #recover(): void {
    const indexed = Number(this.#reader.meta('indexed_leaves') ?? '0');
    const leaves = this.#reader.leaves(indexed, Number.MAX_SAFE_INTEGER);
    if (leaves.length === 0) return;
    const schema = new Map(this.#reader.schema().map((table) => [table.name, table.indexes]));
    const derived = new PendingIndexes();
    let seq = -1;
    let revisions: { row: RevisionRow; body: RevisionBody }[] = [];
    for (const leaf of leaves) {
      const parsed = JSON.parse(leaf.body) as RevisionBody | BlockBody;
      const body = 'blockAddress' in parsed ? storedRevisionBody(leaf.body, leaf.data) : parsed;
      if ('blockAddress' in body) {
        const { table, id, version } = body.metadata;
        seq = body.blockAddress.seq;
        revisions.push({
          row: { table, id, version, leaf: leaf.leaf, seq, deleted: isDeleteRevision(body) },
          body,
        });
        continue;
      }
      const index: IndexChange[] = [];
      for (const { row, body: revision } of revisions) {
        const previous = row.version === 0 ? undefined : this.#previousData(derived, row);
        pushIndexChanges(index, row.table, row.id, schema.get(row.table) ?? [], previous, revision.data);
      }
      derived.add({
        revisions: revisions.map(({ row }) => row),
        blocks: [{ seq: body.seq, leaf: leaf.leaf, txId: body.txId, txTime: body.txTime }],
        index,
      });
      revisions = [];
    }
    // Revisions after the last block cannot come from a commit (leaves commit atomically
    // with their block); they stay unindexed for audit() to report.
    const db = this.#database();
    db.exec('BEGIN IMMEDIATE');
    try {
      this.#writeIndexRows(derived);
      const lastBlock = derived.blocks[derived.blocks.length - 1];
      if (lastBlock) this.#setMeta('indexed_leaves', String(lastBlock.leaf + 1));
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }

  #previousData(derived: PendingIndexes, row: RevisionRow): RevisionBody['data'] {
    const earlier = derived.revisions
      .get(key(row.table, row.id))
      ?.find((candidate) => candidate.version === row.version - 1);
    const stored = earlier ? this.#storedFromRow(earlier) : this.#reader.revision(row.table, row.id, row.version - 1);
    // A redacted earlier revision has no data: its index entries cannot be removed here, and a
    // stale entry is harmless (every lookup re-checks the document's current data).
    return stored && !stored.deleted ? storedRevisionBody(stored.body, stored.data).data : undefined;
  }

  #readHead(): JournalHead {
    return this.#run('cannot read the journal head', () => {
      const leaves = this.#statement('SELECT max(leaf) AS leaf FROM leaves').get() as { leaf: number | null };
      const block = this.#statement('SELECT seq, leaf FROM blocks ORDER BY seq DESC LIMIT 1').get() as
        | { seq: number; leaf: number }
        | undefined;
      const ddl = this.#statement("SELECT value FROM ledger_meta WHERE key = 'ddl_version'").get() as { value: string };
      return {
        treeSize: leaves.leaf === null ? 0 : leaves.leaf + 1,
        lastSeq: block?.seq ?? -1,
        lastBlockLeaf: block?.leaf ?? -1,
        schemaVersion: Number(ddl.value),
      };
    });
  }

  // ---- helpers --------------------------------------------------------------------

  #storedFromRow(row: RevisionRow): StoredRevision {
    const body = this.#statement('SELECT body, data FROM leaves WHERE leaf = ?').get(row.leaf) as
      | { body: string; data: string | null }
      | undefined;
    if (!body) throw new LedgerError('TAMPER_DETECTED', `journal leaf ${row.leaf} is missing`);
    return { version: row.version, leaf: row.leaf, deleted: row.deleted, body: body.body, data: body.data };
  }

  #database(): DatabaseSync {
    if (!this.#db) throw new LedgerError('UNAVAILABLE', 'the ledger storage is closed');
    return this.#db;
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#database().prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #run<T>(what: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw storageError(what, error);
    }
  }
}

function storageError(message: string, cause: unknown): LedgerError {
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
