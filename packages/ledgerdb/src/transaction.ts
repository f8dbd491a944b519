import { hashLeaf, InvalidArgumentError, type JsonObject, type JsonValue, LedgerError, toHex } from '@ledgerkit/core';
import { LimitExceededError, ledgerdbError } from './errors.js';
import { canonicalize } from './internal/canonical-json.js';
import { documentIdPattern, randomId } from './internal/ids.js';
import { checkIndexPath, checkTableName, valueAt } from './internal/paths.js';
import { isDeleteRevision, type JournalFormat, storedRevisionBody } from './internal/revision-format.js';
import type { StorageReader, StoredRevision } from './storage/driver.js';
import type { Limits, RevisionBody } from './types.js';

/** A document as returned by queries: its id and current data. */
export interface DocumentEntry {
  id: string;
  data: JsonObject;
}

/**
 * Reads and writes inside `ledger.transaction(fn)`. Every read is validated at commit
 * (optimistic concurrency): if a document or query result you read changed meanwhile,
 * the commit fails with `OCC_CONFLICT` and the runner calls `fn` again.
 */
export interface Transaction {
  /**
   * Current data of a document, seeing this transaction's own writes.
   *
   * @returns the data, or undefined when the document does not exist or was deleted
   */
  get(table: string, id: string): Promise<JsonObject | undefined>;
  /**
   * Documents whose fields equal the given values (`{ 'owner.name': 'Acme' }`). Uses an
   * equality index on one of the paths when there is one, otherwise scans the table.
   */
  find(table: string, where: Readonly<Record<string, JsonValue>>): Promise<DocumentEntry[]>;
  /**
   * Inserts a document.
   *
   * @param options - `id` to choose the document id instead of a random one
   * @returns the document id
   * @throws `ALREADY_EXISTS` when `options.id` is taken; `LIMIT_EXCEEDED` past the limits
   */
  insert(table: string, data: JsonObject, options?: { id?: string }): Promise<string>;
  /**
   * Replaces a document's data.
   *
   * @throws `NOT_FOUND` when the document does not exist or was deleted
   */
  update(table: string, id: string, data: JsonObject): Promise<void>;
  /**
   * Deletes a document: its history stays, ending in a revision without data.
   *
   * @throws `NOT_FOUND` when the document does not exist or was deleted
   */
  delete(table: string, id: string): Promise<void>;
  /**
   * Redacts a revision (QLDB's `REDACT_REVISION`): when the transaction commits, the
   * revision's data is removed from storage and its block records the redaction; the
   * revision's metadata and hash stay, so every proof still verifies. At most one per
   * transaction, as in QLDB.
   *
   * @param version - a revision that is not the document's latest and has data
   * @throws `NOT_FOUND` when there is no such revision; `INVALID_ARGUMENT` for the latest
   * revision or a delete; `ALREADY_EXISTS` when it is already redacted; `LIMIT_EXCEEDED` for
   * a second redaction in the transaction; `UNSUPPORTED` on a format-1 ledger (its leaves
   * hold the data itself, so removing it would break its proofs)
   */
  redact(table: string, id: string, version: number): Promise<void>;
}

/** A redaction, applied at commit. */
export interface RedactionRecord {
  table: string;
  id: string;
  version: number;
  /** Leaf of the revision. */
  leaf: number;
  /** Leaf hash of the revision, recorded in the block. */
  revisionHash: string;
}

/** What the transaction read, to be validated at commit. */
export interface ReadRecord {
  table: string;
  id: string;
  /** -1 when the document did not exist. */
  version: number;
  deleted: boolean;
}

/** A document change, applied at commit as one revision. */
export class WriteRecord {
  #data: JsonObject | undefined;

  /**
   * @param baseVersion - version the change builds on; -1 for an insert
   * @param dataJson - new data as canonical JSON, or undefined for a delete
   * @param previous - data before the change, to update indexes
   */
  constructor(
    readonly table: string,
    readonly id: string,
    readonly baseVersion: number,
    readonly dataJson: string | undefined,
    readonly previous: JsonObject | undefined,
  ) {}

  /** The new data, parsed from its canonical JSON only when someone needs it. */
  get data(): JsonObject | undefined {
    if (this.dataJson === undefined) return undefined;
    this.#data ??= JSON.parse(this.dataJson) as JsonObject;
    return this.#data;
  }
}

