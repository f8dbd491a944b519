import { inclusionVerifiesFast } from '#merkle-native';
import { InvalidArgumentError, MerkleProofError } from '../errors.js';
import { equalBytes, toHash } from '../internal/bytes.js';
import { emptyRoot, hashChildren } from './hasher.js';
import { type HashInput, toHex } from './hex.js';
import { consistencyProofRanges, inclusionProofRanges } from './layout.js';

/** Arguments of {@link verifyInclusion}. */
export interface InclusionProofInput {
  /** RFC 9162 leaf hash of the entry, `SHA-256(0x00 || entry)`. */
  leafHash: HashInput;
  /** Index of the leaf, `0 <= leafIndex < treeSize`. */
  leafIndex: number;
  /** Size of the tree the proof is for. */
  treeSize: number;
  /** The audit path, from the leaf upwards. */
  auditPath: readonly HashInput[];
  /** The trusted root of the tree of `treeSize` leaves. */
  rootHash: HashInput;
}

/** Arguments of {@link verifyConsistency}. */
export interface ConsistencyProofInput {
  /** Size of the earlier tree. */
  oldSize: number;
  /** Size of the later tree, `>= oldSize`. */
  newSize: number;
  /** Trusted root of the earlier tree. */
  oldRoot: HashInput;
  /** Root of the later tree. */
  newRoot: HashInput;
  /** The consistency path. */
  proof: readonly HashInput[];
}

/**
 * Computes the root an inclusion proof leads to (RFC 9162 §2.1.3.2), without judging it.
 * A path of the wrong length still yields the value folded so far, so errors can name it.
 */
