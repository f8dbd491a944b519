// Every failure becomes one JSON shape the page can show: never a 500 with a stack.
import { isLedgerError } from '@ledgerkit/core';
import { ruleReasonOf } from '@ledgerkit/example-supply-chain';

/** The body of every error answer. */
export interface ErrorBody {
  error: {
    /** A LedgerError code (`CONTRACT_REVERTED`, `NOT_FOUND`, `UNAVAILABLE`, …). */
    code: string;
    /** For a refused business rule: `NOT_CUSTODIAN`, `BATCH_RECEIVED`, … */
    reasonCode?: string;
    /** One readable sentence. */
    message: string;
    /** Whether the same request may succeed later (a conflict, an unreachable backend). */
    retryable?: boolean;
    /** The argument that was wrong, for `INVALID_ARGUMENT`. */
    argument?: string;
  };
}

const statusOfCode: Readonly<Record<string, number>> = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  OCC_CONFLICT: 409,
  CONTRACT_REVERTED: 409,
  LIMIT_EXCEEDED: 413,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
};

/** What each refused rule means, in the page's words. */
const ruleMessages: Readonly<Record<string, string>> = {
  NOT_CUSTODIAN: 'only the current custodian may do this',
  NOT_OFFERED_TO: 'custody was offered to someone else',
  NO_PENDING_OFFER: 'no custody offer is pending for this batch',
  BATCH_RECEIVED: 'the batch was received by a retailer; it is final',
  ALREADY_REGISTERED: 'a batch with this id is already registered',
  INVALID_RECEIVER: 'custody cannot be offered to that participant',
  OFFER_PENDING: 'an offer is already pending for this batch',
  OFFER_EXPIRED: 'the custody offer has expired',
};

/**
 * The JSON body for an error thrown while answering a request.
 *
 * @param error - a LedgerError, an error of the API itself, fastify's (bad JSON) or anything else
 * @returns code, rule reason and a readable message; never a stack
 */
export function errorBody(error: unknown): ErrorBody {
  const apiCode = (error as { apiCode?: unknown })?.apiCode;
  if (typeof apiCode === 'string') return { error: { code: apiCode, message: (error as Error).message } };
  if (isLedgerError(error)) {
    const reasonCode = ruleReasonOf(error);
    const argument = typeof error.details.argument === 'string' ? error.details.argument : undefined;
    const message = reasonCode
      ? `Refused by the rules (${reasonCode}): ${ruleMessages[reasonCode] ?? reasonCode}. The ledger said: ${error.shortMessage}`
      : error.shortMessage;
    return {
      error: {
        code: error.code,
        ...(reasonCode ? { reasonCode } : {}),
        message,
        retryable: error.retryable,
        ...(argument ? { argument } : {}),
      },
    };
  }
  const fastifyCode = (error as { code?: unknown; statusCode?: unknown })?.code;
  const statusCode = (error as { statusCode?: unknown })?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    // fastify's own refusals: a body that is not JSON, too large, a wrong content type.
    return {
      error: { code: 'INVALID_ARGUMENT', message: `bad request (${String(fastifyCode)}): ${(error as Error).message}` },
    };
  }
  return { error: { code: 'INTERNAL', message: `the server failed: ${(error as Error)?.message ?? String(error)}` } };
}

/**
 * The HTTP status for an error.
 *
 * @param error - what a route threw
 * @returns 4xx for the caller's mistakes and refused rules, 503/504 for an unreachable backend, 500 otherwise
 */
export function statusOf(error: unknown): number {
  const statusCode = (error as { statusCode?: unknown })?.statusCode;
  if (typeof (error as { apiCode?: unknown })?.apiCode === 'string' && typeof statusCode === 'number') {
    return statusCode;
  }
  if (isLedgerError(error)) return statusOfCode[error.code] ?? 500;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) return statusCode;
  return 500;
}
