import { isLedgerError } from '@ledgerkit/core';
import type { ServerMetrics } from './metrics.js';

/**
 * Runs a commit with its metrics: queue depth while it runs, then its latency (when
 * `wroteBlock` says the outcome made a block) or its failure's code.
 */
export async function measuredCommit<T>(
  metrics: ServerMetrics,
  run: Promise<T>,
  wroteBlock: (outcome: T) => boolean,
): Promise<T> {
  const started = performance.now();
  metrics.commitQueue++;
  try {
    const outcome = await run;
    if (wroteBlock(outcome)) {
      metrics.observeCommit((performance.now() - started) / 1000);
    }
    return outcome;
  } catch (error) {
    metrics.commitFailures.inc({ code: isLedgerError(error) ? error.code : 'INTERNAL' });
    throw error;
  } finally {
    metrics.commitQueue--;
  }
}
