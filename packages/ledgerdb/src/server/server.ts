// The HTTP/JSON server over one LedgerDatabase: `createServer(options)` builds it,
// `ledgerdb serve` runs it. Every route but /healthz, /readyz, /openapi.json and /docs
// needs a bearer token; see README "Server" for the model and docs/operations.md for
// logs, metrics and health.
import { createServer as createHttpServer, type Server as HttpServer, type ServerResponse } from 'node:http';
import { isLedgerError, type JsonValue, LedgerError } from '@ledgerkit/core';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import packageJson from '../../package.json' with { type: 'json' };
import { documentIdPattern } from '../internal/ids.js';
import { loadOptional } from '../internal/optional-dependency.js';
import { indexPathPattern, tableNamePattern } from '../internal/paths.js';
import type { TableRule } from '../ledger-adapter.js';
import type { LedgerDatabase } from '../ledger-database.js';
import type { Digest, Revision, RevisionProof } from '../types.js';
import { grants, type Principal, type TokenRegistry } from './auth.js';
import { toHttpError } from './errors.js';
import {
  fastifyLoggerOptions,
  lazyChildLoggerFactory,
  logRequest,
  requestIdOf,
  type ServerLogOptions,
} from './logging.js';
import type { AuthFailureReason, ProofKind, ServerMetrics } from './metrics.js';
import { PartiqlTransactions } from './partiql-transactions.js';
import { registerPartiqlRoutes } from './routes/partiql.js';
import {
  checkStatements,
  idempotencyTable,
  reservedTablePrefix,
  runTransaction,
  type StatementInput,
} from './transactions.js';

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
   * Structured JSON logs through Fastify's logger (pino), one line per answered request
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
  }
  interface FastifyContextConfig {
    /** false for the routes open to anyone (/healthz, /readyz, /openapi.json, /docs). */
    auth?: boolean;
  }
}

// ---- schemas --------------------------------------------------------------------

const strict = { additionalProperties: false } as const;
const TableName = Type.String({ pattern: tableNamePattern.source, description: 'table name' });
const DocumentId = Type.String({ pattern: documentIdPattern.source, description: 'document id' });
const Count = Type.String({ pattern: '^[0-9]{1,15}$' });
const Document = Type.Object({}, { additionalProperties: true, description: 'a JSON object' });

const Statement = Type.Object(
  {
    op: Type.Union([Type.Literal('insert'), Type.Literal('update'), Type.Literal('delete'), Type.Literal('get')]),
    table: TableName,
    id: Type.Optional(DocumentId),
    data: Type.Optional(Document),
    expectedVersion: Type.Optional(Type.Integer({ minimum: -1 })),
  },
  strict,
);
const TransactionBody = Type.Object({ statements: Type.Array(Statement, { minItems: 1 }) }, strict);
const TableParams = Type.Object({ table: TableName }, strict);
const DocumentParams = Type.Object({ table: TableName, id: DocumentId }, strict);
const RevisionParams = Type.Object({ table: TableName, id: DocumentId, version: Count }, strict);
const AtSize = Type.Object(
  { treeSize: Type.Optional(Count) },
  { ...strict, description: 'treeSize: prove against the journal at this size (default: the current digest)' },
);
const HistoryQuery = Type.Object(
  { from: Type.Optional(Type.String({ maxLength: 64 })), to: Type.Optional(Type.String({ maxLength: 64 })) },
  strict,
);
const ConsistencyQuery = Type.Object({ from: Count, to: Type.Optional(Count) }, strict);
const BlockParams = Type.Object({ seq: Count }, strict);
const EventsQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}:[0-9]{1,9}$', description: 'resume after block:index' })),
    tables: Type.Optional(Type.String({ maxLength: 4096, description: 'comma-separated tables to stream' })),
  },
  strict,
);
const CreateTableBody = Type.Object(
  {
    name: TableName,
    indexes: Type.Optional(Type.Array(Type.String({ pattern: indexPathPattern.source, maxLength: 512 }))),
  },
  strict,
);
const FindBody = Type.Object({ where: Type.Object({}, { additionalProperties: true, minProperties: 1 }) }, strict);
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' })),
});

