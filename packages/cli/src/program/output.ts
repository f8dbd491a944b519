// How commands print: one JSON document (or JSON lines) under --json, aligned human text
// otherwise, and progress on stderr only.
import type { CliOutput } from './conventions.js';

/**
 * Writes one JSON document, indented, followed by a newline.
 *
 * @param io - where to write
 * @param value - what to write (bigints as decimal strings)
 */
export function printJson(io: Pick<CliOutput, 'stdout'>, value: unknown): void {
  io.stdout(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
}

/** JSON has no bigints: they become decimal strings. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * One value as a human reads it after a label or in a table cell: no quotes, no JSON for scalars.
 *
 * @param value - any value
 * @returns its text
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return '-';
  if (value === null) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object' || item === null)) {
    return value.length === 0 ? '(none)' : value.map(formatValue).join(', ');
  }
  return JSON.stringify(value, jsonReplacer);
}

/**
 * Writes labelled values, one per line, the values aligned.
 *
 * @param io - where to write
 * @param fields - label and value pairs, in order; undefined values are left out
 * @param indent - spaces before each line
 */
export function printFields(
  io: Pick<CliOutput, 'stdout'>,
  fields: ReadonlyArray<readonly [string, unknown]>,
  indent = '',
): void {
  const shown = fields.filter(([, value]) => value !== undefined);
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  io.stdout(shown.map(([label, value]) => `${indent}${label.padEnd(width)}  ${formatValue(value)}\n`).join(''));
}

/**
 * Renders a table: a header row of the column names, then one aligned row per record.
 *
 * @param columns - the column names
 * @param rows - the cells of each row, in column order
 * @returns the text, one line per row
 */
export function renderTable(columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  const cells = [columns.map(String), ...rows.map((row) => columns.map((_, index) => formatValue(row[index])))];
  const widths = columns.map((_, index) => Math.max(...cells.map((row) => row[index]?.length ?? 0)));
  return cells
    .map((row) => row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))))
    .map((row) => `${row.join('  ').trimEnd()}\n`)
    .join('');
}

/** Reports what a long command is doing; see {@link createProgress}. */
export interface Progress {
  /** A step starts: a spinner with its elapsed time in a terminal, one line otherwise. */
  start(step: string, fields?: Readonly<Record<string, unknown>>): void;
  /** The current step ended. */
  end(step: string, ok: boolean, ms: number): void;
  /** A line of information within the current step (e.g. a build phase). */
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  /**
   * A fine-grained progress line (a package compiled): the spinner's text in a terminal, a
   * JSON line under --json, nothing otherwise (a CI log gets the info lines only).
   */
  detail(message: string): void;
  /** Stops the spinner; returns the seconds since the reporter was created, e.g. `12.3s`. */
  finish(): string;
}

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/**
 * Progress on stderr, never stdout: under `--json` one JSON line per event
 * (`{"progress":"...",...fields}`); otherwise a spinner with the elapsed time when stderr
 * is a terminal. When it is not (a CI log, a pipe), only the information lines of long
 * steps (what a first build does, how long it usually takes, how long it has run), so that
 * a failure stays one line.
 *
 * @param io - where to write, and whether stderr is a terminal
 * @param json - whether the command runs with `--json`
 * @returns the reporter
 */
export function createProgress(io: Pick<CliOutput, 'stderr' | 'stderrIsTTY'>, json: boolean): Progress {
  const started = performance.now();
  const tty = !json && io.stderrIsTTY === true;
  let current: { step: string; at: number; detail?: string } | undefined;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    if (!current) return;
    frame = (frame + 1) % frames.length;
    const detail = current.detail ? `  ${current.detail.slice(0, 60)}` : '';
    io.stderr(`\r\x1b[2K${frames[frame]} ${current.step} ${seconds(performance.now() - current.at)}${detail}`);
  };
  const stopSpinner = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  return {
    start(step, fields = {}) {
      stopSpinner();
      current = { step, at: performance.now() };
      if (json) io.stderr(`${JSON.stringify({ progress: step, event: 'start', ...fields })}\n`);
      else if (tty) {
        draw();
        timer = setInterval(draw, 80);
        timer.unref();
      }
    },
    end(step, ok, ms) {
      stopSpinner();
      current = undefined;
      if (json) io.stderr(`${JSON.stringify({ progress: step, event: 'end', ok, ms: Math.round(ms) })}\n`);
      else if (tty) io.stderr(`\r\x1b[2K${ok ? '✓' : '✗'} ${step} (${seconds(ms)})\n`);
    },
    info(message, fields = {}) {
      if (json) io.stderr(`${JSON.stringify({ progress: message, event: 'info', ...fields })}\n`);
      else io.stderr(`${tty && current ? '\r\x1b[2K' : ''}  ${message}\n`);
    },
    detail(message) {
      if (json) io.stderr(`${JSON.stringify({ progress: message, event: 'detail' })}\n`);
      else if (tty && current) current.detail = message;
    },
    finish() {
      stopSpinner();
      if (tty && current) io.stderr('\r\x1b[2K');
      return seconds(performance.now() - started);
    },
  };
}
