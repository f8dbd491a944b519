import { createHash } from 'node:crypto';
import { InvalidArgumentError, LedgerError, type NodeId } from '@ledgerkit/core';
import type pg from 'pg';
import { OccConflictError } from '../errors.js';
import { loadOptional } from '../internal/optional-dependency.js';
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
  WriteOptions,
} from './driver.js';

/** Options of {@link postgresStorage}. */
export interface PostgresStorageOptions {
  /** `postgres://user:password@host:port/database`; or pass {@link PostgresStorageOptions.pool}. */
  connectionString?: string;
  /**
   * A pool you own (it is not ended by `close()`). Its sessions must allow
   * `SET LOCAL synchronous_commit`; every write sets it to `on`.
   */
  pool?: pg.Pool;
  /**
   * Schema holding this ledger's tables, created if missing (default `ledgerdb`): one
   * ledger per schema. Lower-case letters, digits and `_`, starting with a letter or `_`,
   * at most 63 characters.
   */
  schema?: string;
  /** Connections of the pool this driver creates (default 10). */
  poolSize?: number;
  /**
   * Milliseconds any one statement may run, waiting for the write lock included, before
   * the server cancels it (`TIMEOUT`; default 30,000; 0 for none). Only for the pool this
   * driver creates.
   */
  statementTimeoutMs?: number;
}

/** Schema names this driver accepts: safe to quote, the same in every PostgreSQL locale. */
const schemaPattern = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The PostgreSQL storage driver, on `pg`: one ledger per schema, shared by any number
 * of processes.
 *
 * Every write is one PostgreSQL transaction (READ COMMITTED) that first locks the
 * single row of the schema's `head` table (`SELECT ... FOR UPDATE`): writers of every
 * process queue on that row, so the journal stays one total order, and each writer
 * reads the journal's end only after the previous writer committed. Commits run with
 * `synchronous_commit = on`: a write resolves only after PostgreSQL flushed its WAL.
 * Journal leaves and the derived rows (revisions by document, blocks, equality index
 * entries) are written in the same transaction. Reads outside a write use pooled
 * connections and see only committed data.
 *
 * The schema is created and migrated on `open()`, under a transaction-level advisory
 * lock, so processes opening at once apply each migration exactly once.
 *
 * @param options - where the database is, the schema, pool settings
 * @returns a driver for `openLedgerDatabase({ storage })`
 * @throws LedgerError `INVALID_ARGUMENT` for a bad schema name or options; opening the
 * ledger rejects with `UNSUPPORTED` naming the npm package when `pg` (an optional peer
 * dependency) is not installed
 */
export function postgresStorage(options: PostgresStorageOptions): StorageDriver {
  const schema = options.schema ?? 'ledgerdb';
  if (typeof schema !== 'string' || !schemaPattern.test(schema)) {
    throw new InvalidArgumentError(
      'schema',
      `schema name ${JSON.stringify(schema)} is invalid: use a lower-case letter or _ then lower-case letters, digits or _ (at most 63)`,
      { value: schema },
    );
  }
  if ((options.connectionString === undefined) === (options.pool === undefined)) {
    throw new InvalidArgumentError('connectionString', 'pass exactly one of connectionString and pool');
  }
  if (options.connectionString !== undefined && typeof options.connectionString !== 'string') {
    throw new InvalidArgumentError('connectionString', 'connectionString must be a string');
  }
  for (const name of ['poolSize', 'statementTimeoutMs'] as const) {
    const value = options[name];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < (name === 'poolSize' ? 1 : 0)) {
      throw new InvalidArgumentError(
        name,
        `${name} must be a ${name === 'poolSize' ? 'positive' : 'non-negative'} integer`,
        {
          value,
        },
      );
    }
  }
  return new PostgresStorage({ ...options, schema });
}

/** `pg_advisory_xact_lock(class, hashtext(schema))` class for migrations: 'LDGM'. */
const migrationLockClass = 0x4c44474d;

