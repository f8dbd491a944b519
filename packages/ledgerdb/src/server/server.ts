// The HTTP/JSON server over one LedgerDatabase: `createServer(options)` builds it,
// `ledgerdb serve` runs it. Every route but /healthz, /readyz, /openapi.json and /docs
// needs a bearer token; see README "Server" for the model and docs/operations.md for
// logs, metrics and health.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { isLedgerError, LedgerError } from '@ledgerkit/core';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import packageJson from '../../package.json' with { type: 'json' };
import { loadOptional } from '../internal/optional-dependency.js';
import type { TableRule } from '../ledger-adapter.js';
import type { LedgerDatabase } from '../ledger-database.js';
import type { Principal, TokenRegistry } from './auth.js';
import { measuredCommit } from './commit-metrics.js';
import { toHttpError } from './errors.js';
import { createServerLogger, RequestLog, requestIdOf, type ServerLogOptions } from './logging.js';
import type { AuthFailureReason, ServerMetrics } from './metrics.js';
import { PartiqlTransactions } from './partiql-transactions.js';
import { registerDocumentRoutes } from './routes/documents.js';
import { registerEventRoutes } from './routes/events.js';
import { registerOperationRoutes } from './routes/operations.js';
import { registerPartiqlRoutes } from './routes/partiql.js';
import { registerProofRoutes } from './routes/proofs.js';
import { registerTableRoutes } from './routes/tables.js';
import { registerTransactionRoutes } from './routes/transactions.js';
import { idempotencyTable } from './transactions.js';

/** TLS settings; with `ca`, every client must present a certificate it signed (mTLS). */
export interface ServerTlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
  /** CA certificate(s) client certificates must chain to; requires client certificates. */
  ca?: string | Buffer;
}

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** The ledger to serve (opened by the caller). */
  ledger: LedgerDatabase;
  /** The tokens that may call it. */
  tokens: TokenRegistry;
  /** Close the ledger when the server closes (default false). */
  closeLedger?: boolean;
  /** HTTPS, optionally with client certificates (mTLS). */
  tls?: ServerTlsOptions;
  /** Largest request body in bytes (default 1 MiB); larger ones get 413. */
  bodyLimit?: number;
  /** Most statements in one transaction request (default 100); more get 413. */
  maxStatements?: number;
  /** Milliseconds between heartbeat comments on event streams (default 15,000). */
  heartbeatMs?: number;
  /**
   * Structured JSON logs (pino, the logger Fastify depends on), one line per answered request
   * with its request id; `true` is `{ level: 'info' }` on stdout. Default off.
   */
  logger?: boolean | ServerLogOptions;
  /**
   * Prometheus metrics at GET /metrics, for tokens with the `metrics` or `admin` role, and
   * on {@link LedgerServer.listenMetrics}' port without a token (default true).
   */
  metrics?: boolean;
  /** The interactive API page (Swagger UI) at /docs over /openapi.json (default true). */
  docs?: boolean;
  /** Milliseconds /readyz waits for the storage to answer before it says 503 (default 2,000). */
  readyTimeoutMs?: number;
  /**
   * Rules per table, run in the transaction before each write to that table; a refusal is
   * `CONTRACT_REVERTED` (422) and nothing of the request commits (see `TableRule`).
   */
  rules?: Readonly<Record<string, TableRule>>;
  /**
   * Milliseconds a PartiQL transaction (`POST /v1/partiql/transactions`) may stay open before
   * the server aborts it (default: the ledger's `transactionMs`, QLDB's 30 s).
   */
  partiqlTransactionMs?: number;
  /** Most PartiQL transactions open at once; more are refused with 429 `LIMIT_EXCEEDED` (default 1,000). */
  maxOpenTransactions?: number;
}

