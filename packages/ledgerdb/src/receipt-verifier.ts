// Browser-safe: no Node built-ins, no Buffer (bundled by `@ledgerkit/ledgerdb/verify`).
import {
  check,
  inclusionProofRanges,
  inclusionRoot,
  type JsonObject,
  type Receipt,
  type Revision,
  receiptFormatVersion,
  type TrustAnchor,
  toHex,
  type Verification,
  type VerificationAnchor,
  type VerificationCheck,
  verification,
  verifyConsistency,
} from '@ledgerkit/core';
import { canonicalize } from './internal/canonical-json.js';
import type { BlockBody, Digest, RevisionBody } from './types.js';
import { checkRevisionData, leafHashOf, verifyDigestSignature } from './verifier.js';

/**
 * What verifies a ledgerdb receipt or revision against a digest: untrusted data, served by
 * the backend (`Ledger.evidence`), checked against the anchor the verifier chose.
 */
export interface LedgerdbEvidence {
  /**
   * The digest the evidence leads to, as the backend served it. Without an explicit anchor
   * it is the anchor (and the verification says it trusted the backend for it).
   */
  digest: Digest;
  /** The body of the receipt's block: its leaf hash is the receipt's `blockHash`. */
  block: BlockBody;
  /** Leaf index of the block in the journal. */
  blockLeafIndex: number;
  /**
   * RFC 9162 consistency proof from the tree of the receipt's commit (`proof.treeSize`) to
   * the digest: with the receipt's own inclusion proof it proves the block is in the digest.
   */
  consistency?: { oldSize: number; newSize: number; proof: string[] };
  /**
   * Inclusion proof of the block in the digest, for receipts that carry no commit-time proof
   * (history revisions, receipts written before it existed).
   */
  inclusion?: { treeSize: number; auditPath: string[] };
  /** For a revision: the revision exactly as hashed into the journal. */
  revision?: RevisionBody;
  /**
   * For a commit receipt: the body of each revision it lists, in block order, exactly as
   * hashed into the journal; null for one the backend withheld (a table the caller may not
   * read), whose label then stays unproven. They prove the receipt's table/id/version
   * labels; evidence written before they existed lacks them.
   */
  revisions?: (RevisionBody | null)[];
}

interface ReceiptProof {
  blockHash?: string;
  blockLeafIndex?: number;
  treeSize?: number;
  auditPath?: string[];
  revisions?: { table: string; id: string; version: number; hash: string; leafIndex: number }[];
  revisionHash?: string;
  /** The revisions the commit redacted, as its block lists them (absent when none). */
  redactions?: { table: string; id: string; version: number; revisionHash: string }[];
}

/**
 * Verifies a ledgerdb receipt (or a revision with its receipt) against a trusted digest,
 * with no I/O: runs in a browser.
 *
 * A receipt written by a commit carries the inclusion proof of its block in the tree its
 * commit ended; folded, it gives that tree's root, and the evidence's consistency proof
 * shows the anchor's tree extends it, so the block is in the journal the anchor describes.
 * Receipts without that proof (history revisions, older receipts) are proven with an
 * inclusion proof from the evidence instead. The block's body must hash to the leaf, name
 * the receipt's ledger, block, transaction and revisions; a revision's body must hash to the
 * block's entry for it and hold the revision's value.
 *
 * @param subject - a receipt or a revision (from `history`) of a ledgerdb ledger
 * @param evidence - from `Ledger.evidence(subject)` (untrusted)
 * @param anchor - a `ledgerdb-digest` the verifier trusts, with the owner's public key to
 * check its signature; without it the evidence's digest is used and `anchor.explicit` is false
 * @returns every check made; malformed input is a failed named check, never an exception
 */
