import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import { codeOf } from '../test/error-code.js';
import { type LedgerDatabase, openLedgerDatabase } from './ledger-database.js';
import type { ImmediateWriter, StorageDriver } from './storage/driver.js';
import { sqliteStorage } from './storage/sqlite.js';
import { verifyRevisionProof } from './verifier.js';

async function ledger(options: Parameters<typeof openLedgerDatabase>[0] = {}): Promise<LedgerDatabase> {
  const db = await openLedgerDatabase({ name: 'tx-test', ...options });
  await db.createTable('shipments');
  return db;
}

describe('optimistic concurrency', () => {
  test('concurrent read-modify-write transactions all land, retried on conflict, with no lost update', async () => {
    const db = await ledger();
    const { value: id } = await db.transaction((tx) => tx.insert('shipments', { count: 0 }));
    let attempts = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        db.transaction(
          async (tx) => {
            attempts++;
            const current = (await tx.get('shipments', id)) as { count: number };
            await tx.update('shipments', id, { count: current.count + 1 });
          },
          { retry: { retries: 50, baseDelayMs: 1, maxDelayMs: 20 } },
        ),
      ),
    );
    expect(await db.get('shipments', id)).toEqual({ count: 10 });
    expect(attempts).toBeGreaterThan(10); // some ran again after a conflict
    const versions = (await db.history('shipments', id)).map((revision) => revision.metadata.version);
    expect(versions).toEqual(Array.from({ length: 11 }, (_, i) => i));
    await db.close();
  });

  test('a conflict surfaces as OCC_CONFLICT when retries are exhausted, and nothing of it is committed', async () => {
    const db = await ledger();
    const { value: id } = await db.transaction((tx) => tx.insert('shipments', { count: 0 }));
    const before = await db.digest();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = db.transaction(
      async (tx) => {
        await tx.get('shipments', id);
        await gate;
        await tx.update('shipments', id, { count: 100 });
      },
      { retry: { retries: 0 } },
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    await db.transaction((tx) => tx.update('shipments', id, { count: 1 }));
    release();
    expect(await codeOf(slow)).toBe('OCC_CONFLICT');
    expect(await db.get('shipments', id)).toEqual({ count: 1 });
    expect((await db.digest()).treeSize).toBe(before.treeSize + 2);
    await db.close();
  });

  test('a query result that changes before commit is a conflict (no phantom)', async () => {
    const db = await ledger();
    await db.createIndex('shipments', 'sku');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const checker = db.transaction(
      async (tx) => {
        const existing = await tx.find('shipments', { sku: 'X-1' });
        await gate;
        if (existing.length === 0) await tx.insert('shipments', { sku: 'X-1', first: true });
      },
      { retry: { retries: 0 } },
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    await db.transaction((tx) => tx.insert('shipments', { sku: 'X-1' }));
    release();
    expect(await codeOf(checker)).toBe('OCC_CONFLICT');
    expect(await db.find('shipments', { sku: 'X-1' })).toHaveLength(1);
    await db.close();
  });

  test('a second ledger on the same file is refused while the first has it open', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ledgerdb-')), 'owned.ledger');
    const owner = await ledger({ path });
    await owner.transaction((tx) => tx.insert('shipments', { a: 1 }));
    expect(await codeOf(openLedgerDatabase({ storage: sqliteStorage({ path, busyTimeoutMs: 50 }) }))).toBe(
      'UNAVAILABLE',
    );
    await owner.close();
    const next = await openLedgerDatabase({ path });
    expect((await next.audit()).ok).toBe(true);
    await next.close();
  });
});