const migrations: ((s: string) => string)[] = [
  (s) => `
   CREATE TABLE ${s}.meta (key text COLLATE "C" PRIMARY KEY, value text NOT NULL);
   -- One row: the lock every write takes first, and the version of tables and indexes.
   CREATE TABLE ${s}.head (id integer PRIMARY KEY CHECK (id = 1), ddl_version bigint NOT NULL);
   INSERT INTO ${s}.head (id, ddl_version) VALUES (1, 0);
   CREATE TABLE ${s}.leaves (leaf bigint PRIMARY KEY, nodes bytea NOT NULL, body text NOT NULL);
   CREATE TABLE ${s}.revisions (
     tbl text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL, version integer NOT NULL,
     leaf bigint NOT NULL, seq bigint NOT NULL, deleted boolean NOT NULL,
     PRIMARY KEY (tbl, id, version));
   CREATE INDEX revisions_by_leaf ON ${s}.revisions (tbl, leaf);
   CREATE TABLE ${s}.blocks (seq bigint PRIMARY KEY, leaf bigint NOT NULL, tx_id text NOT NULL, tx_time text NOT NULL);
   CREATE TABLE ${s}.user_tables (name text COLLATE "C" PRIMARY KEY);
   CREATE TABLE ${s}.user_indexes (tbl text COLLATE "C" NOT NULL, path text COLLATE "C" NOT NULL, PRIMARY KEY (tbl, path));
   CREATE TABLE ${s}.index_entries (
     tbl text COLLATE "C" NOT NULL, path text COLLATE "C" NOT NULL,
     value_key text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL,
     PRIMARY KEY (tbl, path, value_key, id));`,
  // Journal format 2: a revision's data beside its leaf (the leaf holds its hash), so a
  // redaction can remove it.
  (s) => `ALTER TABLE ${s}.leaves ADD COLUMN data text;`,
];

/**
 * The `pg` module, an optional peer dependency: loaded by the first `open()`, so the
 * package's other entries work without it installed.
 */
let pgModule: typeof pg | undefined;

/**
 * Loads `pg` once.
 *
 * @returns the module
 * @throws LedgerError `UNSUPPORTED` naming the package when `pg` is not installed
 */
async function loadPg(): Promise<typeof pg> {
  pgModule ??= (await loadOptional('pg', 'PostgreSQL storage', () => import('pg'))).default;
  return pgModule;
}

/** bigint columns come back as numbers (journal positions stay far below 2^53). */
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 20 && format !== 'binary') return (value: string) => Number(value);
    // Queries run only after open(), which loaded pg.
    return ((pgModule as typeof pg).types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format);
  },
} as pg.CustomTypesConfig;

type Queryable = Pick<pg.PoolClient, 'query'>;

const statementNames = new Map<string, string>();

