import { ledgerdbError } from '../errors.js';
import type { JournalHead, StorageDriver, StorageReader } from '../storage/driver.js';
import { isCurrent, type JournalState, loadJournalState } from './journal-encoder.js';

/** A journal's tree size and last block, as one comparable value. */
const position = (treeSize: number, lastSeq: number): string => `${treeSize}:${lastSeq}`;

/**
 * What a ledger keeps in memory between calls: its tables with their indexed paths, and the
 * journal's right edge. Both are reloaded from storage when its head shows another writer.
 */
export class LedgerState {
  /** The journal state after the last commit seen; undefined until loaded or after a failed commit. */
  journal: JournalState | undefined;
  readonly #storage: StorageDriver;
  #schema = new Map<string, string[]>();
  #schemaVersion = -1;

  constructor(storage: StorageDriver) {
    this.#storage = storage;
  }

  /** The storage schema version the cached tables match (-1 before the first load). */
  get schemaVersion(): number {
    return this.#schemaVersion;
  }

  /** A table's indexed paths; undefined for an unknown table. */
  indexesOf(table: string): string[] | undefined {
    return this.#schema.get(table);
  }

  /**
   * A table's indexed paths.
   *
   * @throws `NOT_FOUND` for an unknown table
   */
  indexesOrThrow(table: string): string[] {
    const indexes = this.#schema.get(table);
    if (!indexes) throw ledgerdbError('NOT_FOUND', `table ${table} does not exist`, { table });
    return indexes;
  }

  /** Records a table this ledger just created (storage bumped its schema version by one). */
  tableCreated(name: string): void {
    this.#schema.set(name, []);
    this.#schemaVersion++;
  }

  /** Reloads the tables when `head` shows another schema version. */
  async loadSchema(reader: StorageReader, head: JournalHead): Promise<void> {
    if (head.schemaVersion === this.#schemaVersion) return;
    this.#schema = new Map((await reader.schema()).map((table) => [table.name, table.indexes]));
    this.#schemaVersion = head.schemaVersion;
  }

  /** Reloads tables and journal state from storage. */
  async reload(): Promise<void> {
    const head = await this.#storage.head();
    await this.loadSchema(this.#storage, head);
    this.journal = await loadJournalState(this.#storage, head);
  }

  /**
   * Picks up commits made by other processes sharing the storage. A commit of this process
   * that ends while the head is read or the state loaded keeps its newer state: replacing it
   * with what storage said a moment before would make the next commit load it again, inside
   * its write.
   */
  async sync(): Promise<void> {
    // What the state said before the read (a commit may append to its frontier in place).
    const before = this.#position();
    const head = await this.#storage.head();
    if (this.current(head) !== undefined) return;
    // Storage was as this process left it; the state moved on by its own commit since.
    const now = this.#position();
    if (now !== 'none' && now !== before && before === position(head.treeSize, head.lastSeq)) return;
    const loaded = await loadJournalState(this.#storage, head);
    // A commit of this process that moved the state meanwhile checked the head inside its
    // write: its state stands unless storage has grown past it (another process's commit).
    if (this.#position() === before || loaded.frontier.size > this.#treeSize()) this.journal = loaded;
  }

  /** The journal state's tree size and last block, or `none`. */
  #position(): string {
    const journal = this.journal;
    return journal === undefined ? 'none' : position(journal.frontier.size, journal.lastSeq);
  }

  /** The journal state's tree size, or -1 without one. */
  #treeSize(): number {
    return this.journal?.frontier.size ?? -1;
  }

  /** The journal state held, if it still matches storage's head; else undefined. */
  current(head: JournalHead): JournalState | undefined {
    return isCurrent(this.journal, head) ? this.journal : undefined;
  }
}
