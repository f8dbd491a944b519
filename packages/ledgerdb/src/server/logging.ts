// How the server logs: JSON lines through Fastify's logger (pino), one line per answered
// request, and nothing secret in any of them.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { isLedgerError } from '@ledgerkit/core';
import type { FastifyBaseLogger } from 'fastify';

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

/** What either replace in {@link scrubSecrets} needs to find something: a URL's `://` or a token's `ldb_`. */
const holdsSecretShape = /:\/\/|ldb_/;

/**
 * Masks what must never reach a log: the password in a `scheme://user:password@host` URL
 * and ledgerdb API tokens (`ldb_…`). Applied to every message, stack and URL logged, in
 * case one carries them (a driver's error quoting its connection string).
 */
export function scrubSecrets(text: string): string {
  // Most text holds neither (an OCC conflict's message, say): one test instead of two replaces.
  if (!holdsSecretShape.test(text)) return text;
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

/** Where a {@link LineBuffer} writes: a Node stream (whose `writableLength` it reads) or anything with `write`. */
export interface LineTarget {
  write(chunk: Uint8Array): unknown;
  /** Bytes the stream still holds to write (a Node stream's); without it, the target is taken to keep every chunk. */
  readonly writableLength?: number;
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
  readonly #target: LineTarget;
  readonly #maxDelayMs: number;
  readonly #maxBytes: number;
  #buffer: Buffer;
  #used = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Puts lines it holds back into this buffer ({@link RequestLog}'s); run before anything else is written. */
  #pending: (() => void) | undefined;

  constructor(target: LineTarget, options: LineBufferOptions = {}) {
    this.#target = target;
    this.#maxDelayMs = options.maxDelayMs ?? 100;
    this.#maxBytes = options.maxBytes ?? 65_536;
    this.#buffer = Buffer.allocUnsafe(this.#maxBytes);
  }

  /**
   * Sets what puts held-back lines into this buffer ({@link RequestLog} formats request lines
   * at the end of the event loop's turn): it runs before any other line is queued and before
   * every write, so lines keep their order and a flush at exit loses none of them.
   */
  holdsBack(pending: () => void): void {
    this.#pending = pending;
  }

  /** Queues a line; it is written within `maxDelayMs`, or now when it is an error. */
  write(line: string): void {
    this.#pending?.();
    const length = Buffer.byteLength(line);
    if (this.#used + length > this.#maxBytes) this.flush();
    if (length > this.#maxBytes) {
      this.#target.write(Buffer.from(line));
      return;
    }
    this.#used += this.#buffer.write(line, this.#used);
    // pino's lines begin with their level: {"level":50 is error, {"level":60 fatal.
    this.#gathered(line.startsWith('{"level":50') || line.startsWith('{"level":60'));
  }

  /**
   * For a writer that puts a line's bytes in place ({@link RequestLog}): the buffer with room
   * for `bytes` more from {@link LineBuffer.used} (what is gathered is written first when
   * they would not fit), or undefined when `bytes` is more than a whole buffer. Then
   * {@link LineBuffer.gather} says where the line ended.
   */
  room(bytes: number): Buffer | undefined {
    if (bytes > this.#maxBytes) return undefined;
    if (this.#used + bytes > this.#maxBytes) this.flush();
    return this.#buffer;
  }

  /** Where the next line's bytes go in the buffer {@link LineBuffer.room} returned. */
  get used(): number {
    return this.#used;
  }

  /** Takes the bytes put in {@link LineBuffer.room}'s buffer up to `end` as gathered lines (never an error line). */
  gather(end: number): void {
    this.#used = end;
    this.#gathered(false);
  }

  #gathered(urgent: boolean): void {
    if (urgent || this.#used === this.#maxBytes) {
      this.flush();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(this.flush, this.#maxDelayMs);
      // A pending write never keeps the process alive; exit handlers flush.
      this.#timer.unref();
    }
  }

  /** Writes every queued line now. */
  readonly flush = (): void => {
    this.#pending?.();
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#used === 0) return;
    const chunk = this.#buffer.subarray(0, this.#used);
    this.#used = 0;
    const target = this.#target;
    target.write(chunk);
    // A stream that wrote the bytes before returning (a pipe or terminal on stdout or stderr,
    // which Node writes synchronously) holds nothing of them: the buffer, still in the CPU's
    // caches, takes the next lines. Any other target may keep the bytes: they are its, and a
    // new buffer is ours.
    if (target.writableLength !== 0) this.#buffer = Buffer.allocUnsafe(this.#maxBytes);
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

/** pino's factory: `pino(options, stream)`. */
type PinoFactory = (options: Record<string, unknown>, stream?: { write(line: string): unknown }) => FastifyBaseLogger;

/**
 * The pino that Fastify itself depends on, from where `fastify` is installed: the logger
 * Fastify would make, so the server needs no package besides Fastify for its logs.
 */
function fastifysPino(): PinoFactory {
  const fastifyEntry = createRequire(import.meta.url).resolve('fastify');
  return createRequire(fastifyEntry)('pino') as PinoFactory;
}

/**
 * The server's logger for {@link ServerLogOptions}: pino with the header, token and
 * password paths redacted (the server logs no headers, so this guards what a future log
 * call might add) and errors serialized with {@link serializeError}. The server makes it
 * rather than Fastify (which is given `logger: false`): with a logger of its own, Fastify
 * listens for every response's `finish` and `error` events, and that cost more per request
 * than the request's log line (see docs/operations.md).
 */
export function createServerLogger(options: ServerLogOptions): FastifyBaseLogger {
  return fastifysPino()(
    {
      level: options.level ?? 'info',
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
    },
    options.stream,
  );
}

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

/** What a request's line says, in a fixed order (one hidden class for pino to walk). */
interface RequestLineFields {
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
}

function requestLineFields(
  request: LoggedRequest,
  status: number,
  route: string,
  elapsedMs: number,
): RequestLineFields {
  const url = request.url;
  const failure = request.failure;
  return {
    requestId: request.id,
    method: request.method,
    // Tokens travel in headers, never in URLs; a caller who put one there anyway is masked.
    url: scrubSecrets(url),
    route,
    status,
    ms: Math.round(elapsedMs * 100) / 100,
    // Fields that are undefined are left out of the line.
    principal: request.principal?.name,
    code: failure?.code,
    // An error message could quote a connection string.
    reason: failure === undefined ? undefined : scrubSecrets(failure.message),
    err: undefined,
  };
}

/** The level and message of a request's line by its status; 5xx is `error`. */
function requestLineLevel(status: number): RequestLineLevel {
  if (status >= 500) return serverFailure;
  if (status === 401 || status === 403) return refused;
  return status >= 400 ? clientFailure : completed;
}

interface RequestLineLevel {
  readonly level: 'error' | 'warn' | 'info';
  readonly msg: string;
}
// One object each, not one per request.
const serverFailure: RequestLineLevel = { level: 'error', msg: 'request failed' };
const refused: RequestLineLevel = { level: 'warn', msg: 'request refused' };
const clientFailure: RequestLineLevel = { level: 'info', msg: 'request failed' };
const completed: RequestLineLevel = { level: 'info', msg: 'request completed' };

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
  const fields = requestLineFields(request, status, route, elapsedMs);
  const { level, msg } = requestLineLevel(status);
  if (level === 'error') fields.err = request.failure?.error;
  log[level](fields, msg);
}

/** The parts of a pino logger {@link RequestLog} reads (Fastify's `app.log` is one). */
interface PinoLike {
  isLevelEnabled(level: string): boolean;
  bindings(): Record<string, unknown>;
}

function isPinoLike(log: unknown): log is PinoLike {
  const candidate = log as Partial<PinoLike>;
  return typeof candidate.isLevelEnabled === 'function' && typeof candidate.bindings === 'function';
}

// The fixed parts of a request line, between its values, as bytes that one set() copies.
// Nothing here calls String.prototype methods per character: in a process where any class
// extends String (ion-js, which PartiQL loads, has several), V8 stops inlining them and a
// charCodeAt loop over a line took three times as long as the whole line does now.
const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
const reasonPrefix = latin1(',"reason":');

/** Puts `bytes` at `at`; returns where they end. */
function putBytes(buffer: Buffer, at: number, bytes: Uint8Array): number {
  buffer.set(bytes, at);
  return at + bytes.length;
}

/**
 * The bytes of `prefix`, a value as a JSON string and `suffix`, kept per value for the fields
 * that take few values (methods, route templates, token names, messages): one copy per
 * line instead of a check and an encoding. Past `limit` values, each is encoded afresh.
 */
class FieldBytes {
  readonly #prefix: string;
  readonly #suffix: string;
  readonly #limit: number;
  readonly #known = new Map<string, Buffer>();

  constructor(prefix: string, suffix: string, limit = 256) {
    this.#prefix = prefix;
    this.#suffix = suffix;
    this.#limit = limit;
  }

  of(value: string): Buffer {
    let bytes = this.#known.get(value);
    if (bytes === undefined) {
      bytes = Buffer.from(`${this.#prefix}${JSON.stringify(value)}${this.#suffix}`);
      if (this.#known.size < this.#limit) this.#known.set(value, bytes);
    }
    return bytes;
  }
}

/**
 * The bytes `make` gives for a pair of values, kept per pair for the runs of a line between
 * two variable parts that take few values (a route template and a status; a token name and
 * a message): one copy per line instead of several. Past `limit` pairs, each is made afresh.
 */
class PairBytes<T extends string | number> {
  readonly #make: (first: string, second: T) => string;
  readonly #limit: number;
  readonly #known = new Map<string, Map<T, Buffer>>();
  #size = 0;

  constructor(make: (first: string, second: T) => string, limit = 1024) {
    this.#make = make;
    this.#limit = limit;
  }

  of(first: string, second: T): Buffer {
    let known = this.#known.get(first);
    let bytes = known?.get(second);
    if (bytes === undefined) {
      bytes = Buffer.from(this.#make(first, second));
      if (this.#size < this.#limit) {
        if (known === undefined) {
          known = new Map();
          this.#known.set(first, known);
        }
        known.set(second, bytes);
        this.#size++;
      }
    }
    return bytes;
  }
}

/** A string JSON.stringify writes as it is between quotes: printable ASCII without `"` or `\`. */
const escapedInJson = /[^\x20\x21\x23-\x5b\x5d-\x7e]/;

/** Puts `text` as a JSON string at `at`, as JSON.stringify writes it; returns where it ends. */
function putString(buffer: Buffer, at: number, text: string): number {
  // Anything JSON escapes, and anything beyond ASCII: JSON.stringify and UTF-8.
  if (escapedInJson.test(text)) return at + buffer.write(JSON.stringify(text), at);
  buffer[at] = 0x22;
  const end = at + 1 + buffer.write(text, at + 1, 'latin1');
  buffer[end] = 0x22;
  return end + 1;
}

/** Puts a whole number below 2^31 in decimal at `at`, in 32-bit integer arithmetic; returns where it ends. */
function putSmallUint(buffer: Buffer, at: number, value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++;
  let rest = value;
  for (let i = at + digits - 1; i >= at; i--) {
    const next = (rest / 10) | 0;
    buffer[i] = 0x30 + rest - next * 10;
    rest = next;
  }
  return at + digits;
}

/** Puts a whole number ≥ 0 in decimal at `at`; returns where it ends. */
function putUint(buffer: Buffer, at: number, value: number): number {
  if (value >= 0 && value < 0x80000000 && Number.isInteger(value)) return putSmallUint(buffer, at, value);
  if (!Number.isSafeInteger(value) || value < 0) return at + buffer.write(String(value), at, 'latin1');
  // Above 2^31 (a time in milliseconds): the digits above the last nine, then those nine.
  const high = Math.floor(value / 1e9);
  const end = putSmallUint(buffer, at, high);
  let low = value - high * 1e9;
  for (let i = end + 8; i >= end; i--) {
    const next = (low / 10) | 0;
    buffer[i] = 0x30 + low - next * 10;
    low = next;
  }
  return end + 9;
}

/**
 * Puts a number rounded to hundredths (`Math.round(x * 100) / 100`) at `at` as JavaScript
 * prints it (`12`, `12.5`, `12.05`); returns where it ends.
 */
function putHundredths(buffer: Buffer, at: number, value: number): number {
  const hundredths = Math.round(value * 100);
  if (!(hundredths >= 0 && hundredths < 2 ** 50) || hundredths / 100 !== value) {
    return at + buffer.write(String(value), at, 'latin1');
  }
  const whole = Math.floor(hundredths / 100);
  const fraction = hundredths - whole * 100;
  let end = putUint(buffer, at, whole);
  if (fraction !== 0) {
    buffer[end++] = 0x2e; // .
    buffer[end++] = 0x30 + Math.floor(fraction / 10);
    if (fraction % 10 !== 0) buffer[end++] = 0x30 + (fraction % 10);
  }
  return end;
}

/** A line's start up to its time, `{"level":N,"time":`, for the levels a request line is written at (pino's numbers). */
const lineStarts = {
  info: latin1('{"level":30,"time":'),
  warn: latin1('{"level":40,"time":'),
  error: latin1('{"level":50,"time":'),
} as const;

/**
 * The server's request lines: {@link logRequest}'s lines, byte for byte as pino would write
 * them (level, time, the logger's bindings, the fields, msg), put straight into the bytes of
 * the logger's {@link LineBuffer} (the server's stream; any other stream gets pino's). A busy server writes one per request, and pino's general path (a serializer
 * lookup, redaction and a type test per field, a child object per call) was a third of the
 * cost of logging under load; this line has known fields of known types, so it is one
 * template. A 5xx line, which carries an error to serialize and mask, goes through pino.
 * The level is asked of the logger at each line, so a level changed at run time applies.
 */
export class RequestLog {
  readonly #log: FastifyBaseLogger;
  readonly #pino: PinoLike | undefined;
  readonly #stream: LineBuffer | undefined;
  /** `,"pid":…,"hostname":…`, any other bindings as pino writes them, and the first field's name, as bytes. */
  readonly #head: Buffer;
  readonly #methods = new FieldBytes(',"method":', ',"url":');
  /** From the route to the milliseconds' name: `,"route":…,"status":…,"ms":`. */
  readonly #routeStatuses = new PairBytes<number>(
    (route, status) => `,"route":${JSON.stringify(route)},"status":${status},"ms":`,
  );
  /** The end of a line with a principal and neither code nor reason: `,"principal":…,"msg":…}` and a newline. */
  readonly #principalEnds = new PairBytes<string>(
    (principal, msg) => `,"principal":${JSON.stringify(principal)},"msg":${JSON.stringify(msg)}}\n`,
  );
  readonly #principals = new FieldBytes(',"principal":', '');
  readonly #codes = new FieldBytes(',"code":', '');
  readonly #messages = new FieldBytes(',"msg":', '}\n');
  // The lines held back until the end of the event loop's turn, in parallel arrays (no object
  // per line): the request, its status, route, milliseconds and the time it was answered.
  readonly #heldRequests: (LoggedRequest | undefined)[] = [];
  readonly #heldStatuses: number[] = [];
  readonly #heldRoutes: string[] = [];
  readonly #heldMs: number[] = [];
  readonly #heldTimes: number[] = [];
  #held = 0;
  #putting = false;
  #scheduled = false;

  /**
   * @param log - the server's logger (`app.log`)
   * @param stream - the stream that logger writes to; unless it is a {@link LineBuffer}, every line goes through pino
   */
  constructor(log: FastifyBaseLogger, stream: { write(line: string): unknown } | undefined) {
    this.#log = log;
    this.#pino = isPinoLike(log) ? log : undefined;
    this.#stream = this.#pino && stream instanceof LineBuffer ? stream : undefined;
    // pino's default base (fastifyLoggerOptions sets no other); bindings() leaves these two out.
    let bindings = `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())}`;
    for (const [key, value] of Object.entries(this.#pino?.bindings() ?? {})) {
      if (value !== undefined) bindings += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
    }
    this.#head = Buffer.from(`${bindings},"requestId":`);
    this.#stream?.holdsBack(this.#putHeld);
  }

  /**
   * Logs an answered request.
   *
   * @param request - the answered request
   * @param status - its status code
   * @param route - the route's template (`unmatched` for none)
   * @param elapsedMs - milliseconds from receiving it to sending its answer
   */
  write(request: LoggedRequest, status: number, route: string, elapsedMs: number): void {
    const stream = this.#stream;
    const pino = this.#pino;
    if (status >= 500 || stream === undefined || pino === undefined) {
      logRequest(this.#log, request, status, route, elapsedMs);
      return;
    }
    const { level } = requestLineLevel(status);
    if (!pino.isLevelEnabled(level)) return;
    // Held back to the end of this turn of the event loop (setImmediate runs after its I/O
    // callbacks): the answers, PostgreSQL's next queries and the commits they start go out
    // before the lines are made, and the lines of a turn are made together.
    const at = this.#held++;
    this.#heldRequests[at] = request;
    this.#heldStatuses[at] = status;
    this.#heldRoutes[at] = route;
    this.#heldMs[at] = elapsedMs;
    this.#heldTimes[at] = Date.now();
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#turnEnded);
    }
  }

  readonly #turnEnded = (): void => {
    this.#scheduled = false;
    this.#putHeld();
  };

  /** Puts the held-back lines into the buffer, in the order they came. */
  readonly #putHeld = (): void => {
    // A flush while putting (a full buffer) writes what is put so far and comes back here.
    if (this.#putting || this.#held === 0) return;
    const stream = this.#stream as LineBuffer;
    const requests = this.#heldRequests;
    this.#putting = true;
    try {
      for (let at = 0; at < this.#held; at++) {
        const request = requests[at] as LoggedRequest;
        const status = this.#heldStatuses[at] as number;
        const route = this.#heldRoutes[at] as string;
        const elapsedMs = this.#heldMs[at] as number;
        const { level, msg } = requestLineLevel(status);
        if (!this.#putLine(stream, level, msg, request, status, route, elapsedMs, this.#heldTimes[at] as number)) {
          logRequest(this.#log, request, status, route, elapsedMs);
        }
      }
    } finally {
      // No request outlives its turn here: one held longer would survive the young generation.
      requests.fill(undefined, 0, this.#held);
      this.#held = 0;
      this.#putting = false;
    }
  };

  /**
   * Puts the line's bytes straight into the buffer, without making a string (a busy server's lines were a third of its garbage, and
   * each collection also copies every request in flight), the same fields as
   * {@link requestLineFields} in the same order. False, with nothing written, when the line
   * could be longer than a whole buffer.
   */
  #putLine(
    sink: LineBuffer,
    level: RequestLineLevel['level'],
    msg: string,
    request: LoggedRequest,
    status: number,
    route: string,
    elapsedMs: number,
    time: number,
  ): boolean {
    const { id, method } = request;
    // Tokens travel in headers, never in URLs; a caller who put one there anyway is masked.
    const url = scrubSecrets(request.url);
    const principal = request.principal?.name;
    const failure = request.failure;
    // An error message could quote a connection string.
    const reason = failure === undefined ? undefined : scrubSecrets(failure.message);
    // The strings take at most 6 bytes per UTF-16 unit (a \u0000 escape); the field names,
    // quotes and the three numbers (at most 24 bytes each) well under 256.
    const strings = id.length + method.length + url.length + route.length + msg.length;
    const optional = (principal?.length ?? 0) + (failure?.code.length ?? 0) + (reason?.length ?? 0);
    const bound = this.#head.length + 256 + 6 * (strings + optional);
    const buffer = sink.room(bound);
    if (buffer === undefined) return false;
    let at = putUint(buffer, putBytes(buffer, sink.used, lineStarts[level]), time);
    at = putString(buffer, putBytes(buffer, at, this.#head), id);
    at = putString(buffer, putBytes(buffer, at, this.#methods.of(method)), url);
    const ms = Math.round(elapsedMs * 100) / 100;
    at = putHundredths(buffer, putBytes(buffer, at, this.#routeStatuses.of(route, status)), ms);
    if (failure === undefined) {
      // The common line: a principal (or none) and the message in one copy.
      sink.gather(
        putBytes(buffer, at, principal === undefined ? this.#messages.of(msg) : this.#principalEnds.of(principal, msg)),
      );
      return true;
    }
    if (principal !== undefined) at = putBytes(buffer, at, this.#principals.of(principal));
    at = putBytes(buffer, at, this.#codes.of(failure.code));
    at = putString(buffer, putBytes(buffer, at, reasonPrefix), reason as string);
    sink.gather(putBytes(buffer, at, this.#messages.of(msg)));
    return true;
  }
}
