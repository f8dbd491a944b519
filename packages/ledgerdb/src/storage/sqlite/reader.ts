import type { NodeId } from '@ledgerkit/core';
import { LedgerError } from '@ledgerkit/core';
import type {
  BlockRow,
  JournalHead,
  LeafRow,
  RevisionRow,
  StoredRevision,
  TableSchema,
  VersionState,
} from '../driver.js';
import type { SqliteConnection } from './connection.js';
import { documentKey, indexKey } from './pending-indexes.js';

interface RevisionRecord {
  version: number;
  leaf: number;
  deleted: number;
  body: string;
  data: string | null;
}

const toStored = (row: RevisionRecord): StoredRevision => ({
  version: row.version,
  leaf: row.leaf,
  deleted: row.deleted === 1,
  body: row.body,
  data: row.data,
});

/** The driver's reads, synchronous: what `StorageReader` answers, without waiting. */
export type SqliteReader = ReturnType<typeof sqliteReader>;

/**
 * Synchronous reads that see committed rows plus the pending derived rows. The driver runs
 * them once no write is in progress, so none sees uncommitted rows; a write runs them as
 * they are, to see its own.
 */
export function sqliteReader(connection: SqliteConnection) {
  return {
    head: (): JournalHead => ({ ...connection.head }),

    schema: (): TableSchema[] =>
      connection.run('cannot read the table list', () => {
        const tables = connection.statement('SELECT name FROM user_tables ORDER BY name').all() as { name: string }[];
        const indexes = connection.statement('SELECT tbl, path FROM user_indexes ORDER BY tbl, path').all() as {
          tbl: string;
          path: string;
        }[];
        return tables.map(({ name }) => ({
          name,
          indexes: indexes.filter((index) => index.tbl === name).map((index) => index.path),
        }));
      }),

    latest: (table: string, id: string): StoredRevision | undefined =>
      connection.run('cannot read a document', () => {
        const pending = connection.pending.latest(table, id);
        if (pending) return connection.storedFromRow(pending);
        const row = connection
          .statement(
            `SELECT r.version, r.leaf, r.deleted, l.body, l.data FROM revisions r JOIN leaves l ON l.leaf = r.leaf
         WHERE r.tbl = ? AND r.id = ? ORDER BY r.version DESC LIMIT 1`,
          )
          .get(table, id) as RevisionRecord | undefined;
        return row && toStored(row);
      }),

    versions: (keys: readonly { table: string; id: string }[]): Map<string, VersionState> =>
      connection.run('cannot read document versions', () => {
        const statement = connection.statement(
          'SELECT version, deleted FROM revisions WHERE tbl = ? AND id = ? ORDER BY version DESC LIMIT 1',
        );
        const out = new Map<string, VersionState>();
        for (const { table, id } of keys) {
          const name = documentKey(table, id);
          if (out.has(name)) continue;
          const pending = connection.pending.latest(table, id);
          if (pending) {
            out.set(name, { version: pending.version, deleted: pending.deleted });
            continue;
          }
          const row = statement.get(table, id) as { version: number; deleted: number } | undefined;
          if (row) out.set(name, { version: row.version, deleted: row.deleted === 1 });
        }
        return out;
      }),

    revision: (table: string, id: string, version: number): StoredRevision | undefined =>
      connection.run('cannot read a revision', () => {
        const pending = connection.pending.revisions
          .get(documentKey(table, id))
          ?.find((row) => row.version === version);
        if (pending) return connection.storedFromRow(pending);
        const row = connection
          .statement(
            `SELECT r.version, r.leaf, r.deleted, l.body, l.data FROM revisions r JOIN leaves l ON l.leaf = r.leaf
         WHERE r.tbl = ? AND r.id = ? AND r.version = ?`,
          )
          .get(table, id, version) as RevisionRecord | undefined;
        return row && toStored(row);
      }),

    history: (table: string, id?: string): StoredRevision[] =>
      connection.run('cannot read history', () => {
        const stored = (id === undefined
          ? connection
              .statement(
                `SELECT r.version, r.leaf, r.deleted, l.body, l.data FROM revisions r JOIN leaves l ON l.leaf = r.leaf
               WHERE r.tbl = ? ORDER BY r.leaf`,
              )
              .all(table)
          : connection
              .statement(
                `SELECT r.version, r.leaf, r.deleted, l.body, l.data FROM revisions r JOIN leaves l ON l.leaf = r.leaf
               WHERE r.tbl = ? AND r.id = ? ORDER BY r.version`,
              )
              .all(table, id)) as unknown as RevisionRecord[];
        const pending: RevisionRow[] = [];
        if (id === undefined) {
          for (const rows of connection.pending.revisions.values()) {
            if (rows[0]?.table === table) pending.push(...rows);
          }
        } else {
          pending.push(...(connection.pending.revisions.get(documentKey(table, id)) ?? []));
        }
        const all = [...stored.map(toStored), ...pending.map((row) => connection.storedFromRow(row))];
        return all.sort((a, b) => a.leaf - b.leaf);
      }),

    scan: (table: string): (StoredRevision & { id: string })[] =>
      connection.run('cannot scan a table', () => {
        const rows = connection
          .statement(
            `SELECT r.id, r.version, r.leaf, r.deleted, l.body, l.data
         FROM (SELECT id, max(version) AS version FROM revisions WHERE tbl = ? GROUP BY id) latest
         JOIN revisions r ON r.tbl = ? AND r.id = latest.id AND r.version = latest.version
         JOIN leaves l ON l.leaf = r.leaf`,
          )
          .all(table, table) as unknown as (RevisionRecord & { id: string })[];
        const byId = new Map(rows.map((row) => [row.id, { id: row.id, ...toStored(row) }]));
        for (const revisions of connection.pending.revisions.values()) {
          const last = revisions[revisions.length - 1];
          if (last?.table === table) byId.set(last.id, { id: last.id, ...connection.storedFromRow(last) });
        }
        return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      }),

    lookup: (table: string, path: string, valueKey: string): string[] =>
      connection.run('cannot read an index', () => {
        const rows = connection
          .statement('SELECT id FROM index_entries WHERE tbl = ? AND path = ? AND value_key = ?')
          .all(table, path, valueKey) as { id: string }[];
        const ids = new Set(rows.map((row) => row.id));
        for (const [id, present] of connection.pending.entries.get(indexKey(table, path, valueKey)) ?? []) {
          if (present) ids.add(id);
          else ids.delete(id);
        }
        return [...ids].sort();
      }),

    nodes: (ids: readonly NodeId[]): Uint8Array[] =>
      connection.run('cannot read Merkle nodes', () => {
        // Node (level, index) is stored with the leaf that completed it.
        const leafOf = (node: NodeId) => (node.index + 1) * 2 ** node.level - 1;
        const wanted = [...new Set(ids.map(leafOf))];
        // A fixed 8-way IN list: one prepared statement, padded with -1 (no such leaf).
        const statement = connection.statement(`SELECT leaf, nodes FROM leaves WHERE leaf IN (${'?,'.repeat(7)}?)`);
        const byLeaf = new Map<number, Uint8Array>();
        for (let start = 0; start < wanted.length; start += 8) {
          const chunk = wanted.slice(start, start + 8);
          while (chunk.length < 8) chunk.push(-1);
          for (const row of statement.all(...chunk) as { leaf: number; nodes: Uint8Array }[]) {
            byLeaf.set(row.leaf, row.nodes);
          }
        }
        return ids.map((node) => {
          const blob = byLeaf.get(leafOf(node));
          const start = node.level * 32;
          if (!blob || blob.length < start + 32) {
            throw new LedgerError(
              'TAMPER_DETECTED',
              `Merkle node (${node.level}, ${node.index}) is missing from storage`,
              {
                details: { ...node },
              },
            );
          }
          return blob.subarray(start, start + 32);
        });
      }),

    leaves: (from: number, to: number): LeafRow[] =>
      connection.run(
        'cannot read journal leaves',
        () =>
          connection
            .statement('SELECT leaf, nodes, body, data FROM leaves WHERE leaf >= ? AND leaf < ? ORDER BY leaf')
            .all(from, to) as unknown as LeafRow[],
      ),

    blocks: (after: number, limit: number): BlockRow[] =>
      connection.run('cannot read blocks', () => {
        const stored = connection
          .statement(
            'SELECT seq, leaf, tx_id AS txId, tx_time AS txTime FROM blocks WHERE seq > ? ORDER BY seq LIMIT ?',
          )
          .all(after, limit) as unknown as BlockRow[];
        const pending = connection.pending.blocks.filter((block) => block.seq > after);
        return [...stored, ...pending].slice(0, limit);
      }),

    counts: (): { revisions: number; blocks: number; leaves: number } =>
      connection.run('cannot count rows', () => {
        const count = (table: string) =>
          (connection.statement(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
        return {
          revisions: count('revisions') + connection.pending.revisionCount,
          blocks: count('blocks') + connection.pending.blocks.length,
          leaves: count('leaves'),
        };
      }),

    meta: (name: string): string | undefined =>
      connection.run('cannot read ledger settings', () => {
        const row = connection.statement('SELECT value FROM ledger_meta WHERE key = ?').get(name) as
          | { value: string }
          | undefined;
        return row?.value;
      }),

    revisionRow: (table: string, id: string, version: number): RevisionRow | undefined =>
      connection.run('cannot read a revision row', () => {
        const pending = connection.pending.revisions
          .get(documentKey(table, id))
          ?.find((row) => row.version === version);
        if (pending) return { ...pending };
        const row = connection
          .statement(
            'SELECT tbl AS "table", id, version, leaf, seq, deleted FROM revisions WHERE tbl = ? AND id = ? AND version = ?',
          )
          .get(table, id, version) as (Omit<RevisionRow, 'deleted'> & { deleted: number }) | undefined;
        return row && { ...row, deleted: row.deleted === 1 };
      }),
  };
}
