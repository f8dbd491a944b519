// Scenario: hostile HTTP requests against `ledgerdb serve`, generated from the OpenAPI
// document it serves: every operation with fuzzed path and query parameters and bodies of
// wrong types, huge and deeply nested JSON, unicode edge cases (lone surrogates, NUL, BOM,
// invalid UTF-8) and duplicate keys; and transactions that mix valid inserts with an
// invalid statement. No answer may be a 5xx, and no transaction may commit in part: each
// transaction's inserts carry one marker, and afterwards a marker is present for all of its
// inserts if the answer was 2xx and for none otherwise. The audit must pass.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerdbClient } from '@ledgerkit/ledgerdb/client';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { reportAndAssert } from '../../src/report.ts';
import { createAdminToken, freePort, type ServeProcess, startServe } from './serve-process.ts';
import { countAndAudit } from './write-load.ts';

const budgetMs = Number(process.env.FAULT_FUZZ_MS ?? 10_000);

interface Operation {
  method: string;
  path: string;
  query: string[];
  hasBody: boolean;
}

function operationsOf(document: { paths: Record<string, Record<string, any>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = (operation.parameters ?? []) as { in: string; name: string }[];
      out.push({
        method: method.toUpperCase(),
        path,
        query: parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name),
        hasBody: operation.requestBody !== undefined,
      });
    }
  }
  return out;
}

const edgeStrings = [
  '',
  ' ',
  '..',
  '%2e%2e%2f',
  '%00',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '\ufeff',
  'e\u0301',
  '🙂'.repeat(300),
  'x'.repeat(70_000),
  '-1',
  '1e309',
  '9007199254740993',
  'NaN',
  'null',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'orders',
  '__ledgerdb_idempotency',
];

const edgeString = fc.oneof(
  fc.constantFrom(...edgeStrings),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string(),
);
const wrongValue = fc.oneof(
  edgeString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 4 }),
  fc.object({ maxDepth: 2 }),
);

/** A statement that must make its whole transaction fail. */
const badStatement = fc.oneof(
  fc.record({ op: fc.constantFrom('drop', 'INSERT', '', 'get '), table: fc.constant('orders'), data: fc.constant({}) }),
  fc.record({ op: fc.constant('insert'), table: wrongValue, data: fc.constant({ a: 1 }) }),
  fc.record({ op: fc.constant('insert'), table: fc.constant('orders'), data: wrongValue }),
  fc.record({ op: fc.constant('update'), table: fc.constant('orders'), id: edgeString, data: fc.constant({ a: 1 }) }),
  fc.record({ op: fc.constant('delete'), table: fc.constant('orders'), id: fc.constant('missing-document') }),
  fc.record({
    op: fc.constant('get'),
    table: fc.constant('orders'),
    id: fc.constant('missing-document'),
    expectedVersion: wrongValue,
  }),
  fc.record({
    op: fc.constant('insert'),
    table: fc.constant('orders'),
    data: fc.constant({ lone: '\ud800' }),
  }),
  fc.record({ op: fc.constant('insert'), table: fc.constant('orders'), id: wrongValue, data: fc.constant({}) }),
);

interface Transaction {
  inserts: number;
  /** Position of the bad statement, or -1 for none. */
  bad: number;
  badStatement: unknown;
  /** How the body is written. */
  encoding: 'json' | 'duplicate-key' | 'bom';
}

const transactionArbitrary: fc.Arbitrary<Transaction> = fc.record({
  inserts: fc.integer({ min: 1, max: 4 }),
  bad: fc.integer({ min: -1, max: 4 }),
  badStatement,
  encoding: fc.constantFrom('json', 'json', 'duplicate-key', 'bom'),
});

