import {
  InvalidArgumentError,
  type JsonObject,
  type JsonValue,
  type LedgerCall,
  LedgerError,
  type Revision,
  receiptFormatVersion,
} from '@ledgerkit/core';
import type { DocumentRevision } from '../types.js';

/** A write statement as the unified `Ledger`'s `submit` calls carry them. */
export type WriteStatement =
  | { op: 'insert'; table: string; data: JsonObject; id?: string }
  | { op: 'update'; table: string; id: string; data: JsonObject }
  | { op: 'delete'; table: string; id: string };

/**
 * A ledgerdb key of the unified `Ledger` interface, `table/id`, split in two.
 *
 * @throws InvalidArgumentError when it is not `table/id`
 */
export function splitKey(key: string): { table: string; id: string } {
  const slash = key.indexOf('/');
  if (slash <= 0 || slash === key.length - 1) {
    throw new InvalidArgumentError('key', `ledgerdb keys are 'table/id', got ${JSON.stringify(key)}`);
  }
  return { table: key.slice(0, slash), id: key.slice(slash + 1) };
}

/**
 * The statements of a `submit` call: `insert [table, data, { id }?]`, `update [table, id,
 * data]`, `delete [table, id]` or `execute [statements]`. The embedded adapter and the
 * HTTP client read calls the same way; `execute` passes its statements through as the
 * caller's statement type `S`.
 *
 * @throws InvalidArgumentError for another method or an empty `execute`
 */
export function callStatements<S = WriteStatement>(call: LedgerCall): (S | WriteStatement)[] {
  const args = call.args ?? [];
  switch (call.method) {
    case 'insert':
      return [{ op: 'insert', table: args[0] as string, data: args[1] as JsonObject, ...(args[2] as { id?: string }) }];
    case 'update':
      return [{ op: 'update', table: args[0] as string, id: args[1] as string, data: args[2] as JsonObject }];
    case 'delete':
      return [{ op: 'delete', table: args[0] as string, id: args[1] as string }];
    case 'execute':
      if (!Array.isArray(args[0]) || args[0].length === 0) {
        throw new InvalidArgumentError('args[0]', 'execute needs a non-empty array of statements');
      }
      return args[0] as S[];
    default:
      throw new InvalidArgumentError('method', `ledgerdb cannot submit '${call.method}'`, {
        supported: ['insert', 'update', 'delete', 'execute'],
      });
  }
}

/** The reads an `evaluate` call may name, as the embedded ledger and the HTTP client offer them. */
export interface CallReader {
  get(table: string, id: string): Promise<JsonObject | undefined>;
  find(table: string, where: Record<string, JsonValue>): Promise<{ id: string; data: JsonObject }[]>;
  revision(table: string, id: string, version: number | undefined): Promise<unknown>;
  digest(): Promise<unknown>;
}

/**
 * Answers an `evaluate` call: `get [table, id]`, `find [table, where]`,
 * `revision [table, id, version?]` or `digest []`. A `get` of a document that does not exist
 * (or was deleted) rejects with `NOT_FOUND`, as a read of a missing key does on every backend.
 *
 * @throws InvalidArgumentError for another method; LedgerError `NOT_FOUND` for a missing document
 */
export async function evaluateCall(call: LedgerCall, reader: CallReader): Promise<unknown> {
  const args = call.args ?? [];
  switch (call.method) {
    case 'get': {
      const [table, id] = [args[0] as string, args[1] as string];
      const data = await reader.get(table, id);
      if (data === undefined) {
        throw new LedgerError('NOT_FOUND', `document ${id} does not exist in table ${table}`, {
          details: { table, id },
        });
      }
      return data;
    }
    case 'find':
      return reader.find(args[0] as string, args[1] as Record<string, JsonValue>);
    case 'revision':
      return reader.revision(args[0] as string, args[1] as string, args[2] as number | undefined);
    case 'digest':
      return reader.digest();
    default:
      throw new InvalidArgumentError('method', `ledgerdb cannot evaluate '${call.method}'`, {
        supported: ['get', 'find', 'revision', 'digest'],
      });
  }
}

/** A committed revision as the unified `Ledger` interface's `history` returns it. */
export function unifiedRevision(key: string, ledger: string, revision: DocumentRevision): Revision {
  return {
    key,
    version: revision.metadata.version,
    value: revision.data ?? null,
    // A redacted revision (dataHash, no data) was not a delete: its value is gone.
    deleted: revision.data === undefined && revision.dataHash === undefined,
    receipt: {
      version: receiptFormatVersion,
      backend: 'ledgerdb',
      ledger,
      txId: revision.metadata.txId,
      position: { block: revision.blockAddress.seq, index: revision.blockAddress.index },
      timestamp: revision.metadata.txTime,
      proof: { revisionHash: revision.hash },
    },
  };
}
