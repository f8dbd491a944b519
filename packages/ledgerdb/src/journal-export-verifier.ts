// Browser-safe: no Node built-ins, no Buffer (bundled by `@ledgerkit/ledgerdb/verify`).
import {
  check,
  fromHex,
  hashChildren,
  hashLeaf,
  type TrustAnchor,
  toHex,
  type Verification,
  type VerificationAnchor,
  type VerificationCheck,
  verification,
  verifyConsistency,
} from '@ledgerkit/core';
import { canonicalize } from './internal/canonical-json.js';
import { revisionLeafText } from './internal/revision-format.js';
import type { BlockBody, Digest, RevisionBody } from './types.js';
import { checkRevisionData, verifyDigestSignature } from './verifier.js';

/** The `format` of a journal export's header. */
export const journalExportFormat = 'ledgerdb.journal-export';

/**
 * One record (one JSON line, or one Ion value) of a journal export, in order: a header, the
 * journal's leaves of the range (each block after its revisions), and the digest at the end
 * of the range with what ties it to the ledger's digest at export time.
 */
export type JournalExportRecord =
  | {
      type: 'header';
      format: typeof journalExportFormat;
      version: 1;
      ledger: string;
      /** Journal format of the ledger (how revision leaves are hashed). */
      journalFormat: 1 | 2;
      /** First and last block of the range. */
      fromSeq: number;
      toSeq: number;
      /** Leaves `[fromLeaf, toLeaf)` of the journal are the range. */
      fromLeaf: number;
      toLeaf: number;
      /**
       * Hashes of the perfect subtrees of leaves `[0, fromLeaf)`, largest first: with the
       * range's leaves they give the root at `toLeaf` leaves (RFC 9162).
       */
      startNodes: string[];
      exportedAt: string;
    }
  | {
      type: 'revision';
      leafIndex: number;
      /** Leaf hash. */
      hash: string;
      /** The revision: with `data` unless redacted (format 2: `dataHash` always). */
      revision: RevisionBody;
    }
  | { type: 'block'; leafIndex: number; hash: string; block: BlockBody }
  | {
      type: 'digest';
      /** The digest at the end of the range (`treeSize` = `toLeaf`), signed when the ledger signs. */
      digest: Digest;
      /** The ledger's digest when exported, and the RFC 9162 consistency proof from `digest` to it. */
      head: { digest: Digest; consistency: string[] };
    };

type Header = Extract<JournalExportRecord, { type: 'header' }>;
type Trailer = Extract<JournalExportRecord, { type: 'digest' }>;

/**
 * Splits JSON Lines text into records.
 *
 * @param text - a journal export as JSON Lines
 * @returns the records, or an error string naming the first line that is not JSON
 */