/** Percent-encodes a string; a lone surrogate becomes its (invalid) UTF-8 bytes %ED%A0%80. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return `${encodeURIComponent(text.toWellFormed())}%ED%A0%80`;
  }
}

function deepJson(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

test('HTTP API fuzzing from the OpenAPI document: no 5xx, no partial commits', {
  timeout: budgetMs + 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fault-http-'));
  const db = join(dir, 'fuzz.ledger');
  const tokens = join(dir, 'tokens.json');
  const token = createAdminToken(tokens);
  const server: ServeProcess = await startServe(['--db', db, '--tokens', tokens, '--port', String(await freePort())]);
  const statuses: Record<string, number> = {};
  const fiveHundreds: string[] = [];
  const expected = new Map<string, number>();
  let requests = 0;
  let transactions = 0;

  async function send(method: string, path: string, body: string | Uint8Array | undefined, headers = {}) {
    requests++;
    let status: number;
    try {
      const response = await fetch(new URL(path, server.url), {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(30_000),
      });
      await response.arrayBuffer();
      status = response.status;
    } catch (error) {
      // A connection the server dropped is as bad as a 5xx.
      fiveHundreds.push(`${method} ${path.slice(0, 80)}: ${String(error)}`);
      return 0;
    }
    const kind = `${Math.floor(status / 100)}xx`;
    statuses[kind] = (statuses[kind] ?? 0) + 1;
    if (status >= 500) fiveHundreds.push(`${method} ${path.slice(0, 80)} (${String(body).slice(0, 80)}): ${status}`);
    return status;
  }

  try {
    await new LedgerdbClient({ url: server.url, token }).createTable('orders');
    const openapi = (await (await fetch(new URL('/openapi.json', server.url))).json()) as {
      paths: Record<string, Record<string, any>>;
    };
    const operations = operationsOf(openapi);
    expect(operations.length).toBeGreaterThan(5);

    // Fixed hostile bodies, on every operation that takes one.
    const hostile: (string | Uint8Array)[] = [
      deepJson(100_000),
      `{"statements":${deepJson(5_000)}}`,
      `{"statements":[{"op":"insert","table":"orders","data":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}]}`,
      JSON.stringify({ statements: [{ op: 'insert', table: 'orders', data: { big: 'x'.repeat(2 * 1024 * 1024) } }] }),
      JSON.stringify({ statements: [{ op: 'insert', table: 'orders', data: { big: 'x'.repeat(900 * 1024) } }] }),
      JSON.stringify({
        statements: Array.from({ length: 5_000 }, () => ({ op: 'insert', table: 'orders', data: {} })),
      }),
      '{"name":"a","name":"b"}',
      '{"statements":"',
      '\ufeff{}',
      Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d),
      '{"statements":[{"op":"insert","table":"orders","data":{"s":"\\ud800"}}]}',
      'null',
      '[]',
      '"x"',
      '1e400',
    ];
    for (const operation of operations.filter((candidate) => candidate.hasBody)) {
      for (const body of hostile) await send(operation.method, operation.path.replace(/\{[^}]+\}/g, 'orders'), body);
    }

    const started = Date.now();
    let seed = 1;
    while (Date.now() - started < budgetMs) {
      // Every operation with fuzzed parameters and bodies.
      const [paramValues, queryValues, body] = fc.sample(
        fc.tuple(
          fc.array(edgeString, { minLength: 4, maxLength: 4 }),
          fc.array(wrongValue, { minLength: 4, maxLength: 4 }),
          wrongValue,
        ),
        { numRuns: 1, seed: seed++ },
      )[0] as [string[], unknown[], unknown];
      for (const operation of operations) {
        if (operation.path.includes('events')) continue; // a stream: covered by its own tests
        let k = 0;
        const path = operation.path.replace(/\{[^}]+\}/g, () => encode(paramValues[k++ % 4] as string));
        const query = operation.query
          .map((name, i) => `${name}=${encode(JSON.stringify(queryValues[i % 4]) ?? '')}`)
          .join('&');
        await send(
          operation.method,
          query ? `${path}?${query}` : path,
          operation.hasBody ? JSON.stringify(body) : undefined,
        );
      }
      // Transactions mixing valid inserts and a bad statement.
      const batch = fc.sample(transactionArbitrary, { numRuns: 8, seed: seed++ });
      await Promise.all(
        batch.map(async (transaction) => {
          const marker = `m${transactions++}`;
          const statements: unknown[] = Array.from({ length: transaction.inserts }, (_, i) => ({
            op: 'insert',
            table: 'orders',
            data: { marker, i },
          }));
          if (transaction.bad >= 0) statements.splice(transaction.bad, 0, transaction.badStatement);
          let text = JSON.stringify({ statements });
          // Duplicate keys: JSON.parse keeps the last, so the valid list goes last.
          if (transaction.encoding === 'duplicate-key') {
            text = `{"statements":[{"op":"drop"}],${text.slice(1)}`;
          }
          if (transaction.encoding === 'bom') text = `\ufeff${text}`;
          const status = await send('POST', '/v1/transactions', text, { 'idempotency-key': marker });
          expected.set(marker, status >= 200 && status < 300 ? transaction.inserts : 0);
        }),
      );
    }
  } finally {
    await server.stop();
  }
  expect(await server.exited).toBe(0);

  // Every marker is all there or not at all, as its answer said.
  const ledgerCounts = await countAndAudit({ path: db }, 'orders', []);
  const { openLedgerDatabase } = await import('@ledgerkit/ledgerdb');
  const ledger = await openLedgerDatabase({ path: db });
  const found = new Map<string, number>();
  try {
    for await (const { revisions } of ledger.export()) {
      for (const revision of revisions) {
        const marker = revision.data?.marker;
        if (revision.metadata.table === 'orders' && typeof marker === 'string') {
          found.set(marker, (found.get(marker) ?? 0) + 1);
        }
      }
    }
  } finally {
    await ledger.close();
  }
  const partial: string[] = [];
  let committed = 0;
  let present = 0;
  for (const [marker, count] of expected) {
    const got = found.get(marker) ?? 0;
    if (count > 0) committed++;
    if (count > 0 && got === count) present++;
    if (got !== count) partial.push(`${marker}: expected ${count}, found ${got}`);
  }
  const unexpected = [...found.keys()].filter((marker) => !expected.has(marker));
  if (fiveHundreds.length + partial.length + unexpected.length > 0) {
    console.error(`http-fuzz findings:\n  ${[...fiveHundreds, ...partial, ...unexpected].slice(0, 20).join('\n  ')}`);
  }
  reportAndAssert({
    scenario: 'ledgerdb.http-fuzz',
    acknowledged: committed,
    present,
    lost: committed - present,
    duplicates: partial.filter((line) => /found [0-9]+$/.test(line) && !line.includes('found 0')).length,
    errorsByCode: { ...statuses, requests },
    recoveryMs: null,
    ok: fiveHundreds.length === 0 && partial.length === 0 && unexpected.length === 0 && ledgerCounts.auditOk,
  });
  expect(fiveHundreds.slice(0, 10)).toEqual([]);
  expect(partial.slice(0, 10)).toEqual([]);
  expect(unexpected).toEqual([]);
  expect(ledgerCounts.auditOk).toBe(true);
  expect(committed).toBeGreaterThan(10);
});
