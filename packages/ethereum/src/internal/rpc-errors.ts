import { type ErrorCode, LedgerError } from '@ledgerkit/core';
import { type ErrorDescription, Interface } from 'ethers';
import { toJson } from './json.js';

const builtinErrors = new Interface(['error Error(string message)', 'error Panic(uint256 code)']);

/**
 * Finds the revert data in an error from any provider shape: ethers CALL_EXCEPTION
 * (`error.data`, `error.info.error.data`), Hardhat's in-process EDR (`code: 3`, `data`),
 * nested JSON-RPC errors (`error.error.data`) and `cause` chains.
 */
export function findRevertData(error: unknown, depth = 0): string | undefined {
  if (depth > 6 || typeof error !== 'object' || error === null) return undefined;
  const record = error as Record<string, unknown>;
  const data = record.data;
  if (typeof data === 'string' && /^0x[0-9a-fA-F]{8}/.test(data)) return data;
  if (typeof data === 'object' && data !== null) {
    const nested = findRevertData(data, depth + 1);
    if (nested) return nested;
  }
  for (const key of ['error', 'info', 'cause', 'payload']) {
    const nested = findRevertData(record[key], depth + 1);
    if (nested) return nested;
  }
  return undefined;
}

/** Decodes revert data with the given interfaces, then Error(string) and Panic(uint256). */
export function decodeRevertData(
  data: string,
  interfaces: readonly Interface[],
): { contract?: string; description: ErrorDescription } | undefined {
  for (const candidate of interfaces) {
    try {
      const description = candidate.parseError(data);
      if (description) return { description };
    } catch {
      // Not this interface's error; try the next.
    }
  }
  try {
    const description = builtinErrors.parseError(data);
    return description ? { description } : undefined;
  } catch {
    return undefined;
  }
}

const unreachableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET']);

/** Whether an error means the node could not be reached (as opposed to answering with an error). */
export function isUnreachable(error: unknown, depth = 0): boolean {
  if (depth > 6 || typeof error !== 'object' || error === null) return false;
  const record = error as Record<string, unknown>;
  if (typeof record.code === 'string' && unreachableCodes.has(record.code)) return true;
  if (record.code === 'NETWORK_ERROR') return true;
  // Hardhat's in-process network after `connection.close()` (HHE722 "The provider has been
  // closed"): the node is gone, as a stopped remote node is.
  // ethers' BrowserProvider keeps only the message of an EIP-1193 error.
  if (record.errorCode === 'HHE722' || /^HHE722:/.test(String(record.message))) return true;
  const message = typeof record.message === 'string' ? record.message : '';
  if (/ECONNREFUSED|ECONNRESET|fetch failed|socket hang up|other side closed/i.test(message)) return true;
  for (const key of ['error', 'info', 'cause']) {
    if (isUnreachable(record[key], depth + 1)) return true;
  }
  return Array.isArray(record.errors) && record.errors.some((inner) => isUnreachable(inner, depth + 1));
}

/** Why a node refused a transaction's nonce: already used, or ahead of the account's next one. */
export type NonceRefusal = 'too-low' | 'too-high';

/**
 * Finds a node's refusal of a transaction's nonce in an error from any provider shape:
 * ethers' `NONCE_EXPIRED`, or the node's own JSON-RPC error (`{ code, message }`) nested
 * under `cause`, `error`, `info`, `data` or `payload`. Hardhat's in-process EDR answers
 * "Nonce too high. Expected nonce to be …", which ethers cannot classify and wraps as
 * `UNKNOWN_ERROR` ("could not coalesce error") with the node's error under `error`; geth
 * and anvil answer "nonce too low" (`-32003` on anvil).
 *
 * @param error - an error thrown by a send, possibly already a LedgerError
 * @returns which refusal it is, or undefined when the node did not refuse the nonce
 */
export function findNonceRefusal(error: unknown, depth = 0): NonceRefusal | undefined {
  if (depth > 6 || typeof error !== 'object' || error === null) return undefined;
  const record = error as Record<string, unknown>;
  if (record.code === 'NONCE_EXPIRED') return 'too-low';
  // Only the node's JSON-RPC error object is read as text: its message is the node's verdict,
  // not a wrapper's summary that may quote anything (a payload, another error).
  if (typeof record.code === 'number' && typeof record.message === 'string') {
    const refused = /\bnonce too (low|high)\b/i.exec(record.message);
    if (refused) return refused[1]?.toLowerCase() === 'low' ? 'too-low' : 'too-high';
  }
  for (const key of ['cause', 'error', 'info', 'data']) {
    const nested = findNonceRefusal(record[key], depth + 1);
    if (nested) return nested;
  }
  return undefined;
}

/** Context of a failed operation, for the error's details. */
export interface ErrorContext {
  operation: string;
  contract?: string;
  method?: string;
  interfaces?: readonly Interface[];
  /** Codes for custom errors by name; any other revert is `CONTRACT_REVERTED`. */
  revertCodes?: Readonly<Record<string, ErrorCode>>;
  /** Hash of the transaction concerned, when known before the node answered. */
  txId?: string;
}

/**
 * Custom errors that mean the same on every backend: OpenZeppelin's access-control and
 * ownership refusals are `PERMISSION_DENIED`; a contract's `NotFound` is `NOT_FOUND`.
 */
export const defaultRevertCodes: Readonly<Record<string, ErrorCode>> = {
  AccessControlUnauthorizedAccount: 'PERMISSION_DENIED',
  OwnableUnauthorizedAccount: 'PERMISSION_DENIED',
  NotFound: 'NOT_FOUND',
};

/**
 * Maps any provider error to a LedgerError: decoded custom errors to their code in
 * `context.revertCodes` or else `CONTRACT_REVERTED`,
 * connection failures to `UNAVAILABLE`, everything else to `COMMIT_FAILED` (sends) or
 * `INTERNAL`. LedgerErrors pass through unchanged.
 */
export function toLedgerError(error: unknown, context: ErrorContext): LedgerError {
  if (error instanceof LedgerError) return error;
  const where = {
    operation: context.operation,
    contract: context.contract,
    method: context.method,
    ...(context.txId ? { txId: context.txId } : {}),
  };
  const data = findRevertData(error);
  if (data !== undefined) {
    const decoded = decodeRevertData(data, context.interfaces ?? []);
    const errorName = decoded?.description.name ?? 'unknown';
    const errorArgs = decoded ? toJson([...decoded.description.args]) : [];
    const code = context.revertCodes?.[errorName] ?? 'CONTRACT_REVERTED';
    return new LedgerError(code, `the contract reverted with ${errorName}`, {
      details: { ...where, errorName, errorArgs, selector: data.slice(0, 10), data },
      cause: error,
    });
  }
  if (isUnreachable(error)) {
    return new LedgerError('UNAVAILABLE', 'the Ethereum node could not be reached', { details: where, cause: error });
  }
  const message =
    error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : String(error);
  const code = context.operation === 'send' ? 'COMMIT_FAILED' : 'INTERNAL';
  return new LedgerError(code, `the node rejected the ${context.operation}: ${message.split('\n')[0]}`, {
    details: where,
    cause: error,
  });
}
