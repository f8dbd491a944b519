import type { NodeId } from '@ledgerkit/core';

/**
 * One leaf of the journal's Merkle tree: a revision or a block, stored as the exact
 * RFC 8785 bytes that were hashed, with the hashes of the perfect subtrees this leaf
 * completed (level 0 is the leaf hash itself).
 */
export interface LeafRow {
  /** Position in the tree, from 0. */
  leaf: number;
  /** Canonical JSON of the revision or block: exactly the bytes hashed into the leaf. */
  body: string;
  /**
   * Format-2 revisions only: the canonical JSON of the revision's data, kept beside the
   * hashed bytes (which hold its hash); null once redacted, and for deletes and blocks.
   */
  data?: string | null;
  /**
   * Hashes of nodes `(0, leaf)`, `(1, leaf >> 1)`, ... `(k, leaf >> k)` back to back,
   * where `k` is the number of trailing one bits of `leaf`: the subtrees that end here.
   */
  nodes: Uint8Array;
}

/** Where a document revision sits in the journal. */
export interface RevisionRow {
  table: string;
  id: string;
  version: number;
  leaf: number;
  seq: number;
  deleted: boolean;
}

/** Where a block sits in the journal. */
export interface BlockRow {
  seq: number;
  leaf: number;
  txId: string;
  txTime: string;
}

/** An equality index entry to add or remove. */
export interface IndexChange {
  table: string;
  path: string;
  valueKey: string;
  id: string;
  add: boolean;
}

/** Everything one group commit appends. */
export interface AppendBatch {
  leaves: LeafRow[];
  revisions: RevisionRow[];
  blocks: BlockRow[];
  index: IndexChange[];
  /**
   * Leaves whose stored data the batch removes (redactions journaled by its blocks), in
   * the same atomic write as the leaves. Absent or empty for most batches.
   */
  redactions?: number[];
}

/** Summary of the journal's end. */
export interface JournalHead {
  treeSize: number;
  lastSeq: number;
  lastBlockLeaf: number;
  /** Increments on every table or index change, so cached schema can be checked. */
  schemaVersion: number;
}

/** A revision with its stored bytes. */
export interface StoredRevision {
  version: number;
  leaf: number;
  deleted: boolean;
  /** The leaf's bytes. */
  body: string;
  /** Format 2: the data kept beside the leaf (see {@link LeafRow.data}). */
  data?: string | null;
}

/** Current version of a document, for optimistic concurrency checks. */
export interface VersionState {
  version: number;
  deleted: boolean;
}

/** A table and its indexed paths. */
export interface TableSchema {
  name: string;
  indexes: string[];
}

/** Reads every driver offers, inside and outside write transactions. */
export interface StorageReader {
  head(): Promise<JournalHead>;
  schema(): Promise<TableSchema[]>;
  /** Latest revision of a document, or undefined when it never existed. */
  latest(table: string, id: string): Promise<StoredRevision | undefined>;
  /** Latest versions of many documents, keyed `table + '\u0000' + id`. */
  versions(keys: readonly { table: string; id: string }[]): Promise<Map<string, VersionState>>;
  revision(table: string, id: string, version: number): Promise<StoredRevision | undefined>;
  /** Every revision of one document (or of a whole table), in journal order. */
  history(table: string, id?: string): Promise<StoredRevision[]>;
  /** Latest revision of every document in a table, deleted ones included. */
  scan(table: string): Promise<(StoredRevision & { id: string })[]>;
  /** Ids of documents whose indexed `path` currently has the canonical value `valueKey`. */
  lookup(table: string, path: string, valueKey: string): Promise<string[]>;
  /** Stored hashes of perfect subtrees, in the order asked; throws NOT_FOUND if one is missing. */
  nodes(ids: readonly NodeId[]): Promise<Uint8Array[]>;
  /** Leaves `[from, to)` in order. */
  leaves(from: number, to: number): Promise<LeafRow[]>;
  /** Blocks with `seq > after`, in order, at most `limit`. */
  blocks(after: number, limit: number): Promise<BlockRow[]>;
  /** A stored ledger setting, such as its name. */
  meta(key: string): Promise<string | undefined>;
  /** Row counts, for audit. */
  counts(): Promise<{ revisions: number; blocks: number; leaves: number }>;
  /** The revision row that points at `leaf`'s document version, for audit. */
  revisionRow(table: string, id: string, version: number): Promise<RevisionRow | undefined>;
}

/** Writes, available only inside {@link StorageDriver.write}. */
export interface StorageWriter extends StorageReader {
  append(batch: AppendBatch): Promise<void>;
  setMeta(key: string, value: string): Promise<void>;
  createTable(name: string): Promise<void>;
  createIndex(table: string, path: string, entries: readonly IndexChange[]): Promise<void>;
}

/**
 * What {@link StorageDriver.writeNow} offers: the reads a commit needs and the append,
 * all synchronous.
 */
export interface ImmediateWriter {
  head(): Readonly<JournalHead>;
  versions(keys: readonly { table: string; id: string }[]): Map<string, VersionState>;
  append(batch: AppendBatch): void;
}

/** Hints to {@link StorageDriver.write}; a driver may ignore them. */
export interface WriteOptions {
  /**
   * Documents whose versions the work will ask for with `versions()`: a driver may read
   * them together with taking the write lock, saving a round trip.
   */
  versionsOf?: readonly { table: string; id: string }[];
}

/**
 * Storage behind a ledger. Drivers hold rows; the ledger computes every hash. A driver
 * must make `write` exclusive across every process sharing the storage, atomic, and
 * durable before its promise resolves.
 */
export interface StorageDriver extends StorageReader {
  /** Creates or migrates the schema. */
  open(): Promise<void>;
  close(): Promise<void>;
  write<T>(work: (writer: StorageWriter) => Promise<T>, options?: WriteOptions): Promise<T>;
  /**
   * Optional, for embedded drivers whose storage calls block: {@link write} run
   * synchronously, with the same guarantees, so a lone commit crosses no promise. Returns
   * `{ value }`, or `undefined` without calling `work` while another write is in progress.
   */
  writeNow?<T>(work: (writer: ImmediateWriter) => T): { value: T } | undefined;
}
