import { describe, expect, test } from 'vitest';
import { openLedgerDatabase } from '../ledger-database.js';
import type { JournalHead, StorageDriver } from '../storage/driver.js';
import { sqliteStorage } from '../storage/sqlite.js';

/**
 * An in-memory SQLite driver whose next `head()` read (outside writes) answers only when
 * released, holding what storage said when it was asked, and which counts `nodes()` reads
 * (a journal state loaded from storage makes one).
 */
function heldHeadStorage() {
  const inner = sqliteStorage({ path: ':memory:' });
  let holdNext = false;
  let release: (() => void) | undefined;
  let nodeReads = 0;
  const storage = new Proxy(inner, {
    get(target, key) {
      if (key === 'head') {
        return async (): Promise<JournalHead> => {
          const head = await target.head();
          if (holdNext) {
            holdNext = false;
            await new Promise<void>((resolve) => {
              release = resolve;
            });
          }
          return head;
        };
      }
      if (key === 'nodes') {
        return (ids: Parameters<StorageDriver['nodes']>[0]) => {
          nodeReads++;
          return target.nodes(ids);
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as StorageDriver;
  return {
    storage,
    holdNextHead: () => {
      holdNext = true;
    },
    release: () => release?.(),
    nodeReads: () => nodeReads,
  };
}

describe('the journal state a digest reads', () => {
  test('a commit that lands while a digest reads the head keeps its newer state', async () => {
    const held = heldHeadStorage();
    const ledger = await openLedgerDatabase({ storage: held.storage });
    await ledger.createTable('t');
    await ledger.transaction((tx) => tx.insert('t', { n: 1 }));
    const before = await ledger.digest();

    held.holdNextHead();
    const reading = ledger.digest();
    // The digest's head read has answered "one block" and waits; a commit lands meanwhile.
    await ledger.transaction((tx) => tx.insert('t', { n: 2 }));
    const reads = held.nodeReads();
    held.release();
    const digest = await reading;

    // It covers the new commit, and nothing was loaded from storage to get there.
    expect(digest.tip?.seq).toBe((before.tip?.seq as number) + 1);
    expect(digest.treeSize).toBeGreaterThan(before.treeSize);
    expect(held.nodeReads()).toBe(reads);
    // The state was not set back: the next commit builds on it without loading it again,
    // and the ledger's proofs of the lot still hold.
    await ledger.transaction((tx) => tx.insert('t', { n: 3 }));
    expect(held.nodeReads()).toBe(reads);
    const after = await ledger.digest();
    expect(after.tip?.seq).toBe((before.tip?.seq as number) + 2);
    expect((await ledger.audit()).ok).toBe(true);
    await ledger.close();
  });
});