/** A query whose result must still hold at commit. */
export interface PredicateRecord {
  table: string;
  where: Readonly<Record<string, JsonValue>>;
  ids: string[];
}

/** What a transaction needs from its ledger. */
export interface TransactionHost {
  readonly reader: StorageReader;
  readonly limits: Readonly<Limits>;
  /** The ledger's journal format: redaction needs 2. */
  readonly journalFormat: JournalFormat;
  /** Indexed paths of a table; throws NOT_FOUND for an unknown table. */
  indexesOf(table: string): readonly string[];
}

export const recordKey = (table: string, id: string) => `${table}\u0000${id}`;

/** A stored revision's body, with its data when the data is stored beside the leaf. */
export function parseRevision(stored: StoredRevision): RevisionBody {
  return storedRevisionBody(stored.body, stored.data);
}

/**
 * Whether a stored revision of format 2 has lost its data (a redaction). Format-1 leaves
 * and deletes never have data beside them.
 */
export function isRedacted(stored: StoredRevision): boolean {
  if (stored.deleted || typeof stored.data === 'string') return false;
  return typeof (JSON.parse(stored.body) as RevisionBody).dataHash === 'string';
}

/**
 * Runs a query against committed storage: through an index when one covers a path,
 * else by scanning. Shared by transactions and by commit-time revalidation.
 */
export async function findCommitted(
  reader: StorageReader,
  indexes: readonly string[],
  table: string,
  where: Readonly<Record<string, JsonValue>>,
): Promise<DocumentEntry[]> {
  const entries = Object.entries(where);
  const indexed = entries.find(([path]) => indexes.includes(path));
  let candidates: DocumentEntry[];
  if (indexed) {
    const ids = await reader.lookup(table, indexed[0], canonicalize(indexed[1], `where.${indexed[0]}`));
    candidates = [];
    for (const id of ids) {
      const latest = await reader.latest(table, id);
      const data = latest && !latest.deleted ? parseRevision(latest).data : undefined;
      if (data) candidates.push({ id, data });
    }
  } else {
    candidates = [];
    for (const row of await reader.scan(table)) {
      const data = row.deleted ? undefined : parseRevision(row).data;
      if (data) candidates.push({ id: row.id, data });
    }
  }
  return candidates.filter((entry) => matches(entry.data, entries));
}

function matches(data: JsonObject, entries: [string, JsonValue][]): boolean {
  return entries.every(([path, value]) => {
    const actual = valueAt(data, path);
    return actual !== undefined && canonicalize(actual) === canonicalize(value);
  });
}

/** The one implementation of {@link Transaction}; the ledger reads its records at commit. */
export class TransactionImpl implements Transaction {
  readonly startedAt = Date.now();
  readonly reads = new Map<string, ReadRecord>();
  readonly writes = new Map<string, WriteRecord>();
  readonly predicates: PredicateRecord[] = [];
  readonly redactions: RedactionRecord[] = [];
  readonly #host: TransactionHost;
  /** What each read returned (never handed out: `get` answers with copies). */
  readonly #seen = new Map<
    string,
    { exists: boolean; data: JsonObject | undefined; base: Pick<WriteRecord, 'baseVersion' | 'previous'> }
  >();

  constructor(host: TransactionHost) {
    this.#host = host;
  }

  async get(table: string, id: string): Promise<JsonObject | undefined> {
    checkTableName(table);
    this.#tableIndexes(table);
    const current = await this.#current(table, checkId(id));
    return current.data === undefined ? undefined : structuredClone(current.data);
  }

  /**
   * A document's version and data as this transaction sees them (version -1: never
   * existed), recording the read like `get`. The data is not copied: do not change it.
   */
  async versionOf(table: string, id: string): Promise<{ version: number; data: JsonObject | undefined }> {
    checkTableName(table);
    this.#tableIndexes(table);
    const current = await this.#current(table, checkId(id));
    const pending = this.writes.get(recordKey(table, id));
    return { version: pending ? pending.baseVersion + 1 : current.base.baseVersion, data: current.data };
  }

