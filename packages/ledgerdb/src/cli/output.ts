// How commands print: one JSON document (or JSON lines) under --json, aligned human text
// otherwise, and progress on stderr only.
import type { CliIo } from './io.js';

export type { CliIo, CliOutput } from './io.js';

/** Process exit codes of the `ledgerdb` command; documented in its --help. */
export const exitCodes = {
  ok: 0,
  /** Something failed that is not the caller's input (storage, an unexpected error). */
  failure: 1,
  /**
   * Unknown command or option, missing or malformed argument, or a library error with
   * code INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS or LIMIT_EXCEEDED.
   */
  badInput: 2,
  /** verify-proof or audit found something that does not verify. */
  verificationFailed: 3,
} as const;

/**
 * Writes one JSON document, indented, followed by a newline.
 *
 * @param io - where to write
 * @param value - what to write
 */
export function printJson(io: Pick<CliIo, 'stdout'>, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Writes one JSON Lines record: compact JSON followed by a newline.
 *
 * @param io - where to write
 * @param value - what to write
 */
export function printJsonLine(io: Pick<CliIo, 'stdout'>, value: unknown): void {
  io.stdout(`${JSON.stringify(value)}\n`);
}

/** One value as a human reads it in a table cell or after a label: no quotes, no JSON for scalars. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '-';
  if (value === null) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object' || item === null)) {
    return value.length === 0 ? '(none)' : value.map(formatValue).join(', ');
  }
  return JSON.stringify(value);
}

/**
 * Writes labelled values, one per line, the values aligned: `label   value`.
 *
 * @param io - where to write
 * @param fields - label and value pairs, in order; undefined values are left out
 */
export function printFields(io: Pick<CliIo, 'stdout'>, fields: ReadonlyArray<readonly [string, unknown]>): void {
  const shown = fields.filter(([, value]) => value !== undefined);
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  io.stdout(shown.map(([label, value]) => `${label.padEnd(width)}  ${formatValue(value)}\n`).join(''));
}

/**
 * Writes a table: a header row of the column names, then one aligned row per record.
 *
 * @param io - where to write
 * @param columns - the column names
 * @param rows - the cells of each row, in column order
 */
export function printTable(
  io: Pick<CliIo, 'stdout'>,
  columns: readonly string[],
  rows: ReadonlyArray<readonly unknown[]>,
): void {
  const cells = [columns.map(String), ...rows.map((row) => columns.map((_, index) => formatValue(row[index])))];
  const widths = columns.map((_, index) => Math.max(...cells.map((row) => row[index]?.length ?? 0)));
  io.stdout(
    cells
      .map((row) => row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))))
      .map((row) => `${row.join('  ')}\n`)
      .join(''),
  );
}

/** Reports what a long command is doing; see {@link createProgress}. */
export interface Progress {
  /**
   * Says what is happening now.
   *
   * @param message - e.g. `auditing 1200 blocks`
   * @param fields - machine-readable details for the JSON line
   */
  step(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/**
 * Progress on stderr, never stdout: under `--json` one JSON line per step
 * (`{"progress":"...",...fields}`), otherwise a plain line when stderr is a terminal and
 * nothing when it is not (a log file or a pipe gets only results and errors).
 *
 * @param io - where to write, and whether stderr is a terminal
 * @param json - whether the command runs with `--json`
 * @returns the reporter
 */
export function createProgress(io: CliIo, json: boolean): Progress {
  return {
    step(message, fields = {}) {
      if (json) io.stderr(`${JSON.stringify({ progress: message, ...fields })}\n`);
      else if (io.stderrIsTty === true) io.stderr(`${message}...\n`);
    },
  };
}
