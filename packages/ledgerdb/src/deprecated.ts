// Names the root entry exported before 0.2.0 that now live elsewhere: the verifiers on
// `@ledgerkit/ledgerdb/verify`, the storage driver interface on `@ledgerkit/ledgerdb/storage`.
// The root keeps them as deprecated aliases for one minor version; 0.3.0 removes them.
import { canonicalize as canonicalJson } from './internal/canonical-json.js';
import { verifyJournalExport as verifyExport } from './journal-export-verifier.js';
import type { LedgerdbEvidence as Evidence } from './receipt-verifier.js';
import { verifyLedgerdbReceipt as verifyReceipt } from './receipt-verifier.js';
import type * as spi from './storage/driver.js';
import {
  checkRevisionData as checkData,
  type KeyInput as Key,
  leafHashOf as leafHash,
  type VerifyProofOptions as ProofOptions,
  DigestTracker as Tracker,
  type DigestTrackerOptions as TrackerOptions,
  verifyConsistencyProof as verifyConsistency,
  verifyRevisionProof as verifyProof,
  verifyDigestSignature as verifySignature,
} from './verifier.js';

/** @deprecated Since 0.2.0: ledgerdb's canonical JSON is internal; the root stops exporting it in 0.3.0. */
export const canonicalize: (value: unknown, path?: string) => string = canonicalJson;

/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/verify`. */
export const verifyRevisionProof: typeof verifyProof = verifyProof;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/verify`. */
export const verifyConsistencyProof: typeof verifyConsistency = verifyConsistency;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/verify`. */
export const verifyDigestSignature: typeof verifySignature = verifySignature;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/verify`. */
export const checkRevisionData: typeof checkData = checkData;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/verify`. */
export const leafHashOf: typeof leafHash = leafHash;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/verify`. */
export const verifyLedgerdbReceipt: typeof verifyReceipt = verifyReceipt;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/verify`. */
export const verifyJournalExport: typeof verifyExport = verifyExport;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/verify`. */
export const DigestTracker: typeof Tracker = Tracker;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/verify`. */
export type DigestTracker = Tracker;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/verify`. */
export type DigestTrackerOptions = TrackerOptions;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/verify`. */
export type KeyInput = Key;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/verify`. */
export type VerifyProofOptions = ProofOptions;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/verify`. */
export type LedgerdbEvidence = Evidence;

/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/storage`. */
export type StorageDriver = spi.StorageDriver;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/storage`. */
export type StorageReader = spi.StorageReader;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/storage`. */
export type StorageWriter = spi.StorageWriter;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/storage`. */
export type ImmediateWriter = spi.ImmediateWriter;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/storage`. */
export type WriteOptions = spi.WriteOptions;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/storage`. */
export type AppendBatch = spi.AppendBatch;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/storage`. */
export type BlockRow = spi.BlockRow;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/storage`. */
export type IndexChange = spi.IndexChange;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/storage`. */
export type JournalHead = spi.JournalHead;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/storage`. */
export type LeafRow = spi.LeafRow;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/storage`. */
export type RevisionRow = spi.RevisionRow;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/storage`. */
export type StoredRevision = spi.StoredRevision;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/storage`. */
export type TableSchema = spi.TableSchema;
/** @deprecated Since 0.2.0: import it from `@ledgerkit/ledgerdb/storage`. */
export type VersionState = spi.VersionState;
