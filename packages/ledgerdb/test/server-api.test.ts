// The server's HTTP API over a real listening server: transactions, reads, proofs, the
// OpenAPI document and health. Starts: an in-process Fastify server on a free port.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyConsistencyProof, verifyRevisionProof } from '../src/verify.js';
import { api, startTestServer, type TestServer } from './server-helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

describe('transactions', () => {
  test('commits a batch atomically and returns revision hashes and block', async () => {
    const insert = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      body: {
        statements: [
          { op: 'insert', table: 'orders', id: 'o-1', data: { sku: 'A', qty: 1 } },
          { op: 'insert', table: 'orders', data: { sku: 'B', qty: 2 } },
        ],
      },
    });
    expect(insert.status).toBe(200);
    expect(insert.body.results[0]).toEqual({ op: 'insert', id: 'o-1', version: 0 });
    expect(insert.body.results[1].id).toMatch(/^[0-9A-Za-z]{22}$/);
    const commit = insert.body.commit;
    expect(commit.revisions.map((r: { table: string }) => r.table)).toEqual(['orders', 'orders']);
    expect(commit.blockHash).toMatch(/^[0-9a-f]{64}$/);

    const update = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      body: {
        statements: [
          { op: 'get', table: 'orders', id: 'o-1' },
          { op: 'update', table: 'orders', id: 'o-1', data: { sku: 'A', qty: 5 }, expectedVersion: 0 },
        ],
      },
    });
    expect(update.status).toBe(200);
    expect(update.body.results).toEqual([
      { op: 'get', id: 'o-1', version: 0, data: { sku: 'A', qty: 1 } },
      { op: 'update', id: 'o-1', version: 1 },
    ]);
    expect(update.body.commit.seq).toBe(commit.seq + 1);
  });

  test('a wrong expected version is 409 and commits nothing', async () => {
    const before = await t.ledger.digest();
    const response = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      body: {
        statements: [
          { op: 'insert', table: 'orders', id: 'o-occ', data: { a: 1 } },
          { op: 'update', table: 'orders', id: 'o-1', data: { qty: 0 }, expectedVersion: 0 },
        ],
      },
    });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('OCC_CONFLICT');
    expect(response.body.error.details).toMatchObject({ expectedVersion: 0, currentVersion: 1 });
    expect((await t.ledger.digest()).treeSize).toBe(before.treeSize);
    expect(await t.ledger.get('orders', 'o-occ')).toBeUndefined();
  });

  test('ledger errors map to HTTP codes', async () => {
    const missing = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      body: { statements: [{ op: 'update', table: 'orders', id: 'nope', data: {} }] },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const duplicate = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      body: { statements: [{ op: 'insert', table: 'orders', id: 'o-1', data: {} }] },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('ALREADY_EXISTS');
    const bigDocument = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      body: { statements: [{ op: 'insert', table: 'orders', data: { blob: 'x'.repeat(140 * 1024) } }] },
    });
    expect(bigDocument.status).toBe(413);
    expect(bigDocument.body.error).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'documentBytes' } });
    const tooManyDocuments = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      body: {
        statements: Array.from({ length: 41 }, (_, i) => ({ op: 'insert', table: 'orders', data: { i } })),
      },
    });
    expect(tooManyDocuments.status).toBe(413);
    expect(tooManyDocuments.body.error.details.limit).toBe('documentsPerTransaction');
    const tooManyStatements = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      body: { statements: Array.from({ length: 101 }, () => ({ op: 'get', table: 'orders', id: 'o-1' })) },
    });
    expect(tooManyStatements.status).toBe(413);
    expect(tooManyStatements.body.error.details.limit).toBe('statements');
    const badData = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      body: {
        statements: [
          { op: 'get', table: 'orders', id: 'o-1' },
          { op: 'update', table: 'orders', id: 'o-1' },
        ],
      },
    });
    expect(badData.status).toBe(400);
    expect(badData.body.error.details.path).toBe('/statements/1/data');
  });
});

