export { signDigest } from './digest-signing.js';
export { fileDigestStore } from './digest-store.js';
export { LimitExceededError, OccConflictError } from './errors.js';
export { canonicalize } from './internal/canonical-json.js';
export type { JournalFormat } from './internal/revision-format.js';
export { formatJournalExport, type JournalExportFormat, readJournalExport } from './journal-export.js';
export { type JournalExportRecord, verifyJournalExport } from './journal-export-verifier.js';
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
  type JournalExportOptions,
  LedgerDatabase,
  type OpenLedgerOptions,
  openLedger,
  type TransactionOptions,
} from './ledger-database.js';
export { type LedgerdbEvidence, verifyLedgerdbReceipt } from './receipt-verifier.js';
export type {
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
  WriteOptions,
} from './storage/driver.js';
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
  Limits,
  RedactionEntry,
  Revision,
  RevisionBody,
  RevisionMetadata,
  RevisionProof,
  TransactionResult,
} from './types.js';
export {
  checkRevisionData,
  type DigestStore,
  DigestTracker,
  type DigestTrackerOptions,
  type KeyInput,
  leafHashOf,
  type VerifyProofOptions,
  verifyConsistencyProof,
  verifyDigestSignature,
  verifyRevisionProof,
} from './verifier.js';