const errorResponse = {
  description: 'error: { error: { code, message, details? } }',
  type: 'object',
  properties: { error: { type: 'object', additionalProperties: true } },
} as const;

// ---- the server -----------------------------------------------------------------

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
 * const ledger = await openLedger({ path: 'app.ledger' })
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

  const app = Fastify({
    logger: logging ? fastifyLoggerOptions(options.logger === true ? {} : (options.logger as ServerLogOptions)) : false,
    // One line per answered request, written by the onResponse hook below, instead of
    // Fastify's two (received, completed).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    // request.log is made only when something logs through it; the one line is app.log's.
    childLoggerFactory: lazyChildLoggerFactory,
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
  app.decorateRequest('principal', undefined as unknown as Principal);
  app.decorateRequest('failure', undefined);
  // The API page's routes (registered below by @fastify/swagger-ui) are open like the
  // document they show.
  app.addHook('onRoute', (route) => {
    if (route.url === '/docs' || route.url.startsWith('/docs/')) route.config = { ...route.config, auth: false };
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
    const message = `no route ${request.method} ${request.url}`;
    request.failure = { code: 'NOT_FOUND', message, error: undefined };
    void reply.code(404).send({ error: { code: 'NOT_FOUND', message } });
  });

  // Authentication before anything else, the body included: a caller without a valid
  // token learns nothing about the request's validity.
  // Callback-style hooks: no promise per request.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.routeOptions.config.auth === false) return done();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([\x21-\x7e]+)$/.exec(header) : null;
    const principal = match ? tokens.lookup(match[1] as string) : undefined;
    if (!principal) {
      const reason: AuthFailureReason = header === undefined ? 'missing_token' : 'invalid_token';
      metrics?.authFailures.inc({ reason });
      // The message names the reason only: the presented token is never echoed or logged.
      return done(
        new LedgerError('UNAUTHENTICATED', header === undefined ? 'missing bearer token' : 'invalid bearer token'),
      );
    }
    request.principal = principal;
    done();
  });
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.abort();
    await partiql.close();
  });
  // Every answer carries its request id (the caller's x-request-id or a new one). While
  // draining or shutting down, every answer closes its connection, so keep-alive clients
  // cannot hold the server open once their in-flight request is done.
  app.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('x-request-id', request.id);
    if (closing || draining) void reply.header('connection', 'close');
    done(null, payload);
  });
  if (metrics || logging) {
    const log = app.log;
    app.addHook('onResponse', (request, reply, done) => {
      const status = reply.statusCode;
      // The route's template, never the raw path: one series per route, not per document.
      const route = request.routeOptions.url ?? 'unmatched';
      const elapsedMs = reply.elapsedTime;
      metrics?.observeRequest(request.method, route, status, elapsedMs);
      if (logging) logRequest(log, request, status, route, elapsedMs);
      done();
    });
  }

  const canRead = (principal: Principal, table: string) =>
    !table.startsWith(reservedTablePrefix) && grants(principal.read, table);
  const requireRead = (principal: Principal, table: string) => {
    if (!canRead(principal, table)) {
      throw new LedgerError('PERMISSION_DENIED', `token ${principal.name} may not read table ${table}`, {
        details: { table },
      });
    }
  };
  const timed = async <T>(kind: ProofKind, work: Promise<T>): Promise<T> => {
    if (!metrics) return work;
    const started = performance.now();
    const result = await work;
    metrics.proofDuration.observe({ kind }, (performance.now() - started) / 1000);
    return result;
  };
  const treeSizeOf = async (query: { treeSize?: string }): Promise<Digest | undefined> => {
    if (query.treeSize === undefined) return undefined;
    const treeSize = Number(query.treeSize);
    return { ledger: ledger.name, treeSize, rootHash: await ledger.rootHashAt(treeSize), tip: null };
  };

  app.get(
    '/healthz',
    {
      config: { auth: false },
      schema: { summary: 'Liveness: 200 while the process serves HTTP (draining included)', security: [] },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { auth: false },
      schema: {
        summary:
          'Readiness: 200 when the ledger is open and its storage answers; 503 while draining or when it does not',
        security: [],
      },
    },
    async (request, reply) => {
      if (draining || closing) return reply.code(503).send({ status: 'draining' });
      try {
        await withTimeout(ledger.digest(), readyTimeoutMs);
      } catch (error) {
        const code = isLedgerError(error) ? error.code : 'UNAVAILABLE';
        request.log.warn({ err: error }, 'readiness check failed: the storage did not answer');
        return reply.code(503).send({ status: 'unavailable', code });
      }
      return { status: 'ready' };
    },
  );

  if (metrics) {
    app.get(
      '/metrics',
      {
        schema: {
          summary: 'Prometheus metrics (text format), for tokens with the metrics or admin role',
          response: { 401: errorResponse },
        },
      },
      async (request, reply) => {
        const { principal } = request;
        if (!principal.metrics && !principal.admin) {
          throw new LedgerError('PERMISSION_DENIED', `token ${principal.name} may not read metrics`);
        }
        const text = await metrics.registry.metrics();
        return reply.type(metrics.registry.contentType).send(text);
      },
    );
  }

  app.get(
    '/openapi.json',
    { config: { auth: false }, schema: { summary: 'This OpenAPI document', security: [] } },
    async () => app.swagger(),
  );

  app.get(
    '/v1/tables',
    { schema: { summary: 'Tables the token may read or write, with their indexes', response: { 401: errorResponse } } },
    async (request) => {
      const { principal } = request;
      const all = await ledger.tables();
      return {
        tables: all.filter(
          (table) =>
            !table.name.startsWith(reservedTablePrefix) &&
            (principal.admin || grants(principal.read, table.name) || grants(principal.write, table.name)),
        ),
      };
    },
  );

  app.post<{ Body: Static<typeof CreateTableBody> }>(
    '/v1/tables',
    { schema: { summary: 'Create a table and its indexes (admin)', body: CreateTableBody } },
    async (request, reply) => {
      if (!request.principal.admin) {
        throw new LedgerError('PERMISSION_DENIED', `token ${request.principal.name} may not create tables`);
      }
      const { name, indexes = [] } = request.body;
      if (name.startsWith(reservedTablePrefix)) {
        throw new LedgerError('PERMISSION_DENIED', `table ${name} is reserved for the server`);
      }
      await ledger.createTable(name);
      for (const path of indexes) await ledger.createIndex(name, path);
      return reply.code(201).send({ table: name, indexes });
    },
  );

  app.post<{ Body: Static<typeof TransactionBody>; Headers: Static<typeof IdempotencyHeaders> }>(
    '/v1/transactions',
    {
      schema: {
        summary: 'Commit a batch of statements atomically (Idempotency-Key makes retries safe)',
        body: TransactionBody,
        headers: IdempotencyHeaders,
      },
    },
    async (request, reply) => {
      const statements = request.body.statements as StatementInput[];
      checkStatements(statements, request.principal, maxStatements);
      const key = request.headers['idempotency-key'];
      const run = runTransaction(ledger, request.principal, statements, key, rules);
      const { response, replayed } = metrics ? await measuredCommit(metrics, run) : await run;
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return response;
    },
  );

  registerPartiqlRoutes(app, {
    transactions: partiql,
    measureCommit: async (run) => {
      if (!metrics) return run;
      const outcome = await measuredCommit(
        metrics,
        run.then((commit) => ({ response: { commit }, replayed: false })),
      );
      return outcome.response.commit;
    },
  });

  app.get<{ Params: Static<typeof DocumentParams> }>(
    '/v1/tables/:table/documents/:id',
    { schema: { summary: "A document's latest revision (committed view)", params: DocumentParams } },
    async (request) => {
      const { table, id } = request.params;
      requireRead(request.principal, table);
      return { revision: await ledger.revision(table, id) };
    },
  );

  app.get<{ Params: Static<typeof RevisionParams> }>(
    '/v1/tables/:table/documents/:id/revisions/:version',
    { schema: { summary: 'One revision of a document', params: RevisionParams } },
    async (request) => {
      const { table, id, version } = request.params;
      requireRead(request.principal, table);
      return { revision: await ledger.revision(table, id, Number(version)) };
    },
  );

  app.get<{ Params: Static<typeof DocumentParams>; Querystring: Static<typeof HistoryQuery> }>(
    '/v1/tables/:table/documents/:id/history',
    {
      schema: {
        summary: 'Every revision of a document active in [from, to], oldest first',
        params: DocumentParams,
        querystring: HistoryQuery,
      },
    },
    async (request) => {
      const { table, id } = request.params;
      requireRead(request.principal, table);
      const from = parseTime(request.query.from, 'from');
      const to = parseTime(request.query.to, 'to');
      const window = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
      const revisions = await ledger.history(table, id, window);
      return { revisions };
    },
  );

  app.post<{ Params: Static<typeof TableParams>; Body: Static<typeof FindBody> }>(
    '/v1/tables/:table/find',
    {
      schema: {
        summary: 'Latest revisions of the documents whose fields equal the given values',
        params: TableParams,
        body: FindBody,
      },
    },
    async (request) => {
      const { table } = request.params;
      requireRead(request.principal, table);
      const entries = await ledger.find(table, request.body.where as Record<string, JsonValue>);
      const revisions: Revision[] = [];
      for (const entry of entries) revisions.push(await ledger.revision(table, entry.id));
      return { revisions };
    },
  );

  app.get('/v1/digest', { schema: { summary: "The journal's current digest (any token)" } }, async () =>
    ledger.digest(),
  );

  app.get<{ Params: Static<typeof RevisionParams>; Querystring: Static<typeof AtSize> }>(
    '/v1/tables/:table/documents/:id/revisions/:version/proof',
    {
      schema: {
        summary: 'Inclusion proof of a revision; auditors get it without the revision',
        params: RevisionParams,
        querystring: AtSize,
      },
    },
    async (request) => {
      const { table, id, version } = request.params;
      const { principal } = request;
      const reader = canRead(principal, table);
      if (!reader && !(principal.auditor && !table.startsWith(reservedTablePrefix))) requireRead(principal, table);
      const proof = await timed(
        'revision',
        treeSizeOf(request.query).then((at) => ledger.proof(table, id, Number(version), at)),
      );
      if (reader) return proof;
      // Auditors check that a leaf hash they hold is in the journal; they never see data.
      const { revision: _withheld, ...hashesOnly } = proof;
      return hashesOnly as Omit<RevisionProof, 'revision'>;
    },
  );

  app.get<{ Params: Static<typeof BlockParams>; Querystring: Static<typeof AtSize> }>(
    '/v1/blocks/:seq/proof',
    {
      schema: {
        summary: 'Inclusion proof of a block (transaction): what receipts are verified with',
        params: BlockParams,
        querystring: AtSize,
      },
    },
    async (request) =>
      timed(
        'block',
        treeSizeOf(request.query).then((at) => ledger.blockProof(Number(request.params.seq), at)),
      ),
  );

  app.get<{ Querystring: Static<typeof ConsistencyQuery> }>(
    '/v1/consistency',
    {
      schema: {
        summary: 'RFC 9162 consistency proof from the journal at `from` leaves to `to` (default: current)',
        querystring: ConsistencyQuery,
      },
    },
    async (request) => {
      const from = Number(request.query.from);
      const newDigest =
        request.query.to === undefined ? await ledger.digest() : await treeSizeOf({ treeSize: request.query.to });
      const target = newDigest as Digest;
      if (from > target.treeSize) {
        throw new LedgerError('INVALID_ARGUMENT', `from (${from}) is beyond to (${target.treeSize})`, {
          details: { path: '/from' },
        });
      }
      return timed(
        'consistency',
        ledger.rootHashAt(from).then((rootHash) => {
          const oldDigest: Digest = { ledger: ledger.name, treeSize: from, rootHash, tip: null };
          return ledger.consistencyProof(oldDigest, target);
        }),
      );
    },
  );

  app.get<{ Querystring: Static<typeof EventsQuery> }>(
    '/v1/events',
    {
      schema: {
        summary:
          'Server-sent events of committed revisions, resumable from an event id (Last-Event-ID or ?from=block:index)',
        querystring: EventsQuery,
      },
    },
    async (request, reply) => {
      const { principal } = request;
      const tables = request.query.tables?.split(',').filter((name) => name.length > 0);
      if (tables) {
        for (const table of tables) {
          if (!tableNamePattern.test(table)) {
            throw new LedgerError('INVALID_ARGUMENT', `'${table}' is not a table name`, {
              details: { path: '/tables' },
            });
          }
          requireRead(principal, table);
        }
      } else if (principal.read !== '*') {
        throw new LedgerError(
          'PERMISSION_DENIED',
          `token ${principal.name} may not read every table: name the tables with ?tables=`,
        );
      }
      const lastEventId = request.headers['last-event-id'];
      const position = typeof lastEventId === 'string' && lastEventId.length > 0 ? lastEventId : request.query.from;
      let from: { block: number; index: number } | undefined;
      if (position !== undefined) {
        const match = /^([0-9]{1,15}):([0-9]{1,9})$/.exec(position);
        if (!match) {
          throw new LedgerError('INVALID_ARGUMENT', `event id '${position}' is not block:index`, {
            details: { path: '/from' },
          });
        }
        from = { block: Number(match[1]), index: Number(match[2]) };
      }
      const wanted = tables ? new Set(tables) : undefined;
      const controller = new AbortController();
      streams.add(controller);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'x-request-id': request.id,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write(': stream of committed revisions\nretry: 1000\n\n');
      const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), heartbeatMs);
      raw.on('close', () => controller.abort());
      try {
        for await (const event of ledger.events({ ...(from ? { from } : {}), signal: controller.signal })) {
          const table = event.name;
          if (table.startsWith(reservedTablePrefix) || (wanted && !wanted.has(table))) continue;
          const id = `${event.checkpoint.block}:${event.checkpoint.index}`;
          if (!raw.write(`id: ${id}\nevent: revision\ndata: ${JSON.stringify(event)}\n\n`)) {
            await drained(raw, controller.signal);
          }
        }
      } catch (error) {
        if (!controller.signal.aborted && !isLedgerError(error, 'UNAVAILABLE')) {
          request.log.error({ err: error }, 'event stream failed');
          raw.write(`event: error\ndata: ${JSON.stringify(toHttpError(error).body)}\n\n`);
        }
      } finally {
        clearInterval(heartbeat);
        streams.delete(controller);
        raw.end();
      }
    },
  );

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
        }
        if (options.closeLedger) await ledger.close();
      })();
      return closing;
    },
  };
}

