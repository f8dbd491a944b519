import { hash as oneShotHash } from 'node:crypto';
import { hashLeaf, hashSize, type JsonObject, LedgerError, rangeNodes, toHex } from '@ledgerkit/core';
import { canonicalize } from '../internal/canonical-json.js';
import { Frontier, leafHashBinary } from '../internal/frontier.js';
import { randomId } from '../internal/ids.js';
import { valueAt } from '../internal/paths.js';
import type { JournalFormat } from '../internal/revision-format.js';
import type { AppendBatch, IndexChange, JournalHead, StorageReader } from '../storage/driver.js';
import type { WriteRecord } from '../transaction.js';
import type { BlockBody, CommitSummary, RedactionEntry } from '../types.js';

/** The journal's right edge: what the next block builds on. */
export interface JournalState {
  frontier: Frontier;
  lastSeq: number;
  lastBlockHash: string | null;
  lastTxTime: string;
}

/** Journal entries of validated transactions, as {@link JournalEncoder.encode} builds them. */
export interface Journal {
  rows: AppendBatch;
  /** One per transaction, in order. */
  summaries: CommitSummary[];
  next: JournalState;
}

/** What a transaction hands the encoder: its document changes and redactions. */
export interface EncodedTransaction {
  readonly writes: ReadonlyMap<string, WriteRecord>;
  readonly redactions: readonly { table: string; id: string; version: number; leaf: number; revisionHash: string }[];
}

/**
 * The index rows one document change makes: for each indexed path whose value changed,
 * the old value's entry goes and the new one's comes. Commits and storage recovery both
 * derive index rows with it, so they cannot disagree.
 *
 * @param into - where the changes are appended
 * @param paths - the table's indexed paths
 * @param before - the document's data before the change (undefined: none)
 * @param after - its data after the change (undefined: deleted)
 */
export function pushIndexChanges(
  into: IndexChange[],
  table: string,
  id: string,
  paths: readonly string[],
  before: JsonObject | undefined,
  after: JsonObject | undefined,
): void {
  for (const path of paths) {
    const beforeValue = before === undefined ? undefined : valueAt(before, path);
    const afterValue = after === undefined ? undefined : valueAt(after, path);
    const beforeKey = beforeValue === undefined ? undefined : canonicalize(beforeValue);
    const afterKey = afterValue === undefined ? undefined : canonicalize(afterValue);
    if (beforeKey === afterKey) continue;
    if (beforeKey !== undefined) into.push({ table, path, id, valueKey: beforeKey, add: false });
    if (afterKey !== undefined) into.push({ table, path, id, valueKey: afterKey, add: true });
  }
}

/**
 * The journal state at a storage head: the frontier from the stored perfect subtrees, and
 * the last block's hash and time.
 *
 * @throws `TAMPER_DETECTED` when the head's last block leaf is missing
 */
export async function loadJournalState(reader: StorageReader, head: JournalHead): Promise<JournalState> {
  const size = head.treeSize;
  const waiting: (Uint8Array | undefined)[] = [];
  if (size > 0) {
    const nodes = rangeNodes([0, size]);
    const hashes = await reader.nodes(nodes);
    nodes.forEach((node, i) => {
      waiting[node.level] = hashes[i];
    });
  }
  let lastBlockHash: string | null = null;
  let lastTxTime = new Date(0).toISOString();
  if (head.lastBlockLeaf >= 0) {
    const [leaf] = await reader.leaves(head.lastBlockLeaf, head.lastBlockLeaf + 1);
    if (!leaf) throw new LedgerError('TAMPER_DETECTED', `block leaf ${head.lastBlockLeaf} is missing`);
    lastBlockHash = toHex(hashLeaf(leaf.body));
    lastTxTime = (JSON.parse(leaf.body) as BlockBody).txTime;
  }
  return { frontier: new Frontier(size, waiting), lastSeq: head.lastSeq, lastBlockHash, lastTxTime };
}

/** Whether `state` still describes storage whose head is `head`. */
export function isCurrent(state: JournalState | undefined, head: JournalHead): state is JournalState {
  return state !== undefined && state.frontier.size === head.treeSize && state.lastSeq === head.lastSeq;
}

/** Writes a ledger's transactions as journal rows: revision leaves, then one block each. */
export class JournalEncoder {
  /** The ledger name as a JSON string, as blocks carry it. */
  readonly #nameJson: string;
  /** Format 2 hashes a revision's data apart and keeps the data beside its leaf. */
  readonly #hashData: boolean;
  readonly #indexesOf: (table: string) => readonly string[] | undefined;

  /**
   * @param name - the ledger name written into every block
   * @param journalFormat - how revision leaves are hashed
   * @param indexesOf - a table's indexed paths (undefined for an unknown table)
   */
  constructor(name: string, journalFormat: JournalFormat, indexesOf: (table: string) => readonly string[] | undefined) {
    this.#nameJson = JSON.stringify(name);
    this.#hashData = journalFormat >= 2;
    this.#indexesOf = indexesOf;
  }

