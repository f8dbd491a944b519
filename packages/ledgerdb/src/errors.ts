import { type ErrorCode, LedgerError } from '@ledgerkit/core';

/**
 * A value the transaction read changed before it could commit. `ledger.transaction`
 * retries the whole function on this error; you only see it once retries run out.
 */
export class OccConflictError extends LedgerError {
  constructor(shortMessage: string, details: Readonly<Record<string, unknown>> = {}) {
    super('OCC_CONFLICT', shortMessage, { details });
    this.name = 'OccConflictError';
  }
}

/** A configured limit (documents per transaction, document size, transaction time) was exceeded. */
export class LimitExceededError extends LedgerError {
  constructor(limit: string, shortMessage: string, details: Readonly<Record<string, unknown>> = {}) {
    super('LIMIT_EXCEEDED', shortMessage, { details: { limit, ...details } });
    this.name = 'LimitExceededError';
  }
}

/** Shorthand for the ledgerdb errors without a class of their own. */
export function ledgerdbError(
  code: ErrorCode,
  shortMessage: string,
  details: Readonly<Record<string, unknown>> = {},
  cause?: unknown,
): LedgerError {
  return new LedgerError(code, shortMessage, { details, cause });
}
