// Scenario: Org2's peer is SIGKILLed and its ledger directory deleted while it is down;
// Org1 keeps writing meanwhile (endorsement policy `any`). Restarted (`up`), the peer joins
// the channel again and rebuilds its ledger from the orderer. A chaincode event stream
// through @ledgerkit/fabric served by that peer (Org2's gateway), open across the fault,
// and a new stream from a checkpoint taken before it, must each deliver every committed
// event exactly once, in commit order, with the checkpoints of a healthy peer's stream.

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Checkpoint, LedgerEvent } from '@ledgerkit/core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ErrorTally, reportAndAssert, tally } from '../../src/report.ts';
import { type FaultNetwork, pollUntil, startFaultNetwork } from './fault-network.ts';

const victim = 'peer0.org2';
const perPhase = 8;

let net: FaultNetwork;

beforeAll(async () => {
  net = await startFaultNetwork('wipefault', { orderers: 1, policy: 'any' });
});

afterAll(async () => {
  await net?.teardown();
});

test("a peer's ledger directory deleted while it is down: it rebuilds from the orderer, event streams resume without gap or duplicate", async () => {
  const writer = await net.connect('Org1', { retry: { retries: 40, baseDelayMs: 250, maxDelayMs: 1_000 } });
  const reader = await net.connect('Org2', { retry: { retries: 40, baseDelayMs: 250, maxDelayMs: 1_000 } });
  const errors = new ErrorTally();
  const acknowledged: string[] = [];
  const write = async (phase: string) => {
    for (let n = 0; n < perPhase; n++) {
      try {
        acknowledged.push((await writer.submit({ method: 'Put', args: [`${phase}-${n}`, String(n)] })).txId);
      } catch (error) {
        errors.add(error);
      }
    }
  };

  // A stream served by the victim peer, open through the whole scenario.
  const streamed: LedgerEvent[] = [];
  const controller = new AbortController();
  let streamError: unknown;
  const streaming = (async () => {
    try {
      for await (const event of reader.events({ signal: controller.signal })) streamed.push(event);
    } catch (error) {
      streamError = error;
    }
  })();

  await write('before');
  await pollUntil(
    async () => streamed.length,
    (count) => count >= perPhase,
    30_000,
  );
  const checkpoint = streamed.at(-1)?.checkpoint as Checkpoint;

  await net.kill(victim);
  await rm(join(net.dir, 'data', victim), { recursive: true, force: true });
  await write('during');
  const faultEnded = Date.now();
  await net.restart();
  const heights = async () => {
    const components = (await net.network.status()).components;
    const of = (id: string) => components.find((component) => component.id === id)?.height ?? -1;
    return { healthy: of('peer0.org1'), rebuilt: of(victim) };
  };
  const caughtUp = await pollUntil(heights, (value) => value.rebuilt === value.healthy, 60_000, 250);
  const recoveryMs = Date.now() - faultEnded;
  await write('after');

  // The truth: the chaincode events of the untouched peer (Org1's gateway), from block 0.
  const truth = await collectUntil(writer.events({ signal: AbortSignal.timeout(60_000) }), acknowledged);
  await pollUntil(
    async () => streamed.length,
    (count) => count >= truth.length,
    60_000,
  );
  controller.abort();
  await streaming;
  const resumed = await collectUntil(
    reader.events({ from: checkpoint, signal: AbortSignal.timeout(60_000) }),
    acknowledged.slice(perPhase),
  );

  const streamedTxIds = streamed.map((event) => event.txId);
  const counts = tally(acknowledged, streamedTxIds);
  const sameAsTruth = (events: LedgerEvent[], expected: LedgerEvent[]) =>
    JSON.stringify(events.map((event) => [event.txId, event.checkpoint])) ===
    JSON.stringify(expected.map((event) => [event.txId, event.checkpoint]));
  const truthAfterCheckpoint = truth.filter(
    (event) =>
      event.checkpoint.block > checkpoint.block ||
      (event.checkpoint.block === checkpoint.block && event.checkpoint.index > checkpoint.index),
  );
  const line = reportAndAssert({
    scenario: 'fabric.peer-ledger-wipe',
    ...counts,
    errorsByCode: errors.byCode,
    recoveryMs,
    ok:
      streamError === undefined &&
      caughtUp.rebuilt === caughtUp.healthy &&
      sameAsTruth(streamed.slice(0, truth.length), truth) &&
      sameAsTruth(resumed.slice(0, truthAfterCheckpoint.length), truthAfterCheckpoint),
  });
  expect(line.acknowledged).toBe(3 * perPhase);
  expect(streamError).toBeUndefined();
  expect(caughtUp.rebuilt).toBe(caughtUp.healthy);
  expect(streamed.map((event) => event.txId)).toEqual(truth.map((event) => event.txId));
  expect(resumed.map((event) => event.txId)).toEqual(truthAfterCheckpoint.map((event) => event.txId));
  // The rebuilt peer serves the rebuilt state and endorses again (its chaincode package reinstalled).
  expect(await reader.evaluate({ method: 'Get', args: ['during-0'] })).toBe(0);
}, 180_000);

/** Reads a stream until it delivered every txId in `wanted`, then stops. */
async function collectUntil(stream: AsyncIterable<LedgerEvent>, wanted: readonly string[]): Promise<LedgerEvent[]> {
  const events: LedgerEvent[] = [];
  const missing = new Set(wanted);
  for await (const event of stream) {
    events.push(event);
    missing.delete(event.txId);
    if (missing.size === 0) break;
  }
  return events;
}
