// What the command line reads and writes. The bin passes the process's streams; tests and
// a mounting program (`ledgerkit db`) pass their own.

/** Where a command line writes, and what it may read besides its arguments. */
export interface CliIo {
  /** Results: one JSON document (or JSON lines) under `--json`, human text otherwise. */
  stdout: (text: string) => void;
  /** Errors (one line each) and progress. */
  stderr: (text: string) => void;
  /** All of standard input, for documents given as `-`; absent means there is none. */
  readStdin?: () => Promise<string>;
  /** Standard input as a stream, for the interactive `query` (read line by line). */
  stdin?: NodeJS.ReadableStream;
  /** Whether standard input is a terminal: `query` without a statement starts its REPL then. */
  stdinIsTty?: boolean;
  /** Whether stderr is a terminal: human progress lines are written only then. */
  stderrIsTty?: boolean;
  /** The environment options fall back to (`DATABASE_URL`); default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The former name of {@link CliIo}, kept for `serve.ts` and older callers. */
export type CliOutput = CliIo;

/**
 * The io of a real process: its stdout, stderr and stdin.
 *
 * @returns io writing to `process.stdout`/`process.stderr` and reading `process.stdin`
 */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: () => readStream(process.stdin),
    stdin: process.stdin,
    stdinIsTty: process.stdin.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
    env: process.env,
  };
}

/**
 * Reads a stream to its end as UTF-8 text.
 *
 * @param stream - e.g. `process.stdin`
 * @returns everything it delivered
 */
export async function readStream(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
