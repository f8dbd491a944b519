// Client-side verification of immudb 1.9.5's proofs, written from the algorithms its Go
// client applies (embedded/store/verification.go, embedded/htree, embedded/ahtree): an
// entry's inclusion in its transaction's hash tree, and the "dual proof" that links two
// transactions' accumulated linear hashes (Alh) through the binary-linking Merkle tree.
// Only what the benchmark writes is supported: plain key/values without metadata.
import { createHash } from 'node:crypto';
import type { DualProofMessage, ImmudbState, TxHeaderMessage, VerifiableEntryMessage } from './client.ts';

const leafPrefix = 0;
const nodePrefix = 1;

function sha256(...parts: Uint8Array[]): Buffer {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return h.digest();
}

function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return b;
}

function u64(value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(value));
  return b;
}

function node(left: Uint8Array, right: Uint8Array): Buffer {
  return sha256(Uint8Array.of(nodePrefix), left, right);
}

/** Leaf of the binary-linking tree for a transaction's Alh. */
function linkLeaf(alh: Uint8Array): Buffer {
  return sha256(Uint8Array.of(leafPrefix), alh);
}

function hasMetadata(md: { truncatedTxID?: number; extra?: Buffer } | null | undefined): boolean {
  return !!md && ((md.truncatedTxID ?? 0) !== 0 || (md.extra?.length ?? 0) > 0);
}

/**
 * The accumulated linear hash of a transaction header:
 * `sha256(id ‖ prevAlh ‖ sha256(ts ‖ version ‖ [mdLen ‖ md] ‖ nentries ‖ eH ‖ blTxId ‖ blRoot))`.
 *
 * @param header - the header as the server sent it
 * @returns the Alh
 * @throws Error for a header version this verifier does not know or with metadata
 */
export function txHeaderAlh(header: TxHeaderMessage): Buffer {
  if (hasMetadata(header.metadata)) throw new Error('transaction metadata is not supported');
  let counts: Buffer;
  if (header.version === 0) counts = u16(header.nentries);
  else if (header.version === 1) counts = Buffer.concat([u16(0), u32(header.nentries)]);
  else throw new Error(`unknown transaction header version ${header.version}`);
  const inner = sha256(u64(header.ts), u16(header.version), counts, header.eH, u64(header.blTxId), header.blRoot);
  return sha256(u64(header.id), header.prevAlh, inner);
}

/**
 * Digest of a plain key/value entry as immudb's database layer stores it (key and value
 * each prefixed with a 0 byte), for header version 1 (`mdLen ‖ md ‖ keyLen ‖ key ‖ sha256(value)`)
 * or 0 (`key ‖ sha256(value)`).
 */
export function entryDigest(key: Uint8Array, value: Uint8Array, version: number): Buffer {
  const storedKey = Buffer.concat([Uint8Array.of(0), key]);
  const valueHash = sha256(Uint8Array.of(0), value);
  if (version === 0) return sha256(storedKey, valueHash);
  return sha256(u16(0), u16(storedKey.length), storedKey, valueHash);
}

/** Inclusion of an entry digest in a transaction's hash tree of `width` leaves. */
export function verifyEntryInclusion(
  proof: { leaf: number; width: number; terms: Uint8Array[] },
  digest: Uint8Array,
  root: Uint8Array,
): boolean {
  let hash: Buffer = sha256(Uint8Array.of(leafPrefix), digest);
  let i = proof.leaf;
  let r = proof.width - 1;
  for (const term of proof.terms) {
    hash = i % 2 === 0 && i !== r ? node(hash, term) : node(term, hash);
    i = Math.floor(i / 2);
    r = Math.floor(r / 2);
  }
  return i === r && hash.equals(root);
}

/** Root of the binary-linking tree of size `j` folded from leaf `i`'s inclusion path. */
function linkInclusionRoot(path: Uint8Array[], i: number, j: number, leaf: Uint8Array): Buffer {
  let a = i - 1;
  let b = j - 1;
  let root: Buffer = Buffer.from(leaf);
  for (const h of path) {
    root = a % 2 === 0 && a !== b ? node(root, h) : node(h, root);
    a = Math.floor(a / 2);
    b = Math.floor(b / 2);
  }
  return root;
}

