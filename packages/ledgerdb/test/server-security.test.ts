// Security of the HTTP API: authentication on every route, per-table authorization, the
// auditor role, input limits and validation, and SQL-looking input. Starts: an
// in-process Fastify server on a free port over a fresh SQLite ledger.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, startTestServer, type TestServer } from './server-helpers.js';

let t: TestServer;
let digestSize = 0;
beforeAll(async () => {
  t = await startTestServer({ server: { bodyLimit: 64 * 1024 } });
  await t.ledger.transaction(async (tx) => {
    await tx.insert('orders', { sku: 'A', secret: 'order-data' }, { id: 'o-1' });
    await tx.insert('secrets', { pin: '1234' }, { id: 's-1' });
  });
  digestSize = (await t.ledger.digest()).treeSize;
});
afterAll(async () => {
  await t.close();
});

interface Route {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** The table whose read or write right the route needs, for the wrong-role check. */
  needs: 'read' | 'write' | 'admin' | 'any';
}

const routes: Route[] = [
  { method: 'GET', path: '/v1/tables', needs: 'any' },
  { method: 'POST', path: '/v1/tables', body: { name: 'newtable' }, needs: 'admin' },
  {
    method: 'POST',
    path: '/v1/transactions',
    body: { statements: [{ op: 'insert', table: 'orders', data: { x: 1 } }] },
    needs: 'write',
  },
  { method: 'GET', path: '/v1/tables/orders/documents/o-1', needs: 'read' },
  { method: 'GET', path: '/v1/tables/orders/documents/o-1/revisions/0', needs: 'read' },
  { method: 'GET', path: '/v1/tables/orders/documents/o-1/history', needs: 'read' },
  { method: 'POST', path: '/v1/tables/orders/find', body: { where: { sku: 'A' } }, needs: 'read' },
  { method: 'GET', path: '/v1/digest', needs: 'any' },
  { method: 'GET', path: '/v1/tables/orders/documents/o-1/revisions/0/proof', needs: 'read' },
  { method: 'GET', path: '/v1/blocks/0/proof', needs: 'any' },
  { method: 'GET', path: '/v1/consistency?from=1', needs: 'any' },
  { method: 'GET', path: '/v1/events?tables=orders', needs: 'read' },
];

function expectErrorBody(body: unknown, code: string): void {
  expect(body).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe('authentication', () => {
  test.each(routes)('$method $path without a token is 401', async (route) => {
    const response = await api(t.url, route.method, route.path, { body: route.body });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expectErrorBody(response.body, 'UNAUTHENTICATED');
  });

  test.each(routes)('$method $path with a wrong token is 401', async (route) => {
    for (const token of [`${t.tokens.admin}x`, 'ldb_AAAA', 'not-a-token', t.tokens.admin?.slice(0, -1)]) {
      const response = await api(t.url, route.method, route.path, { body: route.body, token: token as string });
      expect(response.status).toBe(401);
      expectErrorBody(response.body, 'UNAUTHENTICATED');
    }
    const basic = await api(t.url, route.method, route.path, {
      body: route.body,
      headers: { authorization: `Basic ${Buffer.from(`u:${t.tokens.admin}`).toString('base64')}` },
    });
    expect(basic.status).toBe(401);
  });

  test('an unauthenticated request learns nothing about its body', async () => {
    const response = await api(t.url, 'POST', '/v1/transactions', { rawBody: '{not json' });
    expect(response.status).toBe(401);
  });

  test('an unauthenticated request learns nothing about which routes exist', async () => {
    for (const path of ['/v1/nothing', '/v1/tables/orders/nothing']) {
      const response = await api(t.url, 'GET', path);
      expect(response.status).toBe(401);
      expectErrorBody(response.body, 'UNAUTHENTICATED');
      expect((await api(t.url, 'GET', path, { token: 'ldb_AAAA' })).status).toBe(401);
      expect((await api(t.url, 'GET', path, { token: t.tokens.admin })).status).toBe(404);
    }
  });

  test('HEAD of a GET route needs a token as GET does; the open routes need none', async () => {
    const head = (path: string, token?: string) =>
      fetch(`${t.url}${path}`, { method: 'HEAD', ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
    expect((await head('/v1/tables')).status).toBe(401);
    expect((await head('/v1/tables', t.tokens.admin)).status).toBe(200);
    expect((await head('/healthz')).status).toBe(200);
  });

  test('tokens are stored hashed, never in clear', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(`${t.dir}/tokens.json`, 'utf8');
    for (const token of Object.values(t.tokens)) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.slice(4));
    }
    expect(text).toMatch(/"sha256": "[0-9a-f]{64}"/);
  });
});