/** A stable prepared-statement name for a query text (the schema is part of the text). */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `ldb_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

interface HeadRecord {
  leaf: number | null;
  seq: number | null;
  block_leaf: number | null;
  ddl: number;
}

/** The journal's end: one statement, one snapshot, so the values belong together. */
const headQuery = (s: string) =>
  `SELECT (SELECT max(leaf) FROM ${s}.leaves) AS leaf,
          b.seq, b.leaf AS block_leaf, h.ddl_version AS ddl
   FROM ${s}.head h LEFT JOIN (SELECT seq, leaf FROM ${s}.blocks ORDER BY seq DESC LIMIT 1) b ON true
   WHERE h.id = 1`;

interface VersionRecord {
  tbl: string;
  id: string;
  version: number;
  deleted: boolean;
}

/** Latest version of each document of two parallel arrays of table names and ids. */
const versionsQuery = (s: string, tables: string, ids: string) =>
  `SELECT k.tbl, k.id, r.version, r.deleted
   FROM unnest(${tables}::text[], ${ids}::text[]) AS k (tbl, id)
   CROSS JOIN LATERAL (SELECT version, deleted FROM ${s}.revisions
                       WHERE tbl = k.tbl AND id = k.id ORDER BY version DESC LIMIT 1) r`;

/**
 * Names that may be written into SQL text as literals: table names and document ids are
 * validated to these characters (no quote, no backslash), so nothing can escape the quotes.
 */
const literalSafe = /^[A-Za-z0-9_-]{1,128}$/;

/** `ARRAY['a','b']`; only for values that match {@link literalSafe}. */
const textArray = (values: readonly string[]) => `ARRAY[${values.map((value) => `'${value}'`).join(',')}]`;

function toHead(row: HeadRecord | undefined): JournalHead {
  if (!row) throw new LedgerError('TAMPER_DETECTED', 'the ledger head row is missing from storage');
  return {
    treeSize: row.leaf === null ? 0 : Number(row.leaf) + 1,
    lastSeq: row.seq === null ? -1 : Number(row.seq),
    lastBlockLeaf: row.block_leaf === null ? -1 : Number(row.block_leaf),
    schemaVersion: Number(row.ddl),
  };
}

interface LatestRead {
  table: string;
  id: string;
  resolve: (revision: StoredRevision | undefined) => void;
  reject: (error: unknown) => void;
}

interface RevisionRecord {
  version: number;
  leaf: number;
  deleted: boolean;
  body: string;
  data: string | null;
}

const toStored = (row: RevisionRecord): StoredRevision => ({
  version: row.version,
  leaf: row.leaf,
  deleted: row.deleted,
  body: row.body,
  data: row.data,
});

/**
 * PostgreSQL text cannot hold U+0000, so no stored name or id contains it: a lookup of
 * one finds nothing (as in SQLite) instead of failing.
 */
const storable = (...values: (string | undefined)[]) =>
  values.every((value) => value === undefined || (typeof value === 'string' && !value.includes('\u0000')));

const key = (table: string, id: string) => `${table}\u0000${id}`;
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The reads of {@link StorageReader} over one connection or the pool. */
abstract class Reads implements StorageReader {
  /** The schema as a quoted SQL identifier, for every statement. */
  protected readonly s: string;

  constructor(schema: string) {
    this.s = `"${schema}"`;
  }

  /** Where reads run: the pool, or the connection of the write in progress. */
  protected abstract db(): Queryable;

  protected async query<Row>(what: string, text: string, values: unknown[] = []): Promise<Row[]> {
    try {
      // Named: each connection parses and plans a statement once, then reuses the plan.
      const result = await this.db().query({ name: statementName(text), text, values, types });
      return result.rows as Row[];
    } catch (error) {
      throw storageError(what, error);
    }
  }

  async head(): Promise<JournalHead> {
    const [row] = await this.query<HeadRecord>('cannot read the journal head', headQuery(this.s));
    return toHead(row);
  }

  async schema(): Promise<TableSchema[]> {
    const s = this.s;
    const rows = await this.query<{ name: string; indexes: string[] }>(
      'cannot read the table list',
      `SELECT t.name, coalesce(array_agg(i.path ORDER BY i.path) FILTER (WHERE i.path IS NOT NULL), '{}') AS indexes
       FROM ${s}.user_tables t LEFT JOIN ${s}.user_indexes i ON i.tbl = t.name
       GROUP BY t.name ORDER BY t.name`,
    );
    return rows.map((row) => ({ name: row.name, indexes: row.indexes }));
  }

  async latest(table: string, id: string): Promise<StoredRevision | undefined> {
    if (!storable(table, id)) return undefined;
    const s = this.s;
    const [row] = await this.query<RevisionRecord>(
      'cannot read a document',
      `SELECT r.version, r.leaf, r.deleted, l.body, l.data
       FROM (SELECT version, leaf, deleted FROM ${s}.revisions WHERE tbl = $1 AND id = $2 ORDER BY version DESC LIMIT 1) r
       JOIN ${s}.leaves l ON l.leaf = r.leaf`,
      [table, id],
    );
    return row && toStored(row);
  }

  async versions(keys: readonly { table: string; id: string }[]): Promise<Map<string, VersionState>> {
    const out = new Map<string, VersionState>();
    const unique = new Map(
      keys.filter(({ table, id }) => storable(table, id)).map(({ table, id }) => [key(table, id), { table, id }]),
    );
    if (unique.size === 0) return out;
    const tables: string[] = [];
    const ids: string[] = [];
    for (const { table, id } of unique.values()) {
      tables.push(table);
      ids.push(id);
    }
    const rows = await this.query<VersionRecord>('cannot read document versions', versionsQuery(this.s, '$1', '$2'), [
      tables,
      ids,
    ]);
    for (const row of rows) out.set(key(row.tbl, row.id), { version: row.version, deleted: row.deleted });
    return out;
  }

  async revision(table: string, id: string, version: number): Promise<StoredRevision | undefined> {
    if (!storable(table, id)) return undefined;
    if (!Number.isSafeInteger(version) || version < 0 || version > 2_147_483_647) return undefined;
    const s = this.s;
    const [row] = await this.query<RevisionRecord>(
      'cannot read a revision',
      `SELECT r.version, r.leaf, r.deleted, l.body, l.data FROM ${s}.revisions r JOIN ${s}.leaves l ON l.leaf = r.leaf
       WHERE r.tbl = $1 AND r.id = $2 AND r.version = $3`,
      [table, id, version],
    );
    return row && toStored(row);
  }

  async history(table: string, id?: string): Promise<StoredRevision[]> {
    if (!storable(table, id)) return [];
    const s = this.s;
    const rows =
      id === undefined
        ? await this.query<RevisionRecord>(
            'cannot read history',
            `SELECT r.version, r.leaf, r.deleted, l.body, l.data FROM ${s}.revisions r JOIN ${s}.leaves l ON l.leaf = r.leaf
             WHERE r.tbl = $1 ORDER BY r.leaf`,
            [table],
          )
        : await this.query<RevisionRecord>(
            'cannot read history',
            `SELECT r.version, r.leaf, r.deleted, l.body, l.data FROM ${s}.revisions r JOIN ${s}.leaves l ON l.leaf = r.leaf
             WHERE r.tbl = $1 AND r.id = $2 ORDER BY r.leaf`,
            [table, id],
          );
    return rows.map(toStored);
  }

  async scan(table: string): Promise<(StoredRevision & { id: string })[]> {
    if (!storable(table)) return [];
    const s = this.s;
    const rows = await this.query<RevisionRecord & { id: string }>(
      'cannot scan a table',
      `SELECT r.id, r.version, r.leaf, r.deleted, l.body, l.data
       FROM (SELECT DISTINCT ON (id) id, version, leaf, deleted FROM ${s}.revisions WHERE tbl = $1
             ORDER BY id, version DESC) r
       JOIN ${s}.leaves l ON l.leaf = r.leaf`,
      [table],
    );
    return rows.map((row) => ({ id: row.id, ...toStored(row) })).sort((a, b) => compare(a.id, b.id));
  }

  async lookup(table: string, path: string, valueKey: string): Promise<string[]> {
    if (!storable(table, path, valueKey)) return [];
    const rows = await this.query<{ id: string }>(
      'cannot read an index',
      `SELECT id FROM ${this.s}.index_entries WHERE tbl = $1 AND path = $2 AND value_key = $3`,
      [table, path, valueKey],
    );
    return rows.map((row) => row.id).sort(compare);
  }

  async nodes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    // Node (level, index) is stored with the leaf that completed it.
    const leafOf = (node: NodeId) => (node.index + 1) * 2 ** node.level - 1;
    const wanted = [...new Set(ids.map(leafOf))];
    const byLeaf = new Map<number, Uint8Array>();
    if (wanted.length > 0) {
      const rows = await this.query<{ leaf: number; nodes: Buffer }>(
        'cannot read Merkle nodes',
        `SELECT leaf, nodes FROM ${this.s}.leaves WHERE leaf = ANY($1::bigint[])`,
        [wanted],
      );
      for (const row of rows) byLeaf.set(row.leaf, row.nodes);
    }
    return ids.map((node) => {
      const blob = byLeaf.get(leafOf(node));
      const start = node.level * 32;
      if (!blob || blob.length < start + 32) {
        throw new LedgerError('TAMPER_DETECTED', `Merkle node (${node.level}, ${node.index}) is missing from storage`, {
          details: { ...node },
        });
      }
      return blob.subarray(start, start + 32);
    });
  }

  async leaves(from: number, to: number): Promise<LeafRow[]> {
    if (!(to > from)) return [];
    return this.query<LeafRow>(
      'cannot read journal leaves',
      `SELECT leaf, nodes, body, data FROM ${this.s}.leaves WHERE leaf >= $1 AND leaf < $2 ORDER BY leaf`,
      [Math.max(0, Math.floor(from)), Math.min(Number.MAX_SAFE_INTEGER, Math.ceil(to))],
    );
  }

  async blocks(after: number, limit: number): Promise<BlockRow[]> {
    if (!(limit > 0)) return [];
    return this.query<BlockRow>(
      'cannot read blocks',
      `SELECT seq, leaf, tx_id AS "txId", tx_time AS "txTime" FROM ${this.s}.blocks
       WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [Math.floor(after), Math.floor(limit)],
    );
  }

  async meta(name: string): Promise<string | undefined> {
    if (!storable(name)) return undefined;
    const [row] = await this.query<{ value: string }>(
      'cannot read ledger settings',
      `SELECT value FROM ${this.s}.meta WHERE key = $1`,
      [name],
    );
    return row?.value;
  }

  async counts(): Promise<{ revisions: number; blocks: number; leaves: number }> {
    const s = this.s;
    const [row] = await this.query<{ revisions: number; blocks: number; leaves: number }>(
      'cannot count rows',
      `SELECT (SELECT count(*) FROM ${s}.revisions) AS revisions, (SELECT count(*) FROM ${s}.blocks) AS blocks,
              (SELECT count(*) FROM ${s}.leaves) AS leaves`,
    );
    return row as { revisions: number; blocks: number; leaves: number };
  }

  async revisionRow(table: string, id: string, version: number): Promise<RevisionRow | undefined> {
    if (!storable(table, id)) return undefined;
    if (!Number.isSafeInteger(version) || version < 0 || version > 2_147_483_647) return undefined;
    const [row] = await this.query<RevisionRow>(
      'cannot read a revision row',
      `SELECT tbl AS "table", id, version, leaf, seq, deleted FROM ${this.s}.revisions
       WHERE tbl = $1 AND id = $2 AND version = $3`,
      [table, id, version],
    );
    return row;
  }
}

