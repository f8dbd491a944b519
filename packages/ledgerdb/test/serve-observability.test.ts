// Logs, metrics, health and the API page of the ledger server: an in-process server whose
// log stream the test captures, and the real `ledgerdb serve` scraped after a burst of commits.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createToken, parseRoles } from '../src/server.js';
import { cliBuilt, startServe } from './serve-process.js';
import { api, startTestServer, type TestServer } from './server-helpers.js';

/** One sample of Prometheus text: the value of `name` with exactly these labels. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) {
      found[key as string] = value as string;
    }
    if (JSON.stringify(Object.entries(found).sort()) === JSON.stringify(Object.entries(labels).sort())) {
      return Number(match[3]);
    }
  }
  return undefined;
}

/** A server logging into an array, at `level`. */
async function loggingServer(level: 'info' | 'warn' = 'info') {
  const lines: string[] = [];
  const stream = { write: (line: string) => lines.push(line) };
  const t = await startTestServer({
    roles: {
      admin: ['admin', 'read:*', 'write:*'],
      writer: ['read:orders', 'write:orders'],
      scraper: ['metrics'],
    },
    server: { logger: { level, stream } },
  });
  const logs = () => lines.map((line) => JSON.parse(line) as Record<string, any>);
  return { t, lines, logs };
}

let current: TestServer | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

