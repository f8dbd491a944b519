import { EventEmitter, on } from 'node:events';
import {
  hashLeaf,
  InvalidArgumentError,
  type JsonValue,
  LedgerError,
  type LedgerEvent,
  rangeNodes,
  toHex,
} from '@ledgerkit/core';
import { ledgerdbError } from '../errors.js';
import { committedRevision, type JournalFormat } from '../internal/revision-format.js';
import { type JournalExportRecord, journalExportFormat } from '../journal-export-verifier.js';
import type { BlockRow, StorageReader } from '../storage/driver.js';
import { parseRevision } from '../transaction.js';
import type { BlockBody, ConsistencyProof, Digest, DocumentRevision, RevisionBody } from '../types.js';

/** Options of {@link LedgerDatabase.events}. */
export interface JournalEventsOptions {
  /** Resume strictly after this checkpoint (`{ block: seq, index }`). */
  from?: { block: number; index: number };
  /** Ends the stream. */
  signal?: AbortSignal;
  /** How often to look for commits of other processes (default 250 ms). */
  pollMs?: number;
}

/** One block with its revisions, as `export()` writes it. */
export interface ExportedBlock {
  block: BlockBody & { hash: string; leafIndex: number };
  revisions: DocumentRevision[];
}

/** Options of {@link LedgerDatabase.exportJournal}: the range, by block number or commit time. */
export interface JournalExportOptions {
  /** First block (sequence number), or the first block committed at or after this time (default: the first). */
  from?: number | Date;
  /** Last block, or the last block committed at or before this time (default: the last). */
  to?: number | Date;
}

/** What a journal export needs besides storage: the head it is bounded by, and proofs against it. */
export interface JournalExportSource {
  readonly name: string;
  readonly journalFormat: JournalFormat;
  /** The current digest (the export's bound). */
  digest(): Promise<Digest>;
  rootHashAt(treeSize: number): Promise<string>;
  consistencyProof(oldDigest: Digest, newDigest: Digest): Promise<ConsistencyProof>;
  /** The digest, signed when the ledger has a signing key. */
  sign(digest: Digest): Digest;
}

/** Leaves read per storage call when walking the journal. */
const chunk = 4096;

/**
 * The journal read in order: the events of committed revisions (stored ones, then live ones
 * as commits land), every block with its revisions, and verifiable exports of a range.
 */
export class EventStream {
  readonly #storage: StorageReader;
  readonly #commits = new EventEmitter();
  #closed = false;

  constructor(storage: StorageReader) {
    this.#storage = storage;
    this.#commits.setMaxListeners(0);
  }

  /** Wakes the streams waiting for a commit. */
  notify(): void {
    this.#commits.emit('commit');
  }

  /** Ends every stream after its current batch. */
  close(): void {
    this.#closed = true;
    this.#commits.emit('commit');
  }

  /**
   * Committed revisions in journal order as events, first the stored ones, then live ones as
   * they commit (also those of other processes, polled every `pollMs`).
   */
  async *events(options: JournalEventsOptions): AsyncIterable<LedgerEvent> {
    const resumeAfter = options.from;
    let cursor = resumeAfter ? resumeAfter.block - 1 : -1;
    const pollMs = options.pollMs ?? 250;
    while (!this.#closed && !options.signal?.aborted) {
      const blocks = await this.#storage.blocks(cursor, 256);
      for (const block of blocks) {
        const [blockLeaf] = await this.#storage.leaves(block.leaf, block.leaf + 1);
        if (!blockLeaf) throw new LedgerError('TAMPER_DETECTED', `block ${block.seq} has no journal leaf`);
        const count = (JSON.parse(blockLeaf.body) as BlockBody).revisions.length;
        const leaves = await this.#storage.leaves(block.leaf - count, block.leaf);
        for (const [index, leaf] of leaves.entries()) {
          if (resumeAfter && block.seq === resumeAfter.block && index <= resumeAfter.index) continue;
          const revision = committedRevision(leaf);
          yield {
            checkpoint: { block: block.seq, index },
            txId: block.txId,
            name: revision.metadata.table,
            payload: revision as unknown as JsonValue,
            timestamp: block.txTime,
          };
        }
        cursor = block.seq;
      }
      if (blocks.length < 256) await this.#waitForCommit(pollMs, options.signal);
    }
  }

