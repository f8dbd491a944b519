import { type ErrorCode, isLedgerError, LedgerError } from '@ledgerkit/core';
import { validationCodeName } from '../verify/validation-codes.js';

/** What the failing operation was doing, copied into the error's details. */
export interface ErrorContext {
  operation: string;
  channel?: string;
  chaincode?: string;
  transaction?: string;
  txId?: string;
  block?: number;
}

/** One node's part of a gateway error. */
export interface PeerErrorDetail {
  address: string;
  mspId: string;
  message: string;
}

const grpcStatusNames: Record<number, string> = {
  0: 'OK',
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
};

// `chaincode response 500, <message>` is how peers report a chaincode's rejection.
const chaincodeResponse = /chaincode response (\d+), ([\s\S]*)$/;
const unreachable = /could not launch chaincode|error while dialing|connection refused|failed to connect/i;
// Our chaincodes start rejection messages with a machine-readable `[CODE]`.
const reasonCodePrefix = /^\[([A-Za-z0-9_.:-]+)\]\s*/;

/**
 * The chaincode convention for rejections that are not rule violations: a message starting
 * with `[NOT_FOUND]` (the key does not exist) or `[PERMISSION_DENIED]` (the caller's identity
 * lacks an attribute or role the chaincode requires) becomes that code; any other rejection,
 * with or without a `[CODE]`, is `CONTRACT_REVERTED`.
 */
const rejectionCodes: Record<string, ErrorCode> = {
  NOT_FOUND: 'NOT_FOUND',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
};

/**
 * Splits a chaincode rejection message into its `[CODE]` prefix and the rest.
 *
 * @param message - the chaincode's message
 * @returns the code (when the message starts with one) and the message without it
 */
export function parseReason(message: string): { reasonCode?: string; reason: string } {
  const match = reasonCodePrefix.exec(message);
  return match ? { reasonCode: match[1] as string, reason: message.slice(match[0].length) } : { reason: message };
}

/**
 * Maps what fabric-gateway and gRPC throw to a {@link LedgerError}: chaincode rejections to
 * `CONTRACT_REVERTED` (with the `[CODE]` prefix parsed; `[NOT_FOUND]` and `[PERMISSION_DENIED]`
 * to those codes), MVCC and phantom read conflicts to
 * `OCC_CONFLICT`, other invalid validation codes to `COMMIT_FAILED`, unreachable nodes to
 * `UNAVAILABLE`, deadlines to `TIMEOUT`. Ledgerkit errors pass unchanged.
 *
 * @param error - what was caught
 * @param context - the operation, channel, chaincode and transaction, for the details
 * @returns the typed error, with the original as `cause`
 */
