// The storage driver contract, as one suite every driver runs unchanged: sqlite
// (driver.sqlite.test.ts) and postgres (driver.postgres.test.ts). Everything goes
// through openLedgerDatabase and the public API, plus a few direct StorageDriver checks, and a
// backend-specific `tamper` hook that changes rows behind the ledger's back.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type Digest, type LedgerDatabase, openLedgerDatabase } from '../src/index.js';
import type { StorageDriver } from '../src/storage.js';
import { verifyConsistencyProof, verifyRevisionProof } from '../src/verify.js';
import { codeOf } from './error-code.js';

/** One empty ledger storage of a backend. */
export interface DriverBackend {
  /** A new driver on this storage (not yet opened); call again to "reopen". */
  driver(): StorageDriver;
  /**
   * Runs SQL directly on the storage, behind the ledger's back (the ledger is closed).
   * Tables: leaves (leaf, nodes, body), revisions (tbl, id, version, leaf, seq, deleted), blocks.
   */
  tamper(sql: string): Promise<Record<string, unknown>[]>;
  /** Removes the storage. */
  dispose(): Promise<void>;
}

export interface DriverSuiteOptions {
  /** Creates fresh, empty storage for one test. */
  create(): Promise<DriverBackend>;
  /** Whether several drivers (processes) may have the same storage open at once. */
  shared: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

export function driverSuite(name: string, options: DriverSuiteOptions): void {
  describe(`storage driver contract: ${name}`, () => {
    let backend: DriverBackend;
    const open: LedgerDatabase[] = [];

    async function ledger(extra: Parameters<typeof openLedgerDatabase>[0] = {}): Promise<LedgerDatabase> {
      const opened = await openLedgerDatabase({ name: 'suite', storage: backend.driver(), ...extra });
      open.push(opened);
      return opened;
    }

    beforeEach(async () => {
      backend = await options.create();
    });

    afterEach(async () => {
      for (const opened of open.splice(0)) await opened.close();
      await backend.dispose();
    });

    test('insert, update, delete, get, revision and history through openLedgerDatabase', async () => {
      const db = await ledger();
      await db.createTable('shipments');
      expect(await db.tables()).toEqual([{ name: 'shipments', indexes: [] }]);
      const { value: id, commit } = await db.transaction((tx) => tx.insert('shipments', { sku: 'A-1', qty: 5 }));
      expect(commit).toMatchObject({ seq: 0, revisions: [{ table: 'shipments', id, version: 0, leafIndex: 0 }] });
      await db.transaction((tx) => tx.update('shipments', id, { sku: 'A-1', qty: 4 }));
      expect(await db.get('shipments', id)).toEqual({ sku: 'A-1', qty: 4 });
      await db.transaction((tx) => tx.delete('shipments', id));
      expect(await db.get('shipments', id)).toBeUndefined();
      const history = await db.history('shipments', id);
      expect(history.map((revision) => revision.metadata.version)).toEqual([0, 1, 2]);
      expect(history.map((revision) => revision.data)).toEqual([
        { sku: 'A-1', qty: 5 },
        { sku: 'A-1', qty: 4 },
        undefined,
      ]);
      expect(history.map((revision) => revision.blockAddress)).toEqual([
        { seq: 0, index: 0 },
        { seq: 1, index: 0 },
        { seq: 2, index: 0 },
      ]);
      expect((await db.revision('shipments', id, 1)).data).toEqual({ sku: 'A-1', qty: 4 });
      expect((await db.revision('shipments', id)).metadata.version).toBe(2);
      // A deleted id stays taken.
      expect(await codeOf(db.transaction((tx) => tx.insert('shipments', { a: 1 }, { id })))).toBe('ALREADY_EXISTS');

      // Several documents and tables in one transaction; whole-table history in journal order.
      await db.createTable('carriers');
      const { value: ids } = await db.transaction(async (tx) => {
        const a = await tx.insert('shipments', { sku: 'B' }, { id: 'b-1' });
        const c = await tx.insert('carriers', { name: 'acme' }, { id: 'c-1' });
        const b = await tx.insert('shipments', { sku: 'C' }, { id: 'a-1' });
        return [a, c, b];
      });
      expect(ids).toEqual(['b-1', 'c-1', 'a-1']);
      const table = await db.history('shipments');
      expect(table.map((revision) => revision.metadata.id)).toEqual([id, id, id, 'b-1', 'a-1']);
      expect(table.map((revision) => revision.blockAddress)).toEqual([
        { seq: 0, index: 0 },
        { seq: 1, index: 0 },
        { seq: 2, index: 0 },
        { seq: 3, index: 0 },
        { seq: 3, index: 2 },
      ]);
      expect((await db.find('shipments', { sku: 'C' })).map((entry) => entry.id)).toEqual(['a-1']);
      expect((await db.find('carriers', { name: 'acme' })).map((entry) => entry.id)).toEqual(['c-1']);
      expect(await db.tables()).toEqual([
        { name: 'carriers', indexes: [] },
        { name: 'shipments', indexes: [] },
      ]);
    });

    test('history windows select the revisions active in them', async () => {
      const db = await ledger();
      await db.createTable('t');
      const { value: id } = await db.transaction((tx) => tx.insert('t', { v: 0 }));
      await sleep(30);
      const between01 = new Date();
      await sleep(30);
      await db.transaction((tx) => tx.update('t', id, { v: 1 }));
      await sleep(30);
      const between12 = new Date();
      await sleep(30);
      await db.transaction((tx) => tx.update('t', id, { v: 2 }));
      const versions = async (window: { from?: Date; to?: Date }) =>
        (await db.history('t', id, window)).map((revision) => revision.metadata.version);
      expect(await versions({})).toEqual([0, 1, 2]);
      expect(await versions({ to: between01 })).toEqual([0]);
      expect(await versions({ from: between01, to: between12 })).toEqual([0, 1]);
      expect(await versions({ from: between12 })).toEqual([1, 2]);
      expect(await versions({ from: new Date(Date.now() + 60_000) })).toEqual([2]);
    });

    test('OCC: a stale read conflicts, the runner retries, and retries can run out', async () => {
      const db = await ledger({ retry: { retries: 6, baseDelayMs: 1, maxDelayMs: 5 } });
      await db.createTable('counters');
      await db.transaction((tx) => tx.insert('counters', { n: 0 }, { id: 'c' }));
      let runs = 0;
      const increment = () =>
        db.transaction(async (tx) => {
          runs++;
          const current = (await tx.get('counters', 'c')) as { n: number };
          await sleep(5);
          await tx.update('counters', 'c', { n: current.n + 1 });
        });
      await Promise.all(Array.from({ length: 5 }, increment));
      expect(await db.get('counters', 'c')).toEqual({ n: 5 });
      expect(runs).toBeGreaterThan(5);
      expect((await db.history('counters', 'c')).map((revision) => revision.metadata.version)).toEqual([
        0, 1, 2, 3, 4, 5,
      ]);

      // No retries: the loser of a race sees OCC_CONFLICT and nothing of it is committed.
      const before = (await db.digest()).treeSize;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const loser = db.transaction(
        async (tx) => {
          const current = (await tx.get('counters', 'c')) as { n: number };
          await gate;
          await tx.update('counters', 'c', { n: current.n + 100 });
        },
        { retry: { retries: 0 } },
      );
      await db.transaction((tx) => tx.update('counters', 'c', { n: 6 }));
      release();
      expect(await codeOf(loser)).toBe('OCC_CONFLICT');
      expect(await db.get('counters', 'c')).toEqual({ n: 6 });
      expect((await db.digest()).treeSize).toBe(before + 2);

      // Queries are validated too (no phantoms).
      const phantom = db.transaction(
        async (tx) => {
          const found = await tx.find('counters', { n: 7 });
          await sleep(20);
          await tx.insert('counters', { n: 7, seen: found.length });
        },
        { retry: { retries: 0 } },
      );
      await sleep(5);
      await db.transaction((tx) => tx.insert('counters', { n: 7 }));
      expect(await codeOf(phantom)).toBe('OCC_CONFLICT');
      expect((await db.audit()).ok).toBe(true);
    });

    test('a second driver on the same storage', async () => {
      const first = await ledger({ retry: { retries: 10, baseDelayMs: 1, maxDelayMs: 5 } });
      await first.createTable('docs');
      await first.transaction((tx) => tx.insert('docs', { n: 0 }, { id: 'shared' }));
      if (!options.shared) {
        expect(await codeOf(openLedgerDatabase({ storage: backend.driver() }))).toBe('UNAVAILABLE');
        return;
      }
      // Another "process": its own ledger, cache and connections on the same storage.
      const second = await ledger({ retry: { retries: 10, baseDelayMs: 1, maxDelayMs: 5 } });
      expect(await second.get('docs', 'shared')).toEqual({ n: 0 });
      await second.createIndex('docs', 'n');
      // The first ledger picks up the index made by the other one (schema version).
      await first.transaction((tx) => tx.insert('docs', { n: 1 }, { id: 'one' }));
      expect((await second.find('docs', { n: 1 })).map((entry) => entry.id)).toEqual(['one']);

      // A conflict caused by the other ledger's commit surfaces as OCC and is retried.
      let attempts = 0;
      let otherCommitted = false;
      const result = await first.transaction(async (tx) => {
        attempts++;
        const current = (await tx.get('docs', 'shared')) as { n: number };
        if (!otherCommitted) {
          otherCommitted = true;
          await second.transaction((other) => other.update('docs', 'shared', { n: 100 }));
        }
        await tx.update('docs', 'shared', { n: current.n + 1 });
        return current.n;
      });
      expect(attempts).toBe(2);
      expect(result.value).toBe(100);
      expect(await second.get('docs', 'shared')).toEqual({ n: 101 });
      expect((await second.history('docs', 'shared')).map((revision) => revision.metadata.version)).toEqual([0, 1, 2]);

      // Both append to one tree: digests agree and proofs from either verify.
      const digest = await first.digest();
      expect(await second.digest()).toEqual(digest);
      const proof = await second.proof('docs', 'shared', 2, digest);
      expect(verifyRevisionProof(proof, digest).ok).toBe(true);
      expect((await second.audit()).ok).toBe(true);
    });

    test('inclusion, block and consistency proofs verify; audit is clean', async () => {
      const db = await ledger();
      await db.createTable('shipments');
      const { value: id } = await db.transaction((tx) => tx.insert('shipments', { sku: 'B' }));
      const first = await db.digest();
      for (let i = 0; i < 20; i++) await db.transaction((tx) => tx.insert('shipments', { n: i }));
      await db.transaction((tx) => tx.update('shipments', id, { sku: 'B', moved: true }));
      const second = await db.digest();
      expect(second.treeSize).toBe(first.treeSize + 42);
      for (const [version, digest] of [
        [0, first],
        [0, second],
        [1, second],
      ] as const) {
        expect(verifyRevisionProof(await db.proof('shipments', id, version, digest), digest).ok).toBe(true);
      }
      const blockProof = await db.blockProof(3, second);
      expect(blockProof.block.seq).toBe(3);
      const consistency = await db.consistencyProof(first, second);
      expect(verifyConsistencyProof(consistency, first, second).ok).toBe(true);
      expect(await db.audit({ against: first })).toMatchObject({
        ok: true,
        blocks: 22,
        revisions: 22,
        rootHash: second.rootHash,
      });
      const exported = [];
      for await (const block of db.export()) exported.push(block);
      expect(exported.map((block) => block.block.seq)).toEqual(Array.from({ length: 22 }, (_, i) => i));
    });

    test('large batches: a transaction of 1,500 documents and a group commit of many', async () => {
      const db = await ledger({ limits: { documentsPerTransaction: 2_000 } });
      await db.createTable('bulk');
      await db.createIndex('bulk', 'group');
      const { commit } = await db.transaction(async (tx) => {
        for (let i = 0; i < 1_500; i++) await tx.insert('bulk', { group: i % 10, i, text: `row ${i} 'quoted' "x"` });
      });
      expect(commit?.revisions).toHaveLength(1_500);
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => db.transaction((tx) => tx.insert('bulk', { group: 'g', i }))),
      );
      expect(new Set(results.map((result) => result.commit?.seq)).size).toBe(200);
      expect(await db.find('bulk', { group: 3 })).toHaveLength(150);
      expect(await db.find('bulk', { group: 'g' })).toHaveLength(200);
      expect((await db.audit()).ok).toBe(true);
    });

    test('durable across close and reopen: data, digest, schema and name', async () => {
      const db = await ledger({ name: 'durable' });
      await db.createTable('shipments');
      await db.createIndex('shipments', 'sku');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await db.transaction((tx) => tx.insert('shipments', { sku: `S-${i % 2}`, i }))).value);
      }
      const digest = await db.digest();
      await db.close();
      open.splice(open.indexOf(db), 1);