/** The writes of one {@link StorageDriver.write}, on its transaction's connection. */
class Writes extends Reads implements StorageWriter {
  readonly #client: pg.PoolClient;

  /** The head read with the write lock, served to `head()` until the write changes anything. */
  #lockedHead: JournalHead | undefined;
  /** Versions read with the write lock (`WriteOptions.versionsOf`), likewise. */
  #lockedVersions: Map<string, VersionState | undefined> | undefined;

  constructor(
    schema: string,
    client: pg.PoolClient,
    lockedHead?: JournalHead,
    lockedVersions?: Map<string, VersionState | undefined>,
  ) {
    super(schema);
    this.#client = client;
    this.#lockedHead = lockedHead;
    this.#lockedVersions = lockedVersions;
  }

  override async head(): Promise<JournalHead> {
    return this.#lockedHead ?? super.head();
  }

  override async versions(keys: readonly { table: string; id: string }[]): Promise<Map<string, VersionState>> {
    const locked = this.#lockedVersions;
    if (locked && keys.every(({ table, id }) => locked.has(key(table, id)))) {
      const out = new Map<string, VersionState>();
      for (const { table, id } of keys) {
        const state = locked.get(key(table, id));
        if (state) out.set(key(table, id), state);
      }
      return out;
    }
    return super.versions(keys);
  }

