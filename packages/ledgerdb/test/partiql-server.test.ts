// PartiQL transactions of the server (POST /v1/partiql/transactions and its statements,
// commit and abort): the token's grants on every table a statement touches, the reserved
// tables, the timeout and the bound on open transactions, OCC conflicts at commit, typed
// parse errors over the wire, schema validation, the table rules, and shutdown with open
// transactions. Starts real servers in-process (test/server-helpers.ts) on SQLite ledgers.
import { isLedgerError } from '@ledgerkit/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectDriver, LedgerdbClient } from '../src/client.js';
import { LedgerDriver, PartiqlSyntaxError } from '../src/partiql.js';
import { api, startTestServer, type TestServer } from './server-helpers.js';

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** Starts a transaction over plain HTTP; returns its id. */
async function start(t: TestServer, token: string | undefined): Promise<string> {
  const started = await api(t.url, 'POST', '/v1/partiql/transactions', { token, body: {} });
  expect(started.status).toBe(201);
  expect(started.body.transactionId).toMatch(/^[0-9a-f-]{36}$/);
  expect(Date.parse(started.body.expiresAt)).toBeGreaterThan(Date.now());
  return started.body.transactionId as string;
}

function statement(t: TestServer, token: string | undefined, id: string, text: string, parameters?: unknown[]) {
  return api(t.url, 'POST', `/v1/partiql/transactions/${id}/statements`, {
    token,
    body: { statement: text, ...(parameters ? { parameters } : {}) },
  });
}

