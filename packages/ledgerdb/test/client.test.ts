// LedgerdbClient against real servers: the core Ledger interface, verification of every
// revision and digest, and an "evil" server (rewritten history, rollback, tampering
// proxy) that the client must catch. Starts: in-process Fastify servers on free ports
// and a tampering HTTP proxy.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LedgerdbClient } from '../src/client.js';
import { fileDigestStore } from '../src/index.js';
import { startProxy } from './client-helpers.js';
import { codeOf } from './error-code.js';
import { startTestServer, type TestServer } from './server-helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ name: 'shared' });
});
afterAll(async () => {
  await t.close();
});

describe('the Ledger interface over HTTP', () => {
  test('submit, evaluate, history, verify', async () => {
    const client = await LedgerdbClient.connect({ url: t.url, token: t.tokens.writer as string });
    expect(client.id).toBe('shared');
    expect(client.kind).toBe('ledgerdb');
    const receipt = await client.submit({ method: 'insert', args: ['orders', { sku: 'A', qty: 1 }, { id: 'c-1' }] });
    expect(receipt.position.block).toBeGreaterThanOrEqual(0);
    await client.submit({ method: 'update', args: ['orders', 'c-1', { sku: 'A', qty: 2 }] });
    expect(await client.evaluate({ method: 'get', args: ['orders', 'c-1'] })).toEqual({ sku: 'A', qty: 2 });
    expect(await codeOf(client.evaluate({ method: 'get', args: ['orders', 'missing'] }))).toBe('NOT_FOUND');
    expect(await client.evaluate({ method: 'find', args: ['orders', { sku: 'A' }] })).toEqual([
      { id: 'c-1', data: { sku: 'A', qty: 2 } },
    ]);
    const history = await client.history('orders/c-1');
    expect(history.map((revision) => revision.value)).toEqual([
      { sku: 'A', qty: 1 },
      { sku: 'A', qty: 2 },
    ]);
    expect((await client.verify(receipt)).ok).toBe(true);
    expect((await client.verify(history[0] as never)).ok).toBe(true);
    const forged = { ...receipt, txId: 'forged' };
    expect((await client.verify(forged)).ok).toBe(false);
    const forgedRevision = { ...(history[0] as object), value: { sku: 'A', qty: 999 } };
    expect((await client.verify(forgedRevision as never)).ok).toBe(false);
    await client.submit({ method: 'delete', args: ['orders', 'c-1'] });
    expect(await codeOf(client.evaluate({ method: 'get', args: ['orders', 'c-1'] }))).toBe('NOT_FOUND');
    expect(await codeOf(client.submit({ method: 'insert', args: ['secrets', {}] }))).toBe('PERMISSION_DENIED');
    await client.close();
  });

  test('transactions with gets and expected versions', async () => {
    const client = new LedgerdbClient({ url: t.url, token: t.tokens.writer as string });
    await client.transaction([{ op: 'insert', table: 'orders', id: 'c-2', data: { n: 0 } }]);
    const read = await client.transaction([{ op: 'get', table: 'orders', id: 'c-2' }]);
    expect(read.results[0]).toEqual({ op: 'get', id: 'c-2', version: 0, data: { n: 0 } });
    expect(read.commit).toBeNull();
    await client.transaction([{ op: 'update', table: 'orders', id: 'c-2', data: { n: 1 }, expectedVersion: 0 }]);
    expect(
      await codeOf(
        client.transaction([{ op: 'update', table: 'orders', id: 'c-2', data: { n: 2 }, expectedVersion: 0 }]),
      ),
    ).toBe('OCC_CONFLICT');
  });

  test('events are verified and resumable', async () => {
    const client = new LedgerdbClient({ url: t.url, token: t.tokens.admin as string });
    const seen: string[] = [];
    let checkpoint: { block: number; index: number } | undefined;
    for await (const event of client.events({ tables: ['orders'] })) {
      seen.push(`${event.checkpoint.block}:${event.checkpoint.index}`);
      if (seen.length === 3) {
        checkpoint = event.checkpoint;
        break;
      }
    }
    const rest: string[] = [];
    for await (const event of client.events({ tables: ['orders'], ...(checkpoint ? { from: checkpoint } : {}) })) {
      rest.push(`${event.checkpoint.block}:${event.checkpoint.index}`);
      if (rest.length === 2) break;
    }
    const all: string[] = [];
    for await (const event of client.events({ tables: ['orders'] })) {
      all.push(`${event.checkpoint.block}:${event.checkpoint.index}`);
      if (all.length === 5) break;
    }
    expect([...seen, ...rest]).toEqual(all);
    await client.close();
  });
});