  protected db(): Queryable {
    return this.#client;
  }

  /** A write changes what the head and versions read with the lock said. */
  #forgetLockedReads(): void {
    this.#lockedHead = undefined;
    this.#lockedVersions = undefined;
  }

  async append(batch: AppendBatch): Promise<void> {
    this.#forgetLockedReads();
    const s = this.s;
    const { leaves, revisions, blocks } = batch;
    // Index changes by their net effect: the last change of an entry decides.
    const net = new Map<string, IndexChange>();
    for (const change of batch.index) {
      net.set(`${change.table}\u0000${change.path}\u0000${change.valueKey}\u0000${change.id}`, change);
    }
    const added = [...net.values()].filter((change) => change.add);
    const removed = [...net.values()].filter((change) => !change.add);
    const column = <T, V>(rows: readonly T[], pick: (row: T) => V) => rows.map(pick);
    const redactions = batch.redactions ?? [];
    // One statement (data-modifying CTEs) appends leaves and every derived row, and removes
    // the data of redacted revisions.
    const [result] = await this.query<{ redacted: number }>(
      'cannot append to the journal',
      `WITH new_leaves AS (
         INSERT INTO ${s}.leaves (leaf, nodes, body, data)
         SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::text[], $22::text[])),
       new_revisions AS (
         INSERT INTO ${s}.revisions (tbl, id, version, leaf, seq, deleted)
         SELECT * FROM unnest($4::text[], $5::text[], $6::integer[], $7::bigint[], $8::bigint[], $9::boolean[])),
       new_blocks AS (
         INSERT INTO ${s}.blocks (seq, leaf, tx_id, tx_time)
         SELECT * FROM unnest($10::bigint[], $11::bigint[], $12::text[], $13::text[])),
       added AS (
         INSERT INTO ${s}.index_entries (tbl, path, value_key, id)
         SELECT * FROM unnest($14::text[], $15::text[], $16::text[], $17::text[]) ON CONFLICT DO NOTHING),
       removed AS (
         DELETE FROM ${s}.index_entries e USING unnest($18::text[], $19::text[], $20::text[], $21::text[]) AS r (tbl, path, value_key, id)
         WHERE e.tbl = r.tbl AND e.path = r.path AND e.value_key = r.value_key AND e.id = r.id),
       redacted AS (
         UPDATE ${s}.leaves SET data = NULL WHERE leaf = ANY($23::bigint[]) AND data IS NOT NULL RETURNING leaf)
       SELECT (SELECT count(*) FROM redacted)::integer AS redacted`,
      [
        column(leaves, (row) => row.leaf),
        column(leaves, (row) => row.nodes),
        column(leaves, (row) => row.body),
        column(revisions, (row) => row.table),
        column(revisions, (row) => row.id),
        column(revisions, (row) => row.version),
        column(revisions, (row) => row.leaf),
        column(revisions, (row) => row.seq),
        column(revisions, (row) => row.deleted),
        column(blocks, (row) => row.seq),
        column(blocks, (row) => row.leaf),
        column(blocks, (row) => row.txId),
        column(blocks, (row) => row.txTime),
        ...indexColumns(added),
        ...indexColumns(removed),
        column(leaves, (row) => row.data ?? null),
        redactions,
      ],
    );
    // The redactions were checked in this write's transaction: a leaf without data here was
    // changed behind the ledger's back; the error rolls the whole write back.
    if ((result?.redacted ?? 0) !== redactions.length) {
      throw new LedgerError('TAMPER_DETECTED', `journal leaves ${redactions.join(', ')} have no data to redact`);
    }
  }

  async setMeta(name: string, value: string): Promise<void> {
    this.#forgetLockedReads();
    await this.query(
      'cannot write ledger settings',
      `INSERT INTO ${this.s}.meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [name, value],
    );
  }

  async createTable(name: string): Promise<void> {
    this.#forgetLockedReads();
    await this.query(
      'cannot create a table',
      `WITH created AS (INSERT INTO ${this.s}.user_tables (name) VALUES ($1))
       UPDATE ${this.s}.head SET ddl_version = ddl_version + 1 WHERE id = 1`,
      [name],
    );
  }

  async createIndex(table: string, path: string, entries: readonly IndexChange[]): Promise<void> {
    this.#forgetLockedReads();
    const s = this.s;
    const added = entries.filter((entry) => entry.add);
    await this.query(
      'cannot create an index',
      `WITH created AS (INSERT INTO ${s}.user_indexes (tbl, path) VALUES ($1, $2)),
       entries AS (
         INSERT INTO ${s}.index_entries (tbl, path, value_key, id)
         SELECT * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) ON CONFLICT DO NOTHING)
       UPDATE ${s}.head SET ddl_version = ddl_version + 1 WHERE id = 1`,
      [table, path, ...indexColumns(added)],
    );
  }
}

function indexColumns(changes: readonly IndexChange[]): string[][] {
  return [
    changes.map((change) => change.table),
    changes.map((change) => change.path),
    changes.map((change) => change.valueKey),
    changes.map((change) => change.id),
  ];
}

class PostgresStorage extends Reads implements StorageDriver {
  readonly #options: Readonly<PostgresStorageOptions> & { schema: string };
  #pool: pg.Pool | undefined;
  #open = false;
  /** Writes of this process queue here first, so they hold one connection, not one each. */
  #writes: Promise<unknown> = Promise.resolve();

  constructor(options: Readonly<PostgresStorageOptions> & { schema: string }) {
    super(options.schema);
    this.#options = options;
  }

  protected db(): Queryable {
    return this.#database();
  }

  /** Document reads waiting for the next batched query. */
  #latestQueue: LatestRead[] = [];
  #latestInFlight = 0;
  #latestScheduled = false;

  /**
   * Latest revision of a document. Concurrent reads (many clients of one server) share
   * one query: reads asked for in one turn of the event loop, or while a read query is in
   * flight, go together in the next query, so under load a round trip serves many
   * documents (a lone read waits one turn). Each read's query is sent after the read was
   * asked for, so it sees every commit acknowledged before that.
   */
  override latest(table: string, id: string): Promise<StoredRevision | undefined> {
    if (!storable(table, id)) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      this.#latestQueue.push({ table, id, resolve, reject });
      this.#scheduleLatest();
    });
  }

  /** Sends the queued reads after this turn of the event loop, when no read is in flight. */
  #scheduleLatest(): void {
    if (this.#latestScheduled || this.#latestInFlight > 0) return;
    this.#latestScheduled = true;
    setImmediate(() => {
      this.#latestScheduled = false;
      void this.#readLatest();
    });
  }

  async #readLatest(): Promise<void> {
    const batch = this.#latestQueue;
    if (batch.length === 0) return;
    this.#latestQueue = [];
    this.#latestInFlight++;
    try {
      const rows = await this.query<RevisionRecord & { i: string }>(
        'cannot read a document',
        `SELECT k.i, r.version, r.leaf, r.deleted, l.body, l.data
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k (tbl, id, i)
         CROSS JOIN LATERAL (SELECT version, leaf, deleted FROM ${this.s}.revisions
                             WHERE tbl = k.tbl AND id = k.id ORDER BY version DESC LIMIT 1) r
         JOIN ${this.s}.leaves l ON l.leaf = r.leaf`,
        [batch.map((read) => read.table), batch.map((read) => read.id)],
      );
      const found = new Map(rows.map((row) => [Number(row.i) - 1, toStored(row)]));
      for (const [i, read] of batch.entries()) read.resolve(found.get(i));
    } catch (error) {
      for (const read of batch) read.reject(error);
    } finally {
      this.#latestInFlight--;
      if (this.#latestQueue.length > 0) this.#scheduleLatest();
    }
  }

  async open(): Promise<void> {
    if (this.#open) return;
    const options = this.#options;
    const pg = await loadPg();
    if (options.pool) {
      this.#pool = options.pool;
    } else {
      const pool = new pg.Pool({
        connectionString: options.connectionString,
        max: options.poolSize ?? 10,
        statement_timeout: options.statementTimeoutMs ?? 30_000,
        // Durable commits, whatever the server or role default says.
        options: '-c synchronous_commit=on',
        connectionTimeoutMillis: 10_000,
      });
      // An idle connection that breaks (server restart) must not crash the process;
      // the next query gets a new one, or fails with UNAVAILABLE.
      pool.on('error', () => {});
      this.#pool = pool;
    }
    this.#open = true;
    try {
      await this.#migrate();
    } catch (error) {
      await this.close();
      throw storageError(`cannot open ledger storage in schema ${options.schema}`, error);
    }
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    await this.#writes.catch(() => {});
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool && !this.#options.pool) await pool.end();
  }

  write<T>(work: (writer: StorageWriter) => Promise<T>, options: WriteOptions = {}): Promise<T> {
    const run = this.#writes.catch(() => {}).then(() => this.#write(work, options));
    this.#writes = run;
    return run;
  }

  async #write<T>(work: (writer: StorageWriter) => Promise<T>, options: WriteOptions): Promise<T> {
    const { s } = this;
    // The versions the work will ask for, read right after the lock in its round trip.
    // Only names that are safe as SQL literals (all valid ones): others are read later.
    const wanted = new Map<string, { table: string; id: string }>();
    for (const entry of options.versionsOf ?? []) {
      if (!literalSafe.test(entry.table) || !literalSafe.test(entry.id)) {
        wanted.clear();
        break;
      }
      wanted.set(key(entry.table, entry.id), entry);
    }
    const tables = [...wanted.values()].map((entry) => entry.table);
    const ids = [...wanted.values()].map((entry) => entry.id);
    let client: pg.PoolClient;
    try {
      client = await checkOut(this.#database());
    } catch (error) {
      throw storageError('cannot connect to PostgreSQL; nothing was committed', error);
    }
    let broken: Error | undefined;
    let begun = false;
    try {
      // The serialization point of every process: the head row. Statements after the lock
      // see everything the previous writer committed (READ COMMITTED: a snapshot per statement).
      // One round trip: the lock, then the journal's end in a snapshot taken after it.
      const results = (await client.query(
        `BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL synchronous_commit = on;
         SELECT 1 FROM ${s}.head WHERE id = 1 FOR UPDATE; ${headQuery(s)}` +
          (wanted.size > 0 ? `; ${versionsQuery(s, textArray(tables), textArray(ids))}` : ''),
      )) as unknown as pg.QueryResult[];
      begun = true;
      const head = toHead(results[3]?.rows[0] as HeadRecord | undefined);
      let versions: Map<string, VersionState | undefined> | undefined;
      if (wanted.size > 0) {
        versions = new Map([...wanted.keys()].map((name) => [name, undefined]));
        for (const row of (results[4]?.rows ?? []) as VersionRecord[]) {
          versions.set(key(row.tbl, row.id), { version: Number(row.version), deleted: row.deleted });
        }
      }
      const result = await work(new Writes(this.#options.schema, client, head, versions));
      begun = false;
      try {
        await client.query('COMMIT');
      } catch (error) {
        if (!isConnectionError(error)) throw storageError('the commit failed; nothing was committed', error);
        broken = error as Error;
        // The connection broke after COMMIT was sent: only the server knows whether it
        // was applied. The caller sees UNAVAILABLE; a retry re-validates against storage.
        throw new LedgerError(
          'UNAVAILABLE',
          'the connection broke during COMMIT; the write may or may not be committed',
          {
            cause: error,
          },
        );
      }
      return result;
    } catch (error) {
      if (begun) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error;
        }
      }
      if (isConnectionError(error)) broken = error as Error;
      throw storageError('the write failed; nothing was committed', error);
    } finally {
      client.release(broken ?? connectionLost.get(client));
    }
  }

  async #migrate(): Promise<void> {
    const { schema } = this.#options;
    const { s } = this;
    const client = await checkOut(this.#database());
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      // Serialized across processes: CREATE SCHEMA IF NOT EXISTS alone races.
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [migrationLockClass, schema]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${s}.ledger_schema (version integer PRIMARY KEY)`);
      const { rows } = await client.query<{ version: number | null }>(
        `SELECT max(version) AS version FROM ${s}.ledger_schema`,
      );
      const current = rows[0]?.version ?? 0;
      if (current > migrations.length) {
        throw new LedgerError(
          'UNSUPPORTED',
          `ledger storage has schema version ${current}; this ledgerdb knows ${migrations.length}`,
        );
      }
      for (let version = current + 1; version <= migrations.length; version++) {
        await client.query((migrations[version - 1] as (s: string) => string)(s));
        await client.query(`INSERT INTO ${s}.ledger_schema (version) VALUES ($1)`, [version]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      client.release(broken ?? connectionLost.get(client));
    }
  }

  #database(): pg.Pool {
    if (!this.#open || !this.#pool) throw new LedgerError('UNAVAILABLE', 'the ledger storage is closed');
    return this.#pool;
  }
}