describe('a server with the default tokens', () => {
  let t: TestServer;
  let admin: LedgerDriver;

  beforeAll(async () => {
    t = await startTestServer();
    await t.ledger.createIndex('orders', 'sku');
    admin = await connectDriver({ url: t.url, token: t.tokens.admin as string });
    await admin.execute('INSERT INTO orders ?', [
      { sku: 'A', qty: 1 },
      { sku: 'B', qty: 2 },
    ]);
    await admin.execute("INSERT INTO secrets VALUE {'code': 'x'}");
  });
  afterAll(async () => {
    await t.close();
  });

  const driverOf = (name: string) =>
    new LedgerDriver(new LedgerdbClient({ url: t.url, token: t.tokens[name] as string }));

  test('a lambda interleaves reads and writes and commits once, answering a verified commit', async () => {
    const before = (await t.ledger.digest()).tip?.seq ?? -1;
    const qty = await driverOf('writer').executeLambda(async (txn) => {
      const [row] = (await txn.execute("SELECT VALUE o.qty FROM orders AS o WHERE o.sku = 'A'")).rows as number[];
      await txn.execute("UPDATE orders AS o SET o.qty = ? WHERE o.sku = 'A'", (row as number) + 10);
      await txn.execute("INSERT INTO orders VALUE {'sku': 'C', 'qty': 3}");
      return (await txn.execute("SELECT VALUE o.qty FROM orders AS o WHERE o.sku = 'A'")).rows[0];
    });
    expect(qty).toBe(11);
    expect((await t.ledger.digest()).tip?.seq).toBe(before + 1);
    const id = await start(t, t.tokens.writer);
    const commit = await api(t.url, 'POST', `/v1/partiql/transactions/${id}/commit`, {
      token: t.tokens.writer,
      body: {},
    });
    // Reads only: nothing to journal.
    expect(commit).toMatchObject({ status: 200, body: { commit: null } });
  });

  test("a reader may SELECT its tables but not write them, nor read another's", async () => {
    const reader = driverOf('reader');
    expect((await reader.execute("SELECT VALUE o.qty FROM orders AS o WHERE o.sku = 'B'")).rows).toEqual([2]);
    const insert = await errorOf(reader.execute("INSERT INTO orders VALUE {'sku': 'R'}"));
    expect(insert).toMatchObject({ code: 'PERMISSION_DENIED', details: { table: 'orders', status: 403 } });
    for (const text of [
      'SELECT * FROM secrets',
      'SELECT * FROM history(secrets) AS h',
      'SELECT * FROM _ql_committed_secrets AS s',
      'SELECT o.sku FROM orders AS o, secrets AS s',
      'SELECT o.sku FROM orders AS o INNER JOIN secrets AS s ON o.sku = s.code',
      'EXPLAIN SELECT * FROM secrets',
      "UPDATE orders AS o SET o.qty = 0 WHERE o.sku = 'B'",
      "DELETE FROM orders AS o WHERE o.sku = 'B'",
    ]) {
      expect(await errorOf(reader.execute(text)), text).toMatchObject({ code: 'PERMISSION_DENIED' });
    }
    // A writer of orders may not copy secrets into it either: the read of secrets is checked.
    const copy = await errorOf(
      driverOf('writer').execute('FROM orders AS o, secrets AS s WHERE o.sku = s.code SET o.leak = s.code'),
    );
    expect(copy).toMatchObject({ code: 'PERMISSION_DENIED', details: { table: 'secrets' } });
    expect((await admin.execute("SELECT VALUE o.qty FROM orders AS o WHERE o.sku = 'B'")).rows).toEqual([2]);
  });

  test('catalog changes and procedures need the admin role', async () => {
    const writer = driverOf('writer');
    for (const text of [
      'CREATE TABLE more',
      'CREATE INDEX ON orders (qty)',
      'DROP TABLE orders',
      'UNDROP TABLE orders',
      "EXEC redact_revision `{sequenceNo: 1}`, 'orders', 'x'",
    ]) {
      expect(await errorOf(writer.execute(text)), text).toMatchObject({ code: 'PERMISSION_DENIED' });
    }
    expect((await t.ledger.tables()).map((table) => table.name)).not.toContain('more');
  });

  test('the reserved __ledgerdb tables are reachable by no token, admin included', async () => {
    for (const text of [
      'SELECT * FROM __ledgerdb_idempotency',
      'SELECT * FROM history(__ledgerdb_idempotency) AS h',
      'SELECT * FROM _ql_committed___ledgerdb_idempotency AS r',
      "INSERT INTO __ledgerdb_idempotency VALUE {'a': 1}",
      'CREATE TABLE __ledgerdb_mine',
    ]) {
      expect(await errorOf(admin.execute(text)), text).toMatchObject({ code: 'PERMISSION_DENIED' });
    }
    const names = (await admin.execute('SELECT VALUE name FROM information_schema.user_tables')).rows;
    expect(names).not.toContain('__ledgerdb_idempotency');
  });

  test('information_schema.user_tables lists only the tables the token may read or write', async () => {
    const listed = async (name: string) =>
      [...(await driverOf(name).execute('SELECT VALUE t.name FROM information_schema.user_tables AS t')).rows].sort();
    expect(await listed('reader')).toEqual(['orders']);
    expect(await listed('other')).toEqual(['secrets']);
    expect(await listed('admin')).toEqual(['orders', 'secrets']);
    expect(await driverOf('reader').getTableNames()).toEqual(['orders']);
  });

  test('a parse error comes back typed, with line, column and the expected tokens', async () => {
    const error = await errorOf(admin.execute('SELECT *\nFROM orders WHERE'));
    expect(error).toBeInstanceOf(PartiqlSyntaxError);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', line: 2, column: expect.any(Number) });
    expect((error as PartiqlSyntaxError).expected.length).toBeGreaterThan(0);
    const id = await start(t, t.tokens.admin);
    const raw = await statement(t, t.tokens.admin, id, 'SELEC * FROM orders');
    expect(raw.status).toBe(400);
    expect(raw.body.error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { line: 1, column: 1, found: 'SELEC', expected: expect.any(Array) },
    });
    // The transaction is still open: a statement error does not end it.
    expect((await statement(t, t.tokens.admin, id, 'SELECT VALUE 1 FROM orders AS o')).status).toBe(200);
  });

  test('an OCC conflict at commit is 409 OCC_CONFLICT and commits nothing; the driver runs the lambda again', async () => {
    const first = await start(t, t.tokens.writer);
    const second = await start(t, t.tokens.writer);
    for (const id of [first, second]) {
      const read = await statement(t, t.tokens.writer, id, "SELECT VALUE o.qty FROM orders AS o WHERE o.sku = 'B'");
      expect(read.body.rows).toEqual([2]);
      const write = await statement(t, t.tokens.writer, id, "UPDATE orders AS o SET o.qty = ? WHERE o.sku = 'B'", [
        id === first ? 20 : 30,
      ]);
      expect(write.status).toBe(200);
    }
    const won = await api(t.url, 'POST', `/v1/partiql/transactions/${first}/commit`, {
      token: t.tokens.writer,
      body: {},
    });
    expect(won.status).toBe(200);
    expect(won.body.commit.revisions).toHaveLength(1);
    const lost = await api(t.url, 'POST', `/v1/partiql/transactions/${second}/commit`, {
      token: t.tokens.writer,
      body: {},
    });
    expect(lost.status).toBe(409);
    expect(lost.body.error.code).toBe('OCC_CONFLICT');
    expect(await t.ledger.find('orders', { sku: 'B' })).toEqual([
      { id: expect.any(String), data: { sku: 'B', qty: 20 } },
    ]);
    // The transaction is gone after its commit, won or lost.
    const again = await api(t.url, 'POST', `/v1/partiql/transactions/${second}/commit`, {
      token: t.tokens.writer,
      body: {},
    });
    expect(again.status).toBe(404);
  });

  test("another token's transaction is unknown to the caller; an aborted one is gone", async () => {
    const id = await start(t, t.tokens.writer);
    await statement(t, t.tokens.writer, id, "INSERT INTO orders VALUE {'sku': 'aborted'}");
    const foreign = await statement(t, t.tokens.other, id, 'SELECT * FROM secrets');
    expect(foreign).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    const aborted = await api(t.url, 'POST', `/v1/partiql/transactions/${id}/abort`, {
      token: t.tokens.writer,
      body: {},
    });
    expect(aborted).toMatchObject({ status: 200, body: { transactionId: id, aborted: true } });
    expect((await statement(t, t.tokens.writer, id, 'SELECT * FROM orders')).status).toBe(404);
    expect(await t.ledger.find('orders', { sku: 'aborted' })).toEqual([]);
    const unauthenticated = await api(t.url, 'POST', '/v1/partiql/transactions', { body: {} });
    expect(unauthenticated.status).toBe(401);
  });

  test('bodies are validated: unknown fields, a missing statement, a bad id, wrong parameter types', async () => {
    const id = await start(t, t.tokens.admin);
    const cases: [string, unknown, string][] = [
      [`/v1/partiql/transactions/${id}/statements`, { statement: 'SELECT * FROM orders', extra: 1 }, '/extra'],
      [`/v1/partiql/transactions/${id}/statements`, { parameters: [] }, '/statement'],
      [`/v1/partiql/transactions/${id}/statements`, { statement: 'SELECT 1', parameters: {} }, '/parameters'],
      [`/v1/partiql/transactions/${id}/statements`, { statement: 'SELECT 1', missing: [-1] }, '/missing/0'],
      [`/v1/partiql/transactions/${id}/commit`, { now: true }, '/now'],
      ['/v1/partiql/transactions', { ledger: 'x' }, '/ledger'],
      ['/v1/partiql/transactions/not-an-id/commit', {}, '/transactionId'],
    ];
    for (const [path, body, pointer] of cases) {
      const answer = await api(t.url, 'POST', path, { token: t.tokens.admin, body });
      expect(answer.status, path).toBe(400);
      expect(answer.body.error, path).toMatchObject({ code: 'INVALID_ARGUMENT', details: { path: pointer } });
    }
    const count = await statement(t, t.tokens.admin, id, 'SELECT * FROM orders AS o WHERE o.sku = ?');
    expect(count.body.error).toMatchObject({ code: 'INVALID_ARGUMENT', details: { expected: 1, got: 0 } });
    const deep = JSON.parse(`${'['.repeat(200)}1${']'.repeat(200)}`);
    const nested = await statement(t, t.tokens.admin, id, "INSERT INTO orders VALUE {'a': ?}", [deep]);
    expect(nested.status).toBe(400);
  });

  test('the OpenAPI document describes the four routes and their bodies', async () => {
    const document = await api(t.url, 'GET', '/openapi.json');
    const paths = document.body.paths as Record<string, Record<string, { requestBody?: unknown }>>;
    expect(paths['/v1/partiql/transactions']?.post?.requestBody).toBeDefined();
    for (const action of ['statements', 'commit', 'abort']) {
      expect(paths[`/v1/partiql/transactions/{transactionId}/${action}`]?.post?.requestBody).toBeDefined();
    }
  });
});

