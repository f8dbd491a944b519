import {
  type Checkpoint,
  type ErrorCode,
  isLedgerError,
  type JsonObject,
  type Ledger,
  type LedgerEvent,
  type Receipt,
  type Revision,
  type TrustAnchor,
  type Verification,
} from '@ledgerkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformanceBackend, ConformanceFactory } from './types.js';

/** Options of {@link runLedgerConformance}. */
export interface ConformanceOptions {
  /** Time each test may take, in ms (default 120 000: Fabric commits take seconds). */
  testTimeoutMs?: number;
  /** Time `open` and `close` may take, in ms (default 600 000: a Fabric network starts in minutes). */
  hookTimeoutMs?: number;
  /** How long to wait for an expected event before failing, in ms (default 60 000). */
  eventWaitMs?: number;
}

/** How many submits the concurrency case sends at once. */
const concurrentSubmits = 50;

/**
 * Registers the ledgerkit conformance suite for one `Ledger` implementation as one vitest
 * `describe('conformance <name>')`: submit/evaluate round trip, history, resumable events
 * (also across reopen and restart), JSON-safe receipts and bundles, `verify` of genuine and
 * tampered subjects, typed errors, and concurrent submits. Call it at the top level of a
 * vitest test file. A capability the factory lacks registers no test; the suite prints one
 * line naming it instead, so a backend never passes by skipping.
 *
 * @param name - the backend's name as the test output shows it (`conformance <name>: ...`)
 * @param factory - opens, reopens and closes the backend under test
 * @param options - timeouts
 *
 * @example
 * ```ts
 * import { runLedgerConformance } from '@ledgerkit/testing/conformance';
 * runLedgerConformance('my-backend', myFactory);
 * ```
 */
