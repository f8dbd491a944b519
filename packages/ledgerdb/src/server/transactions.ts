// POST /v1/transactions: a batch of statements committed atomically, with idempotency
// keys kept in a reserved ledger table written in the same transaction as the batch.
import { hash } from 'node:crypto';
import { isLedgerError, type JsonObject, LedgerError } from '@ledgerkit/core';
import { canonicalize } from '../internal/canonical-json.js';
import { enforce, type Statement, type TableRule } from '../ledger-adapter.js';
import type { LedgerDatabase } from '../ledger-database.js';
import { recordKey, type TransactionImpl } from '../transaction.js';
import type { CommitSummary } from '../types.js';
import { grants, type Principal } from './auth.js';

/** The reserved table of idempotency records; no token can address it. */
export const idempotencyTable = '__ledgerdb_idempotency';
/** Tables whose names start with this are the server's own. */
export const reservedTablePrefix = '__ledgerdb';

/** One statement of a transaction request. */
export interface StatementInput {
  op: 'insert' | 'update' | 'delete' | 'get';
  table: string;
  id?: string;
  data?: JsonObject;
  /** For update, delete and get: the version the document must be at, else `OCC_CONFLICT` (409). */
  expectedVersion?: number;
}

/** What each statement produced, in request order. */
export type StatementResult =
  | { op: 'insert' | 'update' | 'delete'; id: string; version: number }
  | { op: 'get'; id: string; version: number; data?: JsonObject };

/** The answer to a transaction request. */
export interface TransactionResponse {
  results: StatementResult[];
  /** What was committed; null when the statements wrote nothing (only gets). */
  commit: CommitSummary | null;
}

/** What an idempotency record keeps: enough to answer a retry exactly as the first time. */
interface IdempotencyRecord {
  principal: string;
  /** SHA-256 of the canonical statements: a key reused for another request is refused. */
  fingerprint: string;
  /** `[op, table, id, version]` per statement; get data is re-read from the journal at that version. */
  results: [StatementResult['op'], string, string, number][];
  /** `[table, id, version]` of every revision of the commit, in journal order, but this record's. */
  writes: [string, string, number][];
}

/** Per-op fields: which are required and which are not allowed. */
const fieldsOf = {
  insert: { required: ['data'], forbidden: ['expectedVersion'] },
  update: { required: ['id', 'data'], forbidden: [] },
  delete: { required: ['id'], forbidden: ['data'] },
  get: { required: ['id'], forbidden: ['data'] },
} as const;

/**
 * Checks what the schema cannot say per op, then the caller's rights on every statement,
 * before anything runs: one statement outside the caller's rights rejects the request.
 */
export function checkStatements(statements: readonly StatementInput[], principal: Principal, max: number): void {
  if (statements.length > max) {
    throw new LedgerError('LIMIT_EXCEEDED', `a transaction may hold at most ${max} statements`, {
      details: { limit: 'statements', max, count: statements.length, path: '/statements' },
    });
  }
  for (const [i, statement] of statements.entries()) {
    const rules = fieldsOf[statement.op];
    for (const field of rules.required) {
      if (statement[field] === undefined) {
        throw invalid(`/statements/${i}/${field}`, `${statement.op} needs ${field}`);
      }
    }
    for (const field of rules.forbidden) {
      if (statement[field] !== undefined) {
        throw invalid(`/statements/${i}/${field}`, `${statement.op} takes no ${field}`);
      }
    }
  }
  for (const [i, statement] of statements.entries()) {
    if (statement.table.startsWith(reservedTablePrefix)) {
      throw forbidden(`table ${statement.table} is reserved for the server`, i, statement.table);
    }
    const allowed =
      statement.op === 'get' ? grants(principal.read, statement.table) : grants(principal.write, statement.table);
    if (!allowed) {
      const right = statement.op === 'get' ? 'read' : 'write';
      throw forbidden(`token ${principal.name} may not ${right} table ${statement.table}`, i, statement.table);
    }
  }
}

function invalid(path: string, message: string): LedgerError {
  return new LedgerError('INVALID_ARGUMENT', message, { details: { path } });
}

function forbidden(message: string, index: number, table: string): LedgerError {
  return new LedgerError('PERMISSION_DENIED', message, { details: { path: `/statements/${index}/table`, table } });
}

/** The document id of an idempotency key: per caller, so callers cannot see each other's answers. */
function keyId(principal: Principal, key: string): string {
  return hash('sha256', `${principal.name}\u0000${key}`, 'base64url');
}