describe('limits of a server', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ server: { partiqlTransactionMs: 300, maxOpenTransactions: 2 } });
  });
  afterAll(async () => {
    await t.close();
  });

  test('a transaction open past the timeout is aborted: LIMIT_EXCEEDED, nothing committed', async () => {
    const id = await start(t, t.tokens.writer);
    await statement(t, t.tokens.writer, id, "INSERT INTO orders VALUE {'sku': 'late'}");
    await new Promise((resolve) => setTimeout(resolve, 500));
    const late = await api(t.url, 'POST', `/v1/partiql/transactions/${id}/commit`, {
      token: t.tokens.writer,
      body: {},
    });
    expect(late.status).toBe(422);
    expect(late.body.error).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'transactionMs', max: 300 } });
    expect(await t.ledger.find('orders', { sku: 'late' })).toEqual([]);
  });

  test('past the bound on open transactions a start is 429 LIMIT_EXCEEDED; ending one frees a place', async () => {
    const first = await start(t, t.tokens.writer);
    await start(t, t.tokens.reader);
    const third = await api(t.url, 'POST', '/v1/partiql/transactions', { token: t.tokens.admin, body: {} });
    expect(third.status).toBe(429);
    expect(third.body.error).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'openTransactions', max: 2 } });
    const driver = new LedgerDriver(new LedgerdbClient({ url: t.url, token: t.tokens.admin as string }));
    expect(isLedgerError(await errorOf(driver.execute('SELECT * FROM orders')), 'LIMIT_EXCEEDED')).toBe(true);
    await api(t.url, 'POST', `/v1/partiql/transactions/${first}/abort`, { token: t.tokens.writer, body: {} });
    expect((await driver.execute('SELECT * FROM orders')).rows).toEqual([]);
  });
});