describe('authorization', () => {
  test.each(routes.filter((route) => route.needs !== 'any'))(
    '$method $path with a token of the wrong role is 403',
    async (route) => {
      // `other` may read and write only `secrets`; `reader` may not write.
      const token =
        route.needs === 'read' ? t.tokens.other : route.needs === 'write' ? t.tokens.reader : t.tokens.writer;
      const before = (await t.ledger.digest()).treeSize;
      const response = await api(t.url, route.method, route.path, { body: route.body, token: token as string });
      expect(response.status).toBe(403);
      expectErrorBody(response.body, 'PERMISSION_DENIED');
      expect((await t.ledger.digest()).treeSize).toBe(before);
    },
  );

  test('a transaction touching one forbidden table is rejected whole', async () => {
    const before = await t.ledger.digest();
    const response = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      body: {
        statements: [
          { op: 'insert', table: 'orders', id: 'mixed-1', data: { ok: true } },
          { op: 'update', table: 'secrets', id: 's-1', data: { pin: '0000' } },
        ],
      },
    });
    expect(response.status).toBe(403);
    expect(response.body.error.details.path).toBe('/statements/1/table');
    expect(await t.ledger.digest()).toEqual(before);
    expect(await t.ledger.get('orders', 'mixed-1')).toBeUndefined();
    expect(await t.ledger.get('secrets', 's-1')).toEqual({ pin: '1234' });
  });

  test('reading inside a transaction needs the read right', async () => {
    const writeOnly = await startTestServer({ roles: { w: ['write:orders'] } });
    try {
      const response = await api(writeOnly.url, 'POST', '/v1/transactions', {
        token: writeOnly.tokens.w,
        body: { statements: [{ op: 'get', table: 'orders', id: 'x' }] },
      });
      expect(response.status).toBe(403);
    } finally {
      await writeOnly.close();
    }
  });

  test('the reserved idempotency table is out of reach, even for admin', async () => {
    const write = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.admin,
      body: { statements: [{ op: 'insert', table: '__ledgerdb_idempotency', data: { forged: true } }] },
    });
    expect(write.status).toBe(403);
    const read = await api(t.url, 'GET', '/v1/tables/__ledgerdb_idempotency/documents/x', { token: t.tokens.admin });
    expect(read.status).toBe(403);
    const create = await api(t.url, 'POST', '/v1/tables', { token: t.tokens.admin, body: { name: '__ledgerdb_x' } });
    expect(create.status).toBe(403);
    const listed = await api(t.url, 'GET', '/v1/tables', { token: t.tokens.admin });
    expect(listed.body.tables.map((table: { name: string }) => table.name)).not.toContain('__ledgerdb_idempotency');
  });

  test('an event stream of every table needs read on every table', async () => {
    const response = await api(t.url, 'GET', '/v1/events', { token: t.tokens.reader });
    expect(response.status).toBe(403);
  });
});

