import {
  isLedgerError,
  type JsonObject,
  type Receipt,
  type Revision,
  type TrustAnchor,
  type Verification,
  type VerificationBundle,
  verification,
} from '@ledgerkit/core';
import { type LedgerdbEvidence, verifyLedgerdbReceipt } from '../receipt-verifier.js';
import type { BlockProof, ConsistencyProof, Digest, RevisionBody, RevisionProof } from '../types.js';
import { splitKey } from './ledger-calls.js';

/** Where evidence comes from: the embedded database or a server, behind the same few reads. */
export interface EvidenceSource {
  /** The digest to prove against when the verifier names none. */
  digest(): Promise<Digest>;
  /** The root of the journal at `treeSize` leaves, as the backend computes it. */
  rootHashAt(treeSize: number): Promise<string>;
  blockProof(seq: number, treeSize: number): Promise<BlockProof>;
  revisionProof(table: string, id: string, version: number, treeSize: number): Promise<RevisionProof>;
  consistencyProof(from: number, to: number): Promise<ConsistencyProof>;
}

/**
 * Fetches the evidence of a receipt or revision: the block, the consistency proof from the
 * receipt's commit-time tree (or, without one, the block's inclusion proof) and the revision
 * body, all at the size of `anchor`'s digest when given, else at the backend's current one.
 */
export async function fetchLedgerdbEvidence(
  source: EvidenceSource,
  subject: Receipt | Revision,
  anchor?: TrustAnchor,
): Promise<LedgerdbEvidence> {
  const receipt = 'key' in subject ? subject.receipt : subject;
  const pinned = anchor?.type === 'ledgerdb-digest' ? (anchor.digest as unknown as Digest) : undefined;
  let digest: Digest;
  if (pinned !== undefined && Number.isSafeInteger(pinned.treeSize)) {
    const served = await source.digest();
    digest =
      served.treeSize === pinned.treeSize
        ? served
        : {
            ledger: served.ledger,
            treeSize: pinned.treeSize,
            rootHash: await source.rootHashAt(pinned.treeSize),
            tip: null,
          };
  } else {
    digest = await source.digest();
  }
  const blockProof = await source.blockProof(receipt.position.block, digest.treeSize);
  const evidence: LedgerdbEvidence = { digest, block: blockProof.block, blockLeafIndex: blockProof.leafIndex };
  const commitSize = (receipt.proof as { treeSize?: unknown } | undefined)?.treeSize;
  if (typeof commitSize === 'number') {
    if (Number.isSafeInteger(commitSize) && commitSize >= 1 && commitSize <= digest.treeSize) {
      const { oldSize, newSize, proof } = await source.consistencyProof(commitSize, digest.treeSize);
      evidence.consistency = { oldSize, newSize, proof };
    }
  } else {
    evidence.inclusion = { treeSize: blockProof.treeSize, auditPath: blockProof.auditPath };
  }
  const labels = (receipt.proof as { revisions?: unknown } | undefined)?.revisions;
  if (Array.isArray(labels)) {
    const bodies: (RevisionBody | null)[] = [];
    for (const label of labels as { table: string; id: string; version: number }[]) {
      try {
        bodies.push((await source.revisionProof(label.table, label.id, label.version, digest.treeSize)).revision);
      } catch (error) {
        // A table the caller may not read (the idempotency table's entry of a keyed commit,
        // another team's table) is withheld, and its label then unproven; a label naming no
        // revision (NOT_FOUND) fails the evidence.
        if (!isLedgerError(error, 'PERMISSION_DENIED')) throw error;
        bodies.push(null);
      }
    }
    evidence.revisions = bodies;
  }
  if ('key' in subject) {
    const { table, id } = splitKey(subject.key);
    evidence.revision = (await source.revisionProof(table, id, subject.version, digest.treeSize)).revision;
  }
  return evidence;
}

/**
 * `Ledger.evidence`: the subject and its evidence as one JSON document.
 *
 * @param source - the backend
 * @param subject - a receipt or revision of its ledger
 */
export async function ledgerdbBundle(source: EvidenceSource, subject: Receipt | Revision): Promise<VerificationBundle> {
  const evidence = await fetchLedgerdbEvidence(source, subject);
  return {
    format: 'ledgerkit.verification-bundle',
    version: 1,
    subject,
    evidence: JSON.parse(JSON.stringify(evidence)) as JsonObject,
  };
}

const operational = new Set(['UNAVAILABLE', 'TIMEOUT', 'ABORTED', 'UNAUTHENTICATED', 'PERMISSION_DENIED']);

/**
 * `Ledger.verify`: fetches the evidence (at the anchor's size when one is given) and runs
 * the pure verifier. Evidence the backend cannot produce (an unknown block, an anchor
 * larger than its journal) is a failed `evidence` check, not an exception.
 *
 * @param source - the backend
 * @param subject - what to verify
 * @param anchor - the digest the verifier trusts, if any
 */
export async function verifyWithSource(
  source: EvidenceSource,
  subject: Receipt | Revision,
  anchor?: TrustAnchor,
): Promise<Verification> {
  let evidence: LedgerdbEvidence;
  try {
    evidence = await fetchLedgerdbEvidence(source, subject, anchor);
  } catch (error) {
    // The backend being down, or the caller giving up, is not a verdict on the subject.
    if (isLedgerError(error) && operational.has(error.code)) throw error;
    const detail = (error as { shortMessage?: string }).shortMessage ?? String((error as Error)?.message ?? error);
    return verification(
      [{ name: 'evidence', ok: false, detail: `the backend could not produce the evidence: ${detail}` }],
      anchor === undefined
        ? { type: 'ledgerdb-digest', explicit: false, detail: 'the backend served no digest' }
        : { type: anchor.type, explicit: true, detail: `a ${anchor.type} anchor` },
    );
  }
  return verifyLedgerdbReceipt(subject, evidence, anchor);
}