function parseJsonLines(text: string): unknown[] | string {
  const records: unknown[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line));
    } catch {
      return `line ${i + 1} is not JSON`;
    }
  }
  return records;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Verifies a journal export offline, with no I/O (runs in a browser). Every leaf of the range
 * is re-hashed (a format-2 revision's data against its `dataHash`; a redacted one by its
 * hash), the leaves must be the contiguous range the header names, blocks must list the
 * revisions before them and chain, and the header's start nodes with the leaves must give the
 * root of the digest at the end of the range; the consistency proof then ties that digest to
 * the ledger's digest at export time. A tampered, dropped or reordered line fails a named check.
 *
 * @param exported - the export as JSON Lines text, or its records (Ion text: read it with
 * `readJournalExport` from the main entry first)
 * @param anchor - a `ledgerdb-digest` the verifier trusts (the digest at the end of the range,
 * or the export's head digest, or a digest of either size), with the owner's public key to
 * check signatures; without it the export's own digest is trusted and `anchor.explicit` is false
 * @returns every check made; malformed input is a failed named check, never an exception
 */
export function verifyJournalExport(
  exported: string | readonly JournalExportRecord[] | readonly unknown[],
  anchor?: TrustAnchor,
): Verification {
  const checks: VerificationCheck[] = [];
  let records: unknown[] = [];
  let header: Header | undefined;
  let trailer: Trailer | undefined;
  checks.push(
    check('export-format', () => {
      const parsed = typeof exported === 'string' ? parseJsonLines(exported) : [...(exported as unknown[])];
      if (typeof parsed === 'string') return [false, parsed];
      records = parsed;
      const first = records[0];
      if (!isObject(first) || first.type !== 'header' || first.format !== journalExportFormat) {
        return [false, `the first record is not a ${journalExportFormat} header`];
      }
      if (first.version !== 1) return [false, `export version ${String(first.version)} is not one this verifier reads`];
      const last = records[records.length - 1];
      if (!isObject(last) || last.type !== 'digest' || !isObject(last.digest) || !isObject(last.head)) {
        return [false, 'the last record is not the digest record (the export is cut short)'];
      }
      header = first as unknown as Header;
      trailer = last as unknown as Trailer;
      return [true, `${journalExportFormat} version 1 of ledger ${String(first.ledger)}, ${records.length} records`];
    }),
  );
  let anchorInfo: VerificationAnchor = {
    type: 'ledgerdb-digest',
    explicit: false,
    detail: 'the digest the export carries, trusted because no anchor was given',
  };
  if (anchor !== undefined && anchor !== null) {
    const rightType = anchor.type === 'ledgerdb-digest';
    checks.push({
      name: 'anchor-type',
      ok: rightType,
      detail: rightType
        ? 'a ledgerdb digest'
        : `a ${String(anchor.type)} anchor cannot verify a ledgerdb journal export`,
    });
    anchorInfo = { type: anchor.type, explicit: true, detail: `a ${anchor.type} anchor` };
    if (!rightType) return verification(checks, anchorInfo);
  }
  if (header === undefined || trailer === undefined) return verification(checks, anchorInfo);
  const h = header;
  const end = trailer;
  const leaves = records.slice(1, -1) as Record<string, unknown>[];
  const hashes: (string | undefined)[] = [];

  checks.push(
    check('leaf-sequence', () => {
      const count = h.toLeaf - h.fromLeaf;
      if (!Number.isSafeInteger(count) || count < 1) return [false, `the header's leaf range is empty or invalid`];
      if (leaves.length !== count) {
        return [
          false,
          `the header names ${count} leaves (${h.fromLeaf}..${h.toLeaf - 1}); the export has ${leaves.length}`,
        ];
      }
      const wrong = leaves.findIndex((record, i) => record?.leafIndex !== h.fromLeaf + i);
      return wrong < 0
        ? [true, `leaves ${h.fromLeaf}..${h.toLeaf - 1}, contiguous and in order`]
        : [
            false,
            `record ${wrong + 2} is leaf ${String(leaves[wrong]?.leafIndex)}; leaf ${h.fromLeaf + wrong} belongs there`,
          ];
    }),
  );

  checks.push(
    check('leaf-hashes', () => {
      for (const [i, record] of leaves.entries()) {
        let text: string;
        if (record.type === 'revision' && isObject(record.revision)) {
          text = revisionLeafText(record.revision as unknown as RevisionBody);
        } else if (record.type === 'block' && isObject(record.block)) {
          text = canonicalize(record.block, 'block');
        } else {
          return [false, `record ${i + 2} is neither a revision nor a block`];
        }
        const hash = toHex(hashLeaf(text));
        hashes.push(hash);
        if (hash !== record.hash) {
          return [false, `leaf ${String(record.leafIndex)} hashes to ${hash}; its record says ${String(record.hash)}`];
        }
      }
      return [true, `all ${leaves.length} leaves hash to the hashes their records give`];
    }),
  );

  checks.push(
    check('revision-data', () => {
      let redacted = 0;
      for (const record of leaves) {
        if (record.type !== 'revision') continue;
        const revision = record.revision as RevisionBody;
        const formatOk =
          h.journalFormat === 2
            ? revision.data === undefined || revision.dataHash !== undefined
            : revision.dataHash === undefined;
        if (!formatOk) return [false, `leaf ${String(record.leafIndex)} is not a format-${h.journalFormat} revision`];
        const [ok, detail] = checkRevisionData(revision);
        if (!ok) return [false, `leaf ${String(record.leafIndex)}: ${detail}`];
        if (revision.dataHash !== undefined && revision.data === undefined) redacted++;
      }
      return [true, `every revision's data matches the hash its leaf commits to; ${redacted} redacted (hash only)`];
    }),
  );

  checks.push(
    check('blocks', () => {
      let pending: { hash: string; revision: RevisionBody }[] = [];
      let seq = h.fromSeq;
      let prev: string | null | undefined;
      for (const [i, record] of leaves.entries()) {
        const hash = hashes[i] ?? String(record.hash);
        if (record.type === 'revision') {
          pending.push({ hash, revision: record.revision as RevisionBody });
          continue;
        }
        const block = record.block as BlockBody;
        if (block.seq !== seq) return [false, `block ${block.seq} found where block ${seq} belongs`];
        if (block.ledger !== h.ledger) return [false, `block ${block.seq} names ledger ${block.ledger}`];
        if (prev !== undefined && block.prevBlockHash !== prev) {
          return [false, `block ${block.seq} does not chain to block ${seq - 1}`];
        }
        const listed = block.revisions;
        if (
          !Array.isArray(listed) ||
          listed.length !== pending.length ||
          pending.some((entry, index) => {
            const address = entry.revision.blockAddress;
            return (
              listed[index] !== entry.hash ||
              address?.seq !== block.seq ||
              address?.index !== index ||
              entry.revision.metadata?.txId !== block.txId
            );
          })
        ) {
          return [false, `block ${block.seq} does not list the revisions before it`];
        }
        prev = hash;
        pending = [];
        seq++;
      }
      if (pending.length > 0) return [false, 'the range ends inside a transaction (revisions after the last block)'];
      if (seq - 1 !== h.toSeq) return [false, `the range ends at block ${seq - 1}; the header says ${h.toSeq}`];
      return [true, `blocks ${h.fromSeq}..${h.toSeq} list their revisions and chain`];
    }),
  );

  checks.push(
    check('range-root', () => {
      const digest = end.digest;
      if (digest.ledger !== h.ledger || digest.treeSize !== h.toLeaf) {
        return [
          false,
          `the digest is of ledger ${digest.ledger} at ${digest.treeSize} leaves; the range ends at ${h.toLeaf}`,
        ];
      }
      const root = rangeRoot(h.fromLeaf, h.startNodes, hashes as string[]);
      if (root === undefined) {
        return [false, `the header's start nodes are not the subtrees of ${h.fromLeaf} leaves`];
      }
      return [
        root === String(digest.rootHash).toLowerCase(),
        `the start nodes and leaves fold to ${root}; the digest at ${digest.treeSize} leaves says ${digest.rootHash}`,
      ];
    }),
  );

  checks.push(
    check('head-consistency', () => {
      const { digest: head, consistency } = end.head;
      if (head.ledger !== h.ledger) return [false, `the head digest is of ledger ${head.ledger}`];
      if (head.treeSize === end.digest.treeSize) {
        return [head.rootHash === end.digest.rootHash, 'the head digest is the digest at the end of the range'];
      }
      verifyConsistency({
        oldSize: end.digest.treeSize,
        newSize: head.treeSize,
        oldRoot: end.digest.rootHash,
        newRoot: head.rootHash,
        proof: consistency,
      });
      return [
        true,
        `the journal at export time (${head.treeSize} leaves) extends the range's (${end.digest.treeSize})`,
      ];
    }),
  );

  if (anchor !== undefined && anchor !== null && anchor.type === 'ledgerdb-digest') {
    const trusted = anchor.digest as unknown as Digest;
    anchorInfo = {
      type: 'ledgerdb-digest',
      explicit: true,
      detail:
        `the digest of tree size ${String(trusted?.treeSize)}, root ${String(trusted?.rootHash)}` +
        (anchor.publicKey === undefined
          ? ', signature not checked (no public key pinned)'
          : ', signed by the pinned key'),
    };
    if (anchor.publicKey !== undefined) {
      const publicKey = anchor.publicKey;
      checks.push(
        check('digest-signature', () => {
          const ok =
            verifyDigestSignature(trusted, publicKey) &&
            verifyDigestSignature(end.digest, publicKey) &&
            verifyDigestSignature(end.head.digest, publicKey);
          return [
            ok,
            ok
              ? 'the anchor and the export digests are signed by the pinned key'
              : 'a digest signature is missing or invalid',
          ];
        }),
      );
    }
    checks.push(
      check('anchor', () => {
        const match = [end.digest, end.head.digest].find((digest) => digest.treeSize === trusted.treeSize);
        if (match === undefined) {
          return [
            false,
            `the anchor has ${trusted.treeSize} leaves; this export proves the journal at ${end.digest.treeSize} and ${end.head.digest.treeSize}`,
          ];
        }
        const ok = trusted.ledger === h.ledger && String(trusted.rootHash).toLowerCase() === match.rootHash;
        return [
          ok,
          `the anchor's root ${trusted.rootHash}; the export's at ${match.treeSize} leaves is ${match.rootHash}`,
        ];
      }),
    );
  }
  return verification(checks, anchorInfo);
}

/**
 * RFC 9162 root of the tree of `fromLeaf + leaves.length` leaves, from the perfect subtrees
 * of the first `fromLeaf` leaves (largest first) and the hashes of the rest.
 *
 * @returns the root as hex, or undefined when `startNodes` does not fit `fromLeaf`
 */
function rangeRoot(fromLeaf: number, startNodes: unknown, leafHashes: readonly string[]): string | undefined {
  const sizes: number[] = [];
  for (let bit = 2 ** 52; bit >= 1; bit /= 2) if (Math.floor(fromLeaf / bit) % 2 === 1) sizes.push(bit);
  if (!Array.isArray(startNodes) || startNodes.length !== sizes.length) return undefined;
  const stack: { size: number; hash: Uint8Array }[] = sizes.map((size, i) => ({
    size,
    hash: fromHex(String(startNodes[i]), 'startNodes'),
  }));
  for (const leaf of leafHashes) {
    stack.push({ size: 1, hash: fromHex(leaf, 'leaf') });
    while (stack.length > 1 && stack[stack.length - 1]?.size === stack[stack.length - 2]?.size) {
      const right = stack.pop() as { size: number; hash: Uint8Array };
      const left = stack.pop() as { size: number; hash: Uint8Array };
      stack.push({ size: left.size * 2, hash: hashChildren(left.hash, right.hash) });
    }
  }
  let root = stack[stack.length - 1]?.hash;
  if (root === undefined) return undefined;
  for (let i = stack.length - 2; i >= 0; i--) root = hashChildren((stack[i] as { hash: Uint8Array }).hash, root);
  return toHex(root);
}
