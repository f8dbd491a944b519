// `@ledgerkit/ledgerdb`: the embedded database. Verifiers: `./verify`; the storage driver
// interface: `./storage`; other drivers, the server, its client, PartiQL and the CLI: their subpaths.
export {
  type AppendBatch,
  type BlockRow,
  canonicalize,
  checkRevisionData,
  DigestTracker,
  type DigestTrackerOptions,
  type ImmediateWriter,
  type IndexChange,
  type JournalHead,
  type KeyInput,
  type LeafRow,
  type LedgerdbEvidence,
  leafHashOf,
  type RevisionRow,
  type StorageDriver,
  type StorageReader,
  type StorageWriter,
  type StoredRevision,
  type TableSchema,
  type VerifyProofOptions,
  type VersionState,
  verifyConsistencyProof,
  verifyDigestSignature,
  verifyJournalExport,
  verifyLedgerdbReceipt,
  verifyRevisionProof,
  type WriteOptions,
} from './deprecated.js';
export { signDigest } from './digest-signing.js';
export { fileDigestStore } from './digest-store.js';
export { LimitExceededError, OccConflictError } from './errors.js';
export type { JournalFormat } from './internal/revision-format.js';
export { formatJournalExport, type JournalExportFormat, readJournalExport } from './journal-export.js';
export type { JournalExportRecord } from './journal-export-verifier.js';
export {
  asLedger,
  LedgerdbLedger,
  type LedgerdbLedgerOptions,
  type RuleChange,
  type RuleContext,
  type Statement,
  type TableRule,
} from './ledger-adapter.js';
export {
  defaultLimits,
  type EventsOptions,
  type ExportedBlock,
  type HistoryWindow,
  type JournalEventsOptions,
  type JournalExportOptions,
  LedgerDatabase,
  type OpenLedgerDatabaseOptions,
  type OpenLedgerOptions,
  openLedger,
  openLedgerDatabase,
  type TransactionOptions,
} from './ledger-database.js';
export { type SqliteStorageOptions, sqliteStorage } from './storage/sqlite.js';
export type { DocumentEntry, Transaction } from './transaction.js';
export type {
  AuditReport,
  BlockAddress,
  BlockBody,
  BlockProof,
  CommitSummary,
  CommittedRevision,
  ConsistencyProof,
  Digest,
  DocumentRevision,
  Limits,
  RedactionEntry,
  Revision,
  RevisionBody,
  RevisionMetadata,
  RevisionProof,
  TransactionResult,
} from './types.js';
export type { DigestStore } from './verifier.js';
