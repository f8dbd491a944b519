// Starts a real two-organization Fabric network (1 Raft orderer, 2 peers, the tests'
// key-value chaincode as a chaincode server) and reads its chaincode and block events
// through FabricLedger: order and checkpoints, resuming within a block, a stream that
// survives a network restart, and a consumer child process (Node, this package's
// sources) that is SIGKILLed mid-stream several times and must end with every committed
// event exactly once. The network is torn down in afterAll, even on failure.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Checkpoint, LedgerEvent, Receipt } from '@ledgerkit/core';
import { FabricNetwork } from '@ledgerkit/fabric-network';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FabricBlockEvent, type FabricLedger, memoryCheckpointer } from '../src/index.js';
import { chaincodeName, startTestNetwork, type TestNetwork } from './network.js';

const consumerScript = fileURLToPath(new URL('./fixtures/event-consumer.ts', import.meta.url));
const sourceImports = fileURLToPath(new URL('./fixtures/source-imports.mjs', import.meta.url));

let net: TestNetwork;
let ledger: FabricLedger;
let scratch: string;

beforeAll(async () => {
  net = await startTestNetwork('eventtest');
  ledger = await net.connect('Org1');
  scratch = await mkdtemp(join(tmpdir(), 'ledgerkit-sdk-fabric-scratch-'));
});

