// HTTP for the client: Node's fetch by default; node:https when TLS options are given
// (fetch cannot present a client certificate without undici's private API).
import { request as httpsRequest } from 'node:https';
import { abortError, LedgerError } from '@ledgerkit/core';

/** TLS options of the client, for private CAs and mTLS. */
export interface ClientTlsOptions {
  /** CA certificate(s) to trust for the server (PEM). */
  ca?: string | Buffer;
  /** Client certificate (PEM), for servers that require one. */
  cert?: string | Buffer;
  /** Client private key (PEM). */
  key?: string | Buffer;
  /** Default true. */
  rejectUnauthorized?: boolean;
}

/** A response whose body has not been read yet. */
export interface HttpResponse {
  status: number;
  header(name: string): string | undefined;
  body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
  /** Stops reading the body and releases the connection. */
  cancel(): void;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** Sends a request; network failures are `UNAVAILABLE` LedgerErrors (retryable). */
export async function send(request: HttpRequest, tls: ClientTlsOptions | undefined): Promise<HttpResponse> {
  return tls && request.url.protocol === 'https:' ? sendHttps(request, tls) : sendFetch(request);
}

async function sendFetch(request: HttpRequest): Promise<HttpResponse> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(request.signal ? { signal: request.signal } : {}),
    });
  } catch (error) {
    throw networkError(error, request);
  }
  const body = response.body;
  return {
    status: response.status,
    header: (name) => response.headers.get(name) ?? undefined,
    body: (async function* () {
      if (!body) return;
      try {
        for await (const chunk of body) yield chunk;
      } catch (error) {
        throw networkError(error, request);
      }
    })(),
    async text() {
      try {
        return await response.text();
      } catch (error) {
        throw networkError(error, request);
      }
    },
    cancel: () => {
      void body?.cancel().catch(() => undefined);
    },
  };
}

function sendHttps(request: HttpRequest, tls: ClientTlsOptions): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = httpsRequest(
      request.url,
      {
        method: request.method,
        headers: {
          ...request.headers,
          ...(request.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(request.body)) }),
        },
        ...(tls.ca ? { ca: tls.ca } : {}),
        ...(tls.cert ? { cert: tls.cert } : {}),
        ...(tls.key ? { key: tls.key } : {}),
        rejectUnauthorized: tls.rejectUnauthorized ?? true,
        ...(request.signal ? { signal: request.signal } : {}),
      },
      (incoming) => {
        const body = (async function* () {
          try {
            for await (const chunk of incoming) yield chunk as Uint8Array;
          } catch (error) {
            throw networkError(error, request);
          }
        })();
        resolve({
          status: incoming.statusCode ?? 0,
          header: (name) => {
            const value = incoming.headers[name.toLowerCase()];
            return Array.isArray(value) ? value.join(', ') : value;
          },
          body,
          async text() {
            const chunks: Buffer[] = [];
            for await (const chunk of body) chunks.push(Buffer.from(chunk));
            return Buffer.concat(chunks).toString('utf8');
          },
          cancel: () => incoming.destroy(),
        });
      },
    );
    outgoing.on('error', (error) => reject(networkError(error, request)));
    if (request.body !== undefined) outgoing.write(request.body);
    outgoing.end();
  });
}

function networkError(error: unknown, request: HttpRequest): LedgerError {
  if (request.signal?.aborted) {
    // A deadline (a TimeoutError reason) is TIMEOUT, any other abort ABORTED.
    const { code } = abortError(request.signal);
    const what = code === 'TIMEOUT' ? 'passed its deadline' : 'aborted';
    return new LedgerError(code, `${request.method} ${request.url.pathname} ${what}`, { cause: error });
  }
  const cause = (error as { cause?: { code?: string } }).cause;
  const code = (error as { code?: string }).code ?? cause?.code;
  return new LedgerError('UNAVAILABLE', `cannot reach ${request.url.origin}: ${code ?? String(error)}`, {
    details: { url: request.url.origin, ...(code ? { errno: code } : {}) },
    cause: error,
  });
}