describe('an evil server cannot rewrite history unnoticed', () => {
  test('a server over a rewritten ledger: DIGEST_INCONSISTENT', async () => {
    const digestFile = join(t.dir, 'trusted-rewrite.json');
    const honest = new LedgerdbClient({ url: t.url, token: t.tokens.admin as string, trustedDigestFile: digestFile });
    await honest.transaction([{ op: 'insert', table: 'orders', id: 'pay-1', data: { to: 'alice', amount: 10 } }]);
    const trusted = await honest.digest();
    // Ledger B: same name, same tables, but pay-1 went to mallory; and it is longer.
    const evil = await startTestServer({ name: 'shared', roles: { admin: ['admin', 'read:*', 'write:*'] } });
    try {
      await evil.ledger.transaction((tx) => tx.insert('orders', { to: 'mallory', amount: 10 }, { id: 'pay-1' }));
      for (let i = 0; (await evil.ledger.digest()).treeSize <= trusted.treeSize; i++) {
        await evil.ledger.transaction((tx) => tx.insert('orders', { filler: i }));
      }
      const fooled = new LedgerdbClient({
        url: evil.url,
        token: evil.tokens.admin as string,
        trustedDigestFile: digestFile,
      });
      expect(await codeOf(fooled.digest())).toBe('DIGEST_INCONSISTENT');
      expect(await codeOf(fooled.evaluate({ method: 'get', args: ['orders', 'pay-1'] }))).toBe('DIGEST_INCONSISTENT');
      // Its trusted digest stays the honest one.
      expect(await fileDigestStore(digestFile).load()).toEqual(trusted);
      // A client without history is fooled only on first use; it then pins B.
      const fresh = new LedgerdbClient({ url: evil.url, token: evil.tokens.admin as string });
      expect(await fresh.evaluate({ method: 'get', args: ['orders', 'pay-1'] })).toEqual({ to: 'mallory', amount: 10 });
    } finally {
      await evil.close();
    }
  });

  test('a server rolled back to an older copy: DIGEST_INCONSISTENT', async () => {
    const copy = join(t.dir, 'rollback.ledger');
    const source = await startTestServer({ name: 'shared' });
    let client: LedgerdbClient;
    try {
      await source.ledger.transaction((tx) => tx.insert('orders', { v: 1 }, { id: 'r-1' }));
      await source.close();
      copyFileSync(source.path, copy);
      const reopened = await startTestServer({ name: 'shared', path: source.path });
      client = new LedgerdbClient({ url: reopened.url, token: reopened.tokens.admin as string });
      await client.transaction([{ op: 'update', table: 'orders', id: 'r-1', data: { v: 2 } }]);
      await client.digest();
      await reopened.close();
    } finally {
      await source.close();
    }
    const old = await startTestServer({ name: 'shared', path: copy });
    try {
      const pointed = new LedgerdbClient({
        url: old.url,
        token: old.tokens.admin as string,
        digestStore: { load: async () => client.trustedDigest, save: async () => undefined },
      });
      expect(await codeOf(pointed.digest())).toBe('DIGEST_INCONSISTENT');
    } finally {
      await old.close();
    }
  });

  test('a proxy that changes document data: VERIFICATION_FAILED', async () => {
    const admin = t.tokens.admin as string;
    const direct = new LedgerdbClient({ url: t.url, token: admin });
    await direct.transaction([{ op: 'insert', table: 'orders', id: 'tamper-1', data: { amount: 10 } }]);
    const proxy = await startProxy(
      () => t.url,
      (request, response) =>
        request.path.includes('/documents/tamper-1') && !request.path.includes('/proof')
          ? { ...response, body: response.body.replace('"amount":10', '"amount":99') }
          : response,
    );
    try {
      const client = new LedgerdbClient({ url: proxy.url, token: admin });
      expect(await codeOf(client.evaluate({ method: 'get', args: ['orders', 'tamper-1'] }))).toBe(
        'VERIFICATION_FAILED',
      );
      expect(await codeOf(client.history('orders/tamper-1'))).toBe('VERIFICATION_FAILED');
    } finally {
      await proxy.close();
    }
  });

  test('a proxy that forges proofs or digests is caught', async () => {
    const admin = t.tokens.admin as string;
    const direct = new LedgerdbClient({ url: t.url, token: admin });
    await direct.transaction([{ op: 'insert', table: 'orders', id: 'tamper-2', data: { amount: 10 } }]);
    // Data changed consistently in the document and its proof: the leaf hash no longer matches.
    const both = await startProxy(
      () => t.url,
      (request, response) =>
        request.path.includes('/documents/tamper-2')
          ? { ...response, body: response.body.replace('"amount":10', '"amount":99') }
          : response,
    );
    // A digest with the same size but another root (split view).
    const split = await startProxy(
      () => t.url,
      (request, response) =>
        request.path === '/v1/digest'
          ? {
              ...response,
              // Another first digit, whatever the real one is (a fixed '0' is no change 1 time in 16).
              body: response.body.replace(
                /"rootHash":"([0-9a-f])/,
                (_, digit: string) => `"rootHash":"${digit === '0' ? '1' : '0'}`,
              ),
            }
          : response,
    );
    try {
      const client = new LedgerdbClient({ url: both.url, token: admin });
      expect(await codeOf(client.evaluate({ method: 'get', args: ['orders', 'tamper-2'] }))).toBe(
        'VERIFICATION_FAILED',
      );
      const trustedClient = new LedgerdbClient({ url: t.url, token: admin });
      const trusted = await trustedClient.digest();
      const splitClient = new LedgerdbClient({
        url: split.url,
        token: admin,
        digestStore: { load: async () => trusted, save: async () => undefined },
      });
      expect(await codeOf(splitClient.digest())).toBe('DIGEST_INCONSISTENT');
    } finally {
      await both.close();
      await split.close();
    }
  });

  test('a forged commit summary is caught', async () => {
    const proxy = await startProxy(
      () => t.url,
      (request, response) =>
        request.path === '/v1/transactions'
          ? {
              ...response,
              body: response.body.replace(
                /"blockHash":"([0-9a-f])/,
                (_, digit: string) => `"blockHash":"${digit === '0' ? '1' : '0'}`,
              ),
            }
          : response,
    );
    try {
      const client = new LedgerdbClient({ url: proxy.url, token: t.tokens.admin as string });
      expect(await codeOf(client.submit({ method: 'insert', args: ['orders', { forged: true }] }))).toBe(
        'VERIFICATION_FAILED',
      );
    } finally {
      await proxy.close();
    }
  });
});

