import { DatabaseSync } from 'node:sqlite';
import type { NodeId } from '@ledgerkit/core';
import type { ImmediateWriter, StorageDriver, StorageReader, StorageWriter } from './driver.js';
import { SqliteConnection, storageError } from './sqlite/connection.js';
import { migrate } from './sqlite/migrations.js';
import { type SqliteReader, sqliteReader } from './sqlite/reader.js';
import { readHead, recover } from './sqlite/recovery.js';
import { SqliteWriter } from './sqlite/writer.js';

/** Options of {@link sqliteStorage}. */
export interface SqliteStorageOptions {
  /** Database file; `:memory:` for a throwaway ledger. */
  path: string;
  /** Milliseconds to wait when another process holds the file (default 2,000). */
  busyTimeoutMs?: number;
  /** How long derived index rows may stay in memory before they are written (default 50 ms). */
  indexDelayMs?: number;
}

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
 * @returns a driver for `openLedgerDatabase({ storage })`
 */
export function sqliteStorage(options: SqliteStorageOptions): StorageDriver {
  return new SqliteStorage(options);
}

/** The reads a write may make without waiting for itself. */
const readNames = [
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
] as const;

class SqliteStorage implements StorageDriver {
  readonly #options: Readonly<SqliteStorageOptions>;
  readonly #connection: SqliteConnection;
  /** Synchronous reads that see committed rows plus the pending derived rows. */
  readonly #reader: SqliteReader;
  readonly #writes: SqliteWriter;
  #writing: Promise<void> | undefined;
  readonly #writer: StorageWriter;
  readonly #immediateWriter: ImmediateWriter;

  constructor(options: Readonly<SqliteStorageOptions>) {
    this.#options = options;
    const connection = new SqliteConnection(options.path);
    const reader = sqliteReader(connection);
    const writes = new SqliteWriter(connection, options.indexDelayMs ?? 50, () => this.#writing !== undefined);
    this.#connection = connection;
    this.#reader = reader;
    this.#writes = writes;
    // Inside write(): the same reads without waiting for the write in progress.
    const unguarded = (name: keyof StorageReader) => reader[name] as (...a: never[]) => unknown;
    this.#writer = {
      ...(Object.fromEntries(
        readNames.map((name) => {
          const read = unguarded(name);
          return [name, async (...args: never[]) => read(...args)];
        }),
      ) as unknown as StorageReader),
      append: async (batch) => writes.append(batch),
      setMeta: async (name, value) => writes.setMeta(name, value),
      createTable: async (name) => writes.createTable(name),
      createIndex: async (table, path, entries) => writes.createIndex(table, path, entries),
    };
    this.#immediateWriter = {
      head: () => connection.head,
      versions: (keys) => reader.versions(keys),
      append: (batch) => writes.append(batch),
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
      this.#connection.attach(db);
      migrate(this.#connection);
      recover(this.#connection, this.#reader);
      this.#connection.head = readHead(this.#connection);
    } catch (error) {
      this.#connection.detach();
      db.close();
      throw storageError(`cannot open ledger storage ${path}`, error);
    }
  }

  async close(): Promise<void> {
    if (!this.#connection.db) return;
    await this.#writing;
    this.#writes.flush();
    (this.#connection.db as DatabaseSync | undefined)?.close();
    this.#connection.detach();
  }

  async write<T>(work: (writer: StorageWriter) => Promise<T>): Promise<T> {
    this.#connection.database();
    while (this.#writing) await this.#writing;
    let release!: () => void;
    this.#writing = new Promise((resolve) => {
      release = resolve;
    });
    const head = this.#writes.startWrite();
    try {
      const result = await work(this.#writer);
      this.#writes.finishWrite();
      return result;
    } catch (error) {
      throw this.#writes.abortWrite(head, error);
    } finally {
      this.#writes.endWrite();
      this.#writing = undefined;
      release();
    }
  }

  writeNow<T>(work: (writer: ImmediateWriter) => T): { value: T } | undefined {
    this.#connection.database();
    // Synchronous from here to the end: nothing else can start a write or read meanwhile.
    if (this.#writing) return undefined;
    const head = this.#writes.startWrite();
    try {
      const value = work(this.#immediateWriter);
      this.#writes.finishWrite();
      return { value };
    } catch (error) {
      throw this.#writes.abortWrite(head, error);
    } finally {
      this.#writes.endWrite();
    }
  }

  // Reads wait for a write in progress, so none sees uncommitted rows.
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
}