export function runLedgerConformance(
  name: string,
  factory: ConformanceFactory,
  options: ConformanceOptions = {},
): void {
  const testTimeout = options.testTimeoutMs ?? 120_000;
  const hookTimeout = options.hookTimeoutMs ?? 600_000;
  const eventWaitMs = options.eventWaitMs ?? 60_000;
  const keys = keyMaker();
  let current: ConformanceBackend | undefined;
  // The backend as the tests see it: reopen and restart replace it.
  const backend = (): ConformanceBackend => {
    if (!current) throw new Error(`conformance ${name}: the factory did not open a backend`);
    return current;
  };
  let sample: Promise<WrittenKey> | undefined;
  // One key written twice, shared by the read-only verification cases (writes are slow on some backends).
  const written = (): Promise<WrittenKey> => {
    sample ??= writeKey(backend(), keys('sample'), 2);
    return sample;
  };
  for (const line of missingCapabilities(name, factory)) console.log(line);

  describe(`conformance ${name}`, () => {
    beforeAll(async () => {
      current = await factory.open();
    }, hookTimeout);

    afterAll(async () => {
      await factory.close();
    }, hookTimeout);

    it(
      'submit then evaluate returns the written value',
      async () => {
        const { ledger, workload } = backend();
        const key = keys('roundtrip');
        const value = sampleValue(key, 0);
        const receipt = await ledger.submit(workload.write(key, value, false));
        expectReceiptShape(receipt, ledger);
        expect(workload.readValue(await ledger.evaluate(workload.read(key)))).toEqual(value);
        const next = sampleValue(key, 1);
        await ledger.submit(workload.write(key, next, true));
        expect(workload.readValue(await ledger.evaluate(workload.read(key)))).toEqual(next);
      },
      testTimeout,
    );

    it(
      'evaluate of a key never written rejects with NOT_FOUND',
      async () => {
        const { ledger, workload } = backend();
        await expectCode(ledger.evaluate(workload.read(keys('absent'))), 'NOT_FOUND');
      },
      testTimeout,
    );

    it(
      'history lists one revision per write, oldest first, each with a receipt that verifies',
      async () => {
        const { ledger, workload } = backend();
        const key = keys('history');
        const { receipts, values } = await writeKey(backend(), key, 3);
        const history = await ledger.history(workload.historyKey(key));
        expect(history.map((revision) => workload.revisionValue(revision))).toEqual(values);
        expect(history.map((revision) => revision.receipt.txId)).toEqual(receipts.map((receipt) => receipt.txId));
        expect(history.map((revision) => revision.version)).toEqual(values.map((_, version) => version));
        for (const revision of history) {
          expect(revision.key).toBe(workload.historyKey(key));
          expect(revision.deleted).toBe(false);
          expectReceiptShape(revision.receipt, ledger);
          expectVerified(await ledger.verify(revision), `revision ${revision.version}`);
        }
        for (const receipt of receipts) expectVerified(await ledger.verify(receipt), `receipt ${receipt.txId}`);
      },
      testTimeout,
    );

    it(
      'every receipt carries version 1, survives a JSON round trip and still verifies',
      async () => {
        const { ledger } = backend();
        const { receipts, history } = await written();
        for (const receipt of [...receipts, ...history.map((revision) => revision.receipt)]) {
          expect(receipt.version).toBe(1);
          const copy = jsonCopy(receipt);
          expect(copy).toEqual(receipt);
          expectVerified(await ledger.verify(copy), `receipt ${receipt.txId} after JSON`);
        }
        for (const revision of history) {
          expectVerified(await ledger.verify(jsonCopy(revision)), `revision ${revision.version} after JSON`);
        }
      },
      testTimeout,
    );

    it(
      'evidence returns a verification bundle that survives a JSON round trip',
      async () => {
        const { ledger } = backend();
        const { receipts, history } = await written();
        for (const subject of [receipts[0] as Receipt, history[0] as Revision]) {
          const bundle = await ledger.evidence(subject);
          expect(bundle.format).toBe('ledgerkit.verification-bundle');
          expect(bundle.version).toBe(1);
          expect(bundle.subject).toEqual(subject);
          expect(typeof bundle.evidence).toBe('object');
          expect(bundle.evidence).not.toBeNull();
          expect(jsonCopy(bundle)).toEqual(bundle);
        }
      },
      testTimeout,
    );

    it(
      'verify against an anchor obtained out of band is explicit; without one it says it trusted the backend',
      async () => {
        const { ledger } = backend();
        const { receipts, history } = await written();
        const anchor = await factory.anchor(backend());
        for (const subject of [...receipts, ...history]) {
          const anchored = await ledger.verify(subject, { anchor });
          expectVerified(anchored, 'with an explicit anchor');
          expect(anchored.anchor?.type).toBe(anchor.type);
          expect(anchored.anchor?.explicit).toBe(true);
          const implicit = await ledger.verify(subject);
          expectVerified(implicit, 'without an anchor');
          expect(implicit.anchor?.explicit).toBe(false);
        }
      },
      testTimeout,
    );

    it(
      'verify rejects a revision with a changed value',
      async () => {
        const { ledger } = backend();
        const { history } = await written();
        for (const revision of history) {
          const value = revision.value as JsonObject;
          const changed: Revision = { ...jsonCopy(revision), value: { ...value, tampered: true } };
          await expectRejected(ledger.verify(changed), `revision ${revision.version} with a changed value`);
        }
      },
      testTimeout,
    );

    it(
      'verify rejects a receipt with a changed position',
      async () => {
        const { ledger } = backend();
        const { receipts, history } = await written();
        for (const receipt of [receipts[receipts.length - 1] as Receipt, (history[0] as Revision).receipt]) {
          const { block, index } = receipt.position;
          const moves: Checkpoint[] = [
            { block: block + 1, index },
            { block: block - 1, index },
            { block, index: index + 1 },
          ];
          for (const position of moves) {
            const moved = { ...jsonCopy(receipt), position: { ...receipt.position, ...position } };
            await expectRejected(ledger.verify(moved), `receipt moved to ${position.block}/${position.index}`);
          }
        }
      },
      testTimeout,
    );

    it(
      'verify rejects a receipt with a changed transaction id',
      async () => {
        const { ledger } = backend();
        const { receipts, history } = await written();
        const [first, second] = receipts as [Receipt, Receipt];
        await expectRejected(
          ledger.verify({ ...jsonCopy(first), txId: second.txId }),
          'receipt with the txId of another',
        );
        const revision = jsonCopy(history[0] as Revision);
        await expectRejected(
          ledger.verify({ ...revision, receipt: { ...revision.receipt, txId: second.txId } }),
          'revision with the txId of another write',
        );
      },
      testTimeout,
    );

    it(
      'verify rejects a receipt from another ledger of the same kind',
      async () => {
        const { ledger } = backend();
        await written();
        const foreign = await factory.foreignReceipt(backend());
        await expectRejected(ledger.verify(foreign), 'a foreign receipt');
        await expectRejected(ledger.verify(jsonCopy(foreign)), 'a foreign receipt after JSON');
      },
      testTimeout,
    );

    it(
      'verify rejects malformed receipts with failed checks, never an exception',
      async () => {
        const { ledger } = backend();
        const { receipts, history } = await written();
        for (const [label, malformed] of malformedReceipts(receipts[0] as Receipt)) {
          await expectRejected(ledger.verify(malformed as Receipt), `malformed receipt: ${label}`);
        }
        const revision = jsonCopy(history[0] as Revision) as unknown as Record<string, unknown>;
        const { receipt: _receipt, ...withoutReceipt } = revision;
        const revisions: [string, unknown][] = [
          ['a revision without its receipt', withoutReceipt],
          ['a revision whose receipt is a string', { ...revision, receipt: 'garbage' }],
          ['a revision with a version of the wrong type', { ...revision, version: 'first' }],
        ];
        for (const [label, malformed] of revisions) {
          await expectRejected(ledger.verify(malformed as Revision), `malformed revision: ${label}`);
        }
      },
      testTimeout,
    );

    it(
      'verify rejects an anchor of the wrong type with a failed anchor-type check',
      async () => {
        const { ledger } = backend();
        const { receipts } = await written();
        const anchor = await factory.anchor(backend());
        const result = await expectRejected(
          ledger.verify(receipts[0] as Receipt, { anchor: wrongAnchor(anchor) }),
          'an anchor of the wrong type',
        );
        expect(result.checks.filter((one) => !one.ok).map((one) => one.name)).toContain('anchor-type');
      },
      testTimeout,
    );

    it(
      'verify against a garbled anchor of the right type fails with named checks',
      async () => {
        const { ledger } = backend();
        const { receipts } = await written();
        const anchor = await factory.anchor(backend());
        const garbled = { ...(garble(anchor) as TrustAnchor), type: anchor.type } as TrustAnchor;
        await expectRejected(ledger.verify(receipts[0] as Receipt, { anchor: garbled }), 'a garbled anchor');
      },
      testTimeout,
    );

    it(
      'events from the start carry checkpoints, resume after any of them with no gap and no duplicate, and follow live writes',
      async () => {
        const { ledger, workload } = backend();
        const [a, b, c] = [keys('event-a'), keys('event-b'), keys('event-c')] as [string, string, string];
        const receipts = [
          await ledger.submit(workload.write(a, sampleValue(a, 0), false)),
          await ledger.submit(workload.write(b, sampleValue(b, 0), false)),
          await ledger.submit(workload.write(a, sampleValue(a, 1), true)),
          await ledger.submit(workload.write(c, sampleValue(c, 0), false)),
        ];
        const ours = new Set([a, b, c]);
        const all = await collect(ledger, undefined, (event) => workload.eventKey(event) === c, eventWaitMs);
        expectOrdered(all);
        const mine = all.filter((event) => ours.has(workload.eventKey(event) ?? ''));
        expect(mine.map((event) => workload.eventKey(event))).toEqual([a, b, a, c]);
        // Each event names the transaction of its write, in the block the receipt gives.
        expect(mine.map((event) => event.txId)).toEqual(receipts.map((receipt) => receipt.txId));
        expect(mine.map((event) => event.checkpoint.block)).toEqual(receipts.map((receipt) => receipt.position.block));
        // A write after the collected ones, so resuming after the last one has something to deliver.
        const sentinel = keys('event-end');
        ours.add(sentinel);
        await writeKey(backend(), sentinel, 1);
        const picks = [0, Math.floor(mine.length / 2), mine.length - 1].map((at) => mine[at] as LedgerEvent);
        let last: LedgerEvent | undefined;
        for (const from of picks) {
          const resumed = await collect(
            ledger,
            from.checkpoint,
            (event) => workload.eventKey(event) === sentinel,
            eventWaitMs,
          );
          expectOrdered(resumed);
          expect(resumed.length).toBeGreaterThan(0);
          expect(compareCheckpoints((resumed[0] as LedgerEvent).checkpoint, from.checkpoint)).toBeGreaterThan(0);
          // Every event the first read saw after `from` comes back, in order, with nothing in between.
          const after = all.slice(all.indexOf(from) + 1);
          expect(resumed.slice(0, after.length).map(eventId)).toEqual(after.map(eventId));
          const expected = [...mine.slice(mine.indexOf(from) + 1).map((event) => workload.eventKey(event)), sentinel];
          const got = resumed.map((event) => workload.eventKey(event)).filter((key) => ours.has(key ?? ''));
          expect(got).toEqual(expected);
          last = resumed[resumed.length - 1] as LedgerEvent;
        }
        // Live: a reader waiting after the newest event receives a write made while it waits.
        const live = keys('event-live');
        const following = collect(
          ledger,
          (last as LedgerEvent).checkpoint,
          (event) => workload.eventKey(event) === live,
          eventWaitMs,
        );
        await sleep(50);
        const liveReceipt = await ledger.submit(workload.write(live, sampleValue(live, 0), false));
        const arrived = await following;
        expectOrdered(arrived);
        expect(
          arrived
            .map((event) => workload.eventKey(event))
            .filter((key) => key !== undefined && key !== live && ours.has(key)),
        ).toEqual([]);
        expect((arrived[arrived.length - 1] as LedgerEvent).txId).toBe(liveReceipt.txId);
      },
      testTimeout,
    );

    it(
      "a write the backend's rules refuse rejects with CONTRACT_REVERTED and writes nothing",
      async () => {
        const { ledger, workload } = backend();
        const key = keys('rejected');
        await expectCode(ledger.submit(workload.rejectedWrite(key)), 'CONTRACT_REVERTED');
        await expectCode(ledger.evaluate(workload.read(key)), 'NOT_FOUND');
      },
      testTimeout,
    );

    if (factory.unauthorized) {
      const unauthorized = factory.unauthorized.bind(factory);
      it(
        'a write by an identity without the right rejects with PERMISSION_DENIED',
        async () => {
          const other = await unauthorized(backend());
          try {
            const key = keys('denied');
            await expectCode(
              other.ledger.submit(other.workload.write(key, sampleValue(key, 0), false)),
              'PERMISSION_DENIED',
            );
          } finally {
            await other.ledger.close();
          }
        },
        testTimeout,
      );
    }

    if (factory.unreachable) {
      const unreachable = factory.unreachable.bind(factory);
      it(
        'submit and evaluate on a backend that cannot be reached reject with UNAVAILABLE',
        async () => {
          const gone = await unreachable();
          try {
            const key = keys('unreachable');
            await expectCode(gone.ledger.submit(gone.workload.write(key, sampleValue(key, 0), false)), 'UNAVAILABLE');
            await expectCode(gone.ledger.evaluate(gone.workload.read(key)), 'UNAVAILABLE');
          } finally {
            await gone.ledger.close();
          }
        },
        testTimeout,
      );
    }

    it(
      'a signal aborted with a TimeoutError rejects submit and evaluate with TIMEOUT',
      async () => {
        const { ledger, workload } = backend();
        const key = keys('deadline');
        const expired = () => AbortSignal.abort(new DOMException('the deadline passed', 'TimeoutError'));
        await expectCode(
          ledger.submit(workload.write(key, sampleValue(key, 0), false), { signal: expired() }),
          'TIMEOUT',
        );
        await expectCode(ledger.evaluate(workload.read(key), { signal: expired() }), 'TIMEOUT');
        // A real deadline that passed before the call.
        const passed = AbortSignal.timeout(1);
        await sleep(20);
        await expectCode(ledger.submit(workload.write(key, sampleValue(key, 0), false), { signal: passed }), 'TIMEOUT');
        await expectCode(ledger.evaluate(workload.read(key), { signal: passed }), 'TIMEOUT');
        await expectCode(ledger.evaluate(workload.read(key)), 'NOT_FOUND');
      },
      testTimeout,
    );

    it(
      'a deadline of 1 ms on a call that waits rejects with TIMEOUT, or the call finished in time',
      async () => {
        const { ledger, workload } = backend();
        const key = keys('deadline-1ms');
        const value = sampleValue(key, 0);
        // An in-process backend may finish a call without ever yielding to the timer; then the
        // write must have landed. Any other outcome than TIMEOUT or success is a failure.
        const outcome = await settle(
          ledger.submit(workload.write(key, value, false), { signal: AbortSignal.timeout(1) }),
        );
        if (outcome.ok) {
          expect(workload.readValue(await ledger.evaluate(workload.read(key)))).toEqual(value);
        } else {
          expect(codeOf(outcome.error)).toBe('TIMEOUT');
        }
        const read = await settle(ledger.evaluate(workload.read(keys('absent')), { signal: AbortSignal.timeout(1) }));
        expect(read.ok ? 'resolved' : codeOf(read.error)).toMatch(/^(TIMEOUT|NOT_FOUND)$/);
      },
      testTimeout,
    );

    it(
      'a plainly aborted signal rejects submit and evaluate with ABORTED',
      async () => {
        const { ledger, workload } = backend();
        const key = keys('aborted');
        await expectCode(
          ledger.submit(workload.write(key, sampleValue(key, 0), false), { signal: AbortSignal.abort() }),
          'ABORTED',
        );
        await expectCode(ledger.evaluate(workload.read(key), { signal: AbortSignal.abort() }), 'ABORTED');
        await expectCode(ledger.evaluate(workload.read(key)), 'NOT_FOUND');
      },
      testTimeout,
    );

    it(
      `${concurrentSubmits} concurrent submits of distinct keys all land exactly once`,
      async () => {
        const { ledger, workload } = backend();
        const batch = Array.from({ length: concurrentSubmits }, (_, at) => keys(`many-${at}`));
        const receipts = await Promise.all(
          batch.map((key) => ledger.submit(workload.write(key, sampleValue(key, 0), false))),
        );
        expect(new Set(receipts.map((receipt) => receipt.txId)).size).toBe(concurrentSubmits);
        for (const receipt of [receipts[0], receipts[concurrentSubmits >> 1], receipts[concurrentSubmits - 1]]) {
          expectVerified(await ledger.verify(receipt as Receipt), `concurrent receipt ${receipt?.txId}`);
        }
        for (const key of batch) {
          expect(workload.readValue(await ledger.evaluate(workload.read(key)))).toEqual(sampleValue(key, 0));
          const history = await ledger.history(workload.historyKey(key));
          expect(history.map((revision) => workload.revisionValue(revision))).toEqual([sampleValue(key, 0)]);
        }
      },
      testTimeout,
    );

    it(
      'events resume from a checkpoint after the ledger is closed and reopened',
      async () => {
        current = await resumesAcross(backend(), (open) => factory.reopen(open), keys, eventWaitMs);
      },
      testTimeout,
    );

    if (factory.restart) {
      const restart = factory.restart.bind(factory);
      it(
        'events resume from a checkpoint after the backend process restarts, and data survives',
        async () => {
          current = await resumesAcross(backend(), restart, keys, eventWaitMs);
        },
        testTimeout,
      );
    }
  });
}