  async find(table: string, where: Readonly<Record<string, JsonValue>>): Promise<DocumentEntry[]> {
    checkTableName(table);
    if (where === null || typeof where !== 'object' || Array.isArray(where) || Object.keys(where).length === 0) {
      throw new InvalidArgumentError('where', 'find needs an object of { path: value } with at least one path');
    }
    for (const path of Object.keys(where)) checkIndexPath(path);
    canonicalize(where, 'where');
    return this.#query(table, where);
  }

  /**
   * Every current document of a table, seeing this transaction's own writes. Recorded like
   * `find` with no condition: a document added to or removed from the table before commit
   * is a conflict (PartiQL scans need this; QLDB's scans conflict the same way).
   */
  async scan(table: string): Promise<DocumentEntry[]> {
    checkTableName(table);
    return this.#query(table, {});
  }

  async #query(table: string, where: Readonly<Record<string, JsonValue>>): Promise<DocumentEntry[]> {
    const indexes = this.#tableIndexes(table);
    const committed = await findCommitted(this.#host.reader, indexes, table, where);
    this.predicates.push({ table, where, ids: committed.map((entry) => entry.id).sort() });
    const results = new Map<string, JsonObject>();
    for (const entry of committed) {
      // Fresh: a document read earlier that changed since fails here rather than being
      // answered from the earlier read, which might not match `where` any more.
      const current = await this.#current(table, entry.id, true);
      if (current.data !== undefined) results.set(entry.id, current.data);
    }
    // This transaction's own writes change what it sees.
    const entries = Object.entries(where);
    for (const write of this.writes.values()) {
      if (write.table !== table) continue;
      if (write.data && matches(write.data, entries)) results.set(write.id, write.data);
      else results.delete(write.id);
    }
    return [...results].map(([id, data]) => ({ id, data: structuredClone(data) }));
  }

  async insert(table: string, data: JsonObject, options: { id?: string } = {}): Promise<string> {
    checkTableName(table);
    this.#tableIndexes(table);
    const dataJson = this.#checkDocument(data);
    let id: string;
    if (options.id === undefined) {
      id = randomId();
    } else {
      id = checkId(options.id);
      const current = await this.#current(table, id);
      if (current.exists) {
        throw ledgerdbError('ALREADY_EXISTS', `document ${table}/${id} already exists`, { table, id });
      }
    }
    this.#write(new WriteRecord(table, id, -1, dataJson, undefined));
    return id;
  }

  async update(table: string, id: string, data: JsonObject): Promise<void> {
    checkTableName(table);
    this.#tableIndexes(table);
    const dataJson = this.#checkDocument(data);
    const current = await this.#current(table, checkId(id));
    if (current.data === undefined) {
      throw ledgerdbError('NOT_FOUND', `document ${table}/${id} does not exist`, { table, id });
    }
    this.#write(new WriteRecord(table, id, current.base.baseVersion, dataJson, current.base.previous));
  }

  async delete(table: string, id: string): Promise<void> {
    checkTableName(table);
    this.#tableIndexes(table);
    const current = await this.#current(table, checkId(id));
    if (current.data === undefined) {
      throw ledgerdbError('NOT_FOUND', `document ${table}/${id} does not exist`, { table, id });
    }
    const key = recordKey(table, id);
    const pending = this.writes.get(key);
    if (pending && pending.baseVersion === -1) {
      // Inserted and deleted in the same transaction: it never existed.
      this.writes.delete(key);
      return;
    }
    this.#write(new WriteRecord(table, id, current.base.baseVersion, undefined, current.base.previous));
  }

