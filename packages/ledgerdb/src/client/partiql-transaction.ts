// A PartiQL transaction held open by the server (POST /v1/partiql/transactions and its
// statements, commit and abort), as LedgerDriver runs its lambdas there.
import { isLedgerError, type JsonValue } from '@ledgerkit/core';
import type { RemotePartiqlTransaction } from '../partiql/driver.js';
import { PartiqlSyntaxError } from '../partiql/errors.js';
import type { CommitSummary } from '../types.js';
import { type ServerApi, segment } from './server-api.js';

/**
 * Starts a transaction. Statements and the commit are sent once, never retried: a statement
 * that reached the server has run.
 *
 * @param api - the server
 * @param checkCommit - verifies the commit the server answered (called as it arrives)
 * @returns the open transaction
 */
export async function startPartiqlTransaction(
  api: ServerApi,
  checkCommit: (commit: CommitSummary) => Promise<void>,
): Promise<RemotePartiqlTransaction> {
  const { json } = await api.call('POST', 'v1/partiql/transactions', { body: {} });
  const { transactionId } = json as { transactionId: string };
  const path = `v1/partiql/transactions/${segment(transactionId)}`;
  return {
    execute: async (statement, parameters) => {
      const missing: number[] = [];
      const values = parameters.map((value, i) => {
        if (value !== undefined) return value;
        missing.push(i);
        return null;
      });
      try {
        const { json: answer } = await api.call('POST', `${path}/statements`, {
          body: { statement, parameters: values, ...(missing.length > 0 ? { missing } : {}) },
          once: true,
        });
        return (answer as { rows: JsonValue[] }).rows;
      } catch (error) {
        throw syntaxErrorOf(error);
      }
    },
    commit: async () => {
      const { json: answer } = await api.call('POST', `${path}/commit`, { body: {}, once: true });
      const { commit } = answer as { commit: CommitSummary | null };
      if (commit) await checkCommit(commit);
      return commit;
    },
    abort: async () => {
      await api.call('POST', `${path}/abort`, { body: {} });
    },
  };
}

/** A PartiQL syntax error answered by the server, as the typed error the embedded driver throws. */
function syntaxErrorOf(error: unknown): unknown {
  if (!isLedgerError(error, 'INVALID_ARGUMENT')) return error;
  const { line, column, found, expected } = error.details;
  if (typeof line !== 'number' || typeof column !== 'number' || !Array.isArray(expected)) return error;
  return new PartiqlSyntaxError(error.shortMessage, {
    line,
    column,
    found: typeof found === 'string' ? found : '',
    expected: expected.map(String),
  });
}
