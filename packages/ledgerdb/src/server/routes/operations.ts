// The routes of operators and tools: liveness, readiness, metrics and the OpenAPI document.
import { isLedgerError, LedgerError } from '@ledgerkit/core';
import type { FastifyInstance } from 'fastify';
import type { LedgerDatabase } from '../../ledger-database.js';
import type { ServerMetrics } from '../metrics.js';
import { errorResponse } from '../schemas.js';

/** What the operation routes need of the server. */
export interface OperationRoutesContext {
  ledger: LedgerDatabase;
  metrics: ServerMetrics | undefined;
  /** Milliseconds /readyz waits for the storage. */
  readyTimeoutMs: number;
  /** Whether the server is draining or closing: /readyz answers 503 then. */
  unready: () => boolean;
}

/** Registers /healthz, /readyz, /metrics (with metrics on) and /openapi.json. */
export function registerOperationRoutes(
  app: FastifyInstance,
  { ledger, metrics, readyTimeoutMs, unready }: OperationRoutesContext,
): void {
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
      if (unready()) return reply.code(503).send({ status: 'draining' });
      try {
        await withTimeout(ledger.digest(), readyTimeoutMs);
      } catch (error) {
        const code = isLedgerError(error) ? error.code : 'UNAVAILABLE';
        // The server's logger (Fastify makes no per-request loggers), with the request's id.
        app.log.warn({ requestId: request.id, err: error }, 'readiness check failed: the storage did not answer');
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