function foldInclusion(leafHash: Uint8Array, index: number, size: number, path: readonly Uint8Array[]) {
  let fn = index;
  let sn = size - 1;
  let hash = leafHash;
  let used = 0;
  for (const sibling of path) {
    if (sn === 0) break;
    if (fn % 2 === 1 || fn === sn) {
      hash = hashChildren(sibling, hash);
      if (fn % 2 === 0) {
        // fn is a left child without a right sibling at this level: climb until it has one.
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      hash = hashChildren(hash, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
    used++;
  }
  return { root: hash, used, finished: sn === 0 };
}

/**
 * The root an RFC 9162 inclusion proof leads to (§2.1.3.2), for a verifier that holds no
 * root yet: it compares the result with a root it trusts, or extends it with a
 * consistency proof to one.
 *
 * @param input - leaf hash, index (requires `0 <= leafIndex < treeSize`), tree size and audit path
 * @returns the 32-byte root the path folds to
 * @throws MerkleProofError (`reason: 'path-length'`) when the path is not exactly as long as
 * the proof of that leaf needs
 * @throws InvalidArgumentError when an argument is malformed (index outside the tree, a hash
 * that is not 32 bytes)
 */
export function inclusionRoot(input: Omit<InclusionProofInput, 'rootHash'>): Uint8Array {
  const leafHash = toHash(input.leafHash, 'leafHash');
  const path = readPath(input.auditPath, 'auditPath');
  const { leafIndex, treeSize } = input;
  const expectedLength = inclusionProofLength(leafIndex, treeSize);
  const folded = foldInclusion(leafHash, leafIndex, treeSize, path);
  if (path.length !== expectedLength || !folded.finished || folded.used !== path.length) {
    throw new MerkleProofError(
      `inclusion proof for leaf ${leafIndex} of ${treeSize} has ${path.length} hashes, expected ${expectedLength}`,
      { leafIndex, treeSize, pathLength: path.length, expectedPathLength: expectedLength, reason: 'path-length' },
    );
  }
  return folded.root;
}

/**
 * Verifies an RFC 9162 inclusion proof: that the leaf is entry `leafIndex` of the tree
 * whose root is `rootHash`.
 *
 * @param input - leaf hash, index, tree size, audit path and trusted root
 * @throws MerkleProofError (code `MERKLE_PROOF_INVALID`) naming the expected and the
 * computed root when the proof does not verify
 * @throws InvalidArgumentError when an argument is malformed (index outside the tree,
 * a hash that is not 32 bytes)
 *
 * @example
 * ```ts
 * verifyInclusion({ leafHash, leafIndex: 3, treeSize: 8, auditPath, rootHash })
 * ```
 */
export function verifyInclusion(input: InclusionProofInput): void {
  const { leafIndex: index, treeSize: size } = input;
  if (Number.isSafeInteger(size) && Number.isSafeInteger(index) && index >= 0 && index < size) {
    // The common case, well-formed input, without allocating per level. Any doubt, and
    // every failure, takes the general path below, which names what is wrong.
    if (inclusionVerifiesFast(input.leafHash, index, size, input.auditPath, input.rootHash)) return;
  }
  const leafHash = toHash(input.leafHash, 'leafHash');
  const rootHash = toHash(input.rootHash, 'rootHash');
  const path = readPath(input.auditPath, 'auditPath');
  const { leafIndex, treeSize } = input;
  const expectedLength = inclusionProofLength(leafIndex, treeSize);
  const folded = foldInclusion(leafHash, leafIndex, treeSize, path);
  const lengthOk = path.length === expectedLength && folded.finished && folded.used === path.length;
  if (lengthOk && equalBytes(folded.root, rootHash)) return;
  // Failure path only: hex encoding is not free, and verification is hot.
  const details = {
    leafIndex,
    treeSize,
    expectedRoot: toHex(rootHash),
    computedRoot: toHex(folded.root),
    pathLength: path.length,
    expectedPathLength: expectedLength,
  };
  if (!lengthOk) {
    throw new MerkleProofError(
      `inclusion proof for leaf ${leafIndex} of ${treeSize} has ${path.length} hashes, expected ${expectedLength}; ` +
        `expected root ${details.expectedRoot}, computed ${details.computedRoot}`,
      { ...details, reason: 'path-length' },
    );
  }
  throw new MerkleProofError(
    `inclusion proof for leaf ${leafIndex} of ${treeSize} leads to a different root: ` +
      `expected root ${details.expectedRoot}, computed ${details.computedRoot}`,
    { ...details, reason: 'root-mismatch' },
  );
}

/**
 * Length of the inclusion proof of leaf `index` in a tree of `size` leaves: one hash per
 * level below the point where the leaf's and the last leaf's paths split, plus one per
 * left sibling above it. Validates `0 <= index < size`.
 */
function inclusionProofLength(index: number, size: number): number {
  if (!Number.isSafeInteger(size) || size < 1 || !Number.isSafeInteger(index) || index < 0 || index >= size) {
    // Let the layout produce the standard argument error.
    return inclusionProofRanges(index, size).length;
  }
  let length = 0;
  let fn = index;
  let sn = size - 1;
  while (sn > 0) {
    // A node has a sibling at this level unless it is the rightmost node and even.
    if (fn % 2 === 1 || fn !== sn) length++;
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return length;
}

/**
 * Computes the two roots a consistency proof leads to (RFC 9162 §2.1.4.2) for
 * `0 < oldSize < newSize`.
 */
function foldConsistency(oldSize: number, newSize: number, oldRoot: Uint8Array, proof: readonly Uint8Array[]) {
  // When the old tree is a perfect subtree the verifier knows its hash already.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  const first = path[0];
  if (first === undefined) return undefined;
  let oldHash = first;
  let newHash = first;
  for (const node of path.slice(1)) {
    if (sn === 0) return { oldHash, newHash, finished: false };
    if (fn % 2 === 1 || fn === sn) {
      oldHash = hashChildren(node, oldHash);
      newHash = hashChildren(node, newHash);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      newHash = hashChildren(newHash, node);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return { oldHash, newHash, finished: sn === 0 };
}

/**
 * Verifies an RFC 9162 consistency proof: that the tree with root `oldRoot` is a prefix
 * of the tree with root `newRoot`, i.e. nothing in it was changed, removed or reordered.
 * Equal sizes need an empty proof and equal roots; an old size of 0 needs an empty proof
 * and the empty-tree root.
 *
 * @param input - both sizes, both roots and the proof
 * @throws MerkleProofError naming the expected and computed roots when it does not verify
 * @throws InvalidArgumentError when sizes are out of order or hashes malformed
 */
export function verifyConsistency(input: ConsistencyProofInput): void {
  const oldRoot = toHash(input.oldRoot, 'oldRoot');
  const newRoot = toHash(input.newRoot, 'newRoot');
  const proof = readPath(input.proof, 'proof');
  const { oldSize, newSize } = input;
  const expectedLength = consistencyProofRanges(oldSize, newSize).length;
  const base = {
    oldSize,
    newSize,
    expectedOldRoot: toHex(oldRoot),
    expectedNewRoot: toHex(newRoot),
    pathLength: proof.length,
    expectedPathLength: expectedLength,
  };
  const fail = (reason: string, message: string, computedOldRoot: string, computedNewRoot: string): never => {
    throw new MerkleProofError(
      `consistency proof from size ${oldSize} to ${newSize} ${message}; expected old root ${base.expectedOldRoot}, ` +
        `computed ${computedOldRoot}; expected new root ${base.expectedNewRoot}, computed ${computedNewRoot}`,
      { ...base, computedOldRoot, computedNewRoot, reason },
    );
  };

  if (oldSize === 0 || oldSize === newSize) {
    // Nothing to prove with hashes: an empty old tree has the fixed empty root, and a
    // tree is consistent with itself only if both roots are the same.
    if (proof.length !== 0) {
      fail('path-length', `must be empty but has ${proof.length} hashes`, 'none', 'none');
    }
    const computedOld = oldSize === 0 ? toHex(emptyRoot()) : base.expectedNewRoot;
    const computedNew = oldSize === newSize ? computedOld : base.expectedNewRoot;
    if (computedOld !== base.expectedOldRoot || computedNew !== base.expectedNewRoot) {
      fail('root-mismatch', 'does not match', computedOld, computedNew);
    }
    return;
  }
  const folded = foldConsistency(oldSize, newSize, oldRoot, proof);
  const computedOld = folded ? toHex(folded.oldHash) : 'none';
  const computedNew = folded ? toHex(folded.newHash) : 'none';
  if (proof.length !== expectedLength || folded === undefined || !folded.finished) {
    fail('path-length', `has ${proof.length} hashes, expected ${expectedLength}`, computedOld, computedNew);
  }
  if (computedOld !== base.expectedOldRoot || computedNew !== base.expectedNewRoot) {
    fail('root-mismatch', 'does not match', computedOld, computedNew);
  }
}

function readPath(path: readonly HashInput[], argument: string): Uint8Array[] {
  if (!Array.isArray(path)) {
    throw new InvalidArgumentError(argument, `${argument} must be an array of hashes`);
  }
  const hashes: Uint8Array[] = new Array(path.length);
  for (let i = 0; i < path.length; i++) {
    const hash = path[i];
    // Fast path for bytes; the element's name is only built for an error.
    hashes[i] =
      hash instanceof Uint8Array && hash.length === 32 ? hash : toHash(hash as HashInput, `${argument}[${i}]`);
  }
  return hashes;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}