      const reopened = await openLedgerDatabase({ storage: backend.driver() });
      open.push(reopened);
      expect(reopened.name).toBe('durable');
      expect(await reopened.digest()).toEqual(digest);
      expect(await reopened.tables()).toEqual([{ name: 'shipments', indexes: ['sku'] }]);
      expect(await reopened.get('shipments', ids[3] as string)).toEqual({ sku: 'S-1', i: 3 });
      expect((await reopened.find('shipments', { sku: 'S-0' })).length).toBe(3);
      await reopened.transaction((tx) => tx.update('shipments', ids[0] as string, { sku: 'S-1', i: 0 }));
      expect(await reopened.audit({ against: digest })).toMatchObject({ ok: true, blocks: 6 });
      expect(
        await codeOf(openLedgerDatabase({ storage: backend.driver(), name: 'other' }).then((other) => other.close())),
      ).toBe(options.shared ? 'INVALID_ARGUMENT' : 'UNAVAILABLE');
    });

    test('bad input raises typed errors and commits nothing', async () => {
      const db = await ledger({ limits: { documentBytes: 1_000 } });
      await db.createTable('t');
      const { value: id } = await db.transaction((tx) => tx.insert('t', { a: 1 }));
      const before = await db.digest();
      const cases: [() => Promise<unknown>, string][] = [
        [() => db.createTable('t'), 'ALREADY_EXISTS'],
        [() => db.createTable('bad name'), 'INVALID_ARGUMENT'],
        [() => db.createIndex('missing', 'a'), 'NOT_FOUND'],
        [() => db.createIndex('t', 'a..b'), 'INVALID_ARGUMENT'],
        [() => db.transaction((tx) => tx.insert('t', { a: Number.NaN })), 'INVALID_ARGUMENT'],
        [() => db.transaction((tx) => tx.insert('t', { a: new Date() } as never)), 'INVALID_ARGUMENT'],
        [() => db.transaction((tx) => tx.insert('t', { a: '\ud800' })), 'INVALID_ARGUMENT'],
        [() => db.transaction((tx) => tx.insert('t', { a: 'x'.repeat(2_000) })), 'LIMIT_EXCEEDED'],
        [() => db.transaction((tx) => tx.insert('missing', { a: 1 })), 'NOT_FOUND'],
        [() => db.transaction((tx) => tx.insert('t', { a: 1 }, { id: 'no spaces' })), 'INVALID_ARGUMENT'],
        [() => db.transaction((tx) => tx.insert('t', { a: 1 }, { id })), 'ALREADY_EXISTS'],
        [() => db.transaction((tx) => tx.update('t', 'unknown', { a: 1 })), 'NOT_FOUND'],
        [() => db.transaction((tx) => tx.get('t', 'nul\u0000id')), 'INVALID_ARGUMENT'],
        [() => db.revision('t', 'nul\u0000id'), 'NOT_FOUND'],
        [() => db.revision('t', id, 7), 'NOT_FOUND'],
        [() => db.revision('t', id, 1.5), 'NOT_FOUND'],
        [() => db.proof('t', id, 0, { ...before, treeSize: before.treeSize + 10 }), 'INVALID_ARGUMENT'],
        [() => db.history('missing'), 'NOT_FOUND'],
        [() => db.blockProof(99), 'NOT_FOUND'],
      ];
      for (const [run, code] of cases) expect([run.toString(), await codeOf(run())]).toEqual([run.toString(), code]);
      expect(await db.history('t', 'nul\u0000id')).toEqual([]);
      expect(await db.digest()).toEqual(before);
      expect((await db.audit()).ok).toBe(true);
    });

    test('redaction: data removed atomically, proofs and audit still pass, forged redactions detected', async () => {
      const db = await ledger();
      expect(db.journalFormat).toBe(2);
      await db.createTable('people');
      await db.transaction((tx) => tx.insert('people', { name: 'Ada', ssn: 'SECRET-1' }, { id: 'p1' }));
      await db.transaction((tx) => tx.update('people', 'p1', { name: 'Ada' }));
      await db.transaction((tx) => tx.insert('people', { name: 'Bob', ssn: 'SECRET-2' }, { id: 'p2' }));
      await db.transaction((tx) => tx.update('people', 'p2', { name: 'Bob' }));
      const before = await db.digest();
      const original = await db.revision('people', 'p1', 0);
      expect(await codeOf(db.redactRevision('people', 'p1', 1))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(db.redactRevision('people', 'p1', 7))).toBe('NOT_FOUND');
      const commit = await db.redactRevision('people', 'p1', 0);
      expect(commit.revisions).toEqual([]);
      expect(commit.redactions).toEqual([{ table: 'people', id: 'p1', version: 0, revisionHash: original.hash }]);
      expect(await codeOf(db.redactRevision('people', 'p1', 0))).toBe('ALREADY_EXISTS');
      const redacted = await db.revision('people', 'p1', 0);
      expect(redacted.data).toBeUndefined();
      expect(redacted).toMatchObject({ hash: original.hash, dataHash: original.dataHash, metadata: original.metadata });
      expect((await db.history('people', 'p1')).map((revision) => revision.data)).toEqual([undefined, { name: 'Ada' }]);
      expect(await db.get('people', 'p1')).toEqual({ name: 'Ada' });
      const digest = await db.digest();
      expect(verifyRevisionProof(await db.proof('people', 'p1', 0, digest), digest).ok).toBe(true);
      expect(verifyRevisionProof(await db.proof('people', 'p1', 0, before), before).ok).toBe(true);
      expect(await db.audit({ against: before })).toMatchObject({ ok: true, redacted: 1 });
      await db.close();
      open.splice(open.indexOf(db), 1);
      const rows = await backend.tamper(
        `SELECT count(*) AS n FROM leaves WHERE data LIKE '%SECRET-1%' OR body LIKE '%SECRET-1%'`,
      );
      expect(Number(rows[0]?.n)).toBe(0);

      // A "redaction" behind the ledger's back: the data deleted, nothing journaled.
      await backend.tamper(`UPDATE leaves SET data = NULL WHERE data LIKE '%SECRET-2%'`);
      const reopened = await ledger();
      const audit = await reopened.audit();
      expect(audit.ok).toBe(false);
      expect(audit.firstMismatch?.reason).toMatch(/no journaled redaction/);
    });

    test('driver: an append that redacts is atomic: a leaf without data fails the whole write', async () => {
      const db = await ledger();
      await db.createTable('people');
      await db.transaction((tx) => tx.insert('people', { name: 'Ada' }, { id: 'p1' }));
      await db.close();
      open.splice(open.indexOf(db), 1);
      const driver = backend.driver();
      await driver.open();
      try {
        const head = await driver.head();
        const extra = { leaf: head.treeSize, body: '{"x":1}', nodes: new Uint8Array(32).fill(1) };
        // The last leaf is a block: it has no data to remove.
        const failed = driver.write(async (writer) =>
          writer.append({ leaves: [extra], revisions: [], blocks: [], index: [], redactions: [head.treeSize - 1] }),
        );
        await expect(failed).rejects.toMatchObject({ code: 'TAMPER_DETECTED' });
        expect((await driver.head()).treeSize).toBe(head.treeSize);
        expect(await driver.leaves(head.treeSize, head.treeSize + 1)).toEqual([]);
        expect((await driver.leaves(0, 1))[0]?.data).toBe('{"name":"Ada"}');
        // Leaf 0 (the revision) has data: the leaf and the redaction land together.
        await driver.write(async (writer) =>
          writer.append({ leaves: [extra], revisions: [], blocks: [], index: [], redactions: [0] }),
        );
        expect((await driver.leaves(0, 1))[0]?.data).toBeNull();
        expect(await driver.leaves(head.treeSize, head.treeSize + 1)).toHaveLength(1);
      } finally {
        await driver.close();
      }
    });

    test('redaction on a format-1 ledger is UNSUPPORTED and changes nothing', async () => {
      const db = await ledger({ journalFormat: 1 });
      expect(db.journalFormat).toBe(1);
      await db.createTable('people');
      await db.transaction((tx) => tx.insert('people', { name: 'Ada' }, { id: 'p1' }));
      await db.transaction((tx) => tx.update('people', 'p1', { name: 'Ada L' }));
      const digest = await db.digest();
      const error = await db.redactRevision('people', 'p1', 0).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'UNSUPPORTED' });
      expect((error as { details?: { reason?: string } }).details?.reason).toBe('journal-format');
      expect((await db.digest()).treeSize).toBe(digest.treeSize);
      expect((await db.revision('people', 'p1', 0)).data).toEqual({ name: 'Ada' });
      await db.close();
      open.splice(open.indexOf(db), 1);
      // The format is the ledger's: reopening keeps it, and naming another is refused.
      const again = await ledger();
      expect(again.journalFormat).toBe(1);
      await again.close();
      open.splice(open.indexOf(again), 1);
      expect(await codeOf(ledger({ journalFormat: 2 }))).toBe('INVALID_ARGUMENT');
    });

    test('equality indexes and find', async () => {
      const db = await ledger({ limits: { indexesPerTable: 2 } });
      await db.createTable('parts');
      await db.transaction(async (tx) => {
        await tx.insert('parts', { owner: { id: 'acme' }, kind: 'bolt' }, { id: 'p1' });
        await tx.insert('parts', { owner: { id: 'acme' }, kind: 'nut' }, { id: 'p2' });
        await tx.insert('parts', { owner: { id: 'zeta' }, kind: 'bolt' }, { id: 'p3' });
      });
      // Existing documents are indexed at once.
      await db.createIndex('parts', 'owner.id');
      const ids = async (where: Record<string, string>) => (await db.find('parts', where)).map((entry) => entry.id);
      expect(await ids({ 'owner.id': 'acme' })).toEqual(['p1', 'p2']);
      expect(await ids({ 'owner.id': 'acme', kind: 'nut' })).toEqual(['p2']);
      expect(await ids({ kind: 'bolt' })).toEqual(['p1', 'p3']); // scan
      await db.transaction((tx) => tx.update('parts', 'p1', { owner: { id: 'zeta' }, kind: 'bolt' }));
      await db.transaction((tx) => tx.delete('parts', 'p2'));
      await db.transaction((tx) => tx.insert('parts', { owner: { id: 'acme' }, kind: 'washer' }, { id: 'p4' }));
      expect(await ids({ 'owner.id': 'acme' })).toEqual(['p4']);
      expect(await ids({ 'owner.id': 'zeta' })).toEqual(['p1', 'p3']);
      // Group commit of changes to the same index entry.
      await Promise.all([
        db.transaction((tx) => tx.update('parts', 'p4', { owner: { id: 'beta' }, kind: 'washer' })),
        db.transaction((tx) => tx.insert('parts', { owner: { id: 'acme' } }, { id: 'p5' })),
      ]);
      await db.transaction((tx) => tx.update('parts', 'p4', { owner: { id: 'acme' }, kind: 'washer' }));
      expect(await ids({ 'owner.id': 'acme' })).toEqual(['p4', 'p5']);
      expect(await ids({ 'owner.id': 'beta' })).toEqual([]);
      await db.createIndex('parts', 'kind');
      expect(await ids({ kind: 'washer' })).toEqual(['p4']);
      expect(await codeOf(db.createIndex('parts', 'kind'))).toBe('ALREADY_EXISTS');
      expect(await codeOf(db.createIndex('parts', 'extra'))).toBe('LIMIT_EXCEEDED');
      expect(await db.tables()).toEqual([{ name: 'parts', indexes: ['kind', 'owner.id'] }]);
      expect((await db.audit()).ok).toBe(true);
    });

    test('driver: writeNow, when offered, is write() run synchronously: refused during a write, undone on failure', async () => {
      const driver = backend.driver();
      await driver.open();
      try {
        if (driver.writeNow === undefined) {
          // Drivers with asynchronous storage (postgres) leave it out; every commit queues.
          expect(options.shared).toBe(true);
          return;
        }
        const leaf = (n: number) => ({
          leaf: n,
          body: `{"n":${n}}`,
          nodes: new Uint8Array(32).fill(n + 1),
          data: null,
        });
        await driver.write(async (writer) => writer.createTable('t'));
        const before = await driver.head();
        // Refused without running the work while another write is in progress.
        let ran = false;
        let refused: unknown = 'not called';
        await driver.write(async () => {
          refused = driver.writeNow?.(() => {
            ran = true;
          });
        });
        expect(refused).toBeUndefined();
        expect(ran).toBe(false);
        // A failure undoes the append: nothing committed, the head as before.
        const failure = new Error('disk on fire');
        expect(() =>
          driver.writeNow?.((writer) => {
            writer.append({ leaves: [leaf(0)], revisions: [], blocks: [], index: [] });
            expect(writer.head().treeSize).toBe(1);
            throw failure;
          }),
        ).toThrow(expect.objectContaining({ code: 'UNAVAILABLE', cause: failure }));
        expect(await driver.head()).toEqual(before);
        expect(await driver.leaves(0, 10)).toEqual([]);
        // A write through it is committed and read back like any other.
        const written = driver.writeNow((writer) => {
          expect(writer.versions([{ table: 't', id: 'a' }]).size).toBe(0);
          writer.append({
            leaves: [leaf(0), leaf(1)],
            revisions: [{ table: 't', id: 'a', version: 0, leaf: 0, seq: 0, deleted: false }],
            blocks: [{ seq: 0, leaf: 1, txId: 'tx0', txTime: '2024-01-01T00:00:00.000Z' }],
            index: [],
          });
          return writer.head().treeSize;
        });
        expect(written).toEqual({ value: 2 });
        expect(await driver.head()).toEqual({ ...before, treeSize: 2, lastSeq: 0, lastBlockLeaf: 1 });
        expect(await driver.leaves(0, 10)).toEqual([leaf(0), leaf(1)]);
        expect(await driver.versions([{ table: 't', id: 'a' }])).toEqual(
          new Map([['t\u0000a', { version: 0, deleted: false }]]),
        );
      } finally {
        await driver.close();
      }
      // Durable: a new driver on the same storage reads it.
      const reopened = backend.driver();
      await reopened.open();
      try {
        expect((await reopened.head()).treeSize).toBe(2);
      } finally {
        await reopened.close();
      }
    });

    test('driver: a failed write leaves nothing behind; committed rows read back as written', async () => {
      const driver = backend.driver();
      await driver.open();
      try {
        const head = await driver.head();
        expect(head).toEqual({ treeSize: 0, lastSeq: -1, lastBlockLeaf: -1, schemaVersion: 0 });
        const failure = new Error('boom');
        await expect(
          driver.write(async (writer) => {
            await writer.createTable('t');
            await writer.append({
              leaves: [{ leaf: 0, body: '{"x":1}', nodes: new Uint8Array(32).fill(7) }],
              revisions: [{ table: 't', id: 'a', version: 0, leaf: 0, seq: 0, deleted: false }],
              blocks: [],
              index: [{ table: 't', path: 'x', valueKey: '1', id: 'a', add: true }],
            });
            // The writer sees the journal's new end and its own tables.
            expect(await writer.head()).toMatchObject({ treeSize: 1, schemaVersion: 1 });
            expect(await writer.schema()).toEqual([{ name: 't', indexes: [] }]);
            throw failure;
          }),
        ).rejects.toMatchObject({ code: 'UNAVAILABLE', cause: failure });
        expect(await driver.head()).toEqual(head);
        expect(await driver.leaves(0, 10)).toEqual([]);
        expect(await driver.latest('t', 'a')).toBeUndefined();
        expect(await driver.schema()).toEqual([]);
        expect(await driver.counts()).toEqual({ revisions: 0, blocks: 0, leaves: 0 });

        await driver.write(async (writer) => {
          await writer.createTable('t');
          await writer.setMeta('k', 'v1');
          await writer.setMeta('k', 'v2');
          await writer.append({
            leaves: [
              { leaf: 0, body: '{"r":0}', nodes: new Uint8Array(32).fill(1) },
              { leaf: 1, body: '{"b":0}', nodes: new Uint8Array(64).fill(2) },
            ],
            revisions: [{ table: 't', id: 'a', version: 0, leaf: 0, seq: 0, deleted: false }],
            blocks: [{ seq: 0, leaf: 1, txId: 'tx0', txTime: '2024-01-01T00:00:00.000Z' }],
            index: [
              { table: 't', path: 'x', valueKey: '1', id: 'a', add: true },
              { table: 't', path: 'x', valueKey: '1', id: 'b', add: true },
              { table: 't', path: 'x', valueKey: '1', id: 'b', add: false },
            ],
          });
        });
        expect(await driver.head()).toEqual({ treeSize: 2, lastSeq: 0, lastBlockLeaf: 1, schemaVersion: 1 });
        expect(await driver.meta('k')).toBe('v2');
        expect(await driver.meta('missing')).toBeUndefined();
        expect(await driver.lookup('t', 'x', '1')).toEqual(['a']);
        expect(await driver.blocks(-1, 10)).toEqual([
          { seq: 0, leaf: 1, txId: 'tx0', txTime: '2024-01-01T00:00:00.000Z' },
        ]);
        expect(await driver.blocks(0, 10)).toEqual([]);
        expect(await driver.revisionRow('t', 'a', 0)).toEqual({
          table: 't',
          id: 'a',
          version: 0,
          leaf: 0,
          seq: 0,
          deleted: false,
        });
        expect(
          await driver.versions([
            { table: 't', id: 'a' },
            { table: 't', id: 'zz' },
          ]),
        ).toEqual(new Map([['t\u0000a', { version: 0, deleted: false }]]));
        const [leaf0, leaf1] = await driver.leaves(0, 2);
        expect(leaf0).toMatchObject({ leaf: 0, body: '{"r":0}' });
        expect(Buffer.from(leaf1?.nodes as Uint8Array)).toEqual(Buffer.alloc(64, 2));
        const [level0, level1] = await driver.nodes([
          { level: 0, index: 1 },
          { level: 1, index: 0 },
        ]);
        expect(Buffer.from(level0 as Uint8Array)).toEqual(Buffer.alloc(32, 2));
        expect(Buffer.from(level1 as Uint8Array)).toEqual(Buffer.alloc(32, 2));
        expect(await codeOf(driver.nodes([{ level: 0, index: 5 }]))).toBe('TAMPER_DETECTED');
      } finally {
        await driver.close();
      }
      expect(await codeOf(driver.latest('t', 'a'))).toBe('UNAVAILABLE');
    });

    test('driver: versions announced with versionsOf read as without it', async () => {
      const driver = backend.driver();
      await driver.open();
      try {
        await driver.write(async (writer) => {
          await writer.createTable('t');
          await writer.append({
            leaves: [
              { leaf: 0, body: '{"r":0}', nodes: new Uint8Array(32).fill(1) },
              { leaf: 1, body: '{"r":1}', nodes: new Uint8Array(64).fill(2) },
              { leaf: 2, body: '{"b":0}', nodes: new Uint8Array(32).fill(3) },
            ],
            revisions: [
              { table: 't', id: 'a', version: 0, leaf: 0, seq: 0, deleted: false },
              { table: 't', id: 'a', version: 1, leaf: 1, seq: 0, deleted: true },
            ],
            blocks: [{ seq: 0, leaf: 2, txId: 'tx0', txTime: '2024-01-01T00:00:00.000Z' }],
            index: [],
          });
        });
        const announced = [
          { table: 't', id: 'a' },
          { table: 't', id: 'missing' },
        ];
        const seen = await driver.write(
          async (writer) => {
            const before = await writer.versions(announced);
            // Keys it was not told about, and a name no SQL literal may carry, still read.
            const others = await writer.versions([
              { table: 't', id: 'a' },
              { table: 't', id: "x'); DROP TABLE t; --" },
            ]);
            await writer.append({
              leaves: [
                { leaf: 3, body: '{"r":2}', nodes: new Uint8Array(32).fill(4) },
                { leaf: 4, body: '{"b":1}', nodes: new Uint8Array(96).fill(5) },
              ],
              revisions: [{ table: 't', id: 'missing', version: 0, leaf: 3, seq: 1, deleted: false }],
              blocks: [{ seq: 1, leaf: 4, txId: 'tx1', txTime: '2024-01-01T00:00:01.000Z' }],
              index: [],
            });
            return { before, others };
          },
          { versionsOf: announced },
        );
        expect(seen.before).toEqual(new Map([['t\u0000a', { version: 1, deleted: true }]]));
        expect(seen.others).toEqual(new Map([['t\u0000a', { version: 1, deleted: true }]]));
        expect(await driver.versions(announced)).toEqual(
          new Map([
            ['t\u0000a', { version: 1, deleted: true }],
            ['t\u0000missing', { version: 0, deleted: false }],
          ]),
        );
        // A name that is not safe as a literal among the announced ones: read the usual way.
        const unusual = await driver.write(
          async (writer) => writer.versions([{ table: 't', id: "a'b" }, ...announced]),
          { versionsOf: [{ table: 't', id: "a'b" }, ...announced] },
        );
        expect(unusual).toEqual(
          new Map([
            ['t\u0000a', { version: 1, deleted: true }],
            ['t\u0000missing', { version: 0, deleted: false }],
          ]),
        );
      } finally {
        await driver.close();
      }
    });

    describe('tampering behind the ledger is detected', () => {
      let trusted: Digest;
      let ids: string[];

      beforeEach(async () => {
        const db = await ledger();
        await db.createTable('shipments');
        ids = [];
        for (let i = 0; i < 12; i++) {
          const marker = `MARKER-${String(i).padStart(4, '0')}`;
          ids.push((await db.transaction((tx) => tx.insert('shipments', { marker, qty: 5 }))).value);
        }
        trusted = await db.digest();
        expect((await db.audit()).ok).toBe(true);
        await db.close();
        open.splice(open.indexOf(db), 1);
      });

      async function check(target = 5) {
        const db = await ledger();
        const audit = await db.audit({ against: trusted });
        const proof = await db.proof('shipments', ids[target] as string, 0, trusted).catch(() => undefined);
        return { audit, proofOk: proof ? verifyRevisionProof(proof, trusted).ok : false };
      }

      test('untouched storage audits clean', async () => {
        expect(await check()).toMatchObject({ audit: { ok: true }, proofOk: true });
      });

      test('a changed document byte', async () => {
        // Format 1 holds the data in the leaf's bytes, format 2 beside them (the leaf holds its hash).
        await backend.tamper(
          `UPDATE leaves SET body = replace(body, '"qty":5', '"qty":6'), data = replace(data, '"qty":5', '"qty":6') WHERE leaf = 10`,
        );
        const { audit, proofOk } = await check(5);
        expect(audit).toMatchObject({ ok: false, firstMismatch: { leaf: 10 } });
        expect(proofOk).toBe(false);
      });

      test('a deleted journal row', async () => {
        await backend.tamper('DELETE FROM leaves WHERE leaf = 6');
        expect((await check()).audit).toMatchObject({ ok: false, firstMismatch: { leaf: 6 } });
      });

      test('a deleted revision index row', async () => {
        await backend.tamper('DELETE FROM revisions WHERE leaf = 4');
        expect((await check()).audit).toMatchObject({ ok: false, firstMismatch: { leaf: 4 } });
      });

      test('reordered revisions (two bodies swapped)', async () => {
        const [a] = await backend.tamper('SELECT body FROM leaves WHERE leaf = 2');
        const [b] = await backend.tamper('SELECT body FROM leaves WHERE leaf = 8');
        await backend.tamper(`UPDATE leaves SET body = ${quote(String(b?.body))} WHERE leaf = 2`);
        await backend.tamper(`UPDATE leaves SET body = ${quote(String(a?.body))} WHERE leaf = 8`);
        expect((await check()).audit).toMatchObject({ ok: false, firstMismatch: { leaf: 2 } });
      });

      test('the last transactions cut off', async () => {
        await backend.tamper('DELETE FROM leaves WHERE leaf >= 20');
        await backend.tamper('DELETE FROM revisions WHERE leaf >= 20');
        await backend.tamper('DELETE FROM blocks WHERE leaf >= 20');
        const { audit } = await check();
        expect(audit.ok).toBe(false);
        expect(audit.firstMismatch?.reason).toMatch(/fewer than the trusted digest/);
      });
    });
  });
}
