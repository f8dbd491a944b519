// How LedgerdbClient checks what the server tells it: revisions by their inclusion proofs, and
// commits by the receipt they make, each against a digest the client trusts.
import { type JsonObject, LedgerError } from '@ledgerkit/core';
import { canonicalize } from '../internal/canonical-json.js';
import { type EvidenceSource, verifyWithSource } from '../internal/evidence.js';
import { commitReceipt } from '../internal/receipt.js';
import type { BlockProof, CommitSummary, DocumentRevision, RevisionProof } from '../types.js';
import { type KeyInput, verifyRevisionProof } from '../verifier.js';
import type { TrustedDigests } from './trusted-digests.js';

/** What {@link ResponseVerifier} fetches from the server, and the digests it checks against. */
export interface VerifierSources {
  digests: TrustedDigests;
  proof(table: string, id: string, version: number, treeSize: number): Promise<RevisionProof>;
  blockProof(seq: number, treeSize: number): Promise<BlockProof>;
  /** The server as an evidence source for receipts. */
  evidence(): EvidenceSource;
  /** The owner's key every digest must be signed with, if pinned. */
  publicKey?: KeyInput;
}

/** Checks revisions and commits a server answered with; `mark` is when the answer arrived. */
export class ResponseVerifier {
  readonly #sources: VerifierSources;

  constructor(sources: VerifierSources) {
    this.#sources = sources;
  }

  /** The revision's inclusion proof, verified against a digest fetched after `mark`. */
  async verifiedProof(table: string, id: string, version: number, mark: number): Promise<RevisionProof> {
    const digest = await this.#sources.digests.after(mark);
    const proof = await this.#sources.proof(table, id, version, digest.treeSize);
    const keyOption = this.#sources.publicKey !== undefined ? { publicKey: this.#sources.publicKey } : {};
    const result = verifyRevisionProof(proof, digest, keyOption);
    if (!result.ok) {
      const failed = result.checks.find((check) => !check.ok);
      throw verificationFailed(`revision ${table}/${id}@${version} does not verify: ${failed?.detail}`, {
        check: failed?.name,
      });
    }
    const { metadata } = proof.revision;
    if (metadata.table !== table || metadata.id !== id || metadata.version !== version) {
      throw verificationFailed(`the server proved ${metadata.table}/${metadata.id}@${metadata.version} instead`);
    }
    return proof;
  }

  /** @throws `VERIFICATION_FAILED` when the revision is not the one in the journal */
  async verifyRevision(revision: DocumentRevision, mark: number): Promise<void> {
    const { metadata } = revision;
    const proof = await this.verifiedProof(metadata.table, metadata.id, metadata.version, mark);
    const { hash, ...body } = revision;
    if (proof.leafHash !== hash || canonicalize(proof.revision) !== canonicalize(body)) {
      throw verificationFailed(
        `revision ${metadata.table}/${metadata.id}@${metadata.version} differs from the one in the journal`,
      );
    }
  }

  /** @throws `VERIFICATION_FAILED` when the commit's receipt (or block) does not verify */
  async verifyCommit(commit: CommitSummary, mark: number): Promise<void> {
    const digest = await this.#sources.digests.after(mark);
    // The receipt the commit makes, verified as any receipt is, against the digest this
    // client trusts now (checked against every earlier one). A commit that only redacted
    // (`EXEC redact_revision`) has a receipt without revisions, whose block records it.
    const anchor = { type: 'ledgerdb-digest', digest: digest as unknown as JsonObject } as const;
    const source = { ...this.#sources.evidence(), digest: async () => digest };
    const result = await verifyWithSource(source, commitReceipt(digest.ledger, commit), anchor);
    const failed = result.checks.find((check) => !check.ok);
    if (failed) {
      throw verificationFailed(`commit ${commit.txId} does not verify: ${failed.detail}`, { check: failed.name });
    }
  }
}

/** A `VERIFICATION_FAILED` error. */
export function verificationFailed(message: string, details: Record<string, unknown> = {}): LedgerError {
  return new LedgerError('VERIFICATION_FAILED', message, { details });
}