function verifyLinkInclusion(path: Uint8Array[], i: number, j: number, leaf: Uint8Array, root: Uint8Array): boolean {
  if (i > j || i === 0 || (i < j && path.length === 0)) return false;
  return linkInclusionRoot(path, i, j, leaf).equals(root);
}

function verifyLinkConsistency(path: Uint8Array[], i: number, j: number, iRoot: Uint8Array, jRoot: Uint8Array) {
  if (i > j || i === 0 || (i < j && path.length === 0)) return false;
  if (i === j && path.length === 0) return Buffer.from(iRoot).equals(jRoot);
  let fn = i - 1;
  let sn = j - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let ci: Buffer = Buffer.from(path[0] as Uint8Array);
  let cj: Buffer = ci;
  for (const h of path.slice(1)) {
    if (fn % 2 === 1 || fn === sn) {
      ci = node(h, ci);
      cj = node(h, cj);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      cj = node(cj, h);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return ci.equals(iRoot) && cj.equals(jRoot);
}

function verifyLastLinkInclusion(path: Uint8Array[], i: number, leaf: Uint8Array, root: Uint8Array): boolean {
  if (i === 0) return false;
  let hash: Buffer = Buffer.from(leaf);
  for (const h of path) hash = node(h, hash);
  return hash.equals(root);
}

function advance(alh: Uint8Array, txId: number, term: Uint8Array): Buffer {
  return sha256(u64(txId), alh, term);
}

function verifyLinear(
  proof: DualProofMessage['linearProof'],
  sourceId: number,
  targetId: number,
  sourceAlh: Uint8Array,
  targetAlh: Uint8Array,
): boolean {
  if (!proof || proof.sourceTxId !== sourceId || proof.TargetTxId !== targetId) return false;
  if (sourceId === 0 || sourceId > targetId || proof.terms.length !== targetId - sourceId + 1) return false;
  if (!Buffer.from(proof.terms[0] as Uint8Array).equals(sourceAlh)) return false;
  let alh: Buffer = Buffer.from(proof.terms[0] as Uint8Array);
  for (let k = 1; k < proof.terms.length; k++) alh = advance(alh, sourceId + k, proof.terms[k] as Uint8Array);
  return alh.equals(targetAlh);
}

function verifyLinearAdvance(
  proof: DualProofMessage['LinearAdvanceProof'],
  startId: number,
  endId: number,
  endAlh: Uint8Array,
  root: Uint8Array,
  size: number,
): boolean {
  if (endId < startId) return false;
  if (endId <= startId + 1) return true;
  if (
    !proof ||
    proof.linearProofTerms.length !== endId - startId ||
    proof.inclusionProofs.length !== endId - startId - 1
  )
    return false;
  let alh: Buffer = Buffer.from(proof.linearProofTerms[0] as Uint8Array);
  for (let txId = startId + 1; txId < endId; txId++) {
    const path = proof.inclusionProofs[txId - startId - 1]?.terms ?? [];
    if (!verifyLinkInclusion(path, txId, size, linkLeaf(alh), root)) return false;
    alh = advance(alh, txId + 1, proof.linearProofTerms[txId - startId] as Uint8Array);
  }
  return alh.equals(endAlh);
}

/**
 * Verifies a dual proof: the headers hash to the given Alhs, the source is in the target's
 * binary-linking tree, the two trees are consistent, and the linear chain from the tree's
 * last transaction reaches the target.
 *
 * @returns true when every part verifies
 */
export function verifyDualProof(
  proof: DualProofMessage | null,
  sourceId: number,
  targetId: number,
  sourceAlh: Uint8Array,
  targetAlh: Uint8Array,
): boolean {
  const source = proof?.sourceTxHeader;
  const target = proof?.targetTxHeader;
  if (!proof || !source || !target || source.id !== sourceId || target.id !== targetId) return false;
  if (source.id === 0 || source.id > target.id) return false;
  if (!txHeaderAlh(source).equals(sourceAlh) || !txHeaderAlh(target).equals(targetAlh)) return false;
  if (
    sourceId < target.blTxId &&
    !verifyLinkInclusion(proof.inclusionProof, sourceId, target.blTxId, linkLeaf(sourceAlh), target.blRoot)
  )
    return false;
  if (
    source.blTxId > 0 &&
    !verifyLinkConsistency(proof.consistencyProof, source.blTxId, target.blTxId, source.blRoot, target.blRoot)
  )
    return false;
  if (
    target.blTxId > 0 &&
    !verifyLastLinkInclusion(proof.lastInclusionProof, target.blTxId, linkLeaf(proof.targetBlTxAlh), target.blRoot)
  )
    return false;
  if (sourceId < target.blTxId) {
    return (
      verifyLinear(proof.linearProof, target.blTxId, targetId, proof.targetBlTxAlh, targetAlh) &&
      verifyLinearAdvance(proof.LinearAdvanceProof, source.blTxId, sourceId, sourceAlh, target.blRoot, target.blTxId)
    );
  }
  return (
    verifyLinear(proof.linearProof, sourceId, targetId, sourceAlh, targetAlh) &&
    verifyLinearAdvance(
      proof.LinearAdvanceProof,
      source.blTxId,
      target.blTxId,
      proof.targetBlTxAlh,
      target.blRoot,
      target.blTxId,
    )
  );
}

/**
 * Verifies a `VerifiableGet` answer for `key` against a trusted state, as immudb's Go
 * client does: the entry is in its transaction, and that transaction and the trusted one
 * are linked by the dual proof.
 *
 * @param key - the key asked for
 * @param answer - the server's answer
 * @param state - the state the client trusts (non-empty)
 * @returns the verified value and the state to trust next (the newer of the two transactions)
 * @throws Error naming the part that failed
 */
export function verifyEntry(
  key: Uint8Array,
  answer: VerifiableEntryMessage,
  state: ImmudbState,
): { value: Buffer; state: ImmudbState } {
  const { entry, verifiableTx, inclusionProof } = answer;
  if (entry.referencedBy) throw new Error('references are not supported');
  const md = entry.metadata;
  if (md && (md.deleted || md.nonIndexable || md.expiration)) throw new Error('entry metadata is not supported');
  if (!Buffer.from(entry.key).equals(key)) throw new Error('the answer is for another key');
  const proof = verifiableTx.dualProof;
  const entryTx = entry.tx;
  const header = state.txId <= entryTx ? proof.targetTxHeader : proof.sourceTxHeader;
  if (!header || header.id !== entryTx) throw new Error('the proof is not for the entry’s transaction');
  if (!verifyEntryInclusion(inclusionProof, entryDigest(key, entry.value, header.version), header.eH)) {
    throw new Error('entry inclusion proof does not verify');
  }
  const sourceId = Math.min(state.txId, entryTx);
  const targetId = Math.max(state.txId, entryTx);
  const sourceAlh = state.txId <= entryTx ? state.txHash : txHeaderAlh(header);
  const targetAlh = state.txId <= entryTx ? txHeaderAlh(header) : state.txHash;
  if (!verifyDualProof(proof, sourceId, targetId, sourceAlh, targetAlh)) throw new Error('dual proof does not verify');
  return { value: entry.value, state: { txId: targetId, txHash: Buffer.from(targetAlh) } };
}

/**
 * Checks that a newer state extends a trusted one (consistency between two states).
 *
 * @param trusted - the state the client trusts
 * @param newer - the candidate state
 * @param proof - the dual proof from `VerifiableTxById(newer.txId, trusted.txId)`
 * @returns true when the newer state extends the trusted one
 */
export function verifyStateConsistency(trusted: ImmudbState, newer: ImmudbState, proof: DualProofMessage): boolean {
  if (trusted.txId === newer.txId) return Buffer.from(trusted.txHash).equals(newer.txHash);
  return verifyDualProof(proof, trusted.txId, newer.txId, trusted.txHash, newer.txHash);
}
