import { pushIndexChanges } from '../../engine/journal-encoder.js';
import { isDeleteRevision, storedRevisionBody } from '../../internal/revision-format.js';
import type { BlockBody, RevisionBody } from '../../types.js';
import type { IndexChange, JournalHead, RevisionRow } from '../driver.js';
import type { SqliteConnection } from './connection.js';
import { documentKey, PendingIndexes } from './pending-indexes.js';
import type { SqliteReader } from './reader.js';
import { setMeta, writeIndexRows } from './writer.js';

/**
 * Rebuilds the derived rows of leaves committed after the last index write (a crash
 * between the two). Everything is recomputed from the leaf bodies.
 */
export function recover(connection: SqliteConnection, reader: SqliteReader): void {
  const indexed = Number(reader.meta('indexed_leaves') ?? '0');
  const leaves = reader.leaves(indexed, Number.MAX_SAFE_INTEGER);
  if (leaves.length === 0) return;
  const schema = new Map(reader.schema().map((table) => [table.name, table.indexes]));
  const derived = new PendingIndexes();
  let seq = -1;
  let revisions: { row: RevisionRow; body: RevisionBody }[] = [];
  for (const leaf of leaves) {
    const parsed = JSON.parse(leaf.body) as RevisionBody | BlockBody;
    const body = 'blockAddress' in parsed ? storedRevisionBody(leaf.body, leaf.data) : parsed;
    if ('blockAddress' in body) {
      const { table, id, version } = body.metadata;
      seq = body.blockAddress.seq;
      revisions.push({
        row: { table, id, version, leaf: leaf.leaf, seq, deleted: isDeleteRevision(body) },
        body,
      });
      continue;
    }
    const index: IndexChange[] = [];
    for (const { row, body: revision } of revisions) {
      const previous = row.version === 0 ? undefined : previousData(connection, reader, derived, row);
      pushIndexChanges(index, row.table, row.id, schema.get(row.table) ?? [], previous, revision.data);
    }
    derived.add({
      revisions: revisions.map(({ row }) => row),
      blocks: [{ seq: body.seq, leaf: leaf.leaf, txId: body.txId, txTime: body.txTime }],
      index,
    });
    revisions = [];
  }
  // Revisions after the last block cannot come from a commit (leaves commit atomically
  // with their block); they stay unindexed for audit() to report.
  const db = connection.database();
  db.exec('BEGIN IMMEDIATE');
  try {
    writeIndexRows(connection, derived);
    const lastBlock = derived.blocks[derived.blocks.length - 1];
    if (lastBlock) setMeta(connection, 'indexed_leaves', String(lastBlock.leaf + 1));
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

function previousData(
  connection: SqliteConnection,
  reader: SqliteReader,
  derived: PendingIndexes,
  row: RevisionRow,
): RevisionBody['data'] {
  const earlier = derived.revisions
    .get(documentKey(row.table, row.id))
    ?.find((candidate) => candidate.version === row.version - 1);
  const stored = earlier ? connection.storedFromRow(earlier) : reader.revision(row.table, row.id, row.version - 1);
  // A redacted earlier revision has no data: its index entries cannot be removed here, and a
  // stale entry is harmless (every lookup re-checks the document's current data).
  return stored && !stored.deleted ? storedRevisionBody(stored.body, stored.data).data : undefined;
}

/** The journal head as the file holds it. */
export function readHead(connection: SqliteConnection): JournalHead {
  return connection.run('cannot read the journal head', () => {
    const leaves = connection.statement('SELECT max(leaf) AS leaf FROM leaves').get() as { leaf: number | null };
    const block = connection.statement('SELECT seq, leaf FROM blocks ORDER BY seq DESC LIMIT 1').get() as
      | { seq: number; leaf: number }
      | undefined;
    const ddl = connection.statement("SELECT value FROM ledger_meta WHERE key = 'ddl_version'").get() as {
      value: string;
    };
    return {
      treeSize: leaves.leaf === null ? 0 : leaves.leaf + 1,
      lastSeq: block?.seq ?? -1,
      lastBlockLeaf: block?.leaf ?? -1,
      schemaVersion: Number(ddl.value),
    };
  });
}