/** SQLite storage that counts which commit path each write took; `failNext` breaks one append. */
function countingStorage(path: string) {
  const inner = sqliteStorage({ path });
  const counts = { write: 0, writeNow: 0, refused: 0 };
  const control = { failNext: false };
  const storage = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'write') {
        return (...args: Parameters<StorageDriver['write']>) => {
          counts.write++;
          return target.write(...args);
        };
      }
      if (property === 'writeNow') {
        return <T>(work: (writer: ImmediateWriter) => T) => {
          const result = (target.writeNow as NonNullable<StorageDriver['writeNow']>)((writer) =>
            work({
              head: () => writer.head(),
              versions: (keys) => writer.versions(keys),
              append: (batch) => {
                writer.append(batch);
                if (control.failNext) {
                  control.failNext = false;
                  throw new Error('device gone');
                }
              },
            }),
          );
          if (result === undefined) counts.refused++;
          else counts.writeNow++;
          return result;
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as StorageDriver;
  return { storage, counts, control };
}

describe('the runner', () => {
  test('a closed ledger, an aborted signal or bad retry options reject the returned promise and run nothing', async () => {
    const db = await ledger();
    let runs = 0;
    const work = async () => {
      runs++;
    };
    const controller = new AbortController();
    controller.abort();
    const aborted = db.transaction(work, { retry: { signal: controller.signal } });
    expect(aborted).toBeInstanceOf(Promise);
    expect(await codeOf(aborted)).toBe('ABORTED');
    // Bad per-call options are refused before anything runs, and a bad ledger policy at open.
    expect(await codeOf(db.transaction(work, { retry: { retries: -1 } }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(openLedgerDatabase({ retry: { retries: 1.5 } }))).toBe('INVALID_ARGUMENT');
    await db.close();
    const closed = db.transaction(work);
    expect(closed).toBeInstanceOf(Promise);
    expect(await codeOf(closed)).toBe('UNAVAILABLE');
    expect(runs).toBe(0);
  });

  test('a conflict is retried with backoff until it commits, calling onRetry for each retry', async () => {
    const db = await ledger();
    const { value: id } = await db.transaction((tx) => tx.insert('shipments', { count: 0 }));
    const retries: number[] = [];
    let attempts = 0;
    const { value } = await db.transaction(
      async (tx) => {
        attempts++;
        const current = (await tx.get('shipments', id)) as { count: number };
        // Twice, another transaction commits between this one's read and its commit.
        if (attempts <= 2)
          await db.transaction((other) => other.update('shipments', id, { count: current.count + 10 }));
        await tx.update('shipments', id, { count: current.count + 1 });
        return current.count + 1;
      },
      { retry: { retries: 4, baseDelayMs: 1, onRetry: ({ attempt }) => retries.push(attempt) } },
    );
    expect(attempts).toBe(3);
    expect(retries).toEqual([1, 2]);
    expect(value).toBe(21);
    expect(await db.get('shipments', id)).toEqual({ count: 21 });
    await db.close();
  });
});

describe('commit paths', () => {
  test('a lone transaction commits synchronously through writeNow; concurrent ones share group commits', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ledgerdb-paths-')), 'paths.ledger');
    const { storage, counts } = countingStorage(path);
    const db = await openLedgerDatabase({ storage, name: 'paths' });
    await db.createTable('shipments');
    counts.write = 0;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await db.transaction((tx) => tx.insert('shipments', { i }))).value);
    expect(counts).toEqual({ write: 0, writeNow: 3, refused: 0 });
    const together = await Promise.all(
      Array.from({ length: 8 }, (_, i) => db.transaction((tx) => tx.insert('shipments', { i: 10 + i }))),
    );
    expect(counts.write).toBeGreaterThan(0);
    expect(counts.write).toBeLessThan(8); // grouped: fewer writes than transactions
    expect(counts.writeNow).toBe(3);
    // One journal either way: consecutive blocks, each verifiable.
    const digest = await db.digest();
    expect(digest.treeSize).toBe((ids.length + together.length) * 2);
    for (const { value: id } of together) {
      expect(verifyRevisionProof(await db.proof('shipments', id, 0, digest), digest).ok).toBe(true);
    }
    for (const id of ids) expect(verifyRevisionProof(await db.proof('shipments', id, 0, digest), digest).ok).toBe(true);
    expect((await db.audit()).ok).toBe(true);
    await db.close();
  });

  test('a storage failure in a lone commit is UNAVAILABLE, commits nothing, and the next commit lands', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ledgerdb-paths-')), 'failure.ledger');
    const { storage, counts, control } = countingStorage(path);
    const db = await openLedgerDatabase({ storage, name: 'failure' });
    await db.createTable('shipments');
    await db.transaction((tx) => tx.insert('shipments', { n: 1 }, { id: 'one' }));
    const before = await db.digest();
    control.failNext = true;
    const failed = db.transaction((tx) => tx.insert('shipments', { n: 2 }, { id: 'two' }));
    expect(await codeOf(failed)).toBe('UNAVAILABLE');
    expect(counts.writeNow).toBe(1);
    expect(await db.digest()).toEqual(before);
    expect(await db.get('shipments', 'two')).toBeUndefined();
    // The journal state was dropped and reloaded: the next commit follows the last good block.
    await db.transaction((tx) => tx.insert('shipments', { n: 2 }, { id: 'two' }));
    expect((await db.revision('shipments', 'two')).blockAddress.seq).toBe(1);
    expect((await db.digest()).treeSize).toBe(before.treeSize + 2);
    await db.close();
    const reopened = await openLedgerDatabase({ path });
    expect((await reopened.audit()).ok).toBe(true);
    expect((await reopened.history('shipments')).map((revision) => revision.metadata.id)).toEqual(['one', 'two']);
    await reopened.close();
  });
});

