// A write load of concurrent verifying-client users: each write carries a unique writeId
// and its own idempotency key, kept across every retry, so a write that committed but whose
// answer was lost is answered from the server's idempotency record instead of committing
// again. Every error a user meets is counted by code.
import { randomUUID } from 'node:crypto';
import { isLedgerError, type RetryOptions } from '@ledgerkit/core';
import { type LedgerDatabase, openLedgerDatabase } from '@ledgerkit/ledgerdb';
import { LedgerdbClient } from '@ledgerkit/ledgerdb/client';
import type { StorageDriver } from '@ledgerkit/ledgerdb/storage';
import { ErrorTally, tally } from '../../src/report.ts';

export interface WriteLoadOptions {
  url: string;
  token: string;
  clients: number;
  table: string;
  /** Characters of padding in each document (default none): fills a disk faster. */
  pad?: number;
  /** The client's own retries before an error reaches the user (default: one quick retry). */
  retry?: RetryOptions;
}

/** Codes a user of the client may meet while a fault lasts and should retry after. */
export const retryableCodes: ReadonlySet<string> = new Set(['UNAVAILABLE', 'TIMEOUT']);

export class WriteLoad {
  readonly acknowledged: string[] = [];
  readonly errors = new ErrorTally();
  /** Time of each acknowledgement (ms since epoch), in order. */
  readonly ackTimes: number[] = [];
  /** Errors that were not a retryable code of {@link retryableCodes}, kept for the test's message. */
  readonly unexpected: unknown[] = [];
  readonly #options: WriteLoadOptions;
  readonly #run = randomUUID().slice(0, 8);
  /** Writes answered from an earlier commit under their idempotency key (a retry after a lost answer). */
  replayed = 0;
  /** The last error any user met (for failure messages). */
  lastError: unknown;
  #stopping = false;
  #workers: Promise<void>[] = [];

  constructor(options: WriteLoadOptions) {
    this.#options = options;
  }

  start(): void {
    this.#workers = Array.from({ length: this.#options.clients }, (_, worker) => this.#worker(worker));
  }

  async #worker(worker: number): Promise<void> {
    const client = new LedgerdbClient({
      url: this.#options.url,
      token: this.#options.token,
      // Proof checking is what the forked-server scenario tests; here it would only add
      // CPU load on a shared two-core machine.
      verify: false,
      retry: this.#options.retry ?? { retries: 1, baseDelayMs: 20, maxDelayMs: 100 },
      timeoutMs: 15_000,
    });
    const pad = 'x'.repeat(this.#options.pad ?? 0);
    for (let n = 0; !this.#stopping; n++) {
      const writeId = `${this.#run}-${worker}-${n}`;
      const idempotencyKey = `key-${writeId}`;
      while (!this.#stopping) {
        try {
          const result = await client.transaction(
            [{ op: 'insert', table: this.#options.table, data: { writeId, worker, n, ...(pad ? { pad } : {}) } }],
            { idempotencyKey },
          );
          if (result.replayed) this.replayed++;
          this.acknowledged.push(writeId);
          this.ackTimes.push(Date.now());
          break;
        } catch (error) {
          const code = this.errors.add(error);
          this.lastError = error;
          // During a fault the user must be told to retry; anything else is a finding.
          if (!retryableCodes.has(code) || !isLedgerError(error) || !error.retryable) this.unexpected.push(error);
          await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 50));
        }
      }
    }
  }

  /**
   * Waits until `count` more writes are acknowledged.
   *
   * @throws Error after `timeoutMs`
   */
  async waitForMore(count: number, timeoutMs: number): Promise<void> {
    const target = this.acknowledged.length + count;
    const deadline = Date.now() + timeoutMs;
    while (this.acknowledged.length < target) {
      if (Date.now() > deadline) {
        throw new Error(
          `only ${this.acknowledged.length}/${target} acknowledged after ${timeoutMs} ms; errors ${JSON.stringify(this.errors.byCode)}, last: ${String(this.lastError)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Milliseconds from `since` to the first acknowledgement after it (null if none). */
  recoveryMsAfter(since: number): number | null {
    const first = this.ackTimes.find((time) => time >= since);
    return first === undefined ? null : first - since;
  }

  /** Stops issuing writes and waits for the writes in flight. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#workers);
  }
}

/**
 * Opens the ledger the server wrote (after the server stopped), counts every write of the
 * table by writeId against the acknowledged ones, and audits the whole ledger.
 *
 * @returns the tally and whether the audit passed
 */
export async function countAndAudit(
  open: { path: string } | { storage: StorageDriver },
  table: string,
  acknowledged: string[],
): Promise<{ acknowledged: number; present: number; lost: number; duplicates: number; auditOk: boolean }> {
  const ledger: LedgerDatabase = await openLedgerDatabase(open);
  try {
    const found: string[] = [];
    for await (const { revisions } of ledger.export()) {
      for (const revision of revisions) {
        if (revision.metadata.table === table && revision.data?.writeId !== undefined) {
          found.push(String(revision.data.writeId));
        }
      }
    }
    const audit = await ledger.audit();
    return { ...tally(acknowledged, found), auditOk: audit.ok };
  } finally {
    await ledger.close();
  }
}
