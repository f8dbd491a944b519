// POST /v1/transactions: a batch of statements committed atomically (see ../transactions.ts).
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TableRule } from '../../ledger-adapter.js';
import type { LedgerDatabase } from '../../ledger-database.js';
import { CommitMetrics } from '../commit-metrics.js';
import type { ServerMetrics } from '../metrics.js';
import { IdempotencyHeaders, TransactionBody } from '../schemas.js';
import { checkStatements, runTransaction, type StatementInput } from '../transactions.js';

/** What the transaction route needs of the server. */
export interface TransactionRoutesContext {
  ledger: LedgerDatabase;
  metrics: ServerMetrics | undefined;
  rules: Readonly<Record<string, TableRule>>;
  /** Most statements in one request. */
  maxStatements: number;
}

/** Registers POST /v1/transactions. */
export function registerTransactionRoutes(
  app: FastifyInstance,
  { ledger, metrics, rules, maxStatements }: TransactionRoutesContext,
): void {
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
      const run = () => runTransaction(ledger, request.principal, statements, key, rules);
      let outcome: Awaited<ReturnType<typeof runTransaction>>;
      if (!metrics) outcome = await run();
      else {
        // The commit's metrics around the await itself: the busiest route makes no extra promise.
        const started = CommitMetrics.started(metrics);
        try {
          outcome = await run();
        } catch (error) {
          CommitMetrics.failed(metrics, error);
          throw error;
        }
        // A replay answers from the journal and an all-get request writes nothing: no block.
        CommitMetrics.ended(metrics, started, outcome.response.commit !== null && !outcome.replayed);
      }
      const { response, replayed } = outcome;
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return response;
    },
  );
}
