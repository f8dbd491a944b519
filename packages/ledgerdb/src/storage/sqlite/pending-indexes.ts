import type { AppendBatch, BlockRow, IndexChange, RevisionRow } from '../driver.js';

/** The key of a document in maps of pending rows. */
export const documentKey = (table: string, id: string) => `${table}\u0000${id}`;
/** The key of an index value in maps of pending index entries. */
export const indexKey = (table: string, path: string, valueKey: string) => `${table}\u0000${path}\u0000${valueKey}`;

/** Derived rows committed to the journal but not yet written to their index tables. */
export class PendingIndexes {
  /** Every pending revision row, in journal order. */
  readonly rows: RevisionRow[] = [];
  readonly blocks: BlockRow[] = [];
  /** Index changes per (table, path, value), in order: id -> present. */
  readonly entries = new Map<string, Map<string, boolean>>();
  readonly changes: IndexChange[] = [];
  readonly #byDocument = new Map<string, RevisionRow[]>();
  /** How many of `rows` are in `#byDocument`: it is built only when a read needs it. */
  #indexed = 0;

  get size(): number {
    return this.rows.length + this.blocks.length + this.changes.length;
  }

  get revisionCount(): number {
    return this.rows.length;
  }

  /** Revision rows per document, in version order. */
  get revisions(): ReadonlyMap<string, readonly RevisionRow[]> {
    for (; this.#indexed < this.rows.length; this.#indexed++) {
      const row = this.rows[this.#indexed] as RevisionRow;
      const rowKey = documentKey(row.table, row.id);
      const rows = this.#byDocument.get(rowKey);
      if (rows) rows.push(row);
      else this.#byDocument.set(rowKey, [row]);
    }
    return this.#byDocument;
  }

  add(batch: Pick<AppendBatch, 'revisions' | 'blocks' | 'index'>): void {
    for (const row of batch.revisions) this.rows.push(row);
    for (const block of batch.blocks) this.blocks.push(block);
    for (const change of batch.index) {
      const entryKey = indexKey(change.table, change.path, change.valueKey);
      let ids = this.entries.get(entryKey);
      if (!ids) {
        ids = new Map();
        this.entries.set(entryKey, ids);
      }
      ids.set(change.id, change.add);
      this.changes.push(change);
    }
  }

  latest(table: string, id: string): RevisionRow | undefined {
    if (this.rows.length === 0) return undefined;
    const rows = this.revisions.get(documentKey(table, id));
    return rows?.[rows.length - 1];
  }

  clear(): void {
    this.rows.length = 0;
    this.#byDocument.clear();
    this.#indexed = 0;
    this.blocks.length = 0;
    this.entries.clear();
    this.changes.length = 0;
  }
}
