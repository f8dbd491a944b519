// Listing and creating tables.
import { LedgerError } from '@ledgerkit/core';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { LedgerDatabase } from '../../ledger-database.js';
import { grants } from '../auth.js';
import { CreateTableBody, errorResponse } from '../schemas.js';
import { reservedTablePrefix } from '../transactions.js';

/** Registers GET and POST /v1/tables. */
export function registerTableRoutes(app: FastifyInstance, { ledger }: { ledger: LedgerDatabase }): void {
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
}
