// `@ledgerkit/ledgerdb/verify`: the standalone verifier. No database, no Node built-ins:
// it bundles for a browser.
export { type JournalExportRecord, verifyJournalExport } from './journal-export-verifier.js';
export { type LedgerdbEvidence, verifyLedgerdbReceipt } from './receipt-verifier.js';
export type { BlockBody, ConsistencyProof, Digest, RedactionEntry, RevisionBody, RevisionProof } from './types.js';
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
