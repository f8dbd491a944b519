// PartiQL over HTTP, QLDB's session API in four calls: start a transaction, execute
// statements in it one by one, commit (answering the commit summary) or abort.
import type { JsonValue } from '@ledgerkit/core';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { CommitSummary } from '../../types.js';
import type { PartiqlTransactions } from '../partiql-transactions.js';
import { Empty, PartiqlStatementBody, TransactionParams } from '../schemas.js';

/** What the PartiQL routes need of the server. */
export interface PartiqlRoutesContext {
  transactions: PartiqlTransactions;
  /** Runs a commit with the server's commit metrics. */
  measureCommit: (run: Promise<CommitSummary | null>) => Promise<CommitSummary | null>;
}

/** Registers `/v1/partiql/transactions` and its statement, commit and abort routes. */
export function registerPartiqlRoutes(
  app: FastifyInstance,
  { transactions, measureCommit }: PartiqlRoutesContext,
): void {
  app.post<{ Body: Static<typeof Empty> }>(
    '/v1/partiql/transactions',
    {
      schema: {
        summary: 'Start a PartiQL transaction (aborted if still open after the timeout, 30 s by default)',
        body: Empty,
      },
    },
    async (request, reply) => reply.code(201).send(await transactions.start(request.principal)),
  );

  app.post<{ Params: Static<typeof TransactionParams>; Body: Static<typeof PartiqlStatementBody> }>(
    '/v1/partiql/transactions/:transactionId/statements',
    {
      schema: {
        summary: "Execute one PartiQL statement in the transaction; answers its rows (the token's grants apply)",
        params: TransactionParams,
        body: PartiqlStatementBody,
      },
    },
    async (request) => {
      const { statement, parameters = [], missing = [] } = request.body;
      const rows = await transactions.execute(
        request.principal,
        request.params.transactionId,
        statement,
        parameters as JsonValue[],
        missing,
      );
      return { rows };
    },
  );

  app.post<{ Params: Static<typeof TransactionParams>; Body: Static<typeof Empty> }>(
    '/v1/partiql/transactions/:transactionId/commit',
    {
      schema: {
        summary: 'Commit the transaction; 409 OCC_CONFLICT when a read changed meanwhile (run it again)',
        params: TransactionParams,
        body: Empty,
      },
    },
    async (request) => ({
      commit: await measureCommit(transactions.commit(request.principal, request.params.transactionId)),
    }),
  );

  app.post<{ Params: Static<typeof TransactionParams>; Body: Static<typeof Empty> }>(
    '/v1/partiql/transactions/:transactionId/abort',
    {
      schema: {
        summary: 'Abort the transaction: nothing it wrote is committed',
        params: TransactionParams,
        body: Empty,
      },
    },
    async (request) => {
      await transactions.abort(request.principal, request.params.transactionId);
      return { transactionId: request.params.transactionId, aborted: true };
    },
  );
}