export async function verifyLedgerdbReceipt(
  subject: Receipt | Revision,
  evidence: LedgerdbEvidence | JsonObject,
  anchor?: TrustAnchor,
): Promise<Verification> {
  const checks: VerificationCheck[] = [];
  const ev = (typeof evidence === 'object' && evidence !== null ? evidence : {}) as Partial<LedgerdbEvidence>;
  const isRevision = typeof subject === 'object' && subject !== null && 'key' in subject;
  const receipt = (isRevision ? (subject as Revision).receipt : subject) as Receipt | undefined;
  const proof = (receipt?.proof ?? {}) as ReceiptProof;

  checks.push(
    check('receipt-format', () => {
      if (typeof receipt !== 'object' || receipt === null) return [false, 'the subject has no receipt'];
      const version = receipt.version ?? 1;
      if (!Number.isInteger(version) || version < 1 || version > receiptFormatVersion) {
        return [false, `receipt format version ${String(receipt.version)} is not one this verifier reads`];
      }
      if (receipt.backend !== 'ledgerdb') return [false, `a ${String(receipt.backend)} receipt, not ledgerdb`];
      if (typeof receipt.txId !== 'string' || !Number.isSafeInteger(receipt.position?.block)) {
        return [false, 'the receipt has no transaction id or block position'];
      }
      return [true, `ledgerdb receipt, format version ${version}`];
    }),
  );

  let trusted: Digest | undefined;
  let anchorInfo: VerificationAnchor;
  // null, as JSON writes an absent anchor, is no anchor (and must not throw).
  if (anchor === undefined || anchor === null) {
    trusted = ev.digest;
    anchorInfo = {
      type: 'ledgerdb-digest',
      explicit: false,
      detail: `the digest the backend served (tree size ${String(ev.digest?.treeSize)}, root ${String(ev.digest?.rootHash)}), trusted because no anchor was given`,
    };
  } else {
    const rightType = anchor.type === 'ledgerdb-digest';
    checks.push({
      name: 'anchor-type',
      ok: rightType,
      detail: rightType ? 'a ledgerdb digest' : `a ${String(anchor.type)} anchor cannot verify a ledgerdb receipt`,
    });
    if (rightType) trusted = anchor.digest as unknown as Digest;
    anchorInfo = {
      type: rightType ? 'ledgerdb-digest' : anchor.type,
      explicit: true,
      detail: rightType
        ? `the digest of tree size ${String(trusted?.treeSize)}, root ${String(trusted?.rootHash)}` +
          (anchor.publicKey === undefined
            ? ', signature not checked (no public key pinned)'
            : ', signed by the pinned key')
        : `a ${String(anchor.type)} anchor`,
    };
    if (rightType && anchor.publicKey !== undefined) {
      const publicKey = anchor.publicKey;
      checks.push(
        check('digest-signature', () => {
          const ok = verifyDigestSignature(trusted as Digest, publicKey);
          return [ok, ok ? 'Ed25519 signature by the pinned key verifies' : 'digest signature is missing or invalid'];
        }),
      );
    }
  }
  if (anchor !== undefined && anchor !== null && anchor.type !== 'ledgerdb-digest') {
    return verification(checks, anchorInfo);
  }

  const block = ev.block;
  checks.push(
    check('ledger', () => {
      const names = [receipt?.ledger, trusted?.ledger, block?.ledger];
      const ok = typeof names[0] === 'string' && names.every((name) => name === names[0]);
      return [
        ok,
        `receipt of ledger ${JSON.stringify(names[0])}, digest of ${JSON.stringify(names[1])}, block of ${JSON.stringify(names[2])}`,
      ];
    }),
  );

  let blockHash: string | undefined;
  checks.push(
    check('block-hash', () => {
      blockHash = leafHashOf(block as BlockBody);
      if (proof.blockHash === undefined) return [true, `block ${String(block?.seq)} hashes to ${blockHash}`];
      return [
        blockHash === proof.blockHash,
        `block ${String(block?.seq)} hashes to ${blockHash}; the receipt says ${String(proof.blockHash)}`,
      ];
    }),
  );

  const leafIndex = proof.blockLeafIndex ?? ev.blockLeafIndex;
  checks.push(
    check('block-position', () => {
      // A commit receipt is the block's one transaction (index 0); a revision's receipt
      // points at the revision's entry in the block.
      const index = receipt?.position.index;
      const indexOk = Array.isArray(proof.revisions)
        ? index === 0
        : Number.isSafeInteger(index) && (index as number) >= 0 && (index as number) < (block?.revisions.length ?? 0);
      const ok =
        block?.seq === receipt?.position.block &&
        indexOk &&
        Number.isSafeInteger(leafIndex) &&
        (ev.blockLeafIndex === undefined || ev.blockLeafIndex === leafIndex);
      return [
        ok,
        `the receipt names block ${String(receipt?.position.block)}, index ${String(index)}, at leaf ${String(leafIndex)}; ` +
          `the evidence has block ${String(block?.seq)} at leaf ${String(ev.blockLeafIndex)}`,
      ];
    }),
  );

  checks.push(
    check('transaction', () => {
      const b = block as BlockBody;
      if (b.txId !== receipt?.txId) return [false, `block ${b.seq} holds transaction ${b.txId}, not ${receipt?.txId}`];
      if (b.txTime !== receipt.timestamp) return [false, `block time ${b.txTime}, receipt time ${receipt.timestamp}`];
      const listed = blockRevisionHashes(proof, receipt.position.index);
      if (listed === undefined) return [false, 'the receipt lists no revisions'];
      // The redactions a commit receipt names are exactly the block's (a receipt without the
      // field, written before receipts carried it, claims none either way).
      const redactions = Array.isArray(b.redactions) ? b.redactions : [];
      if (Array.isArray(proof.revisions) && proof.redactions !== undefined) {
        const claimed = Array.isArray(proof.redactions) ? proof.redactions : [];
        if (canonicalize(claimed) !== canonicalize(redactions)) {
          return [false, `the block records ${redactions.length} redactions, the receipt ${claimed.length}, or others`];
        }
      }
      if (listed.length === 0) {
        // A commit that only redacted: its block has no revision and records the redaction.
        const ok = Array.isArray(proof.revisions) && b.revisions.length === 0 && redactions.length > 0;
        const what = redactions.map((entry) => `${entry.table}/${entry.id}@${entry.version}`).join(', ');
        return [
          ok,
          ok
            ? `block ${b.seq} holds transaction ${b.txId}, which redacted ${what} and wrote no revision`
            : 'the receipt lists no revisions and the block records no redaction',
        ];
      }
      const ok = listed.every(([index, hash]) => b.revisions[index] === hash);
      return [
        ok,
        ok ? `block ${b.seq} holds transaction ${b.txId} and its revisions` : 'the block lists other revisions',
      ];
    }),
  );

  if (Array.isArray(proof.revisions))
    checks.push(...revisionLabelChecks(proof, leafIndex, block, ev.revisions, receipt));
  if (isRevision) checks.push(...revisionChecks(subject as Revision, ev.revision, block));

  if (proof.auditPath !== undefined || proof.treeSize !== undefined) {
    let commitRoot: Uint8Array | undefined;
    // A path cut short (or padded) is malformed input, told apart from a path of the right
    // shape that leads elsewhere: `ledgerkit verify` reports the first as bad input.
    checks.push(check('proof-format', () => proofShape(leafIndex, proof.treeSize, proof.auditPath)));
    checks.push(
      check('inclusion-proof', () => {
        commitRoot = inclusionRoot({
          leafHash: blockHash ?? String(proof.blockHash),
          leafIndex: leafIndex as number,
          treeSize: proof.treeSize as number,
          auditPath: proof.auditPath as string[],
        });
        return [
          true,
          `block leaf ${leafIndex} is in the tree of its commit: ${proof.treeSize} leaves, root ${toHex(commitRoot)}`,
        ];
      }),
    );
    checks.push(
      check('consistency-proof', () => {
        const digest = trusted as Digest;
        const consistency = ev.consistency;
        if (commitRoot === undefined) return [false, 'no commit-time root to extend'];
        if (consistency === undefined) return [false, 'the evidence has no consistency proof'];
        if (consistency.oldSize !== proof.treeSize || consistency.newSize !== digest.treeSize) {
          return [
            false,
            `the proof runs from ${consistency.oldSize} to ${consistency.newSize} leaves; needed ${proof.treeSize} to ${digest.treeSize} (fetch evidence at the anchor's size)`,
          ];
        }
        verifyConsistency({
          oldSize: proof.treeSize as number,
          newSize: digest.treeSize,
          oldRoot: commitRoot,
          newRoot: digest.rootHash,
          proof: consistency.proof,
        });
        return [true, `the digest's journal (${digest.treeSize} leaves) extends the receipt's (${proof.treeSize})`];
      }),
    );
  } else {
    checks.push(
      check('inclusion-proof', () => {
        const digest = trusted as Digest;
        const inclusion = ev.inclusion;
        if (inclusion === undefined) return [false, 'the evidence has no inclusion proof'];
        if (inclusion.treeSize !== digest.treeSize) {
          return [false, `the proof is for ${inclusion.treeSize} leaves, the digest has ${digest.treeSize}`];
        }
        const root = inclusionRoot({
          leafHash: blockHash as string,
          leafIndex: leafIndex as number,
          treeSize: digest.treeSize,
          auditPath: inclusion.auditPath,
        });
        const ok = toHex(root) === String(digest.rootHash).toLowerCase();
        return [ok, `block leaf ${leafIndex} folds to ${toHex(root)}; the digest's root is ${digest.rootHash}`];
      }),
    );
  }
  return verification(checks, anchorInfo);
}

