// The storage driver contract (test/driver-suite.ts) on the PostgreSQL driver, against
// the real PostgreSQL 15 that test/global-setup.ts starts; each test gets its own schema.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, test } from 'vitest';
import { openLedgerDatabase } from '../src/index.js';
import { postgresStorage } from '../src/postgres.js';
import { driverSuite } from './driver-suite.js';
import { codeOf } from './error-code.js';

const url = inject('postgresUrl');

/** Runs SQL on the test server, with `schema` first on the search path. */
async function sql(text: string, schema?: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    if (schema) await client.query(`SET search_path TO "${schema}"`);
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

const randomSchema = () => `t_${randomBytes(8).toString('hex')}`;

driverSuite('postgres', {
  shared: true,
  async create() {
    const schema = randomSchema();
    return {
      driver: () => postgresStorage({ connectionString: url, schema, poolSize: 4 }),
      tamper: (text) => sql(text, schema),
      async dispose() {
        await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      },
    };
  },
});

describe('postgres driver specifics', () => {
  test('options are validated', async () => {
    const cases: [() => unknown, string][] = [
      [() => postgresStorage({ connectionString: url, schema: 'Bad-Name' }), 'INVALID_ARGUMENT'],
      [() => postgresStorage({ connectionString: url, schema: 'x'.repeat(64) }), 'INVALID_ARGUMENT'],
      [() => postgresStorage({ connectionString: url, schema: 'a"; DROP SCHEMA public; --' }), 'INVALID_ARGUMENT'],
      [() => postgresStorage({}), 'INVALID_ARGUMENT'],
      [() => postgresStorage({ connectionString: url, poolSize: 0 }), 'INVALID_ARGUMENT'],
      [() => postgresStorage({ connectionString: url, statementTimeoutMs: -1 }), 'INVALID_ARGUMENT'],
    ];
    for (const [make, code] of cases) expect(await codeOf(Promise.resolve().then(make))).toBe(code);
  });

  test('an unreachable server is UNAVAILABLE and retryable', async () => {
    const error = await openLedgerDatabase({
      storage: postgresStorage({ connectionString: 'postgres://ledgerkit@127.0.0.1:1/ledgerkit' }),
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
  });

  test('processes opening at once migrate the schema exactly once; a dropped table is TAMPER_DETECTED', async () => {
    const schema = randomSchema();
    const ledgers = await Promise.all(
      Array.from({ length: 5 }, () =>
        openLedgerDatabase({ name: 'race', storage: postgresStorage({ connectionString: url, schema, poolSize: 2 }) }),
      ),
    );
    expect(await sql(`SELECT version FROM "${schema}".ledger_schema ORDER BY version`)).toEqual([
      { version: 1 },
      { version: 2 },
    ]);
    await Promise.all(ledgers.map((ledger) => ledger.close()));
    await sql(`DROP TABLE "${schema}".leaves`);
    const error = await openLedgerDatabase({ storage: postgresStorage({ connectionString: url, schema }) }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'TAMPER_DETECTED' });
    await sql(`DROP SCHEMA "${schema}" CASCADE`);
  });

  test('a pool of your own is used and left open', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 3 });
    const schema = randomSchema();
    const ledger = await openLedgerDatabase({ storage: postgresStorage({ pool, schema }) });
    await ledger.createTable('t');
    await ledger.transaction((tx) => tx.insert('t', { a: 1 }, { id: 'x' }));
    await ledger.close();
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".leaves`);
    expect(rows).toEqual([{ n: 2 }]);
    await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
    await pool.end();
  });
});
