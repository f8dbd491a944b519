// The server-sent event stream of committed revisions: resumable from an event id with
// no gap and no duplicate, heartbeats, table filters. Starts: an in-process Fastify
// server on a free port.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readEvents } from '../src/client/sse.js';
import { api, startTestServer, type TestServer } from './server-helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ server: { heartbeatMs: 100 } });
});
afterAll(async () => {
  await t.close();
});

async function write(count: number, table = 'orders'): Promise<void> {
  for (let i = 0; i < count; i++) {
    const response = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.admin,
      body: {
        statements: [
          { op: 'insert', table, data: { i } },
          { op: 'insert', table, data: { i, second: true } },
        ],
      },
    });
    expect(response.status).toBe(200);
  }
}

/** Reads `count` revision events from a stream, then disconnects. */
async function take(
  count: number,
  options: { lastEventId?: string; query?: string; token?: string | undefined; raw?: string[] } = {},
): Promise<{ id: string; event: { checkpoint: { block: number; index: number }; name: string; payload: any } }[]> {
  const controller = new AbortController();
  const response = await fetch(new URL(`/v1/events${options.query ?? ''}`, t.url), {
    headers: {
      authorization: `Bearer ${options.token ?? t.tokens.admin}`,
      ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}),
    },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const out: { id: string; event: any }[] = [];
  const body = response.body as ReadableStream<Uint8Array>;
  const tee = options.raw;
  const source = (async function* () {
    const decoder = new TextDecoder();
    for await (const chunk of body) {
      tee?.push(decoder.decode(chunk));
      yield chunk;
    }
  })();
  try {
    for await (const message of readEvents(source)) {
      if (message.event !== 'revision') continue;
      out.push({ id: message.id as string, event: JSON.parse(message.data) });
      if (out.length >= count) break;
    }
  } finally {
    controller.abort();
  }
  return out;
}

test('resuming from an event id yields no gap and no duplicate', async () => {
  await write(10);
  const all = await take(20);
  const ids = all.map((entry) => entry.id);
  expect(new Set(ids).size).toBe(20);
  // Resume after the 7th event, by Last-Event-ID and by ?from=.
  const resumedByHeader = await take(13, { lastEventId: ids[6] as string });
  expect(resumedByHeader.map((entry) => entry.id)).toEqual(ids.slice(7));
  const resumedByQuery = await take(13, { query: `?from=${ids[6]}` });
  expect(resumedByQuery.map((entry) => entry.id)).toEqual(ids.slice(7));
  // The second revision of a block: resuming mid-block continues within it.
  const midBlock = ids.findIndex((id) => id.endsWith(':0'));
  const afterFirst = await take(1, { lastEventId: ids[midBlock] as string });
  expect(afterFirst[0]?.id).toBe(ids[midBlock + 1]);
  // Events are revisions with their hashes, in journal order.
  for (const { event } of all) expect(event.payload.hash).toMatch(/^[0-9a-f]{64}$/);
  const positions = all.map(({ event }) => event.checkpoint.block * 1000 + event.checkpoint.index);
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
});

test('live commits arrive on an open stream, and a resumed stream continues with them', async () => {
  const head = await take(1, { query: '?tables=orders' });
  expect(head).toHaveLength(1);
  const before = (await t.ledger.digest()).tip?.seq as number;
  const live = take(4, { query: `?from=${before}:1` });
  await write(2);
  const events = await live;
  expect(events.map((entry) => entry.event.checkpoint)).toEqual([
    { block: before + 1, index: 0 },
    { block: before + 1, index: 1 },
    { block: before + 2, index: 0 },
    { block: before + 2, index: 1 },
  ]);
}, 20_000);

test('heartbeats are sent while idle', async () => {
  const raw: string[] = [];
  const tip = (await t.ledger.digest()).tip as { seq: number };
  const pending = take(1, { query: `?from=${tip.seq}:1`, raw });
  await new Promise((resolve) => setTimeout(resolve, 350));
  await write(1);
  await pending;
  expect(raw.join('').match(/: heartbeat/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
});

test('a table filter streams only those tables and never the idempotency table', async () => {
  await api(t.url, 'POST', '/v1/transactions', {
    token: t.tokens.admin,
    headers: { 'idempotency-key': 'k' },
    body: { statements: [{ op: 'insert', table: 'secrets', data: { s: 1 } }] },
  });
  await write(1);
  const events = await take(4, { token: t.tokens.reader, query: '?tables=orders' });
  for (const { event } of events) expect(event.name).toBe('orders');
  // The whole stream up to now holds every revision but the reserved table's, in order.
  const expected: string[] = [];
  for await (const { revisions } of t.ledger.export()) {
    for (const revision of revisions) {
      if (!revision.metadata.table.startsWith('__ledgerdb')) expected.push(revision.hash);
    }
  }
  const all = await take(expected.length);
  expect(all.map(({ event }) => event.payload.hash)).toEqual(expected);
}, 10_000);
