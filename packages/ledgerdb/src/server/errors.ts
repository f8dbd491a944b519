// How the server turns errors into HTTP answers: every error body is
// `{ "error": { "code", "message", "details"? } }` with a ledgerkit error code.
import { type ErrorCode, isLedgerError, LedgerError } from '@ledgerkit/core';

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/** HTTP status of each ledgerkit error code. */
export const statusOfCode: Readonly<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  OCC_CONFLICT: 409,
  MVCC_READ_CONFLICT: 409,
  DIGEST_INCONSISTENT: 409,
  LIMIT_EXCEEDED: 413,
  UNSUPPORTED: 501,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
  ABORTED: 503,
  TAMPER_DETECTED: 500,
  INTERNAL: 500,
  CONTRACT_REVERTED: 422,
  ENDORSEMENT_FAILED: 422,
  COMMIT_FAILED: 422,
  MERKLE_PROOF_INVALID: 422,
  SIGNATURE_INVALID: 422,
  VERIFICATION_FAILED: 422,
};

/** Limits that are about size answer 413; the others (time, index count) 422. */
const sizeLimits = new Set(['documentBytes', 'documentsPerTransaction', 'statements', 'bodyBytes']);

/** The ledgerkit code an HTTP status stands for, for errors raised by Fastify itself. */
function codeOfStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 413:
      return 'LIMIT_EXCEEDED';
    case 503:
      return 'UNAVAILABLE';
    default:
      return status >= 400 && status < 500 ? 'INVALID_ARGUMENT' : 'INTERNAL';
  }
}

interface ValidationIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** The JSON pointer of what a schema validation error is about, unknown and missing fields included. */
export function validationPath(issue: ValidationIssue): string {
  const base = issue.instancePath ?? '';
  const field = issue.params?.additionalProperty ?? issue.params?.missingProperty;
  return typeof field === 'string' ? `${base}/${field.replaceAll('~', '~0').replaceAll('/', '~1')}` : base || '/';
}

/** Maps anything thrown while handling a request to a status and an error body. */
export function toHttpError(error: unknown): { status: number; body: ErrorBody } {
  if (isLedgerError(error)) {
    let status = statusOfCode[error.code];
    if (error.code === 'LIMIT_EXCEEDED' && !sizeLimits.has(String(error.details.limit))) status = 422;
    if (error.details.reason === 'idempotency-key-reused') status = 422;
    // The server's bound on open PartiQL transactions: try again later.
    if (error.code === 'LIMIT_EXCEEDED' && error.details.limit === 'openTransactions') status = 429;
    const details = publicDetails(error);
    return {
      status,
      body: { error: { code: error.code, message: error.shortMessage, ...(details ? { details } : {}) } },
    };
  }
  const fastifyError = error as {
    statusCode?: number;
    code?: string;
    message?: string;
    validation?: ValidationIssue[];
    validationContext?: string;
  };
  if (Array.isArray(fastifyError.validation)) {
    const issue = fastifyError.validation[0] ?? {};
    const path = validationPath(issue);
    const where = fastifyError.validationContext ?? 'body';
    const message =
      issue.keyword === 'additionalProperties'
        ? `unknown field ${path} in the ${where}`
        : issue.keyword === 'required'
          ? `missing field ${path} in the ${where}`
          : `${where} ${path} ${issue.message ?? 'is invalid'}`;
    return { status: 400, body: { error: { code: 'INVALID_ARGUMENT', message, details: { path, in: where } } } };
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = codeOfStatus(status);
    let message = fastifyError.message ?? 'bad request';
    if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') message = 'request body is larger than the server accepts';
    const details: Record<string, unknown> = { path: '/' };
    if (code === 'LIMIT_EXCEEDED') details.limit = 'bodyBytes';
    return { status, body: { error: { code, message, details } } };
  }
  if (status === 503) {
    return { status, body: { error: { code: 'UNAVAILABLE', message: 'the server is shutting down' } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal server error' } } };
}

/** Details safe to show a caller: plain JSON values only, no causes or stacks. */
function publicDetails(error: LedgerError): Record<string, unknown> | undefined {
  const scalar = (value: unknown) => {
    const type = typeof value;
    return value === null || type === 'string' || type === 'number' || type === 'boolean';
  };
  // Lists of scalars too: a PartiQL syntax error's `expected` tokens.
  const entries = Object.entries(error.details).filter(
    ([, value]) => scalar(value) || (Array.isArray(value) && value.length <= 100 && value.every(scalar)),
  );
  if (typeof error.details.argument === 'string') {
    // Library errors name arguments as `data.items[3].price`; answer with a JSON pointer too.
    entries.push(['path', error.details.argument]);
  }
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

/** An error with its status, thrown by handlers. */
export function httpError(code: ErrorCode, message: string, details: Record<string, unknown> = {}): LedgerError {
  return new LedgerError(code, message, { details });
}
