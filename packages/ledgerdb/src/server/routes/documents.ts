// Reading documents: the latest revision, one revision, a document's history, and find.
import { type JsonValue, LedgerError } from '@ledgerkit/core';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { LedgerDatabase } from '../../ledger-database.js';
import type { DocumentRevision } from '../../types.js';
import { requireRead } from '../access.js';
import { DocumentParams, FindBody, HistoryQuery, RevisionParams, TableParams } from '../schemas.js';

/** Registers the document, revision, history and find routes. */
export function registerDocumentRoutes(app: FastifyInstance, { ledger }: { ledger: LedgerDatabase }): void {
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
      const revisions: DocumentRevision[] = [];
      for (const entry of entries) revisions.push(await ledger.revision(table, entry.id));
      return { revisions };
    },
  );
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
