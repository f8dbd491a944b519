import { type Measured, timedLoop } from '../stats.ts';

/**
 * One round of `operations` calls from `clients` concurrent clients (closed loop), counting
 * failures instead of throwing, with Caliper's send rate: calls started per second between
 * the first and the last start.
 *
 * @param operation - one call; `sequence` is unique within the round
 * @param operations - calls in the round
 * @param clients - concurrent clients
 * @returns the round's throughput, latency, failures and send rate
 */
export async function measureRound(
  operation: (sequence: number) => Promise<unknown>,
  operations: number,
  clients: number,
): Promise<Measured> {
  let firstSend = Number.POSITIVE_INFINITY;
  let lastSend = 0;
  const measured = await timedLoop(
    (_worker, sequence) => {
      const now = performance.now();
      firstSend = Math.min(firstSend, now);
      lastSend = Math.max(lastSend, now);
      return operation(sequence);
    },
    { operations, concurrency: clients, countFailures: true },
  );
  // One call, or one client pacing itself: the window between sends says nothing more than throughput.
  measured.sendRate =
    operations > 1 && lastSend > firstSend ? (operations - 1) / ((lastSend - firstSend) / 1000) : measured.throughput;
  return measured;
}
