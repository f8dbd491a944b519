// The API server's answers on a real embedded ledgerdb: the port's operations as the
// participant named, and every failure as one JSON shape with a code — never a stack.
import { verifyLedgerdbReceipt } from '@ledgerkit/ledgerdb/verify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApi } from '../src/server/api.ts';
import { startLedgerdbBackend } from '../src/server/ledgerdb-backend.ts';

let app: FastifyInstance;
const documentHash = 'ab'.repeat(32);

beforeAll(async () => {
  app = await createApi({
    slots: [
      { kind: 'ledgerdb', backend: await startLedgerdbBackend() },
      { kind: 'fabric', reason: 'no Fabric network is running' },
    ],
  });
});

afterAll(async () => {
  await app?.close();
});

async function post(url: string, body: unknown) {
  const response = await app.inject({ method: 'POST', url, payload: body as object });
  return { status: response.statusCode, body: response.json() };
}

describe('operations', () => {
  test('register, offer and accept as different participants; the batch and its history follow', async () => {
    expect(
      (
        await post('/api/ledgerdb/batches', {
          as: 'acme',
          id: 'api-1',
          product: 'serum',
          documentHash,
          maxTemperature: 8,
        })
      ).status,
    ).toBe(200);
    expect((await post('/api/ledgerdb/batches/api-1/offer', { as: 'acme', to: 'haulage' })).status).toBe(200);
    expect((await post('/api/ledgerdb/batches/api-1/accept', { as: 'haulage' })).status).toBe(200);
    const read = await app.inject({ url: '/api/ledgerdb/batches/api-1' });
    expect(read.json().batch).toMatchObject({ id: 'api-1', custodian: 'haulage', status: 'active', flagged: false });
    expect(read.json().history.map((step: { kind: string }) => step.kind)).toEqual([
      'registered',
      'custody-offered',
      'custody-accepted',
    ]);
    const list = await app.inject({ url: '/api/ledgerdb/batches' });
    expect(list.json().batches.map((batch: { id: string }) => batch.id)).toContain('api-1');
    const bundles = await post('/api/ledgerdb/batches/api-1/bundles', {});
    expect(bundles.body.bundles).toHaveLength(3);
    expect(bundles.body.bundles[0].format).toBe('ledgerkit.verification-bundle');
  });
});

describe('evidence for a pinned anchor', () => {
  test('leads to the digest the auditor pinned; a step written after it fails against it', async () => {
    await post('/api/ledgerdb/batches', { as: 'acme', id: 'api-5', product: 'serum', documentHash, maxTemperature: 8 });
    await post('/api/ledgerdb/batches/api-5/offer', { as: 'acme', to: 'haulage' });
    const { anchor } = (await app.inject({ url: '/api/ledgerdb/anchor' })).json();
    // The journal grows after the auditor pinned its digest.
    await post('/api/ledgerdb/batches', { as: 'acme', id: 'api-6', product: 'serum', documentHash, maxTemperature: 8 });
    await post('/api/ledgerdb/batches/api-5/accept', { as: 'haulage' });
    const { bundles } = (await post('/api/ledgerdb/batches/api-5/bundles', { anchor })).body;
    expect(bundles).toHaveLength(3);
    const results = [];
    for (const bundle of bundles) results.push(await verifyLedgerdbReceipt(bundle.subject, bundle.evidence, anchor));
    expect(results.map((result) => result.ok)).toEqual([true, true, false]);
    expect(results[0]?.anchor?.explicit).toBe(true);
    expect(bundles[0].evidence.digest.treeSize).toBe(anchor.digest.treeSize);
  });
});

describe('errors', () => {
  test('a refused rule is 409 CONTRACT_REVERTED with its reason code', async () => {
    await post('/api/ledgerdb/batches', { as: 'acme', id: 'api-2', product: 'serum', documentHash, maxTemperature: 8 });
    const { status, body } = await post('/api/ledgerdb/batches/api-2/offer', { as: 'haulage', to: 'shop' });
    expect(status).toBe(409);
    expect(body.error).toMatchObject({ code: 'CONTRACT_REVERTED', reasonCode: 'NOT_CUSTODIAN' });
    expect(body.error.message).toMatch(/^Refused by the rules \(NOT_CUSTODIAN\)/);
  });

  test('a role that may not act is 403, an unknown batch 404, an unknown participant 401', async () => {
    const register = await post('/api/ledgerdb/batches', {
      as: 'haulage',
      id: 'api-3',
      product: 'x',
      documentHash,
      maxTemperature: 8,
    });
    expect([register.status, register.body.error.code]).toEqual([403, 'PERMISSION_DENIED']);
    const unknown = await app.inject({ url: '/api/ledgerdb/batches/nope' });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'NOT_FOUND']);
    const stranger = await post('/api/ledgerdb/batches/api-2/accept', { as: 'mallory' });
    expect([stranger.status, stranger.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  test('malformed input is 400 INVALID_ARGUMENT: bad JSON, a missing field, an invalid value', async () => {
    const badJson = await app.inject({
      method: 'POST',
      url: '/api/ledgerdb/batches',
      headers: { 'content-type': 'application/json' },
      payload: '{"as":',
    });
    expect([badJson.statusCode, badJson.json().error.code]).toEqual([400, 'INVALID_ARGUMENT']);
    const missing = await post('/api/ledgerdb/batches', { as: 'acme', id: 'api-4' });
    expect([missing.status, missing.body.error.code]).toEqual([400, 'INVALID_ARGUMENT']);
    const invalid = await post('/api/ledgerdb/batches', {
      as: 'acme',
      id: 'api 4!',
      product: 'x',
      documentHash,
      maxTemperature: 8,
    });
    expect([invalid.status, invalid.body.error.code]).toEqual([400, 'INVALID_ARGUMENT']);
  });

  test('a backend that is not running is 503 UNAVAILABLE with the reason; an unknown one 404', async () => {
    const fabric = await app.inject({ url: '/api/fabric/batches' });
    expect(fabric.statusCode).toBe(503);
    expect(fabric.json().error).toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('no Fabric network is running'),
    });
    const backends = (await app.inject({ url: '/api/backends' })).json().backends;
    expect(backends.find((backend: { kind: string }) => backend.kind === 'fabric')).toMatchObject({
      available: false,
      reason: 'no Fabric network is running',
    });
    const other = await app.inject({ url: '/api/besu/batches' });
    expect([other.statusCode, other.json().error.code]).toEqual([404, 'NOT_FOUND']);
  });

  test('no answer carries a stack trace', async () => {
    const answers = [
      await app.inject({ url: '/api/ledgerdb/batches/nope' }),
      await app.inject({ method: 'POST', url: '/api/ledgerdb/batches/api-2/receive', payload: { as: 'shop' } }),
      await app.inject({ url: '/api/no/such/route' }),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBeGreaterThanOrEqual(400);
      expect(answer.body).not.toMatch(/\n\s+at |"stack"/);
      expect(answer.json().error.message).toEqual(expect.any(String));
    }
  });
});