/**
 * Runs the statements as one transaction. With an idempotency key, a request seen before
 * (committed under the same key by the same caller) is answered from the journal and
 * commits nothing; the key's record is inserted in the same transaction as the
 * statements, so it is durable exactly when they are, and two concurrent requests with
 * one key cannot both commit (the second fails validation on the record and, re-run,
 * finds it).
 *
 * @returns the response and whether it is a replay
 */
export async function runTransaction(
  ledger: LedgerDatabase,
  principal: Principal,
  statements: readonly StatementInput[],
  idempotencyKey: string | undefined,
  rules: Readonly<Record<string, TableRule>> = {},
): Promise<{ response: TransactionResponse; replayed: boolean }> {
  const fingerprint = idempotencyKey === undefined ? '' : hash('sha256', canonicalize(statements), 'hex');
  const recordId = idempotencyKey === undefined ? undefined : keyId(principal, idempotencyKey);
  // The lookup of the key is the transaction's first read: validated at commit like any
  // other, so of two concurrent requests with one key only one can commit.
  const { value, commit } = await ledger.transaction(
    async (tx) => {
      // The key's record and every document the statements will read, asked for at once:
      // concurrent reads share round trips to storage (the PostgreSQL driver batches them).
      const reads: Promise<unknown>[] = [];
      const prefetched = new Set<string>();
      for (const statement of statements) {
        if (statement.op === 'insert' || statement.id === undefined) continue;
        const key = recordKey(statement.table, statement.id);
        if (prefetched.has(key)) continue;
        prefetched.add(key);
        // A bad name or a missing table fails again in its statement, which names it.
        reads.push(tx.get(statement.table, statement.id).catch(() => undefined));
      }
      const record = recordId === undefined ? undefined : tx.get(idempotencyTable, recordId);
      const [existing] = await Promise.all([record, ...reads]);
      if (existing !== undefined) return { replayed: true as const, results: [] };
      const results: StatementResult[] = [];
      for (const [i, statement] of statements.entries()) {
        try {
          // The service's rules, as the embedded ledger's submit runs them.
          if (statement.op !== 'get') await enforce(rules, tx, statement as Statement);
          results.push(await applyStatement(tx as TransactionImpl, statement));
        } catch (error) {
          throw atStatement(error, i);
        }
      }
      const impl = tx as TransactionImpl;
      if (recordId !== undefined && impl.writes.size > 0) {
        const max = ledger.limits.documentsPerTransaction;
        if (impl.writes.size >= max) {
          throw new LedgerError(
            'LIMIT_EXCEEDED',
            `with an Idempotency-Key a transaction may write at most ${max - 1} documents (the key's record is one more)`,
            { details: { limit: 'documentsPerTransaction', max: max - 1, path: '/statements' } },
          );
        }
        const writes = [...impl.writes.values()].map(
          (write) => [write.table, write.id, write.baseVersion + 1] as [string, string, number],
        );
        const record: IdempotencyRecord = {
          principal: principal.name,
          fingerprint,
          results: results.map(({ op, id, version }, i) => [op, (statements[i] as StatementInput).table, id, version]),
          writes,
        };
        await tx.insert(idempotencyTable, record as unknown as JsonObject, { id: recordId });
      }
      return { replayed: false as const, results };
    },
    {
      retry: {
        // A version the caller expected is not coming back: only real races are re-run.
        shouldRetry: (error) => isLedgerError(error, 'OCC_CONFLICT') && error.details.reason !== 'expected-version',
      },
    },
  );
  if (value.replayed) {
    const seen = await replay(ledger, recordId as string, fingerprint);
    if (!seen) throw new LedgerError('INTERNAL', 'idempotency record vanished');
    return { response: seen, replayed: true };
  }
  return { response: { results: value.results, commit: commit ?? null }, replayed: false };
}

async function applyStatement(tx: TransactionImpl, statement: StatementInput): Promise<StatementResult> {
  const { table } = statement;
  switch (statement.op) {
    case 'insert': {
      const id = await tx.insert(
        table,
        statement.data as JsonObject,
        statement.id === undefined ? {} : { id: statement.id },
      );
      return { op: 'insert', id, version: 0 };
    }
    case 'update': {
      const id = statement.id as string;
      await expectVersion(tx, statement);
      await tx.update(table, id, statement.data as JsonObject);
      return { op: 'update', id, version: writtenVersion(tx, table, id) };
    }
    case 'delete': {
      const id = statement.id as string;
      const before = await expectVersion(tx, statement);
      await tx.delete(table, id);
      return {
        op: 'delete',
        id,
        version: tx.writes.has(recordKey(table, id)) ? writtenVersion(tx, table, id) : before,
      };
    }
    case 'get': {
      const id = statement.id as string;
      const { version, data } = await current(tx, table, id);
      if (statement.expectedVersion !== undefined) mismatch(statement, version);
      return data === undefined ? { op: 'get', id, version } : { op: 'get', id, version, data };
    }
  }
}

