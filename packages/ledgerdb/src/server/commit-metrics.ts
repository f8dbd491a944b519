import { isLedgerError } from '@ledgerkit/core';
import type { ServerMetrics } from './metrics.js';

/**
 * The metrics of a commit, kept by the route that awaits it (no promise of its own per
 * commit): {@link CommitMetrics.started} as it starts, then {@link CommitMetrics.ended} or
 * {@link CommitMetrics.failed}.
 */
export const CommitMetrics = {
  /** Counts the commit in the queue depth; returns its start time for {@link CommitMetrics.ended}. */
  started(metrics: ServerMetrics): number {
    metrics.commitQueue++;
    return performance.now();
  },
  /** Takes it out of the queue depth and, when it made a block, observes its latency. */
  ended(metrics: ServerMetrics, started: number, wroteBlock: boolean): void {
    metrics.commitQueue--;
    if (wroteBlock) metrics.observeCommit((performance.now() - started) / 1000);
  },
  /** Takes it out of the queue depth and counts its failure's code. */
  failed(metrics: ServerMetrics, error: unknown): void {
    metrics.commitQueue--;
    metrics.commitFailures.inc({ code: isLedgerError(error) ? error.code : 'INTERNAL' });
  },
};

/**
 * Runs a commit with its metrics: queue depth while it runs, then its latency (when
 * `wroteBlock` says the outcome made a block) or its failure's code.
 */
export async function measuredCommit<T>(
  metrics: ServerMetrics,
  run: Promise<T>,
  wroteBlock: (outcome: T) => boolean,
): Promise<T> {
  const started = CommitMetrics.started(metrics);
  let outcome: T;
  try {
    outcome = await run;
  } catch (error) {
    CommitMetrics.failed(metrics, error);
    throw error;
  }
  CommitMetrics.ended(metrics, started, wroteBlock(outcome));
  return outcome;
}