describe('auditor', () => {
  test('reads digests, consistency and block proofs', async () => {
    const digest = await api(t.url, 'GET', '/v1/digest', { token: t.tokens.auditor });
    expect(digest.status).toBe(200);
    expect((await api(t.url, 'GET', '/v1/consistency?from=1', { token: t.tokens.auditor })).status).toBe(200);
    const block = await api(t.url, 'GET', '/v1/blocks/0/proof', { token: t.tokens.auditor });
    expect(block.status).toBe(200);
    expect(JSON.stringify(block.body)).not.toContain('order-data');
  });

  test('gets revision proofs without the revision, and no document data anywhere', async () => {
    const proof = await api(t.url, 'GET', '/v1/tables/orders/documents/o-1/revisions/0/proof', {
      token: t.tokens.auditor,
    });
    expect(proof.status).toBe(200);
    expect(proof.body.revision).toBeUndefined();
    expect(proof.body.leafHash).toMatch(/^[0-9a-f]{64}$/);
    expect(proof.body.auditPath.length).toBeGreaterThan(0);
    expect(JSON.stringify(proof.body)).not.toContain('order-data');
    const full = await api(t.url, 'GET', '/v1/tables/orders/documents/o-1/revisions/0/proof', {
      token: t.tokens.reader,
    });
    expect(full.body.revision.data).toEqual({ sku: 'A', secret: 'order-data' });
    expect(full.body.leafHash).toBe(proof.body.leafHash);
  });

  test.each([
    ['GET', '/v1/tables/orders/documents/o-1', undefined],
    ['GET', '/v1/tables/orders/documents/o-1/revisions/0', undefined],
    ['GET', '/v1/tables/orders/documents/o-1/history', undefined],
    ['POST', '/v1/tables/orders/find', { where: { sku: 'A' } }],
    ['GET', '/v1/events?tables=orders', undefined],
    ['GET', '/v1/events', undefined],
    ['POST', '/v1/transactions', { statements: [{ op: 'get', table: 'orders', id: 'o-1' }] }],
  ] as const)('cannot read data: %s %s', async (method, path, body) => {
    const response = await api(t.url, method, path, { token: t.tokens.auditor, body });
    expect(response.status).toBe(403);
    expect(JSON.stringify(response.body)).not.toContain('order-data');
  });
});

describe('input validation and limits', () => {
  test('an oversized body is 413 and commits nothing', async () => {
    const before = (await t.ledger.digest()).treeSize;
    const response = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      body: { statements: [{ op: 'insert', table: 'orders', data: { blob: 'x'.repeat(100 * 1024) } }] },
    });
    expect(response.status).toBe(413);
    expectErrorBody(response.body, 'LIMIT_EXCEEDED');
    expect((await t.ledger.digest()).treeSize).toBe(before);
  });

  test.each([
    ['{not json', '/'],
    ['{"statements": [', '/'],
    ['', '/'],
    ['{"statements": [{"op": "insert", "table": "orders", "data": {"a": 1}}]} trailing', '/'],
  ])('malformed JSON %j is 400', async (rawBody) => {
    const response = await api(t.url, 'POST', '/v1/transactions', { token: t.tokens.writer, rawBody });
    expect(response.status).toBe(400);
    expectErrorBody(response.body, 'INVALID_ARGUMENT');
  });

  test('a non-JSON content type is refused', async () => {
    const response = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      rawBody: 'statements=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(415);
    expectErrorBody(response.body, 'INVALID_ARGUMENT');
  });

  test('prototype pollution keys are refused', async () => {
    const response = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      rawBody: '{"statements":[{"op":"insert","table":"orders","data":{"__proto__":{"admin":true}}}]}',
    });
    expect(response.status).toBe(400);
  });

  test.each([
    [{ statements: [], extra: 1 }, '/extra'],
    [
      {
        statements: [
          { op: 'get', table: 'orders', id: 'o-1' },
          { op: 'get', table: 'orders', id: 'o-1' },
          { op: 'insert', table: 'orders', tabel: 'orders', data: {} },
        ],
      },
      '/statements/2/tabel',
    ],
    [{ statements: [{ op: 'insert', table: 'orders', data: {}, version: 3 }] }, '/statements/0/version'],
    [{ statements: [{ op: 'insert', data: {} }] }, '/statements/0/table'],
    [{ statements: [{ op: 'upsert', table: 'orders', data: {} }] }, '/statements/0/op'],
    [{ statements: [{ op: 'insert', table: 'orders', data: [1, 2] }] }, '/statements/0/data'],
    [
      { statements: [{ op: 'update', table: 'orders', id: 'o-1', data: {}, expectedVersion: '1' }] },
      '/statements/0/expectedVersion',
    ],
    [{ statements: [] }, '/statements'],
    [{}, '/statements'],
  ])('unknown or wrong fields are 400 naming the path: %j', async (body, path) => {
    const before = (await t.ledger.digest()).treeSize;
    const response = await api(t.url, 'POST', '/v1/transactions', { token: t.tokens.writer, body });
    expect(response.status).toBe(400);
    expectErrorBody(response.body, 'INVALID_ARGUMENT');
    expect(response.body.error.details.path).toBe(path);
    expect((await t.ledger.digest()).treeSize).toBe(before);
  });

  test('unknown query parameters and bad numbers are 400', async () => {
    const unknown = await api(t.url, 'GET', '/v1/consistency?from=1&evil=1', { token: t.tokens.auditor });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toMatchObject({ path: '/evil', in: 'querystring' });
    const negative = await api(t.url, 'GET', '/v1/consistency?from=-1', { token: t.tokens.auditor });
    expect(negative.status).toBe(400);
    const beyond = await api(
      t.url,
      'GET',
      `/v1/tables/orders/documents/o-1/revisions/0/proof?treeSize=${digestSize + 1000}`,
      {
        token: t.tokens.reader,
      },
    );
    expect(beyond.status).toBe(400);
  });

  test('an unknown route is a JSON 404', async () => {
    const response = await api(t.url, 'GET', '/v1/nothing', { token: t.tokens.admin });
    expect(response.status).toBe(404);
    expectErrorBody(response.body, 'NOT_FOUND');
  });
});