/** Runs a commit with its metrics: queue depth while it runs, then its latency or its failure's code. */
async function measuredCommit<T extends { response: { commit: unknown }; replayed: boolean }>(
  metrics: ServerMetrics,
  run: Promise<T>,
): Promise<T> {
  const started = performance.now();
  metrics.commitQueue.inc();
  try {
    const outcome = await run;
    // A replay answers from the journal and an all-get request writes nothing: no block.
    if (outcome.response.commit !== null && !outcome.replayed) {
      metrics.commits.inc();
      metrics.commitDuration.observe((performance.now() - started) / 1000);
    }
    return outcome;
  } catch (error) {
    metrics.commitFailures.inc({ code: isLedgerError(error) ? error.code : 'INTERNAL' });
    throw error;
  } finally {
    metrics.commitQueue.dec();
  }
}

/** `work`, or UNAVAILABLE once `ms` pass without it settling. */
async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new LedgerError('UNAVAILABLE', `no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function parseTime(text: string | undefined, name: string): Date | undefined {
  if (text === undefined) return undefined;
  const time = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(time)) {
    throw new LedgerError('INVALID_ARGUMENT', `${name} must be an ISO 8601 time, got '${text}'`, {
      details: { path: `/${name}` },
    });
  }
  return new Date(time);
}

function drained(raw: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    raw.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
