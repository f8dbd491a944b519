import type { JsonObject } from '@ledgerkit/core';

/** Where a revision sits: the block (transaction) and its position within it. */
export interface BlockAddress {
  seq: number;
  index: number;
}

/** Facts about a revision that are not the document's data. */
export interface RevisionMetadata {
  /** Document id, 22 base62 characters unless the user chose one. */
  id: string;
  /** Table the document belongs to. */
  table: string;
  /** 0 for the insert, +1 for each update or delete. */
  version: number;
  /** Transaction that wrote it. */
  txId: string;
  /** Commit time of that transaction, ISO 8601 UTC. */
  txTime: string;
}

/**
 * A revision as hashed into the journal: the committed view without its own hash.
 *
 * Journal format 1 (ledgers created before redaction existed): the RFC 8785 bytes of the
 * whole body are the Merkle leaf, `data` included. Journal format 2: the body carries
 * `dataHash`, and the leaf is the RFC 8785 bytes of the body *without* `data`, so the data
 * can be redacted and every proof still verifies; `data` must hash to `dataHash`.
 * `data` and `dataHash` are both absent for a delete; a redacted revision has `dataHash`
 * and no `data`.
 */
export interface RevisionBody {
  blockAddress: BlockAddress;
  data?: JsonObject;
  /** Format 2: SHA-256 of the RFC 8785 bytes of `data`, lowercase hex. */
  dataHash?: string;
  metadata: RevisionMetadata;
}

/** A redaction a block records: which revision lost its data. */
export interface RedactionEntry {
  table: string;
  id: string;
  version: number;
  /** Leaf hash of the redacted revision (unchanged by the redaction). */
  revisionHash: string;
}

/**
 * The committed view of a document revision (QLDB's `_ql_committed_` view). A redacted
 * revision shows `dataHash` and no `data`, as QLDB's does. (`Revision` of `@ledgerkit/core`
 * is the unified view every backend's `history` returns.)
 */
export interface DocumentRevision extends RevisionBody {
  /** Leaf hash, `SHA-256(0x00 || JCS(body))` (format 2: the body without `data`), lowercase hex. */
  hash: string;
}

/**
 * @deprecated Since 0.2.0: renamed {@link DocumentRevision}, so that `Revision` means the core
 * one; removed in 0.3.0.
 */
export type Revision = DocumentRevision;

/** A block as hashed into the journal: one per committed transaction. */
export interface BlockBody {
  ledger: string;
  seq: number;
  txId: string;
  txTime: string;
  /** Leaf hash of the previous block; null for the first. */
  prevBlockHash: string | null;
  /**
   * Revisions whose data this transaction redacted; absent when none (and in every block
   * of a format-1 journal).
   */
  redactions?: RedactionEntry[];
  /** Leaf hashes of the transaction's revisions, in order; they precede the block in the tree. */
  revisions: string[];
}

/** The ledger owner's statement of the journal's state at one size. */
export interface Digest {
  ledger: string;
  treeSize: number;
  rootHash: string;
  /** Last block within `treeSize` leaves. */
  tip: { seq: number; blockHash: string } | null;
  /** Ed25519 signature (hex) over the RFC 8785 bytes of the digest without this field. */
  signature?: string;
}

/** Inclusion proof of one revision against a digest (RFC 9162 §2.1.3). */
export interface RevisionProof {
  /** Exactly the object whose RFC 8785 bytes are the leaf. */
  revision: RevisionBody;
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  auditPath: string[];
  rootHash: string;
}

/** Inclusion proof of a block against a digest. */
export interface BlockProof {
  block: BlockBody;
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  auditPath: string[];
  rootHash: string;
}

/** Consistency proof between two digests (RFC 9162 §2.1.4). */
export interface ConsistencyProof {
  oldSize: number;
  newSize: number;
  oldRoot: string;
  newRoot: string;
  proof: string[];
}

/** Limits a transaction must respect; the defaults are QLDB's. */
export interface Limits {
  /** Distinct documents one transaction may write (default 40). */
  documentsPerTransaction: number;
  /** Bytes of a document's canonical JSON (default 131,072 = 128 KiB). */
  documentBytes: number;
  /** Milliseconds from a transaction's start to its commit (default 30,000). */
  transactionMs: number;
  /** Indexes per table (default 5). */
  indexesPerTable: number;
}

/** One revision a commit wrote. */
export interface CommittedRevision {
  table: string;
  id: string;
  version: number;
  hash: string;
  leafIndex: number;
}

/** What a committed transaction wrote and where. */
export interface CommitSummary {
  txId: string;
  seq: number;
  txTime: string;
  blockHash: string;
  blockLeafIndex: number;
  /** Size of the tree the commit's block ends: `blockLeafIndex + 1`. */
  treeSize?: number;
  /** RFC 9162 audit path (hex) of the block's leaf in the tree of `treeSize` leaves. */
  auditPath?: string[];
  revisions: CommittedRevision[];
  /** Revisions whose data the transaction redacted; absent when none. */
  redactions?: RedactionEntry[];
}

/** Result of `ledger.transaction(fn)`. */
export interface TransactionResult<T> {
  /** What the function returned. */
  value: T;
  /** Undefined when the transaction wrote nothing: it leaves no block in the journal. */
  commit: CommitSummary | undefined;
}

/** Outcome of {@link LedgerDatabase.audit}. */
export interface AuditReport {
  ok: boolean;
  treeSize: number;
  blocks: number;
  revisions: number;
  rootHash: string;
  /** Revisions whose data was removed by a journaled redaction. */
  redacted?: number;
  /** The first entry that does not match, when `ok` is false. */
  firstMismatch?: { leaf: number | null; reason: string };
}
