export { canonicalize } from './internal/canonical-json.js';
export type { ConsistencyProof, Digest, RevisionBody, RevisionProof } from './types.js';
export {
  type DigestStore,
  DigestTracker,
  type DigestTrackerOptions,
  fileDigestStore,
  type KeyInput,
  leafHashOf,
  signDigest,
  type VerifyProofOptions,
  verifyConsistencyProof,
  verifyDigestSignature,
  verifyRevisionProof,
} from './verifier.js';
