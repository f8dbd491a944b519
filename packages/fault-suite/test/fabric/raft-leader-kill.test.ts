// Scenario: a Fabric network with 3 Raft orderers; the leader is SIGKILLed while writers
// submit through @ledgerkit/fabric. Submits must continue once the other two elect a new
// leader, with typed retryable errors (if any) in between; every acknowledged transaction
// must be on the ledger exactly once (a scan of every block), and no transaction reported
// failed may be committed (every failure's txId is looked up on the ledger). The killed
// orderer, restarted, must rejoin and catch up to the others' height.
import { isLedgerError, LedgerError } from '@ledgerkit/core';
import type { FabricLedger } from '@ledgerkit/fabric';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ErrorTally, reportAndAssert, tally } from '../../src/report.ts';
import { type FaultNetwork, pollUntil, startFaultNetwork } from './fault-network.ts';

const writers = 4;
const loadBeforeKillMs = 3_000;
const loadAfterKillMs = 12_000;

let net: FaultNetwork;

beforeAll(async () => {
  net = await startFaultNetwork('raftfault', { orderers: 3 });
});

afterAll(async () => {
  await net?.teardown();
});

test('Raft leader SIGKILLed under submit load: submits continue, no failure committed, the orderer catches up', async () => {
  // Bounded: a submit gives up (typed) instead of hanging while the orderers elect. Half the
  // writers let the adapter retry transient failures; the other half see every failure.
  const deadlines = { submitMs: 5_000, commitStatusMs: 8_000 };
  const retrying = await net.connect('Org1', { deadlines, retry: { retries: 4, baseDelayMs: 200, maxDelayMs: 2_000 } });
  const direct = await net.connect('Org1', { deadlines, retry: { retries: 0 } });
  const warmLedger = await net.connect('Org1', { retry: { retries: 40, baseDelayMs: 250, maxDelayMs: 500 } });
  await warmLedger.submit({ method: 'Put', args: ['warm-up', 'x'] });

  const [leader] = await net.raftLeaders();
  expect(leader).toBeDefined();
  const victim = leader as string;

  const acknowledged: string[] = [];
  const failed: { txId: string | undefined; code: string }[] = [];
  const errors = new ErrorTally();
  let killedAt = 0;
  let firstAfterKill: number | undefined;
  const stopAt = { value: Number.POSITIVE_INFINITY };
  const load = Array.from({ length: writers }, async (_, writer) => {
    for (let n = 0; Date.now() < stopAt.value; n++) {
      const startedAt = Date.now();
      try {
        const ledger = writer % 2 === 0 ? retrying : direct;
        const receipt = await ledger.submit({ method: 'Put', args: [`w${writer}-${n}`, String(n)] });
        acknowledged.push(receipt.txId);
        if (killedAt > 0 && startedAt >= killedAt && firstAfterKill === undefined) firstAfterKill = Date.now();
      } catch (error) {
        const code = errors.add(error);
        failed.push({ txId: isLedgerError(error) ? (error.details.txId as string | undefined) : undefined, code });
        // Typed and retryable: the application retries (a new transaction) after a pause.
        if (!(error instanceof LedgerError) || !error.retryable) continue;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  });
  await new Promise((resolve) => setTimeout(resolve, loadBeforeKillMs));
  const beforeKill = acknowledged.length;
  await net.kill(victim);
  killedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, loadAfterKillMs));
  stopAt.value = Date.now();
  await Promise.all(load);
  const afterKill = acknowledged.length - beforeKill;

  const newLeaders = await net.raftLeaders();
  // The killed orderer comes back (same ledger and WAL) and catches up with the channel.
  await net.restart();
  const ordererHeights = async () =>
    (await net.network.status()).components
      .filter((component) => component.kind === 'orderer')
      .map((component) => component.height ?? -1);
  const heights = await pollUntil(
    ordererHeights,
    (values) => values.every((value) => value > 0 && value === values[0]),
    60_000,
    500,
  );

  // The truth: every transaction of every block, and its validation code.
  const truth = await scanChannel(warmLedger, Math.max(...heights));
  const validTxIds = truth.filter((entry) => entry.validationCode === 'VALID').map((entry) => entry.txId);
  const counts = tally(acknowledged, validTxIds);
  const valid = new Set(validTxIds);
  const failedButCommitted = failed.filter((failure) => failure.txId !== undefined && valid.has(failure.txId));
  const untyped = errors.byCode.UNTYPED ?? 0;
  const nonRetryable = failed.filter((failure) => !['UNAVAILABLE', 'TIMEOUT'].includes(failure.code)).length;
  if (failedButCommitted.length > 0) errors.byCode.FAILED_BUT_COMMITTED = failedButCommitted.length;
  reportAndAssert({
    scenario: 'fabric.raft-leader-kill',
    ...counts,
    errorsByCode: errors.byCode,
    recoveryMs: firstAfterKill === undefined ? null : firstAfterKill - killedAt,
    ok:
      failedButCommitted.length === 0 &&
      untyped === 0 &&
      afterKill > 0 &&
      newLeaders.length === 1 &&
      !newLeaders.includes(victim) &&
      heights.every((height) => height === heights[0]),
  });
  expect(nonRetryable, JSON.stringify(failed)).toBe(0);
}, 180_000);

/** Every transaction on the channel, block by block, from the filtered block stream. */
async function scanChannel(
  ledger: FabricLedger,
  height: number,
): Promise<{ txId: string; validationCode: string; block: number }[]> {
  const entries: { txId: string; validationCode: string; block: number }[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 60_000);
  try {
    for await (const event of ledger.blockEvents({
      from: { block: 0, index: -1 },
      filtered: true,
      signal: controller.signal,
    })) {
      for (const transaction of event.transactions) {
        entries.push({ txId: transaction.txId, validationCode: transaction.validationCode, block: event.number });
      }
      if (event.number >= height - 1) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return entries;
}
