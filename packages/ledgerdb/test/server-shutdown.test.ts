// Graceful shutdown: close() stops accepting, lets in-flight commits finish and answer,
// then closes the ledger. Starts: an in-process Fastify server on a free port.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { openLedgerDatabase as openLedger, sqliteStorage } from '../src/index.js';
import { createServer, createToken, parseRoles, readTokensFile, TokenRegistry } from '../src/server.js';
import type { StorageDriver } from '../src/storage.js';
import { startTestServer } from './server-helpers.js';

test('shutdown waits for in-flight commits, answers them, then closes the ledger', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerdb-shutdown-'));
  const path = join(dir, 'shutdown.ledger');
  // Storage whose commits wait for a gate: requests are surely in flight when close() starts.
  // It offers no synchronous writeNow, so every commit goes through the gated write().
  let armed = false;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let waiting = 0;
  const inner = sqliteStorage({ path });
  const storage = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'write') {
        return async (work: Parameters<StorageDriver['write']>[0]) => {
          if (armed) {
            waiting++;
            await gate;
          }
          return target.write(work);
        };
      }
      if (property === 'writeNow') return undefined;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as StorageDriver;
  const ledger = await openLedger({ storage, name: 'shutdown' });
  await ledger.createTable('orders');
  const tokensPath = join(dir, 'tokens.json');
  const { token } = await createToken(tokensPath, 'w', parseRoles(['write:orders']));
  const server = await createServer({
    ledger,
    tokens: new TokenRegistry((await readTokensFile(tokensPath)).tokens),
    closeLedger: true,
  });
  const url = await server.listen();
  armed = true;
  const requests = Array.from({ length: 8 }, (_, i) =>
    fetch(new URL('/v1/transactions', url), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ statements: [{ op: 'insert', table: 'orders', id: `d-${i}`, data: { i } }] }),
    }),
  );
  while (waiting === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 50));
  let closed = false;
  const closing = server.close().then(() => {
    closed = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(closed).toBe(false); // still waiting for the commits in flight
  release();
  const responses = await Promise.all(requests);
  await closing;
  expect(responses.map((response) => response.status)).toEqual(Array(8).fill(200));
  const reopened = await openLedger({ path });
  try {
    for (let i = 0; i < 8; i++) expect(await reopened.get('orders', `d-${i}`)).toEqual({ i });
    expect((await reopened.audit()).ok).toBe(true);
  } finally {
    await reopened.close();
  }
});

test('healthz answers 503 once shutdown begins, and event streams end', async () => {
  const t = await startTestServer();
  const stream = await fetch(new URL('/v1/events?tables=orders', t.url), {
    headers: { authorization: `Bearer ${t.tokens.reader}` },
  });
  expect(stream.status).toBe(200);
  const reading = (async () => {
    for await (const _ of stream.body as ReadableStream<Uint8Array>) {
      // drain until the server ends the stream
    }
    return 'ended';
  })();
  const closing = t.close();
  expect(await reading).toBe('ended');
  await closing;
  await expect(fetch(new URL('/healthz', t.url))).rejects.toThrow();
});