describe('SQL-looking input is rejected by name validation or stored verbatim', () => {
  const nasty = [
    "'; DROP TABLE leaves; --",
    'orders; DELETE FROM revisions',
    "x' OR '1'='1",
    'Robert"); DROP TABLE blocks;--',
  ];

  test.each(nasty)('as a table name in a statement: %s', async (name) => {
    const response = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.admin,
      body: { statements: [{ op: 'insert', table: name, data: { a: 1 } }] },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.details.path).toBe('/statements/0/table');
  });

  test.each(nasty)('as a document id: %s', async (id) => {
    const response = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.admin,
      body: { statements: [{ op: 'insert', table: 'orders', id, data: { a: 1 } }] },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.details.path).toBe('/statements/0/id');
  });

  test.each(nasty)('in URL paths: %s', async (text) => {
    const encoded = encodeURIComponent(text);
    for (const path of [
      `/v1/tables/${encoded}/documents/o-1`,
      `/v1/tables/orders/documents/${encoded}`,
      `/v1/tables/orders/documents/${encoded}/history`,
      `/v1/tables/orders/documents/o-1/revisions/${encoded}`,
    ]) {
      const response = await api(t.url, 'GET', path, { token: t.tokens.admin });
      expect([400, 404]).toContain(response.status);
      expect(response.body.error.code).toMatch(/INVALID_ARGUMENT|NOT_FOUND/);
    }
    const create = await api(t.url, 'POST', '/v1/tables', { token: t.tokens.admin, body: { name: text } });
    expect(create.status).toBe(400);
  });

  test('as values, keys and an idempotency key: stored and returned verbatim', async () => {
    const data = Object.fromEntries(nasty.map((text, i) => [text, { text, i }]));
    const response = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      headers: { 'idempotency-key': "'; DROP TABLE leaves; --" },
      body: { statements: [{ op: 'insert', table: 'orders', id: 'sql-values', data }] },
    });
    expect(response.status).toBe(200);
    const read = await api(t.url, 'GET', '/v1/tables/orders/documents/sql-values', { token: t.tokens.reader });
    expect(read.body.revision.data).toEqual(data);
    const found = await api(t.url, 'POST', '/v1/tables/orders/find', {
      token: t.tokens.reader,
      body: { where: { [`${nasty[0]}.text`]: nasty[0] } },
    });
    expect(found.status).toBe(400); // not an index path: rejected, never interpolated
    expect((await t.ledger.audit()).ok).toBe(true);
    expect((await t.ledger.tables()).map((table) => table.name).sort()).toEqual([
      '__ledgerdb_idempotency',
      'orders',
      'secrets',
    ]);
  });
});