/** The block entries a receipt vouches for, as `[index in block, hash]`. */
function blockRevisionHashes(proof: ReceiptProof, index: number): [number, string][] | undefined {
  if (Array.isArray(proof.revisions)) return proof.revisions.map((revision, i) => [i, revision.hash]);
  if (typeof proof.revisionHash === 'string') return [[index, proof.revisionHash]];
  return undefined;
}

/**
 * A commit receipt's labels of its revisions: each leaf index follows from the block's
 * (a block's revisions are the leaves just before it, in order), and each table/id/version
 * from the revision body the evidence carries, which must hash to the block's entry.
 */
function revisionLabelChecks(
  proof: ReceiptProof,
  blockLeafIndex: number | undefined,
  block: BlockBody | undefined,
  bodies: unknown,
  receipt: Receipt | undefined,
): VerificationCheck[] {
  const labels = proof.revisions as NonNullable<ReceiptProof['revisions']>;
  return [
    check('revision-leaves', () => {
      const count = (block as BlockBody).revisions.length;
      if (labels.length !== count) return [false, `the receipt lists ${labels.length} revisions, the block ${count}`];
      const first = (blockLeafIndex as number) - count;
      const wrong = labels.findIndex((label, i) => label?.leafIndex !== first + i);
      return wrong < 0
        ? [true, `revision leaves ${first}..${first + count - 1} precede block leaf ${blockLeafIndex}`]
        : [
            false,
            `revision ${wrong} claims leaf ${String(labels[wrong]?.leafIndex)}; the block's layout puts it at ${first + wrong}`,
          ];
    }),
    check('revision-labels', () => {
      const b = block as BlockBody;
      if (bodies === undefined) {
        // Bundles written before the evidence carried revision bodies: still accepted (golden
        // vectors are kept), but the verdict says which claims rest on the receipt alone.
        return [
          true,
          "older evidence format without revision bodies: the revisions' hashes are proven, their table/id/version labels are not",
        ];
      }
      if (!Array.isArray(bodies) || bodies.length !== labels.length) {
        return [
          false,
          `the evidence has ${Array.isArray(bodies) ? bodies.length : 'no'} revision bodies for ${labels.length} revisions`,
        ];
      }
      const withheld: number[] = [];
      for (const [i, label] of labels.entries()) {
        const body = bodies[i] as RevisionBody | null;
        if (body === null) {
          withheld.push(i);
          continue;
        }
        if (typeof body !== 'object') return [false, `the evidence has no body for revision ${i}`];
        if (leafHashOf(body) !== b.revisions[i])
          return [false, `revision body ${i} does not hash to the block's entry`];
        // Format 2: the leaf commits to the data's hash, so the data beside it must match it
        // (or be absent: a redacted revision).
        const [dataOk, dataDetail] = checkRevisionData(body);
        if (!dataOk) return [false, `revision body ${i} is inconsistent: ${dataDetail}`];
        const m = body.metadata;
        if (m.table !== label.table || m.id !== label.id || m.version !== label.version) {
          return [
            false,
            `revision ${i} is ${m.table}/${m.id}@${m.version} in the journal; the receipt says ${String(label.table)}/${String(label.id)}@${String(label.version)}`,
          ];
        }
        if (m.txId !== receipt?.txId || body.blockAddress?.seq !== b.seq || body.blockAddress?.index !== i) {
          return [false, `revision body ${i} belongs to another transaction or block position`];
        }
      }
      if (withheld.length > 0) {
        return [
          true,
          `the journal's revision bodies prove ${labels.length - withheld.length} of ${labels.length} labels; the backend withheld revisions ${withheld.join(', ')} (a table the reader may not read): their table/id/version labels are not proven, their hashes are`,
        ];
      }
      return [true, `the journal's revision bodies prove the labels of all ${labels.length} revisions`];
    }),
  ];
}