interface WrittenKey {
  key: string;
  values: JsonObject[];
  receipts: Receipt[];
  history: Revision[];
}

function keyMaker(): (label: string) => string {
  const run = Math.random().toString(36).slice(2, 8).padEnd(6, '0');
  let next = 0;
  return (label) => `${label.slice(0, 20)}-${run}-${(next++).toString(36)}`;
}

function sampleValue(key: string, step: number): JsonObject {
  return { key, step, note: `write ${step} of ${key}` };
}

async function writeKey(backend: ConformanceBackend, key: string, writes: number): Promise<WrittenKey> {
  const { ledger, workload } = backend;
  const values: JsonObject[] = [];
  const receipts: Receipt[] = [];
  for (let step = 0; step < writes; step++) {
    const value = sampleValue(key, step);
    receipts.push(await ledger.submit(workload.write(key, value, step > 0)));
    values.push(value);
  }
  const history = await ledger.history(workload.historyKey(key));
  return { key, values, receipts, history };
}

function missingCapabilities(name: string, factory: ConformanceFactory): string[] {
  const why = factory.missing ?? {};
  const lines: string[] = [];
  if (!factory.restart) {
    lines.push(`conformance ${name}: no restart (${why.restart ?? 'the backend runs in the test process'})`);
  }
  if (!factory.unreachable) {
    lines.push(`conformance ${name}: no unreachable backend (${why.unreachable ?? 'nothing to reach over a network'})`);
  }
  if (!factory.unauthorized) {
    lines.push(
      `conformance ${name}: no unauthorized identity (${why.unauthorized ?? 'the backend has no identities'})`,
    );
  }
  return lines;
}