/** A running (or ready to run) ledger server. */
export interface LedgerServer {
  /** The Fastify instance, for tests and extra routes (`app.inject`). */
  readonly app: FastifyInstance;
  /** Starts listening; resolves to the base URL, e.g. `http://127.0.0.1:8080`. */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /**
   * Serves GET /metrics without a token on a listener of its own (for a Prometheus
   * scraper on a private network); resolves to its base URL. Closed by `close()`.
   *
   * @throws LedgerError `UNSUPPORTED` when the server was created with `metrics: false`
   */
  listenMetrics(options?: { port?: number; host?: string }): Promise<string>;
  /**
   * Stops being ready: /readyz answers 503 and every answer closes its connection, so a
   * load balancer stops sending requests; the server still serves until `close()`.
   */
  drain(): void;
  /**
   * Graceful shutdown: stops accepting connections, ends event streams, lets in-flight
   * requests (commits included) finish, then closes the ledger if it owns it.
   */
  close(): Promise<void>;
}

/** What went wrong with a request, kept for its log line. */
interface RequestFailure {
  code: string;
  message: string;
  error: unknown;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
    failure: RequestFailure | undefined;
    /** The matched route's template (`/tables/:table/documents/:id`), set when its first hook runs. */
    routeTemplate: string | undefined;
    /** performance.now() when its route's first hook ran (0 until then), when the server counts or logs answers. */
    startedAt: number;
  }
  interface FastifyContextConfig {
    /** false for the routes open to anyone (/healthz, /readyz, /openapi.json, /docs). */
    auth?: boolean;
  }
}

/**
 * Builds the HTTP server over a ledger.
 *
 * @param options - the ledger, its tokens and the server's settings
 * @returns the server, not yet listening
 * @throws LedgerError `UNSUPPORTED` naming the npm package when `fastify` or `@fastify/swagger`
 * (optional peer dependencies of `@ledgerkit/ledgerdb`) is not installed
 *
 * @example
 * ```ts
 * const ledger = await openLedgerDatabase({ path: 'app.ledger' })
 * const tokens = new TokenRegistry((await readTokensFile('tokens.json')).tokens)
 * const server = await createServer({ ledger, tokens, closeLedger: true })
 * console.log(await server.listen({ port: 8080 }))
 * ```
 */
