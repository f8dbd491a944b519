// `@ledgerkit/ledgerdb/storage`: the storage driver interface, for writing or wrapping a driver.
// The drivers themselves: `sqliteStorage` (root entry) and `postgresStorage` (`./postgres`).
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
