export { abortError, anySignal, raceSignal, sleep, throwIfAborted } from './abort.js';
export {
  type ErrorCode,
  errorCodes,
  InvalidArgumentError,
  isLedgerError,
  LedgerError,
  type LedgerErrorOptions,
  MerkleProofError,
} from './errors.js';
export { formatVerification, type VerificationFormat } from './format-verification.js';
export {
  type CallOptions,
  type Checkpoint,
  check,
  checkAsync,
  type EventsOptions,
  type HistoryOptions,
  type JsonObject,
  type JsonValue,
  type Ledger,
  type LedgerCall,
  type LedgerEvent,
  type LedgerKind,
  type Receipt,
  type Revision,
  receiptFormatVersion,
  type TrustAnchor,
  type TrustModel,
  type Verification,
  type VerificationAnchor,
  type VerificationBundle,
  type VerificationCheck,
  type VerifyOptions,
  verification,
} from './ledger.js';
export { emptyRoot, hashChildren, hashLeaf, hashSize } from './merkle/hasher.js';
export { fromHex, type HashInput, toHex } from './merkle/hex.js';
export {
  consistencyProofRanges,
  hashRange,
  inclusionProofRanges,
  type LeafRange,
  type NodeId,
  type NodeLookup,
  rangeNodes,
} from './merkle/layout.js';
export { MerkleTree } from './merkle/tree.js';
export {
  type ConsistencyProofInput,
  type InclusionProofInput,
  inclusionRoot,
  verifyConsistency,
  verifyInclusion,
} from './merkle/verify.js';
export { type BackoffOptions, backoffDelay, type Jitter, type RetryOptions, retry } from './retry.js';
