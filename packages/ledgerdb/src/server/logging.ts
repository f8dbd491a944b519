// How the server logs: JSON lines through Fastify's logger (pino), one line per answered
// request, and nothing secret in any of them.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLedgerError } from '@ledgerkit/core';

/** Log levels, most to least severe; `silent` logs nothing. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** One of {@link logLevels}. */
export type LogLevel = (typeof logLevels)[number];

/** Structured logs of the server. */
export interface ServerLogOptions {
  /** Least severe level written (default `info`: one line per request). */
  level?: LogLevel;
  /** Where the JSON lines go (default: stdout); anything with `write(line)`. */
  stream?: { write(line: string): unknown };
}

/** Request ids taken from a caller's `x-request-id`: printable, no spaces, so a log line cannot be forged with one. */
const requestIdPattern = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/**
 * The id of a request: the caller's `x-request-id` when it is a plain token of at most 128
 * characters (a proxy's or the client's id, so their logs and ours join), else a new UUID.
 */
export function requestIdOf(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && requestIdPattern.test(header) ? header : randomUUID();
}

/**
 * Masks what must never reach a log: the password in a `scheme://user:password@host` URL
 * and ledgerdb API tokens (`ldb_…`). Applied to every message, stack and URL logged, in
 * case one carries them (a driver's error quoting its connection string).
 */
export function scrubSecrets(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]*@/gi, '$1[redacted]@')
    .replace(/\bldb_[A-Za-z0-9_-]+/g, 'ldb_[redacted]');
}

/**
 * A log destination that gathers the lines written during one turn of the event loop and
 * hands them to `target` in one write, instead of one write (one system call for a file or
 * pipe) per line. Under load many requests end in the same turn, so this is most of the
 * cost of logging a line. Written here rather than taking pino's asynchronous destination
 * because that would make `pino` another dependency; it is this one buffer. Call `flush()`
 * before the process exits (the lines of the current turn are otherwise lost).
 */
export class LineBuffer {
  readonly #target: { write(text: string): unknown };
  #lines: string[] = [];
  #scheduled = false;

  constructor(target: { write(text: string): unknown }) {
    this.#target = target;
  }

  /** Queues a line; it is written at the end of this turn of the event loop. */
  write(line: string): void {
    this.#lines.push(line);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Writes every queued line now. */
  readonly flush = (): void => {
    this.#scheduled = false;
    if (this.#lines.length === 0) return;
    const text = this.#lines.length === 1 ? (this.#lines[0] as string) : this.#lines.join('');
    this.#lines = [];
    this.#target.write(text);
  };
}

/** An error as a log field: type, code, message and stack, with its causes, secrets masked. */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: scrubSecrets(String(error)) };
  const fields: Record<string, unknown> = { type: error.name, message: scrubSecrets(error.message) };
  const code = (error as { code?: unknown }).code;
  if (isLedgerError(error) || typeof code === 'string') fields.code = code;
  if (error.stack) fields.stack = scrubSecrets(error.stack);
  if (error.cause !== undefined && depth < 4) fields.cause = serializeError(error.cause, depth + 1);
  return fields;
}

/**
 * Fastify `logger` options for {@link ServerLogOptions}: pino with the header, token and
 * password paths redacted (the server logs no headers, so this guards what a future log
 * call might add) and errors serialized with {@link serializeError}.
 */
export function fastifyLoggerOptions(options: ServerLogOptions): Record<string, unknown> {
  return {
    level: options.level ?? 'info',
    ...(options.stream ? { stream: options.stream } : {}),
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'authorization',
        'token',
        'password',
        'connectionString',
      ],
      censor: '[redacted]',
    },
    serializers: { err: serializeError },
  };
}