function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function expectReceiptShape(receipt: Receipt, ledger: Ledger): void {
  expect(receipt.backend).toBe(ledger.kind);
  expect(receipt.ledger).toBe(ledger.id);
  expect(typeof receipt.txId).toBe('string');
  expect(receipt.txId.length).toBeGreaterThan(0);
  expect(Number.isSafeInteger(receipt.position.block)).toBe(true);
  expect(Number.isSafeInteger(receipt.position.index)).toBe(true);
  expect(Number.isNaN(Date.parse(receipt.timestamp))).toBe(false);
  expect(receipt.version).toBe(1);
}

function describeChecks(result: Verification): string {
  return result.checks.map((one) => `${one.ok ? 'pass' : 'FAIL'} ${one.name}: ${one.detail}`).join('; ');
}

function expectNamedChecks(result: Verification): void {
  expect(Array.isArray(result.checks)).toBe(true);
  expect(result.checks.length).toBeGreaterThan(0);
  for (const one of result.checks) {
    expect(typeof one.name).toBe('string');
    expect(one.name.length).toBeGreaterThan(0);
  }
}

function expectVerified(result: Verification, what: string): void {
  expectNamedChecks(result);
  expect(result.ok, `${what}: ${describeChecks(result)}`).toBe(true);
}

async function expectRejected(pending: Promise<Verification>, what: string): Promise<Verification> {
  const outcome = await settle(pending);
  if (!outcome.ok) {
    expect.fail(`${what}: verify threw instead of reporting a failed check: ${String(outcome.error)}`);
  }
  const result = outcome.value;
  expectNamedChecks(result);
  expect(result.ok, `${what} verified: ${describeChecks(result)}`).toBe(false);
  expect(result.checks.some((one) => !one.ok)).toBe(true);
  return result;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

async function settle<T>(pending: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await pending };
  } catch (error) {
    return { ok: false, error };
  }
}

