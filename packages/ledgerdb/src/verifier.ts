// Browser-safe: this module and everything it imports use no Node built-ins and no
// Buffer (`@ledgerkit/ledgerdb/verify` bundles it for browsers).

import {
  check,
  fromHex,
  hashLeaf,
  InvalidArgumentError,
  LedgerError,
  toHex,
  type Verification,
  type VerificationCheck,
  verification,
  verifyConsistency,
  verifyInclusion,
} from '@ledgerkit/core';
import { ed25519 } from '@noble/curves/ed25519.js';
import { canonicalize, isPlainJson } from './internal/canonical-json.js';
import { dataHashOf, revisionLeafText } from './internal/revision-format.js';
import type { ConsistencyProof, Digest, RevisionBody, RevisionProof } from './types.js';

/**
 * An Ed25519 public key: SPKI PEM text, 64 hex digits or 32 raw bytes, or a key object
 * that exports SPKI DER (a Node `KeyObject`).
 */
export type KeyInput = string | Uint8Array | { export(options: { type: 'spki'; format: 'der' }): Uint8Array };

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the raw key's 32 bytes follow. */
const ed25519SpkiPrefix = '302a300506032b6570032100';

/**
 * Leaf hash of a revision or block body: `SHA-256(0x00 || JCS(body))`, lowercase hex. A
 * format-2 revision (one with `dataHash`) is hashed without its `data`: check the data
 * against `dataHash` with {@link checkRevisionData}.
 *
 * @param body - a revision without its `hash`, or a block
 * @returns the leaf hash
 */
export function leafHashOf(body: RevisionBody | object): string {
  if (typeof body === 'object' && body !== null && 'blockAddress' in body) {
    return leafHex(revisionLeafText(body as RevisionBody));
  }
  return leafHex(canonicalize(body, 'body'));
}

/**
 * Whether a revision's data is the data its leaf commits to. Format 1 (no `dataHash`): the
 * leaf holds the data, nothing else to check. Format 2: the data must hash to `dataHash`; a
 * revision without data but with `dataHash` is redacted (its hash is what is proven).
 *
 * @param revision - a revision body of either format
 * @returns `[ok, detail]`
 */
export function checkRevisionData(revision: RevisionBody): readonly [boolean, string] {
  const dataHash = (revision as { dataHash?: unknown } | null)?.dataHash;
  if (dataHash === undefined) return [true, 'journal format 1: the leaf holds the data itself'];
  if (typeof dataHash !== 'string' || !/^[0-9a-f]{64}$/.test(dataHash)) {
    return [false, 'dataHash is not a lowercase hex SHA-256 hash'];
  }
  if (revision.data === undefined) return [true, `redacted: the data is gone, its hash ${dataHash} is proven`];
  const actual = dataHashOf(canonicalize(revision.data, 'revision.data'));
  return actual === dataHash
    ? [true, `the data hashes to ${dataHash}, as the leaf commits`]
    : [false, `the data hashes to ${actual}; the leaf commits to ${dataHash}`];
}

/**
 * The bytes a digest signature covers: RFC 8785 JSON of the digest without `signature`.
 *
 * @param digest - a digest, signed or not
 * @returns the UTF-8 bytes to sign or verify
 */
export function signedDigestBytes(digest: Digest): Uint8Array {
  const { signature: _ignored, ...unsigned } = digest;
  return new TextEncoder().encode(canonicalize(unsigned, 'digest'));
}

/**
 * The raw 32-byte Ed25519 public key of a {@link KeyInput}.
 *
 * @throws InvalidArgumentError when it is not an Ed25519 public key
 */
export function ed25519PublicKey(key: KeyInput): Uint8Array {
  let bytes: Uint8Array;
  if (typeof key === 'string') {
    const pem = /-----BEGIN PUBLIC KEY-----([^-]*)-----END PUBLIC KEY-----/.exec(key);
    if (pem) {
      const binary = atob((pem[1] ?? '').replace(/\s+/g, ''));
      bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    } else {
      bytes = fromHex(key.trim(), 'publicKey');
    }
  } else if (key instanceof Uint8Array) {
    bytes = key;
  } else {
    bytes = new Uint8Array(key.export({ type: 'spki', format: 'der' }));
  }
  if (bytes.length === 32) return bytes;
  if (bytes.length === 44 && toHex(bytes.subarray(0, 12)) === ed25519SpkiPrefix) return bytes.slice(12);
  throw new InvalidArgumentError('publicKey', 'the public key is not an Ed25519 key (SPKI PEM or 32 bytes)', {
    length: bytes.length,
  });
}

/**
 * Checks a digest's Ed25519 signature.
 *
 * @param digest - a signed digest
 * @param publicKey - the owner's Ed25519 public key
 * @returns true when the signature is present and valid
 */