describe('reads and proofs', () => {
  test('document, revision and history', async () => {
    const doc = await api(t.url, 'GET', '/v1/tables/orders/documents/o-1', { token: t.tokens.reader });
    expect(doc.status).toBe(200);
    expect(doc.body.revision).toMatchObject({ data: { sku: 'A', qty: 5 }, metadata: { version: 1 } });
    const first = await api(t.url, 'GET', '/v1/tables/orders/documents/o-1/revisions/0', { token: t.tokens.reader });
    expect(first.body.revision.data).toEqual({ sku: 'A', qty: 1 });
    const history = await api(t.url, 'GET', '/v1/tables/orders/documents/o-1/history', { token: t.tokens.reader });
    expect(history.body.revisions.map((r: { metadata: { version: number } }) => r.metadata.version)).toEqual([0, 1]);
    const start = history.body.revisions[1].metadata.txTime;
    const windowed = await api(
      t.url,
      'GET',
      `/v1/tables/orders/documents/o-1/history?from=${encodeURIComponent(start)}`,
      { token: t.tokens.reader },
    );
    expect(windowed.body.revisions.map((r: { metadata: { version: number } }) => r.metadata.version)).toEqual([1]);
    const badTime = await api(t.url, 'GET', '/v1/tables/orders/documents/o-1/history?from=yesterday', {
      token: t.tokens.reader,
    });
    expect(badTime.status).toBe(400);
    expect(badTime.body.error.details.path).toBe('/from');
    const missing = await api(t.url, 'GET', '/v1/tables/orders/documents/none', { token: t.tokens.reader });
    expect(missing.status).toBe(404);
    const found = await api(t.url, 'POST', '/v1/tables/orders/find', {
      token: t.tokens.reader,
      body: { where: { sku: 'A' } },
    });
    expect(found.body.revisions.map((r: { metadata: { id: string } }) => r.metadata.id)).toEqual(['o-1']);
  });

  test('revision proofs verify against the digest, current or at an earlier size', async () => {
    const early = (await api(t.url, 'GET', '/v1/digest', { token: t.tokens.reader })).body;
    await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      body: { statements: [{ op: 'insert', table: 'orders', data: { later: true } }] },
    });
    const digest = (await api(t.url, 'GET', '/v1/digest', { token: t.tokens.reader })).body;
    expect(digest.treeSize).toBeGreaterThan(early.treeSize);
    const proof = await api(t.url, 'GET', '/v1/tables/orders/documents/o-1/revisions/0/proof', {
      token: t.tokens.reader,
    });
    expect(verifyRevisionProof(proof.body, digest).ok).toBe(true);
    const old = await api(
      t.url,
      'GET',
      `/v1/tables/orders/documents/o-1/revisions/0/proof?treeSize=${early.treeSize}`,
      { token: t.tokens.reader },
    );
    expect(old.body.rootHash).toBe(early.rootHash);
    expect(verifyRevisionProof(old.body, early).ok).toBe(true);
    const consistency = await api(t.url, 'GET', `/v1/consistency?from=${early.treeSize}`, { token: t.tokens.auditor });
    expect(consistency.status).toBe(200);
    expect(verifyConsistencyProof(consistency.body, early, digest).ok).toBe(true);
    const future = await api(t.url, 'GET', `/v1/consistency?from=${digest.treeSize + 10}`, { token: t.tokens.auditor });
    expect(future.status).toBe(400);
  });

  test('block proofs', async () => {
    const digest = (await api(t.url, 'GET', '/v1/digest', { token: t.tokens.auditor })).body;
    const proof = await api(t.url, 'GET', `/v1/blocks/${digest.tip.seq}/proof`, { token: t.tokens.auditor });
    expect(proof.status).toBe(200);
    expect(proof.body.leafHash).toBe(digest.tip.blockHash);
    const missing = await api(t.url, 'GET', '/v1/blocks/999999/proof', { token: t.tokens.auditor });
    expect(missing.status).toBe(404);
  });
});

describe('service routes', () => {
  test('healthz needs no token', async () => {
    const health = await api(t.url, 'GET', '/healthz');
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  test('openapi.json lists every route', async () => {
    const doc = await api(t.url, 'GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    const listed = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const expected = [
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
      'GET /openapi.json',
      'GET /v1/tables',
      'POST /v1/tables',
      'POST /v1/transactions',
      'GET /v1/tables/{table}/documents/{id}',
      'GET /v1/tables/{table}/documents/{id}/revisions/{version}',
      'GET /v1/tables/{table}/documents/{id}/history',
      'POST /v1/tables/{table}/find',
      'GET /v1/digest',
      'GET /v1/tables/{table}/documents/{id}/revisions/{version}/proof',
      'GET /v1/blocks/{seq}/proof',
      'GET /v1/consistency',
      'GET /v1/events',
      'POST /v1/partiql/transactions',
      'POST /v1/partiql/transactions/{transactionId}/statements',
      'POST /v1/partiql/transactions/{transactionId}/commit',
      'POST /v1/partiql/transactions/{transactionId}/abort',
    ];
    expect(listed.sort()).toEqual(expected.sort());
    expect(doc.body.paths['/v1/transactions'].post.requestBody).toBeDefined();
  });

  test('admin creates tables; others may not', async () => {
    const created = await api(t.url, 'POST', '/v1/tables', {
      token: t.tokens.admin,
      body: { name: 'invoices', indexes: ['customer.id'] },
    });
    expect(created.status).toBe(201);
    expect(await t.ledger.tables()).toContainEqual({ name: 'invoices', indexes: ['customer.id'] });
    const denied = await api(t.url, 'POST', '/v1/tables', { token: t.tokens.writer, body: { name: 'x' } });
    expect(denied.status).toBe(403);
    const listed = await api(t.url, 'GET', '/v1/tables', { token: t.tokens.writer });
    expect(listed.body.tables.map((table: { name: string }) => table.name)).toEqual(['orders']);
  });
});