function codeOf(error: unknown): string {
  if (isLedgerError(error)) return error.code;
  return `not a LedgerError: ${String(error)}`;
}

async function expectCode(pending: Promise<unknown>, code: ErrorCode): Promise<void> {
  const outcome = await settle(pending);
  expect(outcome.ok ? 'resolved' : codeOf(outcome.error)).toBe(code);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function malformedReceipts(receipt: Receipt): [string, unknown][] {
  const copy = () => jsonCopy(receipt) as unknown as Record<string, unknown>;
  const without = (field: string) => {
    const partial = copy();
    delete partial[field];
    return partial;
  };
  const cases: [string, unknown][] = [
    ['null', null],
    ['an empty object', {}],
    ['no txId', without('txId')],
    ['no position', without('position')],
    ['txId of the wrong type', { ...copy(), txId: 42 }],
    ['position of the wrong types', { ...copy(), position: { block: 'one', index: null } }],
    ['proof of the wrong type', { ...copy(), proof: 'garbage' }],
  ];
  if (receipt.proof && hasString(receipt.proof)) {
    cases.push(['every string in the proof garbled', { ...copy(), proof: garble(receipt.proof) }]);
  }
  return cases;
}

function hasString(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (Array.isArray(value)) return value.some(hasString);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(hasString);
  return false;
}

function garble(value: unknown): unknown {
  if (typeof value === 'string') return 'zz'.repeat(Math.max(1, Math.ceil(value.length / 2)));
  if (Array.isArray(value)) return value.map(garble);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, garble(inner)]));
  }
  return value;
}