describe('retries', () => {
  test('a lost answer is retried with the same key and commits once', async () => {
    let lost = 0;
    const proxy = await startProxy(
      () => t.url,
      (request, response) => {
        if (request.path !== '/v1/transactions' || lost >= 2) return response;
        lost++;
        return lost === 1 ? 'drop' : { status: 503, headers: {}, body: '' };
      },
    );
    try {
      const client = new LedgerdbClient({ url: proxy.url, token: t.tokens.admin as string, retry: { baseDelayMs: 5 } });
      const result = await client.transaction([{ op: 'insert', table: 'orders', data: { once: 'lost-answer' } }]);
      expect(lost).toBe(2);
      expect(result.replayed).toBe(true);
      expect(await t.ledger.find('orders', { once: 'lost-answer' })).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  test('an unreachable server is UNAVAILABLE after the retries', async () => {
    const client = new LedgerdbClient({ url: 'http://127.0.0.1:1', token: 'x', retry: { retries: 2, baseDelayMs: 1 } });
    expect(await codeOf(client.digest())).toBe('UNAVAILABLE');
  });
});

test('the trusted digest survives in its file and constrains the next client', async () => {
  const file = join(t.dir, 'persisted.json');
  const a = new LedgerdbClient({ url: t.url, token: t.tokens.admin as string, trustedDigestFile: file });
  const first = await a.digest();
  await a.transaction([{ op: 'insert', table: 'orders', data: { grow: true } }]);
  const b = new LedgerdbClient({ url: t.url, token: t.tokens.admin as string, trustedDigestFile: file });
  const second = await b.digest();
  expect(second.treeSize).toBeGreaterThan(first.treeSize);
  expect(await fileDigestStore(file).load()).toEqual(second);
});
