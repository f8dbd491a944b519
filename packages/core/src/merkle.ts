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
