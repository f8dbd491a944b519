// How the server logs: JSON lines through Fastify's logger (pino), one line per answered
// request, and nothing secret in any of them.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLedgerError } from '@ledgerkit/core';
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

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

/** When a {@link LineBuffer} writes what it gathered. */
export interface LineBufferOptions {
  /** Longest a line waits, in milliseconds (default 100). */
  maxDelayMs?: number;
  /** Bytes gathered that make it write at once (default 65,536; a longer line is written alone). */
  maxBytes?: number;
}

/**
 * A log destination that gathers lines and hands them to `target` in one write: when the
 * first of them has waited `maxDelayMs`, when `maxBytes` are gathered, or at once for a
 * line at pino's error or fatal level (with every line before it). Writing each line, or
 * each event-loop turn's lines, was most of the cost of logging: a write to a pipe is a
 * system call that also wakes its reader, and under load a turn holds one or two lines.
 * Each line is copied into a byte buffer as it comes, so the strings die young: kept as
 * strings until the write, a busy server's lines outlived the garbage collector's young
 * generation and were copied and promoted, which cost more than formatting them.
 * Written here rather than taking pino's asynchronous destination (sonic-boom) because that
 * would make `pino` another dependency; it is this one buffer. Call `flush()` before the
 * process exits (what is gathered is otherwise lost; on SIGKILL it is).
 */
export class LineBuffer {
  readonly #target: { write(chunk: Uint8Array): unknown };
  readonly #maxDelayMs: number;
  readonly #maxBytes: number;
  #buffer: Buffer;
  #used = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(target: { write(chunk: Uint8Array): unknown }, options: LineBufferOptions = {}) {
    this.#target = target;
    this.#maxDelayMs = options.maxDelayMs ?? 100;
    this.#maxBytes = options.maxBytes ?? 65_536;
    this.#buffer = Buffer.allocUnsafe(this.#maxBytes);
  }

  /** Queues a line; it is written within `maxDelayMs`, or now when it is an error. */
  write(line: string): void {
    const length = Buffer.byteLength(line);
    if (this.#used + length > this.#maxBytes) this.flush();
    if (length > this.#maxBytes) {
      this.#target.write(Buffer.from(line));
      return;
    }
    this.#used += this.#buffer.write(line, this.#used);
    // pino's lines begin with their level: {"level":50 is error, {"level":60 fatal.
    if (this.#used === this.#maxBytes || line.startsWith('{"level":50') || line.startsWith('{"level":60')) {
      this.flush();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(this.flush, this.#maxDelayMs);
      // A pending write never keeps the process alive; exit handlers flush.
      this.#timer.unref();
    }
  }

  /** Writes every queued line now. */
  readonly flush = (): void => {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#used === 0) return;
    // The target may keep the bytes (an asynchronous stream): they are its, and a new buffer is ours.
    const chunk = this.#buffer.subarray(0, this.#used);
    this.#buffer = Buffer.allocUnsafe(this.#maxBytes);
    this.#used = 0;
    this.#target.write(chunk);
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

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildLoggerOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>;
type LogMethod = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * A request's logger (`request.log`) that makes pino's child logger, with the request id
 * bound, only when something logs through it. Fastify makes one child per request; most
 * requests never log through it (their one line is written by {@link logRequest} through
 * the server's logger), so this saves a pino child (an object and its serialized bindings)
 * per request.
 */
class LazyRequestLogger implements FastifyBaseLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #logger: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  get level(): string {
    return this.#logger?.level ?? this.#options.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.#real().level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#real().child(bindings, options);
  }

  fatal(...args: unknown[]): void {
    this.#call('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#call('error', args);
  }
  warn(...args: unknown[]): void {
    this.#call('warn', args);
  }
  info(...args: unknown[]): void {
    this.#call('info', args);
  }
  debug(...args: unknown[]): void {
    this.#call('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#call('trace', args);
  }
  silent(...args: unknown[]): void {
    this.#call('silent', args);
  }

  #real(): FastifyBaseLogger {
    this.#logger ??= this.#parent.child(this.#bindings, this.#options);
    return this.#logger;
  }

  #call(method: LogMethod, args: unknown[]): void {
    const logger = this.#real();
    (logger[method] as (...values: unknown[]) => void).apply(logger, args);
  }
}

/** Fastify's `childLoggerFactory` making a {@link LazyRequestLogger} per request. */
export const lazyChildLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  options,
) => new LazyRequestLogger(logger, bindings, options);

/** What a request's log line says about it besides method, URL, route and status. */
export interface LoggedRequest {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  /** The authenticated token, once there is one. */
  readonly principal?: { readonly name: string } | undefined;
  /** Why it failed, for an error answer. */
  readonly failure?: { readonly code: string; readonly message: string; readonly error: unknown } | undefined;
}

/**
 * Writes the one log line of an answered request through the server's logger, with its
 * `requestId` first (where a child logger's binding would be): error level with the error
 * for a 5xx, warn for a refused token or right (401, 403; the token itself is never
 * logged), info otherwise.
 *
 * @param log - the server's logger (`app.log`)
 * @param request - the answered request
 * @param status - its status code
 * @param route - the route's template (`unmatched` for none)
 * @param elapsedMs - milliseconds from receiving it to sending its answer
 */
export function logRequest(
  log: FastifyBaseLogger,
  request: LoggedRequest,
  status: number,
  route: string,
  elapsedMs: number,
): void {
  const url = request.url;
  // One object per line, its fields in a fixed order (one hidden class for pino to walk).
  const fields: {
    requestId: string;
    method: string;
    url: string;
    route: string;
    status: number;
    ms: number;
    principal: string | undefined;
    code: string | undefined;
    reason: string | undefined;
    err: unknown;
  } = {
    requestId: request.id,
    method: request.method,
    // Tokens travel in headers, never in URLs; a caller who put one there anyway is masked.
    url: url.includes('ldb_') || url.includes('@') ? scrubSecrets(url) : url,
    route,
    status,
    ms: Math.round(elapsedMs * 100) / 100,
    // pino leaves out fields that are undefined.
    principal: request.principal?.name,
    code: undefined,
    reason: undefined,
    err: undefined,
  };
  const failure = request.failure;
  if (failure) {
    fields.code = failure.code;
    fields.reason = failure.message;
  }
  if (status >= 500) {
    fields.err = failure?.error;
    log.error(fields, 'request failed');
  } else if (status === 401 || status === 403) log.warn(fields, 'request refused');
  else if (status >= 400) log.info(fields, 'request failed');
  else log.info(fields, 'request completed');
}