export function toLedgerError(error: unknown, context: ErrorContext): LedgerError {
  if (isLedgerError(error)) return error;
  const base = compact({ ...context });
  const name = error instanceof Error ? error.name : undefined;
  const record = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const txId = typeof record.transactionId === 'string' ? record.transactionId : context.txId;

  if (name === 'CommitError' && typeof record.code === 'number') {
    const validationCode = validationCodeName(record.code);
    const details = { ...base, txId, validationCode };
    if (validationCode === 'MVCC_READ_CONFLICT' || validationCode === 'PHANTOM_READ_CONFLICT') {
      return new LedgerError(
        'OCC_CONFLICT',
        `transaction was invalidated by ${validationCode}: a key it read changed before it committed`,
        {
          details,
          cause: error,
        },
      );
    }
    return new LedgerError('COMMIT_FAILED', `transaction was ordered but invalidated with ${validationCode}`, {
      details,
      cause: error,
    });
  }

  const grpcCode = typeof record.code === 'number' ? record.code : undefined;
  if (grpcCode === undefined) {
    return new LedgerError(
      'INTERNAL',
      `unexpected failure during ${context.operation}: ${error instanceof Error ? error.message : String(error)}`,
      {
        details: base,
        cause: error,
      },
    );
  }
  const peers = peerDetails(record.details);
  const grpcStatus = grpcStatusNames[grpcCode] ?? String(grpcCode);
  const details = compact({ ...base, txId, grpcStatus, peers: peers.length > 0 ? peers : undefined });

  const rejection = chaincodeRejection(peers, error instanceof Error ? error.message : '');
  if (rejection) {
    const { reasonCode, reason } = parseReason(rejection.message);
    return new LedgerError(
      rejectionCodes[reasonCode ?? ''] ?? 'CONTRACT_REVERTED',
      `chaincode rejected ${context.transaction ?? 'the call'}: ${rejection.message}`,
      {
        details: compact({ ...details, reason, reasonCode, chaincodeStatus: rejection.status }),
        cause: error,
      },
    );
  }

  // A peer that cannot reach the chaincode server (chaincode restarting) answers ABORTED
  // or UNKNOWN; like an unreachable peer, that passes by itself.
  if (peers.length > 0 && peers.every((detail) => unreachable.test(detail.message))) {
    return new LedgerError(
      'UNAVAILABLE',
      `${describe(name, context)}: the chaincode server is unreachable from ${peers.map((detail) => detail.mspId).join(', ')}`,
      {
        details,
        cause: error,
      },
    );
  }

  const summary =
    peers.length > 0
      ? peers.map((detail) => `${detail.mspId}@${detail.address}: ${detail.message}`).join('; ')
      : grpcMessage(error);
  const code = codeFor(name, grpcCode);
  const retryable = code === 'ENDORSEMENT_FAILED' && grpcCode === 9 ? true : undefined;
  return new LedgerError(code, `${describe(name, context)} failed with ${grpcStatus}: ${summary}`, {
    details,
    cause: error,
    ...(retryable === undefined ? {} : { retryable }),
  });
}

function codeFor(name: string | undefined, grpcCode: number): ErrorCode {
  switch (grpcCode) {
    case 1:
      return 'ABORTED';
    case 3:
      return 'INVALID_ARGUMENT';
    case 4:
      return 'TIMEOUT';
    case 5:
      return 'NOT_FOUND';
    case 7:
      return 'PERMISSION_DENIED';
    case 14:
      return 'UNAVAILABLE';
    case 16:
      return 'UNAUTHENTICATED';
    case 9:
      // No peers can endorse: the chaincode is not deployed on the channel, or discovery
      // has not learned it yet (just deployed or restarted), which passes by itself.
      return name === 'SubmitError' ? 'COMMIT_FAILED' : 'ENDORSEMENT_FAILED';
  }
  if (name === 'EndorseError') return 'ENDORSEMENT_FAILED';
  if (name === 'SubmitError') return 'COMMIT_FAILED';
  return 'INTERNAL';
}

function describe(name: string | undefined, context: ErrorContext): string {
  const what = context.transaction ? `${context.operation} of ${context.transaction}` : context.operation;
  switch (name) {
    case 'EndorseError':
      return `endorsement (${what})`;
    case 'SubmitError':
      return `ordering (${what})`;
    case 'CommitStatusError':
      return `commit status (${what})`;
    default:
      return what;
  }
}

function chaincodeRejection(
  peers: readonly PeerErrorDetail[],
  message: string,
): { status: number; message: string } | undefined {
  for (const text of [...peers.map((detail) => detail.message), message]) {
    const match = chaincodeResponse.exec(text);
    if (match) return { status: Number(match[1]), message: (match[2] as string).trim() };
  }
  return undefined;
}

function peerDetails(value: unknown): PeerErrorDetail[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { address, mspId, message } = entry as Record<string, unknown>;
    return [{ address: String(address ?? ''), mspId: String(mspId ?? ''), message: String(message ?? '') }];
  });
}

function grpcMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // gRPC prefixes `<code> <STATUS>: `; the status is reported separately.
  return message.replace(/^\d+ [A-Z_]+: /, '');
}

function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined)) as T;
}