describe('logs', () => {
  test('one JSON line per request with its request id, echoed in x-request-id', async () => {
    const { t, logs } = await loggingServer();
    current = t;
    const given = await api(t.url, 'GET', '/v1/digest', {
      token: t.tokens.admin,
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(given.status).toBe(200);
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const fresh = await api(t.url, 'GET', '/v1/digest', { token: t.tokens.admin });
    const freshId = fresh.headers.get('x-request-id') as string;
    expect(freshId).toMatch(/^[0-9a-f-]{36}$/);
    // An id that could forge a log line is replaced, not echoed.
    const forged = await api(t.url, 'GET', '/v1/digest', {
      token: t.tokens.admin,
      headers: { 'x-request-id': 'x" "level":60' },
    });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const requests = logs().filter((line) => line.route === '/v1/digest');
    expect(requests.map((line) => line.requestId)).toEqual(['abc-123', freshId, forged.headers.get('x-request-id')]);
    for (const line of requests) {
      expect(line).toMatchObject({
        level: 30,
        method: 'GET',
        status: 200,
        principal: 'admin',
        msg: 'request completed',
      });
      expect(typeof line.ms).toBe('number');
      expect(typeof line.time).toBe('number');
    }
  });

  test('5xx at error level with the error; 401 at warn without the token; other 4xx at info', async () => {
    const { t, lines, logs } = await loggingServer();
    current = t;
    const stolen = 'ldb_thisIsNotAValidTokenButLooksLikeOne0000000000';
    expect((await api(t.url, 'GET', '/v1/digest', { token: stolen })).status).toBe(401);
    expect((await api(t.url, 'GET', '/v1/digest')).status).toBe(401);
    expect((await api(t.url, 'GET', '/v1/tables/orders/documents/nope', { token: t.tokens.writer })).status).toBe(404);
    expect((await api(t.url, 'GET', '/v1/tables/secrets/documents/x', { token: t.tokens.writer })).status).toBe(403);
    await t.ledger.close();
    const failed = await api(t.url, 'GET', '/v1/digest', { token: t.tokens.admin });
    expect(failed.status).toBe(503);

    const refused = logs().filter((line) => line.status === 401);
    expect(refused).toHaveLength(2);
    for (const line of refused) expect(line).toMatchObject({ level: 40, code: 'UNAUTHENTICATED' });
    expect(refused.map((line) => line.reason).sort()).toEqual(['invalid bearer token', 'missing bearer token']);
    expect(logs().find((line) => line.status === 403)).toMatchObject({ level: 40, code: 'PERMISSION_DENIED' });
    expect(logs().find((line) => line.status === 404)).toMatchObject({ level: 30, code: 'NOT_FOUND' });
    const error = logs().find((line) => line.status === 503);
    expect(error).toMatchObject({ level: 50, code: 'UNAVAILABLE', msg: 'request failed' });
    expect(error?.err).toMatchObject({ code: 'UNAVAILABLE', type: 'LedgerError' });
    expect(error?.err.stack).toContain('checkOpen');

    // No token, valid or not, and no authorization header anywhere in the log.
    const text = lines.join('');
    for (const token of [stolen, ...Object.values(t.tokens)]) expect(text).not.toContain(token);
    expect(text).not.toContain('Bearer ');
    expect(text).not.toContain('authorization');
  });

  test('a line a route logs carries its request id; a plain request logs only its one line', async () => {
    const { t, logs } = await loggingServer();
    current = t;
    const plain = await api(t.url, 'GET', '/v1/digest', { token: t.tokens.admin });
    const plainId = plain.headers.get('x-request-id');
    expect(logs().filter((line) => line.requestId === plainId)).toHaveLength(1);
    // /readyz logs why the storage did not answer, with the request's id, then its own
    // request line.
    await t.ledger.close();
    const ready = await api(t.url, 'GET', '/readyz', { headers: { 'x-request-id': 'probe-7' } });
    expect(ready.status).toBe(503);
    const lines = logs().filter((line) => line.requestId === 'probe-7');
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [40, 'readiness check failed: the storage did not answer'],
      [50, 'request failed'],
    ]);
    expect(lines[0]?.err).toMatchObject({ code: 'UNAVAILABLE' });
  });

  test('an event stream is logged once, when it ends, with the time it was open', async () => {
    const { t, logs } = await loggingServer();
    current = t;
    const abort = new AbortController();
    const response = await fetch(new URL('/v1/events', t.url), {
      headers: { authorization: `Bearer ${t.tokens.admin}`, 'x-request-id': 'stream-1' },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body?.getReader();
    await reader?.read();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(logs().filter((line) => line.requestId === 'stream-1')).toEqual([]);
    abort.abort();
    await vi.waitFor(() => expect(logs().filter((line) => line.requestId === 'stream-1')).toHaveLength(1));
    const line = logs().find((candidate) => candidate.requestId === 'stream-1');
    expect(line).toMatchObject({ level: 30, method: 'GET', route: '/v1/events', status: 200, principal: 'admin' });
    // Open from before the client read its first bytes to after it let go, 200 ms later.
    expect(line?.ms).toBeGreaterThanOrEqual(190);
  });

  test('app.log is the server’s logger: what it logs goes to the same stream', async () => {
    const { t, logs } = await loggingServer();
    current = t;
    t.server.app.log.warn({ part: 'extension' }, 'said through app.log');
    expect(logs().find((line) => line.msg === 'said through app.log')).toMatchObject({ level: 40, part: 'extension' });
  });

  test('the level filters: at warn, a refused token is logged and a completed request is not', async () => {
    const { t, logs } = await loggingServer('warn');
    current = t;
    await api(t.url, 'GET', '/v1/digest', { token: t.tokens.admin });
    await api(t.url, 'GET', '/v1/digest', { token: 'ldb_nope' });
    expect(
      logs()
        .filter((line) => line.route === '/v1/digest')
        .map((line) => line.status),
    ).toEqual([401]);
  });
});

describe('metrics', () => {
  test('/metrics needs the metrics or admin role; counters follow commits, proofs and auth failures', async () => {
    const { t } = await loggingServer();
    current = t;
    expect((await api(t.url, 'GET', '/metrics')).status).toBe(401);
    expect((await api(t.url, 'GET', '/metrics', { token: t.tokens.writer })).status).toBe(403);
    for (let i = 0; i < 5; i++) {
      const done = await api(t.url, 'POST', '/v1/transactions', {
        token: t.tokens.writer,
        body: { statements: [{ op: 'insert', table: 'orders', id: `o-${i}`, data: { i } }] },
      });
      expect(done.status).toBe(200);
    }
    // A conflict commits nothing and is counted as a failure, with its code.
    const conflict = await api(t.url, 'POST', '/v1/transactions', {
      token: t.tokens.writer,
      body: { statements: [{ op: 'update', table: 'orders', id: 'o-0', expectedVersion: 7, data: {} }] },
    });
    expect(conflict.status).toBe(409);
    const proof = await api(t.url, 'GET', '/v1/tables/orders/documents/o-1/revisions/0/proof', {
      token: t.tokens.writer,
    });
    expect(proof.status).toBe(200);

    const scraped = await fetch(new URL('/metrics', t.url), {
      headers: { authorization: `Bearer ${t.tokens.scraper}` },
    });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await scraped.text();
    expect(sample(text, 'ledgerdb_commits_total')).toBe(5);
    expect(sample(text, 'ledgerdb_commit_failures_total', { code: 'OCC_CONFLICT' })).toBe(1);
    expect(sample(text, 'ledgerdb_commit_duration_seconds_count')).toBe(5);
    expect(sample(text, 'ledgerdb_commit_queue_depth')).toBe(0);
    expect(sample(text, 'ledgerdb_proof_duration_seconds_count', { kind: 'revision' })).toBe(1);
    expect(sample(text, 'ledgerdb_auth_failures_total', { reason: 'missing_token' })).toBe(1);
    expect(sample(text, 'ledgerdb_auth_failures_total', { reason: 'permission_denied' })).toBe(1);
    const digest = await t.ledger.digest();
    const blocks = (digest.tip?.seq ?? -1) + 1;
    expect(sample(text, 'ledgerdb_journal_size', { kind: 'block' })).toBe(blocks);
    expect(sample(text, 'ledgerdb_journal_size', { kind: 'revision' })).toBe(digest.treeSize - blocks);
    expect(
      sample(text, 'ledgerdb_http_requests_total', { method: 'POST', route: '/v1/transactions', status: '200' }),
    ).toBe(5);
    expect(
      sample(text, 'ledgerdb_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/v1/tables/:table/documents/:id/revisions/:version/proof',
        status: '200',
      }),
    ).toBe(1);
    expect(sample(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'process_start_time_seconds')).toBeGreaterThan(Date.now() / 1000 - 3600);
    expect(sample(text, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    // The process gauges are read at the scrape; no observer of every garbage collection.
    expect(text).not.toContain('nodejs_gc_duration_seconds');
  });

  test('with logs off, /metrics still counts every answer by route template, method and status', async () => {
    const t = await startTestServer({ roles: { admin: ['admin', 'read:*', 'write:*'] }, server: { logger: false } });
    current = t;
    for (let i = 0; i < 3; i++) {
      expect((await api(t.url, 'GET', `/v1/tables/orders/documents/d-${i}`, { token: t.tokens.admin })).status).toBe(
        404,
      );
    }
    expect((await api(t.url, 'GET', '/v1/digest', { token: t.tokens.admin })).status).toBe(200);
    expect((await api(t.url, 'GET', '/v1/digest')).status).toBe(401);
    expect((await api(t.url, 'GET', '/no/such/route', { token: t.tokens.admin })).status).toBe(404);
    // An event stream is counted when it ends.
    const abort = new AbortController();
    const stream = await fetch(new URL('/v1/events', t.url), {
      headers: { authorization: `Bearer ${t.tokens.admin}` },
      signal: abort.signal,
    });
    await stream.body?.getReader().read();
    abort.abort();
    const scrape = async () => (await api(t.url, 'GET', '/metrics', { token: t.tokens.admin })).body as string;
    await vi.waitFor(async () =>
      expect(
        sample(await scrape(), 'ledgerdb_http_requests_total', { method: 'GET', route: '/v1/events', status: '200' }),
      ).toBe(1),
    );
    const text = await scrape();
    const count = (method: string, route: string, status: string) =>
      sample(text, 'ledgerdb_http_requests_total', { method, route, status });
    expect(count('GET', '/v1/tables/:table/documents/:id', '404')).toBe(3);
    expect(count('GET', '/v1/digest', '200')).toBe(1);
    expect(count('GET', '/v1/digest', '401')).toBe(1);
    expect(count('GET', 'unmatched', '404')).toBe(1);
    expect(
      sample(text, 'ledgerdb_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/v1/tables/:table/documents/:id',
        status: '404',
      }),
    ).toBe(3);
  });

  test('listenMetrics serves /metrics without a token on a port of its own', async () => {
    const t = await startTestServer();
    current = t;
    const metricsUrl = await t.server.listenMetrics({ port: 0, host: '127.0.0.1' });
    expect(new URL(metricsUrl).port).not.toBe(new URL(t.url).port);
    const scraped = await fetch(new URL('/metrics', metricsUrl));
    expect(scraped.status).toBe(200);
    expect(sample(await scraped.text(), 'ledgerdb_commits_total')).toBe(0);
    expect((await fetch(new URL('/v1/digest', metricsUrl))).status).toBe(404);
  });

  test('metrics: false leaves /metrics out', async () => {
    const t = await startTestServer({ server: { metrics: false } });
    current = t;
    expect((await api(t.url, 'GET', '/metrics', { token: t.tokens.admin })).status).toBe(404);
    await expect(t.server.listenMetrics()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});

describe('health', () => {
  test('/healthz stays 200 while draining; /readyz goes 503, and 503 when the ledger is gone', async () => {
    const t = await startTestServer();
    current = t;
    expect(await api(t.url, 'GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await api(t.url, 'GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
    t.server.drain();
    expect(await api(t.url, 'GET', '/readyz')).toMatchObject({ status: 503, body: { status: 'draining' } });
    const health = await api(t.url, 'GET', '/healthz');
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(health.headers.get('connection')).toBe('close');

    const other = await startTestServer();
    await other.ledger.close();
    try {
      expect(await api(other.url, 'GET', '/readyz')).toMatchObject({
        status: 503,
        body: { status: 'unavailable', code: 'UNAVAILABLE' },
      });
      expect((await api(other.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('API page', () => {
  test('/openapi.json and the Swagger UI page at /docs, which loads the same document, need no token', async () => {
    const t = await startTestServer();
    current = t;
    const document = await api(t.url, 'GET', '/openapi.json');
    expect(document.status).toBe(200);
    expect(document.body.paths['/v1/transactions']).toBeDefined();

    const page = await fetch(new URL('/docs', t.url));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    const initializerPath = /src="([^"]*swagger-initializer\.js)"/.exec(html)?.[1] as string;
    expect(initializerPath).toBeDefined();
    const initializer = await fetch(new URL(initializerPath, `${t.url}/docs/`));
    expect(initializer.status).toBe(200);
    // The page loads ./json relative to /docs/: the same document as /openapi.json.
    expect(await initializer.text()).toContain("resolveUrl('./json')");
    const shown = await api(t.url, 'GET', '/docs/json');
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual(document.body);
    const bundle = await fetch(new URL('/docs/static/swagger-ui-bundle.js', t.url));
    expect(bundle.status).toBe(200);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });
});

describe.skipIf(!cliBuilt)('ledgerdb serve', () => {
  test('after a burst of commits, /metrics counts exactly the commits made', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledgerdb-observability-'));
    const tokens = join(dir, 'tokens.json');
    const admin = (await createToken(tokens, 'admin', parseRoles(['admin', 'read:*', 'write:*']))).token;
    const scraper = (await createToken(tokens, 'scraper', parseRoles(['metrics']))).token;
    const server = await startServe(['--db', join(dir, 'burst.ledger'), '--tokens', tokens, '--port', '0']);
    try {
      const scrape = async () => {
        const response = await fetch(new URL('/metrics', server.url), {
          headers: { authorization: `Bearer ${scraper}` },
        });
        expect(response.status).toBe(200);
        return response.text();
      };
      expect((await api(server.url, 'POST', '/v1/tables', { token: admin, body: { name: 'orders' } })).status).toBe(
        201,
      );
      const before = await scrape();
      const blocksBefore = sample(before, 'ledgerdb_journal_size', { kind: 'block' }) as number;
      const revisionsBefore = sample(before, 'ledgerdb_journal_size', { kind: 'revision' }) as number;
      expect(sample(before, 'ledgerdb_commits_total')).toBe(0);

      // 120 transactions from 12 concurrent clients, each writing 1 to 3 documents.
      const commits = 120;
      let documents = 0;
      const statementsOf = (n: number) =>
        Array.from({ length: 1 + (n % 3) }, (_, k) => ({ op: 'insert', table: 'orders', data: { n, k } }));
      for (let n = 0; n < commits; n++) documents += 1 + (n % 3);
      let next = 0;
      await Promise.all(
        Array.from({ length: 12 }, async () => {
          while (next < commits) {
            const n = next++;
            const done = await api(server.url, 'POST', '/v1/transactions', {
              token: admin,
              body: { statements: statementsOf(n) },
            });
            expect(done.status).toBe(200);
          }
        }),
      );

      const after = await scrape();
      expect(sample(after, 'ledgerdb_commits_total')).toBe(commits);
      expect(sample(after, 'ledgerdb_commit_duration_seconds_count')).toBe(commits);
      expect(sample(after, 'ledgerdb_commit_queue_depth')).toBe(0);
      expect(sample(after, 'ledgerdb_journal_size', { kind: 'block' })).toBe(blocksBefore + commits);
      expect(sample(after, 'ledgerdb_journal_size', { kind: 'revision' })).toBe(revisionsBefore + documents);
      expect(
        sample(after, 'ledgerdb_http_requests_total', { method: 'POST', route: '/v1/transactions', status: '200' }),
      ).toBe(commits);
      // The journal agrees with the scrape.
      const digest = await api(server.url, 'GET', '/v1/digest', { token: admin });
      expect(digest.body.tip.seq + 1).toBe(blocksBefore + commits);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  });
});