export function verifyDigestSignature(digest: Digest, publicKey: KeyInput): boolean {
  if (typeof digest.signature !== 'string' || !/^[0-9a-f]{128}$/.test(digest.signature)) return false;
  try {
    // Strict RFC 8032 (not ZIP-215), as Node's verify: one digest, one verdict everywhere.
    return ed25519.verify(fromHex(digest.signature), signedDigestBytes(digest), ed25519PublicKey(publicKey), {
      zip215: false,
    });
  } catch {
    return false;
  }
}

/** Options of {@link verifyRevisionProof}. */
export interface VerifyProofOptions {
  /** When given, the digest must carry a valid signature by this key. */
  publicKey?: KeyInput;
}

/**
 * Verifies, without any database, that a revision is in the journal the digest
 * describes: its leaf hash is recomputed from the revision with SHA-256 alone, the
 * RFC 9162 inclusion proof is folded to the digest's root, and (optionally) the digest's
 * signature is checked against the owner's key.
 *
 * @param proof - from `ledger.proof(...)`
 * @param digest - a digest the caller trusts (or whose signature it checks)
 * @param options - the owner's public key
 * @returns every check made; `ok` only if all passed
 */
export function verifyRevisionProof(
  proof: RevisionProof,
  digest: Digest,
  options: VerifyProofOptions = {},
): Verification {
  const checks: VerificationCheck[] = [];
  let recomputed: string | undefined;
  try {
    recomputed = revisionLeafHash(proof.revision, proof.leafHash);
    checks.push({
      name: 'revision-hash',
      ok: recomputed === proof.leafHash,
      detail: `SHA-256(0x00 || JCS(revision)) = ${recomputed}; proof says ${proof.leafHash}`,
    });
  } catch (error) {
    checks.push({ name: 'revision-hash', ok: false, detail: `revision is not canonical JSON: ${message(error)}` });
  }
  // Format 2 only: the leaf commits to the data's hash, so the data is checked against it.
  if (typeof proof?.revision === 'object' && proof.revision !== null && 'dataHash' in proof.revision) {
    checks.push(check('data-hash', () => checkRevisionData(proof.revision)));
  }
  // In a check: a proof or digest that is not an object is a failed check, not a TypeError.
  checks.push(
    check('digest-match', () => {
      const sameTree = proof.treeSize === digest.treeSize && proof.rootHash === digest.rootHash;
      return [
        sameTree,
        sameTree
          ? `proof is against the digest at ${digest.treeSize} leaves`
          : `proof is for ${proof.treeSize} leaves / ${proof.rootHash}, digest is ${digest.treeSize} / ${digest.rootHash}`,
      ];
    }),
  );
  checks.push(
    check('inclusion-proof', () => {
      verifyInclusion({
        leafHash: recomputed ?? proof.leafHash,
        leafIndex: proof.leafIndex,
        treeSize: digest.treeSize,
        auditPath: proof.auditPath,
        rootHash: digest.rootHash,
      });
      return [true, `leaf ${proof.leafIndex} folds to the digest root ${digest.rootHash}`];
    }),
  );
  if (options.publicKey !== undefined) checks.push(signatureCheck(digest, options.publicKey));
  return verification(checks);
}

/** `SHA-256(0x00 || text)` in lowercase hex. */
function leafHex(text: string): string {
  return toHex(hashLeaf(text));
}

/**
 * The leaf hash of a revision. Revisions arrive parsed from canonical JSON, their keys
 * already in order, so the native serializer is tried first: when its text hashes to the
 * leaf hash the proof claims, that text is the canonical form (and the revision holds
 * nothing JSON.stringify would drop or change). Otherwise canonicalization decides, and
 * names anything that is not JSON.
 */
function revisionLeafHash(revision: unknown, claimed: unknown): string {
  if (typeof revision === 'object' && revision !== null && 'dataHash' in revision) {
    // Format 2: the leaf is the body without its data; the same fast path first.
    const { blockAddress, dataHash, metadata } = revision as RevisionBody;
    const leaf = { blockAddress, dataHash, metadata };
    if (isPlainJson(leaf)) {
      const quick = leafHex(JSON.stringify(leaf));
      if (quick === claimed) return quick;
    }
    return leafHex(revisionLeafText(revision as RevisionBody));
  }
  if (isPlainJson(revision)) {
    const quick = leafHex(JSON.stringify(revision));
    if (quick === claimed) return quick;
  }
  return leafHex(canonicalize(revision, 'revision'));
}

/**
 * Verifies that `newDigest` extends `oldDigest`: the journal only grew.
 *
 * @returns the checks made
 */
