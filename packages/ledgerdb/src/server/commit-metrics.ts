import { isLedgerError } from '@ledgerkit/core';
import type { ServerMetrics } from './metrics.js';

/** Runs a commit with its metrics: queue depth while it runs, then its latency or its failure's code. */
export async function measuredCommit<T extends { response: { commit: unknown }; replayed: boolean }>(
  metrics: ServerMetrics,
  run: Promise<T>,
): Promise<T> {
  const started = performance.now();
  metrics.commitQueue++;
  try {
    const outcome = await run;
    // A replay answers from the journal and an all-get request writes nothing: no block.
    if (outcome.response.commit !== null && !outcome.replayed) {
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
