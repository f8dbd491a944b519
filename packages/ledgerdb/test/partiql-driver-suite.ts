// The LedgerDriver's behaviour, as one suite run against each place a driver can run its
// statements (test/partiql-driver.test.ts): an embedded ledger, and a `ledgerdb serve` process
// executing them server-side. `ledger` is always an embedded handle on the same ledger, so a
// test can write as another party between a lambda's read and its commit, and audit.
import { isLedgerError } from '@ledgerkit/core';
import { dom, load, Timestamp } from 'ion-js';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { LedgerDatabase } from '../src/index.js';
import type { LedgerDriver, LedgerDriverOptions } from '../src/partiql.js';

/** One ledger named `driver-test` (5 documents per transaction) and a driver over it. */
export interface DriverTarget {
  /** Runs statements: over the ledger, or through the server. */
  driver: LedgerDriver;
  /** An embedded handle on the same ledger: another writer, and the auditor. */
  ledger: LedgerDatabase;
  /** Another driver on the same ledger or server, with these options. */
  newDriver(options: LedgerDriverOptions): LedgerDriver;
  close(): Promise<void>;
}

export function driverSuite(name: string, open: () => Promise<DriverTarget>): void {
  describe(name, () => {
    let target: DriverTarget;
    let ledger: LedgerDatabase;
    let driver: LedgerDriver;

    beforeEach(async () => {
      target = await open();
      ({ ledger, driver } = target);
      await driver.execute('CREATE TABLE Car');
      await driver.execute('CREATE INDEX ON Car (vin)');
      // Tables a server created are new to the embedded handle until it reads the catalog again.
      await ledger.refresh();
    });

    afterEach(async () => {
      await target.close();
    });

    async function errorOf(promise: Promise<unknown>): Promise<unknown> {
      return promise.then(
        () => undefined,
        (error: unknown) => error,
      );
    }

    const rows = async (statement: string, ...params: unknown[]) => (await driver.execute(statement, ...params)).rows;

    describe('executeLambda', () => {
      test('statements of one lambda commit together as one ledger transaction', async () => {
        const before = (await ledger.digest()).tip?.seq ?? -1;
        await driver.executeLambda(async (txn) => {
          await txn.execute("INSERT INTO Car VALUE {'vin': 'A', 'n': 1}");
          await txn.execute("INSERT INTO Car VALUE {'vin': 'B', 'n': 2}");
          await txn.execute("UPDATE Car AS c SET c.n = 3 WHERE c.vin = 'A'");
        });
        expect((await ledger.digest()).tip?.seq).toBe(before + 1);
        expect(await rows('SELECT VALUE c.n FROM Car AS c WHERE c.vin = ?', 'A')).toEqual([3]);
      });

      test('an OCC conflict re-runs the whole lambda; the retry sees the other write', async () => {
        await rows("INSERT INTO Car VALUE {'vin': 'A', 'n': 0}");
        let attempts = 0;
        const result = await driver.executeLambda(async (txn) => {
          attempts++;
          const [n] = (await txn.execute("SELECT VALUE c.n FROM Car AS c WHERE c.vin = 'A'")).rows as number[];
          if (attempts === 1) {
            // Another writer changes the document between this read and the commit.
            await ledger.transaction(async (tx) => {
              const [doc] = await tx.find('Car', { vin: 'A' });
              await tx.update('Car', doc?.id as string, { vin: 'A', n: 10 });
            });
          }
          await txn.execute("UPDATE Car AS c SET c.n = ? WHERE c.vin = 'A'", (n as number) + 1);
          return n;
        });
        expect(attempts).toBe(2);
        expect(result).toBe(10);
        expect(await rows("SELECT VALUE c.n FROM Car AS c WHERE c.vin = 'A'")).toEqual([11]);
      });

      test('a scan conflicts with a concurrent insert into the table (QLDB scans conflict the same way)', async () => {
        let attempts = 0;
        await driver.executeLambda(async (txn) => {
          attempts++;
          const count = (await txn.execute('SELECT COUNT(*) AS n FROM Car')).rows[0] as { n: number };
          if (attempts === 1) await ledger.transaction((tx) => tx.insert('Car', { vin: 'Z' }));
          await txn.execute("INSERT INTO Car VALUE {'vin': 'count', 'n': ?}", count.n);
        });
        expect(attempts).toBe(2);
        expect(await rows("SELECT VALUE c.n FROM Car AS c WHERE c.vin = 'count'")).toEqual([1]);
      });

      test('retries stop at retryLimit with OCC_CONFLICT', async () => {
        await rows("INSERT INTO Car VALUE {'vin': 'A', 'n': 0}");
        let attempts = 0;
        const error = await errorOf(
          driver.executeLambda(
            async (txn) => {
              attempts++;
              await txn.execute("SELECT * FROM Car AS c WHERE c.vin = 'A'");
              await ledger.transaction(async (tx) => {
                const [doc] = await tx.find('Car', { vin: 'A' });
                await tx.update('Car', doc?.id as string, { vin: 'A', n: attempts });
              });
              await txn.execute("UPDATE Car AS c SET c.seen = true WHERE c.vin = 'A'");
            },
            { retryLimit: 2 },
          ),
        );
        expect(isLedgerError(error, 'OCC_CONFLICT')).toBe(true);
        expect(attempts).toBe(3);
      });

      test('other errors are not retried and nothing of the lambda is committed', async () => {
        let attempts = 0;
        const error = await errorOf(
          driver.executeLambda(async (txn) => {
            attempts++;
            await txn.execute("INSERT INTO Car VALUE {'vin': 'half'}");
            await txn.execute('SELECT * FROM NoSuchTable');
          }),
        );
        expect(isLedgerError(error, 'NOT_FOUND')).toBe(true);
        expect(attempts).toBe(1);
        expect(await rows("SELECT * FROM Car AS c WHERE c.vin = 'half'")).toEqual([]);
      });

      test('abort() rolls back without retrying', async () => {
        let attempts = 0;
        const error = await errorOf(
          driver.executeLambda(async (txn) => {
            attempts++;
            await txn.execute("INSERT INTO Car VALUE {'vin': 'aborted'}");
            txn.abort();
          }),
        );
        expect(isLedgerError(error, 'ABORTED')).toBe(true);
        expect(attempts).toBe(1);
        expect(await rows('SELECT COUNT(*) AS n FROM Car')).toEqual([{ n: 0 }]);
      });

      test('QLDB limits documents per transaction: LIMIT_EXCEEDED, nothing written', async () => {
        const docs = Array.from({ length: 6 }, (_, i) => ({ vin: `L${i}` }));
        const error = await errorOf(driver.execute('INSERT INTO Car ?', docs));
        expect(isLedgerError(error, 'LIMIT_EXCEEDED')).toBe(true);
        expect(await rows('SELECT COUNT(*) AS n FROM Car')).toEqual([{ n: 0 }]);
      });

      test('a wrong number of parameters is INVALID_ARGUMENT naming the counts', async () => {
        const error = await errorOf(driver.execute('SELECT * FROM Car AS c WHERE c.vin = ?'));
        expect(isLedgerError(error, 'INVALID_ARGUMENT')).toBe(true);
        expect((error as { details: unknown }).details).toMatchObject({ expected: 1, got: 0 });
      });

      test('a negative retryLimit is refused', () => {
        expect(() => target.newDriver({ retryLimit: -1 })).toThrow(
          expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
        );
      });
    });

    describe('results and parameters', () => {
      test('rows iterate as plain values and, on request, as ion-js values', async () => {
        await rows("INSERT INTO Car VALUE {'vin': 'A', 'n': 1.5, 'tags': ['x'], 'at': `2020-01-02T03:04:05Z`}");
        const result = await driver.execute("SELECT * FROM Car AS c WHERE c.vin = 'A'");
        expect([...result]).toEqual([{ vin: 'A', n: 1.5, tags: ['x'], at: '2020-01-02T03:04:05.000Z' }]);
        const [ion] = result.getResultList();
        expect(ion).toBeInstanceOf(dom.Value);
        expect(ion?.get('vin')?.stringValue()).toBe('A');
        expect(ion?.get('n')?.numberValue()).toBe(1.5);
        expect(ion?.get('tags', 0)?.stringValue()).toBe('x');
      });

      test('Dates, ion-js values and bigints are accepted as parameters', async () => {
        await rows('INSERT INTO Car ?', {
          vin: 'P',
          when: new Date('2021-02-03T04:05:06.007Z'),
          ion: load('{a: 1, b: 2021-01-01T}'),
          ts: Timestamp.parse('2022-01-01T00:00:00Z'),
          big: 12n,
        });
        expect(await rows("SELECT * FROM Car AS c WHERE c.vin = 'P'")).toEqual([
          {
            vin: 'P',
            when: '2021-02-03T04:05:06.007Z',
            ion: { a: 1, b: '2021-01-01T00:00:00.000Z' },
            ts: '2022-01-01T00:00:00.000Z',
            big: 12,
          },
        ]);
        expect(
          isLedgerError(await errorOf(driver.execute('INSERT INTO Car ?', { vin: Number.NaN })), 'INVALID_ARGUMENT'),
        ).toBe(true);
        expect(isLedgerError(await errorOf(driver.execute('INSERT INTO Car ?', new Map())), 'INVALID_ARGUMENT')).toBe(
          true,
        );
        const blob = await errorOf(driver.execute('INSERT INTO Car ?', load('{vin: "b", data: {{aGVsbG8=}}}')));
        expect(isLedgerError(blob, 'INVALID_ARGUMENT')).toBe(true);
        expect((blob as { details: unknown }).details).toMatchObject({ argument: 'params[0].data' });
      });

      test('INSERT of a non-struct is INVALID_ARGUMENT', async () => {
        expect(isLedgerError(await errorOf(driver.execute('INSERT INTO Car VALUE 1')), 'INVALID_ARGUMENT')).toBe(true);
        expect(
          isLedgerError(await errorOf(driver.execute("INSERT INTO Car << {'a': 1}, 2 >>")), 'INVALID_ARGUMENT'),
        ).toBe(true);
        expect(await rows('SELECT COUNT(*) AS n FROM Car')).toEqual([{ n: 0 }]);
      });
    });

    describe('DML', () => {
      test('SET creates nested fields, REMOVE drops them, INSERT INTO adds to lists and (with AT) structs', async () => {
        await rows("INSERT INTO Car VALUE {'vin': 'A', 'list': [1]}");
        await rows("UPDATE Car AS c SET c.owner.name = 'Ann', c.list[0] = 5 WHERE c.vin = 'A'");
        await rows("FROM Car AS c WHERE c.vin = 'A' INSERT INTO c.list VALUE 6");
        await rows("FROM Car AS c WHERE c.vin = 'A' INSERT INTO c.owner VALUE 42 AT 'age'");
        await rows("UPDATE Car SET color = 'red' REMOVE list[0] WHERE vin = 'A'");
        expect(await rows("SELECT * FROM Car AS c WHERE c.vin = 'A'")).toEqual([
          { vin: 'A', list: [6], owner: { name: 'Ann', age: 42 }, color: 'red' },
        ]);
        const exists = await errorOf(
          driver.execute("FROM Car AS c WHERE c.vin = 'A' INSERT INTO c.owner VALUE 1 AT 'age'"),
        );
        expect(isLedgerError(exists, 'ALREADY_EXISTS')).toBe(true);
        const outOfRange = await errorOf(driver.execute("UPDATE Car AS c SET c.list[9] = 1 WHERE c.vin = 'A'"));
        expect(isLedgerError(outOfRange, 'INVALID_ARGUMENT')).toBe(true);
      });

      test('UPDATE and DELETE without a match change nothing and return no rows', async () => {
        expect(await rows("UPDATE Car AS c SET c.n = 1 WHERE c.vin = 'none'")).toEqual([]);
        expect(await rows("DELETE FROM Car AS c WHERE c.vin = 'none'")).toEqual([]);
      });

      test('a document matched twice through unnesting is changed once', async () => {
        await rows("INSERT INTO Car VALUE {'vin': 'U', 'parts': [{'k': 1}, {'k': 2}]}");
        expect(await rows('FROM Car AS c, @c.parts AS p WHERE p.k > 0 SET c.checked = true')).toHaveLength(1);
        const unnested = await errorOf(driver.execute('FROM Car AS c, @c.parts AS p WHERE p.k = 1 SET p.k = 3'));
        expect(isLedgerError(unnested, 'UNSUPPORTED')).toBe(true);
      });

      test("EXEC redact_revision removes an old revision's data; the journal still audits", async () => {
        const [{ documentId }] = (await rows("INSERT INTO Car VALUE {'vin': 'R', 'owner': 'secret'}")) as [
          { documentId: string },
        ];
        await rows("UPDATE Car AS c SET c.owner = 'public' WHERE c.vin = 'R'");
        const [first] = (await rows('SELECT * FROM history(Car) AS h WHERE h.metadata.id = ?', documentId)) as [
          { blockAddress: { strandId: string; sequenceNo: number } },
        ];
        expect(await rows("EXEC redact_revision ?, 'Car', ?", first.blockAddress, documentId)).toEqual([
          { tableId: 'Car', documentId, version: 0 },
        ]);
        const history = (await rows('SELECT * FROM history(Car) AS h WHERE h.metadata.id = ?', documentId)) as {
          data?: unknown;
        }[];
        expect(JSON.stringify(history)).not.toContain('secret');
        expect(await rows("SELECT VALUE c.owner FROM Car AS c WHERE c.vin = 'R'")).toEqual(['public']);
        expect(await ledger.audit()).toMatchObject({ ok: true });
        const latest = await errorOf(driver.execute("EXEC redact_revision `{sequenceNo: 999}`, 'Car', ?", documentId));
        expect(isLedgerError(latest, 'NOT_FOUND')).toBe(true);
        expect(
          isLedgerError(await errorOf(driver.execute("EXEC redact_revision 1, 'Car', 'x'")), 'INVALID_ARGUMENT'),
        ).toBe(true);
      });

      test('tables with the reserved _ql_ prefix cannot be created', async () => {
        expect(isLedgerError(await errorOf(driver.execute('CREATE TABLE _ql_mine')), 'INVALID_ARGUMENT')).toBe(true);
      });

      test('CREATE TABLE of an existing table is ALREADY_EXISTS; of a dropped one asks for UNDROP', async () => {
        expect(isLedgerError(await errorOf(driver.execute('CREATE TABLE Car')), 'ALREADY_EXISTS')).toBe(true);
        await rows('DROP TABLE Car');
        expect(isLedgerError(await errorOf(driver.execute('DROP TABLE Car')), 'INVALID_ARGUMENT')).toBe(true);
        const error = await errorOf(driver.execute('CREATE TABLE Car'));
        expect(isLedgerError(error, 'ALREADY_EXISTS')).toBe(true);
        expect((error as Error).message).toContain('UNDROP');
      });

      test('DROP TABLE is journaled: it is a revision in the ledger, verifiable like any other', async () => {
        const before = (await ledger.digest()).treeSize;
        await rows('DROP TABLE Car');
        await ledger.refresh();
        expect((await ledger.digest()).treeSize).toBeGreaterThan(before);
        const [status] = await ledger.history('_ql_tables', 'Car');
        expect(status?.data).toEqual({ name: 'Car', status: 'INACTIVE' });
      });
    });

    describe('EXPLAIN', () => {
      test('shows an index lookup for = and IN on an indexed field, a scan otherwise', async () => {
        expect(await rows("EXPLAIN SELECT * FROM Car AS c WHERE c.vin = 'A'")).toEqual([
          expect.objectContaining({ alias: 'c', source: 'Car', access: 'index lookup', index: 'vin' }),
        ]);
        expect(await rows("EXPLAIN SELECT * FROM Car AS c WHERE c.vin IN ('A', 'B')")).toEqual([
          expect.objectContaining({ access: 'index lookup (IN)', index: 'vin' }),
        ]);
        expect(await rows("EXPLAIN SELECT * FROM Car AS c WHERE c.color = 'red'")).toEqual([
          expect.objectContaining({ access: 'scan', filter: 'color' }),
        ]);
        expect(await rows("EXPLAIN SELECT * FROM Car AS c WHERE c.vin > 'A'")).toEqual([
          expect.objectContaining({ access: 'scan' }),
        ]);
        expect(await rows('EXPLAIN SELECT * FROM Car AS c BY id WHERE id = ?', 'x')).toEqual([
          expect.objectContaining({ access: 'id lookup' }),
        ]);
        expect(await rows("EXPLAIN UPDATE Car AS c SET c.n = 1 WHERE c.vin = 'A'")).toEqual([
          expect.objectContaining({ statement: 'update', access: 'index lookup', index: 'vin' }),
        ]);
      });

      test('a join reads the inner table through its index with the outer row’s value', async () => {
        await driver.execute('CREATE TABLE Owner');
        await driver.execute('CREATE INDEX ON Owner (carVin)');
        const plan = await rows(
          "EXPLAIN SELECT o.name FROM Car AS c, Owner AS o WHERE c.color = 'red' AND o.carVin = c.vin",
        );
        expect(plan).toEqual([
          expect.objectContaining({ alias: 'c', access: 'scan' }),
          expect.objectContaining({ alias: 'o', access: 'index lookup', index: 'carVin' }),
        ]);
        await rows("INSERT INTO Car << {'vin': 'A', 'color': 'red'}, {'vin': 'B', 'color': 'blue'} >>");
        await rows("INSERT INTO Owner << {'carVin': 'A', 'name': 'Ann'}, {'carVin': 'B', 'name': 'Bob'} >>");
        expect(
          await rows("SELECT o.name FROM Car AS c, Owner AS o WHERE c.color = 'red' AND o.carVin = c.vin"),
        ).toEqual([{ name: 'Ann' }]);
      });

      test('the index lookup gives the same rows as a scan with the same condition', async () => {
        await rows('INSERT INTO Car ?', [
          { vin: 'A', n: 1 },
          { vin: 'B', n: 2 },
          { vin: 'A', n: 3 },
        ]);
        const indexed = await rows("SELECT VALUE c.n FROM Car AS c WHERE c.vin = 'A'");
        const scanned = await rows("SELECT VALUE c.n FROM Car AS c WHERE c.vin || '' = 'A'");
        expect([...indexed].sort()).toEqual([1, 3]);
        expect([...scanned].sort()).toEqual([1, 3]);
      });
    });
  });
}
