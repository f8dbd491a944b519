// The JSON schemas (TypeBox) of the server's parameters and bodies: Fastify validates every
// request with them and @fastify/swagger publishes them in /openapi.json. Unknown fields are
// errors (additionalProperties: false) and nothing is coerced.
import { Type } from '@sinclair/typebox';
import { documentIdPattern } from '../internal/ids.js';
import { indexPathPattern, tableNamePattern } from '../internal/paths.js';

export const strict = { additionalProperties: false } as const;
export const TableName = Type.String({ pattern: tableNamePattern.source, description: 'table name' });
export const DocumentId = Type.String({ pattern: documentIdPattern.source, description: 'document id' });
export const Count = Type.String({ pattern: '^[0-9]{1,15}$' });
export const Document = Type.Object({}, { additionalProperties: true, description: 'a JSON object' });

export const StatementSchema = Type.Object(
  {
    op: Type.Union([Type.Literal('insert'), Type.Literal('update'), Type.Literal('delete'), Type.Literal('get')]),
    table: TableName,
    id: Type.Optional(DocumentId),
    data: Type.Optional(Document),
    expectedVersion: Type.Optional(Type.Integer({ minimum: -1 })),
  },
  strict,
);
export const TransactionBody = Type.Object({ statements: Type.Array(StatementSchema, { minItems: 1 }) }, strict);
export const TableParams = Type.Object({ table: TableName }, strict);
export const DocumentParams = Type.Object({ table: TableName, id: DocumentId }, strict);
export const RevisionParams = Type.Object({ table: TableName, id: DocumentId, version: Count }, strict);
export const AtSize = Type.Object(
  { treeSize: Type.Optional(Count) },
  { ...strict, description: 'treeSize: prove against the journal at this size (default: the current digest)' },
);
export const HistoryQuery = Type.Object(
  { from: Type.Optional(Type.String({ maxLength: 64 })), to: Type.Optional(Type.String({ maxLength: 64 })) },
  strict,
);
export const ConsistencyQuery = Type.Object({ from: Count, to: Type.Optional(Count) }, strict);
export const BlockParams = Type.Object({ seq: Count }, strict);
export const EventsQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}:[0-9]{1,9}$', description: 'resume after block:index' })),
    tables: Type.Optional(Type.String({ maxLength: 4096, description: 'comma-separated tables to stream' })),
  },
  strict,
);
export const CreateTableBody = Type.Object(
  {
    name: TableName,
    indexes: Type.Optional(Type.Array(Type.String({ pattern: indexPathPattern.source, maxLength: 512 }))),
  },
  strict,
);
export const FindBody = Type.Object(
  { where: Type.Object({}, { additionalProperties: true, minProperties: 1 }) },
  strict,
);
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' })),
});

export const errorResponse = {
  description: 'error: { error: { code, message, details? } }',
  type: 'object',
  properties: { error: { type: 'object', additionalProperties: true } },
} as const;

export const Empty = Type.Object({}, { ...strict, description: 'an empty object' });
export const TransactionParams = Type.Object(
  { transactionId: Type.String({ pattern: '^[0-9a-f-]{36}$', description: 'transaction id (from start)' }) },
  strict,
);
export const PartiqlStatementBody = Type.Object(
  {
    statement: Type.String({ minLength: 1, description: 'one PartiQL statement (QLDB dialect); ? are parameters' }),
    parameters: Type.Optional(Type.Array(Type.Unknown(), { description: 'one JSON value per ?' })),
    missing: Type.Optional(
      Type.Array(Type.Integer({ minimum: 0 }), {
        description: 'positions of parameters that are MISSING (JSON has no such value)',
      }),
    ),
  },
  strict,
);