test('the table rules run before each PartiQL write; a refusal commits nothing of the lambda', async () => {
  const t = await startTestServer({
    server: {
      rules: {
        orders: (change) => {
          if ((change.data as { qty?: number } | undefined)?.qty === 0) throw new Error('an order needs a quantity');
        },
      },
    },
  });
  try {
    const driver = await connectDriver({ url: t.url, token: t.tokens.admin as string });
    const refused = await errorOf(
      driver.executeLambda(async (txn) => {
        await txn.execute("INSERT INTO secrets VALUE {'n': 1}");
        await txn.execute("INSERT INTO orders VALUE {'sku': 'Z', 'qty': 0}");
      }),
    );
    expect(refused).toMatchObject({ code: 'CONTRACT_REVERTED', details: { table: 'orders', status: 422 } });
    expect(await t.ledger.find('secrets', { n: 1 })).toEqual([]);
    await driver.execute("INSERT INTO orders VALUE {'sku': 'Z', 'qty': 1}");
    const update = await errorOf(driver.execute("UPDATE orders AS o SET o.qty = 0 WHERE o.sku = 'Z'"));
    expect(update).toMatchObject({ code: 'CONTRACT_REVERTED' });
  } finally {
    await t.close();
  }
});

test('closing the server aborts its open transactions and closes the ledger', async () => {
  const t = await startTestServer();
  const id = await start(t, t.tokens.writer);
  await statement(t, t.tokens.writer, id, "INSERT INTO orders VALUE {'sku': 'open'}");
  await t.close();
  const { openLedgerDatabase } = await import('../src/index.js');
  const reopened = await openLedgerDatabase({ path: t.path });
  try {
    expect(await reopened.find('orders', { sku: 'open' })).toEqual([]);
  } finally {
    await reopened.close();
  }
});