/**
 * A document's version and data as this transaction sees them (-1: never existed). The
 * data is the transaction's own copy: it only goes into the response.
 */
async function current(
  tx: TransactionImpl,
  table: string,
  id: string,
): Promise<{ version: number; data?: JsonObject }> {
  const { version, data } = await tx.versionOf(table, id);
  return data === undefined ? { version } : { version, data };
}

async function expectVersion(tx: TransactionImpl, statement: StatementInput): Promise<number> {
  const { version } = await current(tx, statement.table, statement.id as string);
  if (statement.expectedVersion !== undefined) mismatch(statement, version);
  return version;
}

function mismatch(statement: StatementInput, version: number): void {
  if (statement.expectedVersion === version) return;
  throw new LedgerError(
    'OCC_CONFLICT',
    `document ${statement.table}/${statement.id} is at version ${version}, not ${statement.expectedVersion}`,
    {
      details: {
        reason: 'expected-version',
        table: statement.table,
        id: statement.id,
        expectedVersion: statement.expectedVersion,
        currentVersion: version,
      },
    },
  );
}

function writtenVersion(tx: TransactionImpl, table: string, id: string): number {
  const write = tx.writes.get(recordKey(table, id));
  return write ? write.baseVersion + 1 : -1;
}

/** Adds the statement's position to an error's path, e.g. `/statements/2/data.items[3]`. */
function atStatement(error: unknown, index: number): unknown {
  if (!isLedgerError(error) || error.details.reason === 'expected-version' || error.code === 'OCC_CONFLICT') {
    return error;
  }
  const argument = typeof error.details.argument === 'string' ? error.details.argument : undefined;
  const { argument: _dropped, ...rest } = error.details;
  return new LedgerError(error.code, error.shortMessage, {
    details: { ...rest, statement: index, path: `/statements/${index}${argument ? `/${argument}` : ''}` },
    cause: error,
  });
}

/** The original answer to a request under this key, rebuilt from its record and its block. */
async function replay(
  ledger: LedgerDatabase,
  recordId: string,
  fingerprint: string,
): Promise<TransactionResponse | undefined> {
  let revision: Awaited<ReturnType<LedgerDatabase['revision']>>;
  try {
    revision = await ledger.revision(idempotencyTable, recordId);
  } catch (error) {
    if (isLedgerError(error, 'NOT_FOUND')) return undefined;
    throw error;
  }
  const record = revision.data as unknown as IdempotencyRecord;
  if (record.fingerprint !== fingerprint) {
    throw new LedgerError('INVALID_ARGUMENT', 'this Idempotency-Key was used for a different request', {
      details: { reason: 'idempotency-key-reused', path: '/' },
    });
  }
  const { block, leafIndex, leafHash } = await ledger.blockProof(revision.blockAddress.seq);
  // The replayed commit carries the same commit-time proof as the first answer: the block's
  // inclusion in the tree its commit ended.
  const { auditPath } = await ledger.blockProof(block.seq, {
    ledger: ledger.name,
    treeSize: leafIndex + 1,
    rootHash: '',
    tip: null,
  });
  const writes = [...record.writes, [idempotencyTable, recordId, revision.metadata.version] as const];
  const first = leafIndex - block.revisions.length;
  const commit: CommitSummary = {
    txId: block.txId,
    seq: block.seq,
    txTime: block.txTime,
    blockHash: leafHash,
    blockLeafIndex: leafIndex,
    treeSize: leafIndex + 1,
    auditPath,
    revisions: writes.map(([table, id, version], i) => ({
      table,
      id,
      version,
      hash: block.revisions[i] as string,
      leafIndex: first + i,
    })),
  };
  const results: StatementResult[] = [];
  for (const [op, table, id, version] of record.results) {
    if (op !== 'get') {
      results.push({ op, id, version });
      continue;
    }
    // A get answers with the data at the version it read, which the journal still holds.
    const data = version < 0 ? undefined : (await ledger.revision(table, id, version)).data;
    results.push(data === undefined ? { op, id, version } : { op, id, version, data });
  }
  return { results, commit };
}