/** Connections that broke while checked out, with the error: released as broken, never reused. */
const connectionLost = new WeakMap<pg.PoolClient, Error>();
const listening = new WeakSet<pg.PoolClient>();

/**
 * Checks a connection out of the pool with an `error` listener on it. The pool listens
 * only on idle connections; a checked-out one whose server goes away between two queries
 * (PostgreSQL restarted while a write runs its work) emits `error`, which without a
 * listener would end the process. The listener is added once per connection (connections
 * are reused) and records the error so the connection is released as broken.
 */
async function checkOut(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  if (!listening.has(client)) {
    listening.add(client);
    client.on('error', (error: Error) => connectionLost.set(client, error));
  }
  return client;
}

const connectionErrnos = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE']);

function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (connectionErrnos.has(code)) return true;
    // Class 08: connection exception; 57P01-57P03: the server is shutting down or starting.
    if (code.startsWith('08') || /^57P0[1-3]$/.test(code) || code === '53300') return true;
  }
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(error.message);
}

/** Maps a `pg` error onto ledgerkit error codes, keeping LedgerErrors as they are. */
function storageError(message: string, cause: unknown): LedgerError {
  if (cause instanceof LedgerError) return cause;
  const text = cause instanceof Error ? cause.message : String(cause);
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (isConnectionError(cause)) {
    return new LedgerError('UNAVAILABLE', `${message}: PostgreSQL is unreachable: ${text}`, { cause, retryable: true });
  }
  switch (code) {
    case '40001': // serialization_failure
    case '40P01': // deadlock_detected
      return new OccConflictError(`${message}: the commit conflicted with another writer`, { sqlState: code });
    case '57014': // query_canceled: statement_timeout
    case '55P03': // lock_not_available: lock_timeout
      return new LedgerError('TIMEOUT', `${message}: ${text}`, { cause });
    case '53100': // disk_full: PostgreSQL rolled the transaction back; retry once space is freed
      return new LedgerError('UNAVAILABLE', `${message}: PostgreSQL's disk is full: ${text}`, {
        cause,
        retryable: true,
        details: { reason: 'storage-full', sqlState: code },
      });
    case '28000':
    case '28P01':
      return new LedgerError('UNAUTHENTICATED', `${message}: ${text}`, { cause });
    case '42501':
      return new LedgerError('PERMISSION_DENIED', `${message}: ${text}`, { cause });
    case 'XX001': // data_corrupted
    case 'XX002': // index_corrupted
      return new LedgerError('TAMPER_DETECTED', `${message}: ${text}`, { cause });
    case '42P01': // undefined_table: a table of the ledger was dropped
    case '42703': // undefined_column
      return new LedgerError('TAMPER_DETECTED', `${message}: the ledger schema is damaged: ${text}`, { cause });
    default:
      // A statement PostgreSQL rejected will be rejected again; anything else (the
      // work's own exception) keeps UNAVAILABLE's default, as in the SQLite driver.
      return typeof code === 'string'
        ? new LedgerError('UNAVAILABLE', `${message}: ${text}`, {
            cause,
            retryable: false,
            details: { sqlState: code },
          })
        : new LedgerError('UNAVAILABLE', `${message}: ${text}`, { cause });
  }
}
