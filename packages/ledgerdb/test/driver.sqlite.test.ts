// The storage driver contract (test/driver-suite.ts) on the embedded SQLite driver.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { sqliteStorage } from '../src/index.js';
import { driverSuite } from './driver-suite.js';

driverSuite('sqlite', {
  shared: false,
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'ledgerdb-driver-'));
    const path = join(dir, 'suite.ledger');
    return {
      driver: () => sqliteStorage({ path }),
      async tamper(sql) {
        const db = new DatabaseSync(path);
        try {
          if (/^\s*select/i.test(sql)) return db.prepare(sql).all() as Record<string, unknown>[];
          db.prepare(sql).run();
          return [];
        } finally {
          db.close();
        }
      },
      async dispose() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
