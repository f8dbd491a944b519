import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLedgerError } from '@ledgerkit/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LedgerdbClient } from '../src/client.js';
import { openLedgerDatabase as openLedger } from '../src/index.js';
import { LedgerDriver } from '../src/partiql.js';
import { createToken, parseRoles } from '../src/server.js';
import {
  licenses,
  people,
  registrations,
  sampleIndexes,
  sampleTables,
  vehicles,
} from './fixtures/vehicle-registration.js';
import { startServe } from './serve-process.js';

// Statements from QLDB's developer guide (the vehicle registration tutorial and the PartiQL
// reference), run unchanged against ledgerdb through LedgerDriver; the expected results are
// what the guide documents for its sample data. The suite runs twice: on an embedded ledger,
// and against a real `ledgerdb serve` process (the built bin) that executes every statement
// server-side, through the same LedgerDriver over a LedgerdbClient.

interface CompatTarget {
  driver: LedgerDriver;
  /** A revision as the ledger holds it (through the server's API when served). */
  revision(table: string, id: string): Promise<{ hash: string }>;
  close(): Promise<void>;
}

compatSuite('embedded ledger', async () => {
  const ledger = await openLedger({ name: 'vehicle-registration' });
  return {
    driver: new LedgerDriver(ledger),
    revision: (table, id) => ledger.revision(table, id),
    close: () => ledger.close(),
  };
});

compatSuite('ledgerdb serve', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerdb-compat-'));
  const tokens = join(dir, 'tokens.json');
  const { token } = await createToken(tokens, 'admin', parseRoles(['admin', 'read:*', 'write:*']));
  const served = await startServe([
    '--db',
    join(dir, 'vehicle-registration.ledger'),
    '--tokens',
    tokens,
    '--port',
    '0',
  ]);
  const client = await LedgerdbClient.connect({ url: served.url, token });
  return {
    driver: new LedgerDriver(client),
    revision: (table, id) => client.revision(table, id),
    close: async () => {
      served.child.kill('SIGTERM');
      await served.exited;
    },
  };
});