  async redact(table: string, id: string, version: number): Promise<void> {
    checkTableName(table);
    this.#tableIndexes(table);
    checkId(id);
    if (!Number.isSafeInteger(version) || version < 0) {
      throw new InvalidArgumentError('version', `revision version must be a non-negative integer, got ${version}`, {
        value: version,
      });
    }
    const what = `revision ${table}/${id}@${version}`;
    if (this.#host.journalFormat < 2) {
      throw new LedgerError(
        'UNSUPPORTED',
        `cannot redact ${what}: this ledger uses journal format 1, whose leaves hold the data itself, so removing it would break every proof; ledgers created since journal format 2 can redact`,
        { details: { table, id, version, journalFormat: this.#host.journalFormat, reason: 'journal-format' } },
      );
    }
    if (this.redactions.length > 0) {
      throw new LimitExceededError('redactionsPerTransaction', 'a transaction may redact one revision, as in QLDB', {
        max: 1,
      });
    }
    // Recorded as a read: commit validation sees a version that is still current, and a
    // revision older than the latest stays older.
    const current = await this.#current(table, id);
    const latest = current.base.baseVersion;
    const stored = await this.#host.reader.revision(table, id, version);
    if (!stored || version > latest) {
      throw ledgerdbError('NOT_FOUND', `no ${what}`, { table, id, version });
    }
    if (version === latest) {
      throw new InvalidArgumentError(
        'version',
        `${what} is the document's latest: only earlier revisions can be redacted`,
        {
          table,
          id,
          version,
          reason: 'latest-revision',
        },
      );
    }
    const body = parseRevision(stored);
    if (isDeleteRevision(body)) {
      throw new InvalidArgumentError('version', `${what} is a delete: it has no data to redact`, {
        table,
        id,
        version,
        reason: 'no-data',
      });
    }
    if (isRedacted(stored)) {
      throw ledgerdbError('ALREADY_EXISTS', `${what} is already redacted`, { table, id, version });
    }
    this.redactions.push({ table, id, version, leaf: stored.leaf, revisionHash: toHex(hashLeaf(stored.body)) });
  }

  #write(record: WriteRecord): void {
    const key = recordKey(record.table, record.id);
    if (!this.writes.has(key) && this.writes.size >= this.#host.limits.documentsPerTransaction) {
      throw new LimitExceededError(
        'documentsPerTransaction',
        `a transaction may write at most ${this.#host.limits.documentsPerTransaction} documents`,
        { max: this.#host.limits.documentsPerTransaction },
      );
    }
    this.writes.set(key, record);
  }

  /**
   * The document as this transaction sees it, recording the read. A document read before
   * is answered from that read (commit validates it), unless `fresh` asks storage again.
   */
  async #current(
    table: string,
    id: string,
    fresh = false,
  ): Promise<{
    exists: boolean;
    data: JsonObject | undefined;
    base: Pick<WriteRecord, 'baseVersion' | 'previous'>;
  }> {
    const key = recordKey(table, id);
    const pending = this.writes.get(key);
    if (pending) {
      return {
        exists: true,
        data: pending.data,
        base: { baseVersion: pending.baseVersion, previous: pending.previous },
      };
    }
    const seen = fresh ? undefined : this.#seen.get(key);
    if (seen) return seen;
    const latest = await this.#host.reader.latest(table, id);
    const read = this.reads.get(key);
    const version = latest?.version ?? -1;
    if (read && read.version !== version) {
      // The document changed between two reads of this transaction: it cannot commit.
      throw ledgerdbError('OCC_CONFLICT', `document ${table}/${id} changed during the transaction`, {
        table,
        id,
        read: read.version,
        now: version,
      });
    }
    const cached = this.#seen.get(key);
    if (cached) return cached;
    this.reads.set(key, { table, id, version, deleted: latest?.deleted ?? false });
    const data = latest && !latest.deleted ? parseRevision(latest).data : undefined;
    const current = { exists: latest !== undefined, data, base: { baseVersion: version, previous: data } };
    this.#seen.set(key, current);
    return current;
  }

  #checkDocument(data: unknown): string {
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new InvalidArgumentError('data', 'a document must be a JSON object');
    }
    const json = canonicalize(data, 'data');
    // UTF-8 takes at most 3 bytes per UTF-16 unit: short documents need no count.
    const bytes = json.length * 3 <= this.#host.limits.documentBytes ? 0 : Buffer.byteLength(json);
    if (bytes > this.#host.limits.documentBytes) {
      throw new LimitExceededError(
        'documentBytes',
        `document is ${bytes} bytes of canonical JSON; the limit is ${this.#host.limits.documentBytes}`,
        { bytes, max: this.#host.limits.documentBytes },
      );
    }
    return json;
  }

  #tableIndexes(table: string): readonly string[] {
    return this.#host.indexesOf(table);
  }
}

function checkId(id: unknown): string {
  if (typeof id !== 'string' || !documentIdPattern.test(id)) {
    throw new InvalidArgumentError('id', `document id ${JSON.stringify(id)} is invalid: 1 to 128 of A-Z a-z 0-9 _ -`, {
      value: id,
    });
  }
  return id;
}
