import { emptyRoot, hashLeaf, isLedgerError, toHex } from '@ledgerkit/core';
import type { StorageReader } from '../storage/driver.js';
import type { AuditReport, BlockBody, Digest, RevisionBody } from '../types.js';
import { canonicalize } from './canonical-json.js';
import { Frontier } from './frontier.js';
import { dataHashOf, isDeleteRevision } from './revision-format.js';

class Mismatch extends Error {
  constructor(
    readonly leaf: number | null,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const chunk = 4096;

/**
 * Walks the whole journal from storage, recomputing every leaf hash and Merkle node,
 * re-checking block chaining and revision bookkeeping, and stops at the first entry
 * that does not match.
 */
export async function runAudit(storage: StorageReader, ledger: string, against?: Digest): Promise<AuditReport> {
  const frontier = new Frontier(0, []);
  let blocks = 0;
  let revisions = 0;
  let treeSize = 0;
  try {
    const head = await storage.head();
    treeSize = head.treeSize;
    let prevBlockHash: string | null = null;
    let pending: { hash: string; body: RevisionBody }[] = [];
    const lastVersion = new Map<string, { version: number; deleted: boolean }>();
    let trustedRootSeen = against === undefined || against.treeSize === 0;
    const stored = await storage.meta('journal_format');
    const format = stored === undefined ? 1 : Number(stored);
    // Format-2 revisions without their data, by leaf hash: each must be redacted by a block.
    const withoutData = new Map<string, { leaf: number; name: string }>();
    const redactedLeaves = new Map<string, number>();
    let redacted = 0;

    for (let from = 0; from < treeSize; from += chunk) {
      const to = Math.min(treeSize, from + chunk);
      const rows = await storage.leaves(from, to);
      let expected = from;
      for (const row of rows) {
        if (row.leaf !== expected) throw new Mismatch(expected, `leaf ${expected} is missing from storage`);
        const hash = hashLeaf(row.body);
        const nodes = frontier.append(hash);
        if (Buffer.compare(Buffer.from(nodes), Buffer.from(row.nodes)) !== 0) {
          throw new Mismatch(row.leaf, 'stored Merkle nodes differ from the ones recomputed from the leaves');
        }
        const hex = toHex(hash);
        let parsed: unknown;
        try {
          parsed = JSON.parse(row.body);
        } catch {
          throw new Mismatch(row.leaf, 'leaf body is not JSON');
        }
        if (canonicalize(parsed) !== row.body) throw new Mismatch(row.leaf, 'leaf body is not RFC 8785 canonical JSON');
        if (typeof parsed === 'object' && parsed !== null && 'blockAddress' in parsed) {
          const body = parsed as RevisionBody;
          const { table, id, version } = body.metadata;
          if (body.blockAddress.seq !== blocks || body.blockAddress.index !== pending.length) {
            throw new Mismatch(row.leaf, `revision claims block ${body.blockAddress.seq}#${body.blockAddress.index}`);
          }
          const key = `${table}\u0000${id}`;
          const previous = lastVersion.get(key);
          if (version !== (previous?.version ?? -1) + 1 || previous?.deleted) {
            throw new Mismatch(
              row.leaf,
              `revision ${table}/${id}@${version} does not follow version ${previous?.version ?? 'none'}`,
            );
          }
          if (body.data !== undefined && format >= 2) {
            throw new Mismatch(
              row.leaf,
              `revision ${table}/${id}@${version} holds its data in a format-${format} journal`,
            );
          }
          if (body.dataHash !== undefined) {
            if (format < 2) {
              throw new Mismatch(row.leaf, `revision ${table}/${id}@${version} is format 2 in a format-1 journal`);
            }
            if (typeof row.data === 'string') {
              // The leaf commits to the data's hash only: the data must still match it.
              if (dataHashOf(row.data) !== body.dataHash) {
                throw new Mismatch(
                  row.leaf,
                  `the data of ${table}/${id}@${version} does not match its hash in the journal`,
                );
              }
            } else {
              withoutData.set(hex, { leaf: row.leaf, name: `${table}/${id}@${version}` });
            }
          } else if (typeof row.data === 'string') {
            throw new Mismatch(row.leaf, `revision ${table}/${id}@${version} has stored data but no hash of it`);
          }
          const deleted = isDeleteRevision(body);
          lastVersion.set(key, { version, deleted });
          const index = await storage.revisionRow(table, id, version);
          if (!index || index.leaf !== row.leaf || index.seq !== blocks || index.deleted !== deleted) {
            throw new Mismatch(row.leaf, `revision index row of ${table}/${id}@${version} does not point at this leaf`);
          }
          pending.push({ hash: hex, body });
          revisions++;
        } else {
          const body = parsed as BlockBody;
          if (body.seq !== blocks)
            throw new Mismatch(row.leaf, `block ${body.seq} found where block ${blocks} belongs`);
          if (body.ledger !== ledger) throw new Mismatch(row.leaf, `block names ledger ${body.ledger}`);
          if (body.prevBlockHash !== prevBlockHash)
            throw new Mismatch(row.leaf, 'block does not chain to the previous block');
          if (
            body.revisions.length !== pending.length ||
            body.revisions.some((hash, i) => hash !== pending[i]?.hash) ||
            pending.some(
              ({ body: revision }) => revision.metadata.txId !== body.txId || revision.metadata.txTime !== body.txTime,
            )
          ) {
            throw new Mismatch(row.leaf, `block ${body.seq} does not list the revisions before it`);
          }
          for (const redaction of body.redactions ?? []) {
            // A journaled redaction names an earlier revision that is not its document's latest.
            const target = redaction.revisionHash;
            const previous = lastVersion.get(`${redaction.table}\u0000${redaction.id}`);
            if (previous === undefined || previous.version <= redaction.version || redactedLeaves.has(target)) {
              throw new Mismatch(row.leaf, `block ${body.seq} redacts a revision it cannot redact`);
            }
            const missing = withoutData.get(target);
            if (missing === undefined || missing.name !== `${redaction.table}/${redaction.id}@${redaction.version}`) {
              throw new Mismatch(
                row.leaf,
                `block ${body.seq} redacts ${redaction.table}/${redaction.id}@${redaction.version}, whose data is still stored (or which is not an earlier revision)`,
              );
            }
            withoutData.delete(target);
            redactedLeaves.set(target, missing.leaf);
            redacted++;
          }
          const [blockRow] = await storage.blocks(body.seq - 1, 1);
          if (!blockRow || blockRow.seq !== body.seq || blockRow.leaf !== row.leaf || blockRow.txId !== body.txId) {
            throw new Mismatch(row.leaf, `block index row ${body.seq} does not point at this leaf`);
          }
          prevBlockHash = hex;
          pending = [];
          blocks++;
        }
        if (against && frontier.size === against.treeSize) {
          const root = toHex(frontier.root() as Uint8Array);
          if (root !== against.rootHash) {
            throw new Mismatch(
              row.leaf,
              `root at ${against.treeSize} leaves is ${root}, the trusted digest says ${against.rootHash}`,
            );
          }
          trustedRootSeen = true;
        }
        expected++;
      }
      if (expected !== to) throw new Mismatch(expected, `leaf ${expected} is missing from storage`);
    }
    if (pending.length > 0) throw new Mismatch(treeSize - 1, 'the journal ends inside a transaction (no block)');
    const [forged] = withoutData.values();
    if (forged) {
      throw new Mismatch(
        forged.leaf,
        `the data of ${forged.name} is missing from storage, and no journaled redaction removed it`,
      );
    }
    if (!trustedRootSeen) {
      throw new Mismatch(
        null,
        `the journal has ${treeSize} leaves, fewer than the trusted digest's ${against?.treeSize}`,
      );
    }
    const counts = await storage.counts();
    if (counts.leaves !== treeSize) throw new Mismatch(null, `${counts.leaves} leaf rows for a tree of ${treeSize}`);
    if (counts.revisions !== revisions) {
      throw new Mismatch(null, `${counts.revisions} revision rows for ${revisions} revisions in the journal`);
    }
    if (counts.blocks !== blocks)
      throw new Mismatch(null, `${counts.blocks} block rows for ${blocks} blocks in the journal`);
    return {
      ok: true,
      treeSize,
      blocks,
      revisions,
      ...(redacted > 0 ? { redacted } : {}),
      rootHash: toHex(frontier.root() ?? emptyRoot()),
    };
  } catch (error) {
    const failed = (leaf: number | null, reason: string): AuditReport => ({
      ok: false,
      treeSize,
      blocks,
      revisions,
      rootHash: toHex(frontier.root() ?? emptyRoot()),
      firstMismatch: { leaf, reason },
    });
    if (error instanceof Mismatch) return failed(error.leaf, error.reason);
    if (isLedgerError(error, 'TAMPER_DETECTED') || isLedgerError(error, 'UNAVAILABLE')) {
      return failed(null, `storage is unreadable: ${error.shortMessage}`);
    }
    throw error;
  }
}
