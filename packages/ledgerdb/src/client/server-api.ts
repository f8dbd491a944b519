// The HTTP calls of LedgerdbClient: bearer token, JSON bodies, a deadline per request, retries
// on network errors and 502/503/504, and error answers turned into LedgerErrors.
import { type ErrorCode, errorCodes, isLedgerError, LedgerError, type RetryOptions, retry } from '@ledgerkit/core';
import { type ClientTlsOptions, type HttpResponse, send } from './transport.js';

/** Statuses a call is retried on (the server is restarting or overloaded). */
export const retryableStatus = new Set([502, 503, 504]);

/** How {@link ServerApi} reaches the server. */
export interface ServerApiOptions {
  token: string;
  tls?: ClientTlsOptions;
  retry: RetryOptions;
  /** Deadline of one request in ms (default 30,000). */
  timeoutMs?: number;
}

/** Options of one call. */
export interface ApiCallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Sent once, never retried: for requests that must not run twice (PartiQL statements, commits). */
  once?: boolean;
}

/** A successful answer: its JSON body and headers. */
export interface ApiAnswer {
  json: unknown;
  header(name: string): string | undefined;
}

/** The server's HTTP API at a base URL. */
export class ServerApi {
  readonly base: URL;
  readonly #options: ServerApiOptions;

  constructor(base: URL, options: ServerApiOptions) {
    this.base = base;
    this.#options = options;
  }

  /** The start of an event stream (`GET`, not retried here: the stream's reader resumes). */
  stream(path: string, headers: Record<string, string>, signal: AbortSignal): Promise<HttpResponse> {
    return send(
      {
        method: 'GET',
        url: new URL(path, this.base),
        headers: { authorization: `Bearer ${this.#options.token}`, ...headers },
        signal,
      },
      this.#options.tls,
    );
  }

  /** One API call with retries on network errors and 502/503/504; non-2xx become LedgerErrors. */
  async call(method: 'GET' | 'POST', path: string, options: ApiCallOptions = {}): Promise<ApiAnswer> {
    const url = new URL(path, this.base);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    return retry(
      async () => {
        const signals = [AbortSignal.timeout(this.#options.timeoutMs ?? 30_000)];
        if (options.signal) signals.push(options.signal);
        const response = await send(
          {
            method,
            url,
            headers: {
              authorization: `Bearer ${this.#options.token}`,
              accept: 'application/json',
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
              ...options.headers,
            },
            ...(body === undefined ? {} : { body }),
            signal: AbortSignal.any(signals),
          },
          this.#options.tls,
        );
        if (response.status < 200 || response.status >= 300) throw await errorOf(response);
        const text = await response.text();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch (error) {
          throw new LedgerError('UNAVAILABLE', `${method} ${url.pathname} answered with malformed JSON`, {
            cause: error,
          });
        }
        return { json, header: (name: string) => response.header(name) };
      },
      {
        ...this.#options.retry,
        ...(options.once ? { retries: 0 } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        // Never past the caller's own signal: its deadline or abort is the answer.
        shouldRetry: (error) =>
          !options.signal?.aborted &&
          isLedgerError(error) &&
          (error.code === 'UNAVAILABLE' ||
            error.code === 'TIMEOUT' ||
            (error.code === 'ABORTED' && !options.signal?.aborted && error.details.status === undefined)),
      },
    );
  }
}

/** Builds the LedgerError an error answer stands for. */
export async function errorOf(response: HttpResponse): Promise<LedgerError> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await response.text());
  } catch {
    parsed = undefined;
  }
  return errorFromBody(parsed, response.status);
}

export function errorFromBody(parsed: unknown, status: number): LedgerError {
  const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  const code: ErrorCode =
    typeof error?.code === 'string' && error.code in errorCodes
      ? (error.code as ErrorCode)
      : retryableStatus.has(status)
        ? 'UNAVAILABLE'
        : 'INTERNAL';
  const message = typeof error?.message === 'string' ? error.message : `the server answered ${status}`;
  const details =
    error?.details !== null && typeof error?.details === 'object' ? (error.details as Record<string, unknown>) : {};
  return new LedgerError(code, message, {
    details: { ...details, status },
    ...(retryableStatus.has(status) ? { retryable: true } : {}),
  });
}

/** A path segment, percent-encoded. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