export async function createServer(options: ServerOptions): Promise<LedgerServer> {
  const { ledger, tokens } = options;
  const rules = options.rules ?? {};
  const maxStatements = options.maxStatements ?? 100;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const streams = new Set<AbortController>();
  let closing: Promise<void> | undefined;
  // Optional peer dependencies: the embedded ledger works without the server's packages.
  const { default: Fastify, LogController } = await loadOptional(
    'fastify',
    'the ledgerdb server',
    () => import('fastify'),
  );
  const { default: swagger } = await loadOptional(
    '@fastify/swagger',
    'the ledgerdb server',
    () => import('@fastify/swagger'),
  );
  const swaggerUi =
    options.docs === false
      ? undefined
      : (
          await loadOptional(
            '@fastify/swagger-ui',
            'the API page of the ledgerdb server',
            () => import('@fastify/swagger-ui'),
          )
        ).default;
  const metrics: ServerMetrics | undefined =
    options.metrics === false
      ? undefined
      : (
          await loadOptional('prom-client', 'the metrics of the ledgerdb server', () => import('./metrics.js'))
        ).createServerMetrics(ledger);
  const logging = options.logger !== undefined && options.logger !== false;
  const logOptions: ServerLogOptions = typeof options.logger === 'object' ? options.logger : {};
  const readyTimeoutMs = options.readyTimeoutMs ?? 2_000;
  const metricsServers = new Set<HttpServer>();
  let draining = false;
  if (!(await ledger.tables()).some((table) => table.name === idempotencyTable)) {
    try {
      await ledger.createTable(idempotencyTable);
    } catch (error) {
      if (!isLedgerError(error, 'ALREADY_EXISTS')) throw error;
    }
  }

  const partiql = new PartiqlTransactions(ledger, rules, {
    ...(options.partiqlTransactionMs === undefined ? {} : { timeoutMs: options.partiqlTransactionMs }),
    ...(options.maxOpenTransactions === undefined ? {} : { maxOpen: options.maxOpenTransactions }),
  });

  // The server's logger is its own, not Fastify's (Fastify is given none and `app.log` is set
  // to it). With a logger, Fastify listens for every response's `finish` and `error` events
  // to run its log controller, and makes a child logger per request: together they cost
  // more per request than our line. Each answered request is counted and logged in the
  // onSend hook below instead (an event stream, which takes the response over, at its end),
  // and what a route logs goes through `app.log` with the request's id.
  const logger = logging ? createServerLogger(logOptions) : undefined;
  class ServerLogController extends LogController {
    // A request refused while closing reaches neither a route nor the onSend hook; Fastify
    // logs it through the request's logger, which is its silent one here.
    override serviceUnavailable(_requestLog: unknown, server: FastifyInstance): void {
      server.log.info({ status: 503 }, 'request refused: the server is closing');
    }
  }
  const app = Fastify({
    logger: false,
    logController: new ServerLogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdOf,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Unknown fields are errors, never silently dropped; query values are not coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ...(options.tls
      ? {
          https: {
            key: options.tls.key,
            cert: options.tls.cert,
            ...(options.tls.ca ? { ca: options.tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
          },
        }
      : {}),
  });
  if (logger) app.log = logger;
  const observing = metrics !== undefined || logger !== undefined;
  /** Sets the request's principal from its bearer token; the error to answer with when there is none. */
  const authenticate = (request: FastifyRequest): LedgerError | undefined => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([\x21-\x7e]+)$/.exec(header) : null;
    const principal = match ? tokens.lookup(match[1] as string) : undefined;
    if (!principal) {
      const reason: AuthFailureReason = header === undefined ? 'missing_token' : 'invalid_token';
      metrics?.authFailures.inc({ reason });
      // The message names the reason only: the presented token is never echoed or logged.
      return new LedgerError('UNAUTHENTICATED', header === undefined ? 'missing bearer token' : 'invalid bearer token');
    }
    request.principal = principal;
    return undefined;
  };
  app.decorateRequest('principal', undefined as unknown as Principal);
  app.decorateRequest('failure', undefined);
  app.decorateRequest('routeTemplate', undefined);
  app.decorateRequest('startedAt', 0);
  // Authentication before anything else, the body included: a caller without a valid token
  // learns nothing about the request's validity. Each route's first onRequest hook, added
  // here as routes are declared, knows its template and whether the route is open, so a
  // request asks Fastify for neither (request.routeOptions builds an object per call).
  // Callback-style hooks: no promise per request.
  app.addHook('onRoute', (route) => {
    // The API page's routes (registered below by @fastify/swagger-ui) are open like the
    // document they show.
    if (route.url === '/docs' || route.url.startsWith('/docs/')) route.config = { ...route.config, auth: false };
    const template = route.url;
    const first: onRequestHookHandler =
      route.config?.auth === false
        ? (request, _reply, done) => {
            request.routeTemplate = template;
            if (observing) request.startedAt = performance.now();
            done();
          }
        : (request, _reply, done) => {
            request.routeTemplate = template;
            if (observing) request.startedAt = performance.now();
            done(authenticate(request));
          };
    route.onRequest = route.onRequest === undefined ? first : [first, ...[route.onRequest].flat()];
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ledgerdb server',
        version: packageJson.version,
        description: 'A verifiable ledger database over HTTP: documents, transactions, digests and proofs.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  if (swaggerUi) await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toHttpError(error);
    request.failure = { code: body.error.code, message: body.error.message, error };
    if (status === 401) void reply.header('www-authenticate', 'Bearer');
    if (status === 403) metrics?.authFailures.inc({ reason: 'permission_denied' });
    void reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    if (observing) request.startedAt = performance.now();
    // Unauthenticated callers learn nothing, not even which routes exist.
    const refused = authenticate(request);
    if (refused) throw refused;
    const message = `no route ${request.method} ${request.url}`;
    request.failure = { code: 'NOT_FOUND', message, error: undefined };
    void reply.code(404).send({ error: { code: 'NOT_FOUND', message } });
  });

  app.addHook('preClose', async () => {
    for (const stream of streams) stream.abort();
    await partiql.close();
  });
  const requestLog = logger ? new RequestLog(logger, logOptions.stream) : undefined;
  /**
   * Counts and logs an answer: from the onSend hook, or at an event stream's end. Its time is
   * from the route's first hook (or the not-found handler) to here.
   */
  const answered = observing
    ? (request: FastifyRequest, status: number): void => {
        // The route's template, never the raw path: one series per route, not per document.
        const route = request.routeTemplate ?? 'unmatched';
        const elapsedMs = request.startedAt === 0 ? 0 : performance.now() - request.startedAt;
        metrics?.observeRequest(request.method, route, status, elapsedMs);
        requestLog?.write(request, status, route, elapsedMs);
      }
    : undefined;
  // Every answer carries its request id (the caller's x-request-id or a new one). While
  // draining or shutting down, every answer closes its connection, so keep-alive clients
  // cannot hold the server open once their in-flight request is done. Here, with its status
  // final and its body serialized, an answer is also counted and logged.
  app.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('x-request-id', request.id);
    if (closing || draining) void reply.header('connection', 'close');
    answered?.(request, reply.statusCode);
    done(null, payload);
  });

  const unready = () => draining || closing !== undefined;
  registerOperationRoutes(app, { ledger, metrics, readyTimeoutMs, unready });
  registerTableRoutes(app, { ledger });
  registerTransactionRoutes(app, { ledger, metrics, rules, maxStatements });
  registerPartiqlRoutes(app, {
    transactions: partiql,
    measureCommit: (run) => (metrics ? measuredCommit(metrics, run, (commit) => commit !== null) : run),
  });
  registerDocumentRoutes(app, { ledger });
  registerProofRoutes(app, { ledger, metrics });
  registerEventRoutes(app, { ledger, heartbeatMs, streams, ...(answered ? { ended: answered } : {}) });

  await app.ready();

  return {
    app,
    async listen({ port = 0, host = '127.0.0.1' } = {}) {
      await app.listen({ port, host });
      const address = app.server.address();
      if (address === null || typeof address === 'string') return String(address);
      const scheme = options.tls ? 'https' : 'http';
      const hostText = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `${scheme}://${hostText}:${address.port}`;
    },
    async listenMetrics({ port = 0, host = '127.0.0.1' } = {}) {
      if (!metrics) throw new LedgerError('UNSUPPORTED', 'this server was created with metrics: false');
      const server = createHttpServer((request, response) => {
        const path = (request.url ?? '').split('?')[0];
        if ((request.method !== 'GET' && request.method !== 'HEAD') || path !== '/metrics') {
          response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: GET /metrics\n');
          return;
        }
        metrics.registry.metrics().then(
          (text) => {
            response.writeHead(200, { 'content-type': metrics.registry.contentType });
            response.end(request.method === 'HEAD' ? undefined : text);
          },
          (error: unknown) => {
            app.log.error({ err: error }, 'metrics scrape failed');
            response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics failed\n');
          },
        );
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      metricsServers.add(server);
      const address = server.address();
      if (address === null || typeof address === 'string') return String(address);
      const hostText = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${hostText}:${address.port}`;
    },
    drain() {
      draining = true;
    },
    close() {
      closing ??= (async () => {
        draining = true;
        for (const server of metricsServers) {
          server.close();
          server.closeAllConnections();
        }
        for (const stream of streams) stream.abort();
        // Connections that turn idle after close() began are closed as well.
        const sweeper = setInterval(() => app.server.closeIdleConnections(), 25);
        try {
          await app.close();
        } finally {
          clearInterval(sweeper);
          metrics?.stop();
        }
        if (options.closeLedger) await ledger.close();
      })();
      return closing;
    },
  };
}
