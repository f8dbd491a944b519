import { InvalidArgumentError, type JsonValue } from '@ledgerkit/core';
import type * as ion from 'ion-js';
import { canonicalize } from './internal/canonical-json.js';
import { ionJs } from './internal/ion-module.js';
import type { JournalExportRecord } from './journal-export-verifier.js';

/** The text formats of a journal export. */
export type JournalExportFormat = 'jsonl' | 'ion';

/**
 * Writes a journal export as text: one JSON object per line (`jsonl`), or one Ion struct
 * per line (`ion`, Ion text as QLDB exported journals).
 *
 * @param records - from `ledger.exportJournal()`
 * @param format - `jsonl` or `ion`
 * @returns the text, ending with a newline
 * @throws InvalidArgumentError for another format
 */
export function formatJournalExport(records: readonly JournalExportRecord[], format: JournalExportFormat): string {
  if (format === 'jsonl') return records.map((record) => `${canonicalize(record)}\n`).join('');
  if (format === 'ion') return records.map((record) => `${ionJs().dumpText(record)}\n`).join('');
  throw new InvalidArgumentError('format', `export format must be jsonl or ion, got ${JSON.stringify(format)}`);
}

/**
 * Reads a journal export written by {@link formatJournalExport}, JSON Lines or Ion text
 * (told apart by the first character: `{` starts JSON), into records for `verifyJournalExport`.
 *
 * @param text - the export
 * @returns its records, as plain JSON values
 * @throws InvalidArgumentError naming the line (JSON) or the Ion error when it does not parse
 */
export function readJournalExport(text: string): JournalExportRecord[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{"')) {
    return text
      .split('\n')
      .map((line, i) => [line, i + 1] as const)
      .filter(([line]) => line.trim() !== '')
      .map(([line, number]) => {
        try {
          return JSON.parse(line) as JournalExportRecord;
        } catch (error) {
          throw new InvalidArgumentError('export', `line ${number} of the export is not JSON`, { line: number }, error);
        }
      });
  }
  let values: ion.dom.Value[];
  try {
    values = ionJs().loadAll(text);
  } catch (error) {
    throw new InvalidArgumentError(
      'export',
      `the export is neither JSON Lines nor Ion text: ${String((error as Error)?.message ?? error)}`,
      {},
      error,
    );
  }
  // Ion values to plain JSON (numbers, strings, structs, lists): the leaves are re-hashed as JSON.
  return values.map((value) => JSON.parse(JSON.stringify(value as unknown as JsonValue)) as JournalExportRecord);
}
