import { appendFile, readFile } from 'node:fs/promises';
import type { JsonObject, Ledger, Receipt } from '@ledgerkit/core';
import type { GovernanceEvent } from './governance-state.js';

/** One recorded governance state change: the document written to the ledger and its receipt. */
export interface AuditEntry {
  /** The document as written (`network`, `index`, `at`, `type` and the event's fields). */
  document: JsonObject;
  /** The ledger's receipt of the write, for `ledgerkit verify` (with the ledger's evidence). */
  receipt: Receipt;
}

/**
 * Writes each governance event as one document to a ledger (`insert [table, document]`, the
 * call that the ledger of ledgerdb's `asLedger(database)` takes) and keeps the receipts in a
 * local JSON-lines file, so the governance history can be proven from the ledger.
 */
export class AuditTrail {
  readonly #ledger: Ledger;
  readonly #table: string;
  readonly #file: string;
  readonly #network: string;
  #count: number;

  private constructor(ledger: Ledger, table: string, file: string, network: string, count: number) {
    this.#ledger = ledger;
    this.#table = table;
    this.#file = file;
    this.#network = network;
    this.#count = count;
  }

  /**
   * Opens the trail, counting the entries recorded so far.
   *
   * @param ledger - the ledger the documents go to
   * @param table - the table (ledgerdb) the documents go to; it must exist
   * @param file - the local file of entries
   * @param network - the network's name in every document (its channel)
   * @returns the trail
   */
  static async open(ledger: Ledger, table: string, file: string, network: string): Promise<AuditTrail> {
    return new AuditTrail(ledger, table, file, network, (await readEntries(file)).length);
  }

  /**
   * Records events in order, one ledger write each.
   *
   * @param events - the events of one state change
   * @param at - when they happened
   * @returns the entries written
   * @throws LedgerError from the ledger (e.g. NOT_FOUND when the table does not exist)
   */
  async record(events: readonly GovernanceEvent[], at: Date): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    for (const event of events) {
      const document = {
        network: this.#network,
        index: this.#count,
        at: at.toISOString(),
        ...(structuredClone(event) as unknown as JsonObject),
      } as JsonObject;
      const receipt = await this.#ledger.submit({ method: 'insert', args: [this.#table, document] });
      const entry = { document, receipt };
      await appendFile(this.#file, `${JSON.stringify(entry)}\n`);
      this.#count++;
      entries.push(entry);
    }
    return entries;
  }

  /**
   * Every entry recorded so far, oldest first.
   *
   * @returns the entries
   */
  entries(): Promise<AuditEntry[]> {
    return readEntries(this.#file);
  }
}

async function readEntries(file: string): Promise<AuditEntry[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditEntry);
}