function wrongAnchor(anchor: TrustAnchor): TrustAnchor {
  return anchor.type === 'ethereum-block'
    ? { type: 'ledgerdb-digest', digest: { rootHash: '00'.repeat(32), treeSize: 1 } }
    : { type: 'ethereum-block', number: 1, hash: `0x${'00'.repeat(32)}` };
}

function compareCheckpoints(a: Checkpoint, b: Checkpoint): number {
  return a.block === b.block ? a.index - b.index : a.block - b.block;
}

function eventId(event: LedgerEvent): string {
  return `${event.checkpoint.block}/${event.checkpoint.index}/${event.txId}`;
}

function expectOrdered(events: readonly LedgerEvent[]): void {
  for (const event of events) {
    expect(Number.isSafeInteger(event.checkpoint.block)).toBe(true);
    expect(Number.isSafeInteger(event.checkpoint.index)).toBe(true);
  }
  for (let at = 1; at < events.length; at++) {
    const [before, after] = [events[at - 1] as LedgerEvent, events[at] as LedgerEvent];
    expect(
      compareCheckpoints(after.checkpoint, before.checkpoint),
      `event ${eventId(after)} follows ${eventId(before)}: checkpoints must increase`,
    ).toBeGreaterThan(0);
  }
}

/** Reads events from `from` until one satisfies `until`; fails when none does within `waitMs`. */
async function collect(
  ledger: Ledger,
  from: Checkpoint | undefined,
  until: (event: LedgerEvent) => boolean,
  waitMs: number,
): Promise<LedgerEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), waitMs);
  const events: LedgerEvent[] = [];
  let found = false;
  try {
    for await (const event of ledger.events({ ...(from ? { from } : {}), signal: controller.signal })) {
      events.push(event);
      if (until(event)) {
        found = true;
        break;
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  if (!found) {
    expect.fail(
      `the expected event did not arrive within ${waitMs} ms (resumed after ${JSON.stringify(from)}; got ${events.length} events${events.length > 0 ? `, last ${eventId(events[events.length - 1] as LedgerEvent)}` : ''})`,
    );
  }
  return events;
}

/** Writes two keys, replaces the backend through `cycle`, writes a third, and resumes after the first. */
async function resumesAcross(
  before: ConformanceBackend,
  cycle: (backend: ConformanceBackend) => Promise<ConformanceBackend>,
  keys: (label: string) => string,
  waitMs: number,
): Promise<ConformanceBackend> {
  const [first, second, third] = [keys('cycle-a'), keys('cycle-b'), keys('cycle-c')] as [string, string, string];
  await writeKey(before, first, 1);
  await writeKey(before, second, 1);
  const seen = await collect(before.ledger, undefined, (event) => before.workload.eventKey(event) === second, waitMs);
  const from = seen.find((event) => before.workload.eventKey(event) === first);
  expect(from, `the event of ${first}`).toBeDefined();
  const after = await cycle(before);
  const { ledger, workload } = after;
  expect(workload.readValue(await ledger.evaluate(workload.read(first)))).toEqual(sampleValue(first, 0));
  await writeKey(after, third, 1);
  const resumed = await collect(
    ledger,
    (from as LedgerEvent).checkpoint,
    (event) => workload.eventKey(event) === third,
    waitMs,
  );
  expectOrdered(resumed);
  expect(compareCheckpoints((resumed[0] as LedgerEvent).checkpoint, (from as LedgerEvent).checkpoint)).toBeGreaterThan(
    0,
  );
  const ours = new Set([first, second, third]);
  expect(resumed.map((event) => workload.eventKey(event)).filter((key) => ours.has(key ?? ''))).toEqual([
    second,
    third,
  ]);
  return after;
}
