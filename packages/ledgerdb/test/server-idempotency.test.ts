// Idempotency keys: a retried request never commits twice, also concurrently and across a
// server restart. Starts: in-process Fastify servers on free ports over one SQLite file.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, startTestServer, type TestServer } from './server-helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

const insert = (marker: string) => ({
  statements: [
    { op: 'insert', table: 'orders', data: { marker } },
    { op: 'get', table: 'orders', id: 'seed' },
  ],
});

async function countMarker(marker: string): Promise<number> {
  return (await t.ledger.find('orders', { marker })).length;
}

describe('Idempotency-Key', () => {
  test('the same key twice commits once and answers the same', async () => {
    await t.ledger.transaction((tx) => tx.insert('orders', { seed: true }, { id: 'seed' }));
    const headers = { 'idempotency-key': 'key-1' };
    const first = await api(t.url, 'POST', '/v1/transactions', { token: t.tokens.writer, headers, body: insert('m1') });
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const size = (await t.ledger.digest()).treeSize;
    // The seed changes in between: the replay still answers what the first request read.
    await t.ledger.transaction((tx) => tx.update('orders', 'seed', { seed: false }));
    const sizeAfterUpdate = (await t.ledger.digest()).treeSize;
    const second = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      headers,
      body: insert('m1'),
    });
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(second.body.results[1].data).toEqual({ seed: true });
    expect((await t.ledger.digest()).treeSize).toBe(sizeAfterUpdate);
    expect(sizeAfterUpdate).toBeGreaterThan(size);
    expect(await countMarker('m1')).toBe(1);
  });

  test('without a key, a repeated request commits again', async () => {
    await api(t.url, 'POST', '/v1/transactions', { token: t.tokens.writer, body: insert('m2') });
    await api(t.url, 'POST', '/v1/transactions', { token: t.tokens.writer, body: insert('m2') });
    expect(await countMarker('m2')).toBe(2);
  });

  test('a key reused for a different request is 422 and commits nothing', async () => {
    const headers = { 'idempotency-key': 'key-3' };
    await api(t.url, 'POST', '/v1/transactions', { token: t.tokens.writer, headers, body: insert('m3') });
    const size = (await t.ledger.digest()).treeSize;
    const other = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      headers,
      body: insert('m3b'),
    });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('INVALID_ARGUMENT');
    expect((await t.ledger.digest()).treeSize).toBe(size);
    expect(await countMarker('m3b')).toBe(0);
  });

  test('keys belong to a token: another token with the same key commits its own request', async () => {
    const headers = { 'idempotency-key': 'shared-key' };
    const a = await api(t.url, 'POST', '/v1/transactions', { token: t.tokens.writer, headers, body: insert('m4') });
    const b = await api(t.url, 'POST', '/v1/transactions', { token: t.tokens.admin, headers, body: insert('m4') });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(b.body.commit.txId).not.toBe(a.body.commit.txId);
    expect(await countMarker('m4')).toBe(2);
  });

  test('concurrent requests with the same key commit once and all get the same answer', async () => {
    const headers = { 'idempotency-key': 'concurrent-key' };
    const responses = await Promise.all(
      Array.from({ length: 24 }, () =>
        api(t.url, 'POST', '/v1/transactions', { token: t.tokens.writer, headers, body: insert('m5') }),
      ),
    );
    for (const response of responses) expect(response.status).toBe(200);
    const txIds = new Set(responses.map((response) => response.body.commit.txId));
    expect(txIds.size).toBe(1);
    for (const response of responses) expect(response.body).toEqual(responses[0]?.body);
    expect(responses.filter((response) => response.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    expect(await countMarker('m5')).toBe(1);
  });

  test('a read-only request with a key stores nothing', async () => {
    const size = (await t.ledger.digest()).treeSize;
    const response = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.reader,
      headers: { 'idempotency-key': 'read-only' },
      body: { statements: [{ op: 'get', table: 'orders', id: 'seed' }] },
    });
    expect(response.status).toBe(200);
    expect(response.body.commit).toBeNull();
    expect((await t.ledger.digest()).treeSize).toBe(size);
  });

  test('with a key, a transaction may write one document fewer than the limit', async () => {
    const statements = Array.from({ length: 40 }, (_, i) => ({ op: 'insert', table: 'orders', data: { i } }));
    const response = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      headers: { 'idempotency-key': 'too-many' },
      body: { statements },
    });
    expect(response.status).toBe(413);
    expect(response.body.error.details).toMatchObject({ limit: 'documentsPerTransaction', max: 39 });
    const fits = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      headers: { 'idempotency-key': 'fits' },
      body: { statements: statements.slice(1) },
    });
    expect(fits.status).toBe(200);
  });
});

test('a key is remembered across a server restart on the same file', async () => {
  const first = await startTestServer();
  const headers = { 'idempotency-key': 'restart-key' };
  const body = { statements: [{ op: 'insert', table: 'orders', id: 'restart-doc', data: { n: 1 } }] };
  const before = await api(first.url, 'POST', '/v1/transactions', { token: first.tokens.writer, headers, body });
  expect(before.status).toBe(200);
  await first.close();
  // Same file and tokens file: a new process would see exactly this.
  const { openLedgerDatabase: openLedger } = await import('../src/index.js');
  const { createServer, readTokensFile, TokenRegistry } = await import('../src/server.js');
  const ledger = await openLedger({ path: first.path });
  const server = await createServer({
    ledger,
    tokens: new TokenRegistry((await readTokensFile(`${first.dir}/tokens.json`)).tokens),
    closeLedger: true,
  });
  const url = await server.listen();
  try {
    const after = await api(url, 'POST', '/v1/transactions', { token: first.tokens.writer, headers, body });
    expect(after.status).toBe(200);
    expect(after.headers.get('idempotent-replayed')).toBe('true');
    expect(after.body).toEqual(before.body);
    expect((await ledger.history('orders', 'restart-doc')).length).toBe(1);
  } finally {
    await server.close();
  }
});