afterAll(async () => {
  await net?.teardown();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Reads events until `done` accepts the list (or the timeout passes), then stops the stream. */
async function collect(
  stream: (signal: AbortSignal) => AsyncIterable<LedgerEvent>,
  done: (events: LedgerEvent[]) => boolean,
  timeoutMs = 60_000,
): Promise<LedgerEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: LedgerEvent[] = [];
  try {
    for await (const event of stream(controller.signal)) {
      events.push(event);
      if (done(events)) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return events;
}

const containsAll = (txIds: readonly string[]) => (events: LedgerEvent[]) => {
  const seen = new Set(events.map((event) => event.txId));
  return txIds.every((txId) => seen.has(txId));
};

function after(a: Checkpoint, b: Checkpoint): boolean {
  return a.block > b.block || (a.block === b.block && a.index > b.index);
}

describe('chaincode events', () => {
  test('every write in commit order, checkpoints counting events within a block, resumable mid-block', async () => {
    // Concurrent submits land several to a block.
    const receipts = await Promise.all(
      Array.from({ length: 6 }, (_, n) => ledger.submit({ method: 'Put', args: [`ordered-${n}`, { n }] })),
    );
    const txIds = receipts.map((receipt) => receipt.txId);
    const events = await collect((signal) => ledger.events({ signal }), containsAll(txIds));
    for (let n = 1; n < events.length; n++) {
      expect(after(events[n]?.checkpoint as Checkpoint, events[n - 1]?.checkpoint as Checkpoint)).toBe(true);
    }
    const byBlock = new Map<number, number[]>();
    for (const event of events)
      byBlock.set(event.checkpoint.block, [...(byBlock.get(event.checkpoint.block) ?? []), event.checkpoint.index]);
    for (const indexes of byBlock.values()) expect(indexes).toEqual(indexes.map((_, n) => n));
    const ours = events.filter((event) => txIds.includes(event.txId));
    expect(ours).toHaveLength(6);
    for (const event of ours) {
      const receipt = receipts.find((candidate) => candidate.txId === event.txId) as Receipt;
      expect(event.checkpoint.block).toBe(receipt.position.block);
      expect(event.name).toBe('Put');
      expect(event.payload).toMatchObject({
        key: expect.stringMatching(/^ordered-/),
        value: { n: expect.any(Number) },
      });
    }
    expect(Math.max(...[...byBlock.values()].map((indexes) => indexes.length))).toBeGreaterThan(1);

    // Resuming after any event delivers exactly the events after it, also within a block.
    for (const cut of [0, 2, events.length - 2]) {
      const from = events[cut]?.checkpoint as Checkpoint;
      const expected = events.slice(cut + 1).map((event) => event.txId);
      const resumed = await collect((signal) => ledger.events({ from, signal }), containsAll(expected));
      expect(resumed.map((event) => event.txId)).toEqual(expected);
    }
    // index -1 is the start of a block.
    const firstOfBlock = events.findIndex((event) => event.checkpoint.index === 1) - 1;
    const startOfBlock = { block: events[firstOfBlock]?.checkpoint.block as number, index: -1 };
    const fromStart = await collect(
      (signal) => ledger.events({ from: startOfBlock, signal }),
      (seen) => seen.length >= 1,
    );
    expect(fromStart[0]?.txId).toBe(events[firstOfBlock]?.txId);
  });

  test('a checkpointer saves each event once the loop body finished; the later of from and the checkpointer wins', async () => {
    const receipts = [];
    for (let n = 0; n < 3; n++) receipts.push(await ledger.submit({ method: 'Put', args: [`saved-${n}`, n] }));
    const txIds = receipts.map((receipt) => receipt.txId);
    const checkpointer = memoryCheckpointer();
    const seen: LedgerEvent[] = [];
    const controller = new AbortController();
    for await (const event of ledger.events({ checkpointer, signal: controller.signal })) {
      // The previous event's checkpoint is saved by now, this one's not yet.
      const saved = await checkpointer.load();
      expect(saved).toEqual(seen.at(-1)?.checkpoint);
      seen.push(event);
      if (event.txId === txIds[1]) break;
    }
    // After `break` the last event was not saved: it is delivered again.
    const resumed = await collect(
      (signal) => ledger.events({ checkpointer, signal }),
      (events) => events.length >= 2,
    );
    expect(resumed.map((event) => event.txId)).toEqual([txIds[1], txIds[2]]);
    // The checkpointer (ahead of `from`) wins over an older `from`.
    // The resumed loop broke after txIds[2], so the saved position is txIds[1]'s.
    const again = await collect(
      (signal) => ledger.events({ from: { block: 0, index: -1 }, checkpointer, signal }),
      (events) => events.length >= 1,
    );
    expect(again.map((event) => event.txId)).toEqual([txIds[2]]);
  });

  test('block events, full and filtered, list every transaction with its validation code', async () => {
    const receipt = await ledger.submit({ method: 'Put', args: ['block-event', 1] });
    const from = { block: receipt.position.block, index: -1 };
    for (const filtered of [false, true]) {
      const controller = new AbortController();
      let found: FabricBlockEvent | undefined;
      for await (const event of ledger.blockEvents({ from, filtered, signal: controller.signal })) {
        found = event;
        break;
      }
      expect(found?.number).toBe(receipt.position.block);
      expect(found?.transactions).toContainEqual({
        index: expect.any(Number),
        txId: receipt.txId,
        validationCode: 'VALID',
      });
      expect(found?.checkpoint).toEqual({
        block: receipt.position.block,
        index: (found?.transactions.length ?? 0) - 1,
      });
      expect(filtered ? found?.filteredBlock : found?.block).toBeDefined();
    }
    // Resuming after a block starts at the next one.
    const next = ledger.submit({ method: 'Put', args: ['block-event-2', 1] });
    const controller = new AbortController();
    let first: number | undefined;
    for await (const event of ledger.blockEvents({
      from: { block: receipt.position.block, index: 0 },
      filtered: true,
      signal: controller.signal,
    })) {
      first = event.number;
      break;
    }
    await next;
    // Outside the loop: a stream that ended without a block fails here instead of passing.
    expect(first).toBe(receipt.position.block + 1);
  });

  test('the stream ends when the ledger closes', async () => {
    const closing = await net.connect('Org1');
    const stream = closing.events({ from: { block: 1_000_000, index: -1 } });
    const drained = (async () => {
      let count = 0;
      for await (const _ of stream) count += 1;
      return count;
    })();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await closing.close();
    expect(await drained).toBe(0);
  });
});

describe('events across failures', () => {
  test('a stream reconnects after the network restarts and continues without gap or duplicate', async () => {
    const before = await ledger.submit({ method: 'Put', args: ['restart-before', 1] });
    const listener = await net.connect('Org1');
    const events: LedgerEvent[] = [];
    const controller = new AbortController();
    let wanted: string[] = [before.txId];
    const seenAll = new Promise<void>((resolve, reject) => {
      void (async () => {
        try {
          for await (const event of listener.events({
            from: { block: before.position.block, index: -1 },
            signal: controller.signal,
          })) {
            events.push(event);
            if (containsAll(wanted)(events) && wanted.length > 1) resolve();
          }
        } catch (error) {
          reject(error);
        }
      })();
    });
    await expect.poll(() => events.some((event) => event.txId === before.txId), { timeout: 30_000 }).toBe(true);
    await net.network.down();
    await FabricNetwork.up({ dir: net.dir });
    const writer = await net.connect('Org1', { retry: { retries: 40, baseDelayMs: 250, maxDelayMs: 1_000 } });
    const afterRestart = [];
    for (let n = 0; n < 3; n++)
      afterRestart.push((await writer.submit({ method: 'Put', args: [`restart-after-${n}`, n] })).txId);
    wanted = [before.txId, ...afterRestart];
    if (!containsAll(wanted)(events)) await seenAll;
    controller.abort();
    const txIds = events.map((event) => event.txId);
    expect(new Set(txIds).size).toBe(txIds.length);
    expect(txIds.slice(txIds.indexOf(before.txId))).toEqual(expect.arrayContaining(wanted));
    for (let n = 1; n < events.length; n++) {
      expect(after(events[n]?.checkpoint as Checkpoint, events[n - 1]?.checkpoint as Checkpoint)).toBe(true);
    }
  });

  test('a consumer SIGKILLed mid-stream, three times, ends with every committed event exactly once', async () => {
    const record = join(scratch, 'record.jsonl');
    const checkpoint = join(scratch, 'checkpoint.json');
    const profile = net.network.organization('Org2').connectionProfilePath;
    let child: ChildProcess | undefined;
    let received = 0;
    const start = () =>
      new Promise<ChildProcess>((resolve, reject) => {
        const started = spawn(
          process.execPath,
          ['--import', sourceImports, consumerScript, profile, chaincodeName, record, checkpoint],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let stderr = '';
        started.stderr?.on('data', (chunk) => {
          stderr += chunk;
        });
        // Whole lines only: a chunk can end in the middle of one.
        let pending = '';
        started.stdout?.on('data', (chunk: Buffer) => {
          const lines = (pending + chunk.toString()).split('\n');
          pending = lines.pop() ?? '';
          if (lines.includes('READY')) resolve(started);
          received += lines.filter((line) => line.startsWith('EVENT ')).length;
        });
        started.on('exit', (code, signal) => {
          if (signal !== 'SIGKILL' && signal !== 'SIGTERM' && code !== 0)
            reject(new Error(`consumer exited ${code}: ${stderr}`));
        });
      });
    const kill = async (victim: ChildProcess) => {
      const exited = new Promise((resolve) => victim.once('exit', resolve));
      victim.kill('SIGKILL');
      await exited;
    };

    // A stream of writes from four concurrent writers while the consumer is killed and
    // restarted. They write until the last kill (12 each at least), so every round has new
    // events to wait for however slowly the consumer starts on a busy machine.
    const submitted: string[] = [];
    let killing = true;
    const writing = Promise.all(
      Array.from({ length: 4 }, async (_, writerIndex) => {
        for (let n = 0; killing || n < 12; n++) {
          submitted.push((await ledger.submit({ method: 'Put', args: [`killed-${writerIndex}-${n}`, n] })).txId);
        }
      }),
    );
    try {
      for (let round = 0; round < 3; round++) {
        child = await start();
        const target = received + 4 + round * 3;
        await expect.poll(() => received, { timeout: 60_000, interval: 20 }).toBeGreaterThanOrEqual(target);
        await kill(child);
      }
    } finally {
      killing = false;
    }
    await writing;
    child = await start();

    // The truth: every chaincode event on the channel, read in one go.
    const truth = await collect((signal) => ledger.events({ signal }), containsAll(submitted));
    const lines = async () =>
      (await readFile(record, 'utf8'))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { txId: string; checkpoint: Checkpoint });
    await expect.poll(async () => (await lines()).length, { timeout: 60_000 }).toBeGreaterThanOrEqual(truth.length);
    child.kill('SIGTERM');
    const recorded = await lines();
    const recordedTxIds = recorded.map((line) => line.txId);
    expect(new Set(recordedTxIds).size, 'no duplicate').toBe(recordedTxIds.length);
    expect(recordedTxIds.slice(0, truth.length), 'no gap, same order').toEqual(truth.map((event) => event.txId));
    expect(recorded.slice(0, truth.length).map((line) => line.checkpoint)).toEqual(
      truth.map((event) => event.checkpoint),
    );
    expect(submitted.every((txId) => recordedTxIds.includes(txId))).toBe(true);
  });
});