  /**
   * The journal entries of validated transactions, in order: one block each, after the
   * revision leaves of its writes; the rows to append and the state after them.
   *
   * @param frontier - the tree's right edge after `state`, appended to in place
   */
  encode(state: JournalState, frontier: Frontier, txs: readonly EncodedTransaction[]): Journal {
    const rows: AppendBatch = { leaves: [], revisions: [], blocks: [], index: [] };
    const summaries: CommitSummary[] = [];
    let seq = state.lastSeq;
    let prevBlockHash = state.lastBlockHash;
    const now = isoNow();
    // Never before the previous block, even if the clock stepped back.
    // biome-ignore lint/complexity/useMathMinMax: ISO 8601 strings, compared as text
    const txTime = now > state.lastTxTime ? now : state.lastTxTime;
    // Ids are base62 and times ISO 8601: JSON strings need no escapes.
    const txTimeJson = `"${txTime}"`;
    const ledgerJson = this.#nameJson;
    const hashData = this.#hashData;

    for (const tx of txs) {
      seq++;
      const txId = randomId();
      const txIdJson = `"${txId}"`;
      const summary: CommitSummary = {
        txId,
        seq,
        txTime,
        blockHash: '',
        blockLeafIndex: 0,
        treeSize: 0,
        auditPath: [],
        revisions: [],
      };
      let index = 0;
      let revisionHashes = '';
      for (const write of tx.writes.values()) {
        const version = write.baseVersion + 1;
        // RFC 8785 by construction: keys in sorted order, data already canonical.
        // Format 2 hashes the data apart (`dataHash`) and keeps it beside the leaf, so a
        // redaction can remove it and leave the leaf as it was.
        const dataField =
          write.dataJson === undefined
            ? ''
            : hashData
              ? `"dataHash":"${oneShotHash('sha256', write.dataJson, 'hex')}",`
              : `"data":${write.dataJson},`;
        const body =
          `{"blockAddress":{"index":${index},"seq":${seq}},${dataField}` +
          // Ids and table names are validated to [A-Za-z0-9_-]: JSON strings without escapes.
          `"metadata":{"id":"${write.id}","table":"${write.table}",` +
          `"txId":${txIdJson},"txTime":${txTimeJson},"version":${version}}}`;
        const leaf = frontier.size;
        const nodes = frontier.appendBinary(leafHashBinary(body));
        rows.leaves.push(hashData ? { leaf, body, nodes, data: write.dataJson ?? null } : { leaf, body, nodes });
        rows.revisions.push({
          table: write.table,
          id: write.id,
          version,
          leaf,
          seq,
          deleted: write.dataJson === undefined,
        });
        const hash = nodes.toString('hex', 0, hashSize);
        revisionHashes += index === 0 ? `"${hash}"` : `,"${hash}"`;
        summary.revisions.push({ table: write.table, id: write.id, version, hash, leafIndex: leaf });
        const paths = this.#indexesOf(write.table);
        if (paths !== undefined && paths.length > 0) {
          pushIndexChanges(rows.index, write.table, write.id, paths, write.previous, write.data);
        }
        index++;
      }
      let redactions = '';
      if (tx.redactions.length > 0) {
        const entries: RedactionEntry[] = [];
        rows.redactions ??= [];
        for (const { table, id, version, leaf, revisionHash } of tx.redactions) {
          entries.push({ table, id, version, revisionHash });
          rows.redactions.push(leaf);
        }
        summary.redactions = entries;
        redactions = `"redactions":${canonicalize(entries)},`;
      }
      const blockBody =
        `{"ledger":${ledgerJson},"prevBlockHash":${prevBlockHash === null ? 'null' : `"${prevBlockHash}"`},` +
        redactions +
        `"revisions":[${revisionHashes}],` +
        `"seq":${seq},"txId":${txIdJson},"txTime":${txTimeJson}}`;
      const blockLeaf = frontier.size;
      summary.auditPath = frontier.nextLeafPath();
      summary.treeSize = blockLeaf + 1;
      const blockNodes = frontier.appendBinary(leafHashBinary(blockBody));
      rows.leaves.push({ leaf: blockLeaf, body: blockBody, nodes: blockNodes });
      rows.blocks.push({ seq, leaf: blockLeaf, txId, txTime });
      prevBlockHash = blockNodes.toString('hex', 0, hashSize);
      summary.blockHash = prevBlockHash;
      summary.blockLeafIndex = blockLeaf;
      summaries.push(summary);
    }
    return { rows, summaries, next: { frontier, lastSeq: seq, lastBlockHash: prevBlockHash, lastTxTime: txTime } };
  }
}

let isoSecond = Number.NaN;
let isoPrefix = '';

/** `new Date().toISOString()`, without formatting a date on every commit. */
function isoNow(): string {
  const ms = Date.now();
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond) {
    // 'YYYY-MM-DDTHH:mm:ss.' of this second (toISOString is UTC, so only ms change within it).
    isoPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    isoSecond = second;
  }
  return `${isoPrefix}${String(ms - second * 1000).padStart(3, '0')}Z`;
}