export function verifyConsistencyProof(proof: ConsistencyProof, oldDigest: Digest, newDigest: Digest): Verification {
  return verification([
    check('digests-match', () => {
      const matches =
        proof.oldSize === oldDigest.treeSize &&
        proof.newSize === newDigest.treeSize &&
        proof.oldRoot === oldDigest.rootHash &&
        proof.newRoot === newDigest.rootHash;
      return [
        matches && oldDigest.ledger === newDigest.ledger,
        matches ? 'proof connects the two digests' : 'proof sizes or roots differ from the digests',
      ];
    }),
    check('consistency-proof', () => {
      verifyConsistency({
        oldSize: oldDigest.treeSize,
        newSize: newDigest.treeSize,
        oldRoot: oldDigest.rootHash,
        newRoot: newDigest.rootHash,
        proof: proof.proof,
      });
      return [true, `the journal at ${newDigest.treeSize} leaves extends the one at ${oldDigest.treeSize}`];
    }),
  ]);
}

function signatureCheck(digest: Digest, publicKey: KeyInput): VerificationCheck {
  const ok = verifyDigestSignature(digest, publicKey);
  return {
    name: 'digest-signature',
    ok,
    detail: ok ? 'Ed25519 signature by the ledger owner verifies' : 'digest signature is missing or invalid',
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Where a client keeps its last trusted digest. */
export interface DigestStore {
  load(): Promise<Digest | undefined>;
  save(digest: Digest): Promise<void>;
}

/** Options of {@link DigestTracker}. */
export interface DigestTrackerOptions {
  /** Persists the trusted digest (default: memory only). */
  store?: DigestStore;
  /** When given, every accepted digest must be signed by this key. */
  publicKey?: KeyInput;
}

/**
 * A client's memory of the last digest it verified. A newer digest is accepted only
 * with a consistency proof from the trusted one, so a server that rewrites history, or
 * shows different histories to different clients (a split view), is caught.
 *
 * @example
 * ```ts
 * const tracker = new DigestTracker({ store: fileDigestStore('trusted-digest.json'), publicKey })
 * const digest = await server.digest()
 * await tracker.accept(digest, await server.consistencyProof(tracker.trusted, digest))
 * ```
 */
export class DigestTracker {
  readonly #options: Readonly<DigestTrackerOptions>;
  #trusted: Digest | undefined;
  #loaded = false;

  constructor(options: DigestTrackerOptions = {}) {
    this.#options = options;
  }

  /** The last accepted digest, if any (call {@link load} first when using a store). */
  get trusted(): Digest | undefined {
    return this.#trusted;
  }

  /** Reads the trusted digest from the store. */
  async load(): Promise<Digest | undefined> {
    if (!this.#loaded) {
      this.#trusted = await this.#options.store?.load();
      this.#loaded = true;
    }
    return this.#trusted;
  }

  /**
   * Accepts a new digest if it extends the trusted one.
   *
   * @param digest - the new digest
   * @param proof - consistency proof from the trusted digest to `digest`; not needed for
   * the first digest or one of the same size
   * @throws LedgerError `DIGEST_INCONSISTENT` when the new digest does not extend the
   * trusted one, `SIGNATURE_INVALID` when a required signature fails
   */
  async accept(digest: Digest, proof?: ConsistencyProof): Promise<void> {
    const trusted = await this.load();
    if (this.#options.publicKey !== undefined && !verifyDigestSignature(digest, this.#options.publicKey)) {
      throw new LedgerError('SIGNATURE_INVALID', 'digest signature is missing or invalid', {
        details: { treeSize: digest.treeSize, rootHash: digest.rootHash },
      });
    }
    if (trusted) {
      const inconsistent = (why: string) =>
        new LedgerError(
          'DIGEST_INCONSISTENT',
          `digest of tree size ${digest.treeSize} does not extend the trusted digest of tree size ${trusted.treeSize}: ${why}`,
          {
            details: {
              trustedSize: trusted.treeSize,
              trustedRoot: trusted.rootHash,
              newSize: digest.treeSize,
              newRoot: digest.rootHash,
            },
          },
        );
      if (digest.ledger !== trusted.ledger) throw inconsistent(`ledger ${digest.ledger} is not ${trusted.ledger}`);
      if (digest.treeSize < trusted.treeSize) throw inconsistent('the journal shrank');
      if (digest.treeSize === trusted.treeSize) {
        if (digest.rootHash !== trusted.rootHash) throw inconsistent('same size, different root (split view)');
        return;
      }
      if (!proof) throw inconsistent('no consistency proof was given');
      const result = verifyConsistencyProof(proof, trusted, digest);
      if (!result.ok) throw inconsistent(result.checks.find((c) => !c.ok)?.detail ?? 'consistency proof failed');
    }
    await this.#options.store?.save(digest);
    this.#trusted = digest;
  }
}