function revisionChecks(
  revision: Revision,
  body: RevisionBody | undefined,
  block: BlockBody | undefined,
): VerificationCheck[] {
  return [
    check('revision-hash', () => {
      if (body === undefined) return [false, 'the evidence has no revision body'];
      const hash = leafHashOf(body);
      const index = body.blockAddress.index;
      const listed = block?.revisions[index];
      const claimed = (revision.receipt.proof as ReceiptProof | undefined)?.revisionHash;
      const ok = hash === listed && (claimed === undefined || claimed === hash) && body.blockAddress.seq === block?.seq;
      return [ok, `the revision hashes to ${hash}; block entry ${index} is ${String(listed)}`];
    }),
    check('revision-data', () => {
      const b = body as RevisionBody;
      // Format 2: the body's data must be the data its leaf commits to (or be redacted).
      const [dataOk, dataDetail] = checkRevisionData(b);
      if (!dataOk) return [false, `the journal's revision body is inconsistent: ${dataDetail}`];
      const sameValue = canonicalize(b.data ?? null) === canonicalize(revision.value ?? null);
      const deletedInJournal = b.data === undefined && b.dataHash === undefined;
      const sameDeleted = deletedInJournal === (revision.deleted === true);
      const sameKey = `${b.metadata.table}/${b.metadata.id}` === revision.key;
      const sameVersion = b.metadata.version === revision.version && b.metadata.txId === revision.receipt.txId;
      const ok = sameValue && sameDeleted && sameKey && sameVersion;
      return [
        ok,
        ok
          ? `${revision.key}@${revision.version} holds the value the journal holds`
          : !sameValue || !sameDeleted
            ? `the value of ${revision.key}@${revision.version} differs from the journal's`
            : `the journal's revision is ${b.metadata.table}/${b.metadata.id}@${b.metadata.version}`,
      ];
    }),
  ];
}

/** Whether a commit-time inclusion proof has the shape RFC 9162 gives leaf `index` of `size`. */
function proofShape(index: unknown, size: unknown, path: unknown): readonly [boolean, string] {
  if (!Number.isSafeInteger(size) || !Number.isSafeInteger(index)) {
    return [false, 'the receipt proof needs an integer treeSize and blockLeafIndex'];
  }
  const [leaf, leaves] = [index as number, size as number];
  if (leaf < 0 || leaf >= leaves) return [false, `leaf ${leaf} is outside a tree of ${leaves} leaves`];
  if (!Array.isArray(path) || !path.every((hash) => typeof hash === 'string' && /^[0-9a-f]{64}$/i.test(hash))) {
    return [false, 'the receipt proof needs auditPath: an array of 32-byte hex hashes'];
  }
  const expected = inclusionProofRanges(leaf, leaves).length;
  return path.length === expected
    ? [true, `${expected} audit path hashes, as leaf ${leaf} of ${leaves} needs`]
    : [
        false,
        `the audit path has ${path.length} hashes; leaf ${leaf} of ${leaves} needs ${expected} (a truncated proof)`,
      ];
}