function compatSuite(name: string, open: () => Promise<CompatTarget>): void {
  describe(name, () => {
    let target: CompatTarget;
    let driver: LedgerDriver;
    const personIds: string[] = [];

    async function rows(statement: string, ...params: unknown[]) {
      return (await driver.execute(statement, ...params)).rows;
    }

    async function errorOf(promise: Promise<unknown>) {
      return promise.then(
        () => undefined,
        (error: unknown) => error,
      );
    }

    beforeAll(async () => {
      target = await open();
      driver = target.driver;
      for (const table of sampleTables) {
        expect(await rows(`CREATE TABLE ${table}`)).toEqual([{ tableId: table }]);
      }
      for (const statement of sampleIndexes) await rows(statement);
      await driver.executeLambda(async (txn) => {
        const inserted = await txn.execute('INSERT INTO Person ?', people);
        for (const row of inserted) personIds.push((row as { documentId: string }).documentId);
        await txn.execute('INSERT INTO Vehicle ?', vehicles);
      });
      await driver.executeLambda(async (txn) => {
        for (const { owner, secondary, ...registration } of registrations) {
          await txn.execute('INSERT INTO VehicleRegistration ?', {
            ...registration,
            Owners: {
              PrimaryOwner: { PersonId: personIds[owner] },
              SecondaryOwners: secondary.map((i) => ({ PersonId: personIds[i] })),
            },
          });
        }
        for (const { person, ...license } of licenses) {
          await txn.execute('INSERT INTO DriversLicense VALUE ?', { PersonId: personIds[person], ...license });
        }
      });
    });

    afterAll(async () => {
      await target.close();
    });

    describe('QLDB guide: creating tables, indexes and inserting documents', () => {
      test('the tables and their indexes are listed in information_schema.user_tables', async () => {
        const tables = await rows("SELECT VALUE name FROM information_schema.user_tables WHERE status = 'ACTIVE'");
        expect([...tables].sort()).toEqual([...sampleTables].sort());
        const [registration] = await rows(
          "SELECT * FROM information_schema.user_tables WHERE name = 'VehicleRegistration'",
        );
        expect(registration).toMatchObject({ name: 'VehicleRegistration', status: 'ACTIVE' });
        const indexes = (registration as { indexes: { expr: string }[] }).indexes.map((index) => index.expr).sort();
        expect(indexes).toEqual(['[LicensePlateNumber]', '[VIN]']);
        expect(await driver.getTableNames()).toHaveLength(4);
      });

      test('INSERT with an Ion struct literal, timestamps in backticks, returns the document id', async () => {
        const [row] = await rows(`INSERT INTO Person
      { 'FirstName' : 'Ann', 'LastName' : 'Example', 'DOB' : \`1980-01-02T\`, 'GovId' : 'EXAMPLE1', 'GovIdType' : 'Driver License', 'Address' : '1 Main Street' }`);
        const id = (row as { documentId: string }).documentId;
        expect(id).toMatch(/^[0-9A-Za-z]{22}$/);
        expect(await rows('SELECT p.DOB FROM Person AS p WHERE p.GovId = ?', 'EXAMPLE1')).toEqual([
          { DOB: '1980-01-02T00:00:00.000Z' },
        ]);
        expect(await rows('DELETE FROM Person AS p WHERE p.GovId = ?', 'EXAMPLE1')).toEqual([{ documentId: id }]);
      });

      test('INSERT of a bag <<…>> inserts each document', async () => {
        const inserted = await rows(
          "INSERT INTO Vehicle << {'VIN' : 'BAG1', 'Year' : 1}, {'VIN' : 'BAG2', 'Year' : 2} >>",
        );
        expect(inserted).toHaveLength(2);
        expect(await rows("SELECT VALUE v.Year FROM Vehicle AS v WHERE v.VIN IN ('BAG1', 'BAG2')")).toHaveLength(2);
        expect(await rows("DELETE FROM Vehicle AS v WHERE v.VIN IN ('BAG1', 'BAG2')")).toHaveLength(2);
      });
    });

    describe('QLDB guide: querying your data', () => {
      test('SELECT * with an indexed equality', async () => {
        expect(await rows("SELECT * FROM Vehicle AS v WHERE v.VIN = '1N4AL11D75C109151'")).toEqual([vehicles[0]]);
      });

      test('a projection of nested fields', async () => {
        expect(await rows("SELECT r.Owners FROM VehicleRegistration AS r WHERE r.VIN = '1N4AL11D75C109151'")).toEqual([
          { Owners: { PrimaryOwner: { PersonId: personIds[0] }, SecondaryOwners: [] } },
        ]);
      });

      test('unqualified field names resolve against the only table', async () => {
        expect(await rows("SELECT FirstName, LastName FROM Person WHERE GovId = 'LOGANB486CG'")).toEqual([
          { FirstName: 'Brent', LastName: 'Logan' },
        ]);
      });

      test('a join on VIN with IN on an indexed field (the guide example)', async () => {
        const result = await rows(
          "SELECT v.Make, v.Model, r.Owners FROM VehicleRegistration AS r, Vehicle AS v WHERE r.VIN = v.VIN AND r.VIN IN ('1N4AL11D75C109151', 'KM8SRDHF6EU074761')",
        );
        expect(result).toHaveLength(2);
        expect(result).toContainEqual({
          Make: 'Audi',
          Model: 'A5',
          Owners: { PrimaryOwner: { PersonId: personIds[0] }, SecondaryOwners: [] },
        });
        expect(result).toContainEqual({
          Make: 'Tesla',
          Model: 'Model S',
          Owners: { PrimaryOwner: { PersonId: personIds[1] }, SecondaryOwners: [] },
        });
      });

      test('INNER JOIN … ON: vehicles a person owns', async () => {
        const result = await rows(
          'SELECT Vehicle FROM Vehicle INNER JOIN VehicleRegistration AS r ON Vehicle.VIN = r.VIN WHERE r.Owners.PrimaryOwner.PersonId = ?',
          personIds[2],
        );
        expect(result).toEqual([{ Vehicle: vehicles[2] }]);
      });

      test('BY binds the document id', async () => {
        const [row] = await rows("SELECT r_id FROM VehicleRegistration AS r BY r_id WHERE r.VIN = '1N4AL11D75C109151'");
        const id = (row as { r_id: string }).r_id;
        expect(id).toMatch(/^[0-9A-Za-z]{22}$/);
        expect(await rows('SELECT r.VIN FROM VehicleRegistration AS r BY pid WHERE pid = ?', id)).toEqual([
          { VIN: '1N4AL11D75C109151' },
        ]);
      });

      test('the person id of an owner joins to Person through BY', async () => {
        const result = await rows(
          "SELECT p.FirstName FROM VehicleRegistration AS r, Person AS p BY pid WHERE r.VIN = '3HGGK5G53FM761765' AND r.Owners.PrimaryOwner.PersonId = pid",
        );
        expect(result).toEqual([{ FirstName: 'Alexis' }]);
      });

      test('COUNT(*) and SELECT VALUE', async () => {
        expect(await rows('SELECT COUNT(*) FROM Vehicle')).toEqual([{ _1: 5 }]);
        expect(await rows('SELECT COUNT(*) AS n FROM Vehicle AS v WHERE v.Year = 2011')).toEqual([{ n: 2 }]);
        expect([...(await rows("SELECT VALUE v.Make FROM Vehicle AS v WHERE v.Type = 'Sedan'"))].sort()).toEqual([
          'Audi',
          'Mercedes',
          'Tesla',
        ]);
      });

      test('comparisons, BETWEEN, LIKE, NOT, OR', async () => {
        const vins = async (where: string) =>
          [...(await rows(`SELECT VALUE v.VIN FROM Vehicle AS v WHERE ${where}`))].sort();
        expect(await vins('v.Year BETWEEN 2010 AND 2015')).toEqual([
          '1N4AL11D75C109151',
          '3HGGK5G53FM761765',
          'KM8SRDHF6EU074761',
        ]);
        expect(await vins('v.Year >= 2015 AND v.Year < 2019')).toEqual(['KM8SRDHF6EU074761']);
        expect(await vins("v.Make LIKE 'M%'")).toEqual(['1C4RJFAG0FC625797']);
        expect(await vins("NOT (v.Type = 'Sedan') AND v.Color <> 'Black'")).toEqual(['3HGGK5G53FM761765']);
        expect(await vins("v.Color = 'Black' OR v.Year > 2018")).toEqual(['1C4RJFAG0FC625797', '1HVBBAANXWH544237']);
        expect(await vins('v.Trim IS MISSING AND v.Year = 2009')).toEqual(['1HVBBAANXWH544237']);
        expect(await vins('v.Color IS NOT NULL AND v.Year <= 2009')).toEqual(['1HVBBAANXWH544237']);
      });

      test('unnesting a list with @', async () => {
        await rows(
          "FROM VehicleRegistration AS r WHERE r.VIN = '1N4AL11D75C109151' INSERT INTO r.Owners.SecondaryOwners VALUE { 'PersonId' : ? }",
          personIds[3],
        );
        const result = await rows(
          "SELECT o.PersonId, i FROM VehicleRegistration AS r, @r.Owners.SecondaryOwners AS o AT i WHERE r.VIN = '1N4AL11D75C109151'",
        );
        expect(result).toEqual([{ PersonId: personIds[3], i: 0 }]);
        expect(
          await rows(
            "SELECT VALUE r.Owners.SecondaryOwners[0].PersonId FROM VehicleRegistration AS r WHERE r.VIN = '1N4AL11D75C109151'",
          ),
        ).toEqual([personIds[3]]);
        await rows(
          "FROM VehicleRegistration AS r WHERE r.VIN = '1N4AL11D75C109151' REMOVE r.Owners.SecondaryOwners[0]",
        );
        expect(
          await rows(
            "SELECT VALUE SIZE(r.Owners.SecondaryOwners) FROM VehicleRegistration AS r WHERE r.VIN = '1N4AL11D75C109151'",
          ),
        ).toEqual([0]);
      });
    });

    describe('QLDB guide: updating and deleting documents, revision history', () => {
      test('UPDATE … SET, DELETE, then history() shows all three revisions', async () => {
        const [inserted] = await rows(
          "INSERT INTO VehicleRegistration VALUE { 'VIN' : 'HIST0000000000001', 'LicensePlateNumber' : 'HIST1', 'PendingPenaltyTicketAmount' : 10.5, 'Owners' : { 'PrimaryOwner' : { 'PersonId' : ? }, 'SecondaryOwners' : [] } }",
          personIds[0],
        );
        const id = (inserted as { documentId: string }).documentId;
        expect(
          await rows(
            "UPDATE VehicleRegistration AS r SET r.Owners.PrimaryOwner.PersonId = ? WHERE r.VIN = 'HIST0000000000001'",
            personIds[1],
          ),
        ).toEqual([{ documentId: id }]);
        expect(
          await rows(
            "UPDATE VehicleRegistration AS r SET r.PendingPenaltyTicketAmount = 0.0 REMOVE r.LicensePlateNumber WHERE r.VIN = 'HIST0000000000001'",
          ),
        ).toEqual([{ documentId: id }]);
        expect(await rows("SELECT * FROM VehicleRegistration AS r WHERE r.VIN = 'HIST0000000000001'")).toEqual([
          {
            VIN: 'HIST0000000000001',
            PendingPenaltyTicketAmount: 0,
            Owners: { PrimaryOwner: { PersonId: personIds[1] }, SecondaryOwners: [] },
          },
        ]);
        expect(await rows("DELETE FROM VehicleRegistration AS r WHERE r.VIN = 'HIST0000000000001'")).toEqual([
          { documentId: id },
        ]);
        const history = await rows('SELECT * FROM history(VehicleRegistration) AS h WHERE h.metadata.id = ?', id);
        expect(history.map((h) => (h as { metadata: { version: number } }).metadata.version)).toEqual([0, 1, 2, 3]);
        expect((history[3] as { data?: unknown }).data).toBeUndefined();
        expect(history[0]).toMatchObject({
          blockAddress: { strandId: 'vehicle-registration' },
          hash: expect.stringMatching(/^[0-9a-f]{64}$/),
          data: { LicensePlateNumber: 'HIST1' },
          metadata: { id, version: 0, txId: expect.any(String), txTime: expect.any(String) },
        });
        expect(
          await rows(
            'SELECT h.data.Owners.PrimaryOwner.PersonId FROM history(VehicleRegistration) AS h WHERE h.metadata.id = ? AND h.metadata.version = 1',
            id,
          ),
        ).toEqual([{ PersonId: personIds[1] }]);
      });

      test('history() with a time window selects revisions active in it', async () => {
        const all = await rows('SELECT VALUE h.metadata.txTime FROM history(Vehicle) AS h');
        expect(all.length).toBeGreaterThanOrEqual(5);
        expect(await rows('SELECT * FROM history(Vehicle, `2000-01-01T`, `2000-12-31T`) AS h')).toEqual([]);
        expect((await rows('SELECT * FROM history(Vehicle, `2000-01-01T`) AS h')).length).toBe(all.length);
      });

      test('the committed view _ql_committed_ carries data, metadata, hash and block address', async () => {
        const result = await rows(
          "SELECT * FROM _ql_committed_VehicleRegistration AS r WHERE r.data.VIN IN ('1N4AL11D75C109151', 'KM8SRDHF6EU074761')",
        );
        expect(result).toHaveLength(2);
        for (const row of result) {
          expect(row).toMatchObject({
            blockAddress: { strandId: 'vehicle-registration', sequenceNo: expect.any(Number) },
            hash: expect.stringMatching(/^[0-9a-f]{64}$/),
            data: { VIN: expect.any(String) },
            metadata: { id: expect.any(String), version: expect.any(Number) },
          });
        }
        const [first] = result as { metadata: { id: string }; hash: string }[];
        const revision = await target.revision('VehicleRegistration', first?.metadata.id as string);
        expect(revision.hash).toBe(first?.hash);
        expect(
          await rows(
            'SELECT r.metadata.version FROM _ql_committed_VehicleRegistration AS r WHERE r.metadata.id = ?',
            first?.metadata.id,
          ),
        ).toHaveLength(1);
      });

      test('DROP TABLE inactivates a table and keeps its history; UNDROP TABLE restores it', async () => {
        expect(await rows('DROP TABLE DriversLicense')).toEqual([{ tableId: 'DriversLicense' }]);
        const error = await errorOf(driver.execute('SELECT * FROM DriversLicense'));
        expect(isLedgerError(error, 'NOT_FOUND')).toBe(true);
        expect(
          isLedgerError(await errorOf(driver.execute("INSERT INTO DriversLicense VALUE {'a': 1}")), 'NOT_FOUND'),
        ).toBe(true);
        expect(
          await rows("SELECT VALUE status FROM information_schema.user_tables WHERE name = 'DriversLicense'"),
        ).toEqual(['INACTIVE']);
        expect((await rows('SELECT * FROM history(DriversLicense) AS h')).length).toBe(5);
        expect(await driver.getTableNames()).not.toContain('DriversLicense');
        expect(await rows('UNDROP TABLE "DriversLicense"')).toEqual([{ tableId: 'DriversLicense' }]);
        expect(await rows('SELECT COUNT(*) AS n FROM DriversLicense')).toEqual([{ n: 5 }]);
      });
    });

    describe('QLDB guide: functions', () => {
      test('date, string and conditional functions', async () => {
        const [row] = await rows(
          "SELECT DATE_ADD(year, 1, r.ValidToDate) AS renewed, DATE_DIFF(day, r.ValidFromDate, r.ValidToDate) AS days, EXTRACT(YEAR FROM r.ValidFromDate) AS since, UPPER(r.City) AS city, LOWER(r.State) AS state, CHAR_LENGTH(r.LicensePlateNumber) AS plate, SUBSTRING(r.VIN, 1, 3) AS wmi, COALESCE(r.Missing, 'none') AS fallback, NULLIF(r.State, 'WA') AS other, CAST(r.PendingPenaltyTicketAmount AS int) AS due, TO_STRING(r.ValidFromDate, 'MMMM d, yyyy') AS text FROM VehicleRegistration AS r WHERE r.VIN = '1N4AL11D75C109151'",
        );
        expect(row).toEqual({
          renewed: '2021-05-11T00:00:00.000Z',
          days: 994,
          since: 2017,
          city: 'SEATTLE',
          state: 'wa',
          plate: 11,
          wmi: '1N4',
          fallback: 'none',
          other: null,
          due: 90,
          text: 'August 21, 2017',
        });
      });

      test('UTCNOW, EXISTS, TRIM, TO_TIMESTAMP', async () => {
        const [row] = await rows(
          "SELECT UTCNOW() AS now, EXISTS(r.Owners.SecondaryOwners) AS has, TRIM(BOTH ' ' FROM '  x  ') AS t, TO_TIMESTAMP('2007-02-23T12:14:33.079Z') AS ts FROM VehicleRegistration AS r WHERE r.VIN = 'KM8SRDHF6EU074761'",
        );
        expect(row).toMatchObject({ has: false, t: 'x', ts: '2007-02-23T12:14:33.079Z' });
        expect(Date.now() - Date.parse((row as { now: string }).now)).toBeLessThan(60_000);
      });
    });
  });
}