describe('transactions', () => {
  test('see their own writes, and commit several documents and tables atomically', async () => {
    const db = await ledger();
    await db.createTable('events');
    const { value, commit } = await db.transaction(async (tx) => {
      const id = await tx.insert('shipments', { sku: 'A' });
      await tx.update('shipments', id, { sku: 'A', qty: 2 });
      const seen = await tx.get('shipments', id);
      await tx.insert('events', { shipment: id, kind: 'created' });
      return { id, seen };
    });
    expect(value.seen).toEqual({ sku: 'A', qty: 2 });
    expect(commit?.revisions.map((revision) => [revision.table, revision.version])).toEqual([
      ['shipments', 0],
      ['events', 0],
    ]);
    expect(commit?.revisions.map((revision) => revision.leafIndex)).toEqual([0, 1]);
    expect(commit?.blockLeafIndex).toBe(2);
    await db.close();
  });

  test('a read-only transaction leaves no block', async () => {
    const db = await ledger();
    const before = await db.digest();
    const result = await db.transaction((tx) => tx.get('shipments', 'nope'));
    expect(result).toEqual({ value: undefined, commit: undefined });
    expect(await db.digest()).toEqual(before);
    await db.close();
  });

  test('an error thrown by the function commits nothing', async () => {
    const db = await ledger();
    const before = await db.digest();
    await expect(
      db.transaction(async (tx) => {
        await tx.insert('shipments', { sku: 'A' });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await db.digest()).toEqual(before);
    await db.close();
  });

  test('user-chosen ids are unique, even after a delete', async () => {
    const db = await ledger();
    await db.transaction((tx) => tx.insert('shipments', { a: 1 }, { id: 'pallet-42' }));
    expect(await codeOf(db.transaction((tx) => tx.insert('shipments', { a: 2 }, { id: 'pallet-42' })))).toBe(
      'ALREADY_EXISTS',
    );
    await db.transaction((tx) => tx.delete('shipments', 'pallet-42'));
    expect(await codeOf(db.transaction((tx) => tx.insert('shipments', { a: 3 }, { id: 'pallet-42' })))).toBe(
      'ALREADY_EXISTS',
    );
    await db.close();
  });
});

describe('limits (QLDB defaults, configurable)', () => {
  test('defaults are 40 documents, 128 KiB and 30 s', async () => {
    const db = await ledger();
    expect(db.limits).toMatchObject({ documentsPerTransaction: 40, documentBytes: 131072, transactionMs: 30000 });
    const over = db.transaction(async (tx) => {
      for (let i = 0; i < 41; i++) await tx.insert('shipments', { i });
    });
    expect(await codeOf(over)).toBe('LIMIT_EXCEEDED');
    expect(await codeOf(db.transaction((tx) => tx.insert('shipments', { blob: 'x'.repeat(131072) })))).toBe(
      'LIMIT_EXCEEDED',
    );
    expect((await db.digest()).treeSize).toBe(0);
    await db.close();
  });

  test('a transaction that outlives its time limit is refused at commit', async () => {
    const db = await ledger({ limits: { transactionMs: 20 } });
    const slow = db.transaction(async (tx) => {
      await tx.insert('shipments', { a: 1 });
      await new Promise((resolve) => setTimeout(resolve, 40));
    });
    expect(await codeOf(slow)).toBe('LIMIT_EXCEEDED');
    expect((await db.digest()).treeSize).toBe(0);
    await db.close();
  });
});

describe('bad input gets typed errors and commits nothing', () => {
  const cases: [string, (db: LedgerDatabase) => Promise<unknown>, string][] = [
    [
      'NaN in a document',
      (db) => db.transaction((tx) => tx.insert('shipments', { qty: Number.NaN })),
      'INVALID_ARGUMENT',
    ],
    [
      'a Date in a document',
      (db) => db.transaction((tx) => tx.insert('shipments', { at: new Date() } as never)),
      'INVALID_ARGUMENT',
    ],
    [
      'a cycle',
      (db) => {
        const data: JsonObject & { self?: unknown } = { a: 1 };
        data.self = data;
        return db.transaction((tx) => tx.insert('shipments', data as JsonObject));
      },
      'INVALID_ARGUMENT',
    ],
    ['an array as document', (db) => db.transaction((tx) => tx.insert('shipments', [1] as never)), 'INVALID_ARGUMENT'],
    ['an invalid table name', (db) => db.transaction((tx) => tx.insert('drop table;', {})), 'INVALID_ARGUMENT'],
    ['an unknown table', (db) => db.transaction((tx) => tx.insert('nowhere', {})), 'NOT_FOUND'],
    ['an unknown id', (db) => db.transaction((tx) => tx.update('shipments', 'missing', {})), 'NOT_FOUND'],
    ['an invalid id', (db) => db.transaction((tx) => tx.get('shipments', '../etc')), 'INVALID_ARGUMENT'],
    ['a wrong version', (db) => db.proof('shipments', 'missing', 3), 'NOT_FOUND'],
    ['an invalid index path', (db) => db.createIndex('shipments', 'a..b'), 'INVALID_ARGUMENT'],
    ['a duplicate table', (db) => db.createTable('shipments'), 'ALREADY_EXISTS'],
    [
      'a digest from the future',
      (db) => db.consistencyProof({ ledger: 'x', treeSize: 99, rootHash: '00', tip: null }),
      'INVALID_ARGUMENT',
    ],
  ];
  test.each(cases)('%s', async (_name, run, code) => {
    const db = await ledger();
    const before = await db.digest();
    expect(await codeOf(run(db))).toBe(code);
    expect(await db.digest()).toEqual(before);
    await db.close();
  });
});

describe('indexes and queries', () => {
  test('equality lookups through an index follow updates and deletes', async () => {
    const db = await ledger();
    await db.createIndex('shipments', 'owner.id');
    const ids: string[] = [];
    for (const owner of ['acme', 'acme', 'globex']) {
      ids.push((await db.transaction((tx) => tx.insert('shipments', { owner: { id: owner } }))).value);
    }
    expect((await db.find('shipments', { 'owner.id': 'acme' })).map((entry) => entry.id).sort()).toEqual(
      [ids[0], ids[1]].sort(),
    );
    await db.transaction((tx) => tx.update('shipments', ids[0] as string, { owner: { id: 'globex' } }));
    await db.transaction((tx) => tx.delete('shipments', ids[2] as string));
    expect((await db.find('shipments', { 'owner.id': 'globex' })).map((entry) => entry.id)).toEqual([ids[0]]);
    expect(await db.tables()).toEqual([{ name: 'shipments', indexes: ['owner.id'] }]);
    await db.close();
  });

  test('an index created on a filled table indexes existing documents; queries without one scan', async () => {
    const db = await ledger();
    for (const sku of ['a', 'b', 'a']) await db.transaction((tx) => tx.insert('shipments', { sku, qty: 1 }));
    expect(await db.find('shipments', { sku: 'a', qty: 1 })).toHaveLength(2);
    await db.createIndex('shipments', 'sku');
    expect(await db.find('shipments', { sku: 'a' })).toHaveLength(2);
    expect(await codeOf(db.createIndex('shipments', 'sku'))).toBe('ALREADY_EXISTS');
    await db.close();
  });
});

describe('history', () => {
  test('time bounds select revisions active in the window', async () => {
    const db = await ledger();
    const { value: id } = await db.transaction((tx) => tx.insert('shipments', { v: 0 }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await db.transaction((tx) => tx.update('shipments', id, { v: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await db.transaction((tx) => tx.update('shipments', id, { v: 2 }));
    const all = await db.history('shipments', id);
    const t1 = new Date(all[1]?.metadata.txTime as string);
    expect((await db.history('shipments', id, { from: t1, to: t1 })).map((r) => r.data)).toEqual([{ v: 1 }]);
    expect((await db.history('shipments', id, { to: new Date(t1.getTime() - 1) })).map((r) => r.data)).toEqual([
      { v: 0 },
    ]);
    expect((await db.history('shipments', id, { from: new Date(Date.now() + 1000) })).map((r) => r.data)).toEqual([
      { v: 2 },
    ]);
    expect(await db.history('shipments')).toHaveLength(3);
    await db.close();
  });
});