  /** Every block with its revisions, in journal order. */
  async *blocks(): AsyncIterable<ExportedBlock> {
    const { treeSize } = await this.#storage.head();
    let revisions: DocumentRevision[] = [];
    for (let from = 0; from < treeSize; from += chunk) {
      for (const leaf of await this.#storage.leaves(from, Math.min(treeSize, from + chunk))) {
        const body = JSON.parse(leaf.body) as RevisionBody | BlockBody;
        const hash = toHex(hashLeaf(leaf.body));
        if ('blockAddress' in body) {
          revisions.push(committedRevision(leaf));
        } else {
          yield { block: { ...body, hash, leafIndex: leaf.leaf }, revisions };
          revisions = [];
        }
      }
    }
  }

  /**
   * The journal between two blocks (or commit times) with what verifies it offline.
   *
   * @returns the records, header first, digest last
   * @throws `INVALID_ARGUMENT` for a bad bound; `NOT_FOUND` when no block falls in the range
   */
  async exportJournal(source: JournalExportSource, options: JournalExportOptions): Promise<JournalExportRecord[]> {
    const head = await source.digest();
    // The head digest bounds the export: later commits are not part of it.
    const lastSeq = head.tip?.seq ?? -1;
    const blocks = lastSeq < 0 ? [] : await this.#allBlocks();
    const bound = (value: number | Date | undefined, name: 'from' | 'to'): number => {
      if (value === undefined) return name === 'from' ? 0 : lastSeq;
      if (value instanceof Date) {
        const time = value.getTime();
        if (Number.isNaN(time)) throw new InvalidArgumentError(name, `${name} is not a valid time`);
        const iso = value.toISOString();
        const found =
          name === 'from'
            ? blocks.find((block) => block.txTime >= iso)
            : blocks.findLast((block) => block.txTime <= iso);
        return found?.seq ?? (name === 'from' ? lastSeq + 1 : -1);
      }
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new InvalidArgumentError(name, `${name} must be a block number (a non-negative integer) or a time`, {
          value,
        });
      }
      return value;
    };
    const fromSeq = bound(options.from, 'from');
    const toSeq = Math.min(bound(options.to, 'to'), lastSeq);
    if (fromSeq > toSeq || fromSeq > lastSeq) {
      throw ledgerdbError('NOT_FOUND', `no block of ledger ${source.name} falls in the range`, {
        fromSeq,
        toSeq,
        lastSeq,
      });
    }
    const fromLeaf = fromSeq === 0 ? 0 : (blocks[fromSeq - 1]?.leaf as number) + 1;
    const toLeaf = (blocks[toSeq]?.leaf as number) + 1;
    const startNodes = fromLeaf === 0 ? [] : (await this.#storage.nodes(rangeNodes([0, fromLeaf]))).map(toHex);
    const records: JournalExportRecord[] = [
      {
        type: 'header',
        format: journalExportFormat,
        version: 1,
        ledger: source.name,
        journalFormat: source.journalFormat,
        fromSeq,
        toSeq,
        fromLeaf,
        toLeaf,
        startNodes,
        exportedAt: new Date().toISOString(),
      },
    ];
    let lastBlockHash = '';
    for (let from = fromLeaf; from < toLeaf; from += chunk) {
      for (const leaf of await this.#storage.leaves(from, Math.min(toLeaf, from + chunk))) {
        const hash = toHex(hashLeaf(leaf.body));
        const parsed = JSON.parse(leaf.body) as RevisionBody | BlockBody;
        if ('blockAddress' in parsed) {
          records.push({ type: 'revision', leafIndex: leaf.leaf, hash, revision: parseRevision(leaf as never) });
        } else {
          records.push({ type: 'block', leafIndex: leaf.leaf, hash, block: parsed });
          lastBlockHash = hash;
        }
      }
    }
    const endDigest: Digest = {
      ledger: source.name,
      treeSize: toLeaf,
      rootHash: toLeaf === head.treeSize ? head.rootHash : await source.rootHashAt(toLeaf),
      tip: { seq: toSeq, blockHash: lastBlockHash },
    };
    const consistency = await source.consistencyProof(endDigest, head);
    records.push({
      type: 'digest',
      digest: source.sign(endDigest),
      head: { digest: head, consistency: consistency.proof },
    });
    return records;
  }

  /** Every block row, in order (index = sequence number). */
  async #allBlocks(): Promise<BlockRow[]> {
    const rows: BlockRow[] = [];
    for (let after = -1; ; ) {
      const page = await this.#storage.blocks(after, chunk);
      rows.push(...page);
      if (page.length < chunk) return rows;
      after = (page[page.length - 1] as { seq: number }).seq;
    }
  }

  async #waitForCommit(pollMs: number, signal: AbortSignal | undefined): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), pollMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const _ of on(this.#commits, 'commit', { signal: controller.signal })) break;
    } catch (error) {
      if (!(error instanceof Error && error.name === 'AbortError')) throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
