const ledgerErrorMarker = Symbol.for('ledgerkit.error');

/**
 * Every error code a ledgerkit package may throw, with whether retrying the same
 * operation can succeed. `docs/errors.md` renders this table; a test keeps them equal.
 */
export const errorCodes = {
  INVALID_ARGUMENT: {
    retryable: false,
    description: 'An argument or input document is malformed or out of range.',
  },
  NOT_FOUND: { retryable: false, description: 'The table, document, key, block or transaction does not exist.' },
  ALREADY_EXISTS: { retryable: false, description: 'The table, index, document or key already exists.' },
  LIMIT_EXCEEDED: {
    retryable: false,
    description: 'A configured limit (documents per transaction, document size, body size) was exceeded.',
  },
  OCC_CONFLICT: {
    retryable: true,
    description: 'A value read by the transaction changed before it committed (optimistic concurrency).',
  },
  MVCC_READ_CONFLICT: {
    retryable: true,
    description: 'Fabric invalidated the transaction because a key it read was updated by an earlier one.',
  },
  TIMEOUT: { retryable: true, description: 'The operation did not finish within its deadline.' },
  UNAVAILABLE: { retryable: true, description: 'The node, peer, orderer or server could not be reached.' },
  ABORTED: { retryable: false, description: 'The caller aborted the operation (AbortSignal).' },
  UNAUTHENTICATED: { retryable: false, description: 'No valid credentials were presented.' },
  PERMISSION_DENIED: { retryable: false, description: 'The caller is authenticated but lacks the right.' },
  CONTRACT_REVERTED: {
    retryable: false,
    description: 'The smart contract or chaincode rejected the call; details hold the decoded reason.',
  },
  ENDORSEMENT_FAILED: { retryable: false, description: 'Fabric peers did not endorse the proposal.' },
  COMMIT_FAILED: { retryable: false, description: 'The transaction was ordered but not committed as valid.' },
  MERKLE_PROOF_INVALID: {
    retryable: false,
    description: 'A Merkle inclusion or consistency proof does not lead to the expected root.',
  },
  DIGEST_INCONSISTENT: {
    retryable: false,
    description: 'A new digest is not an extension of the last trusted one (split view or rewritten history).',
  },
  SIGNATURE_INVALID: { retryable: false, description: 'A signature does not verify under the trusted key.' },
  VERIFICATION_FAILED: { retryable: false, description: 'A receipt or revision failed cryptographic verification.' },
  TAMPER_DETECTED: { retryable: false, description: 'Stored ledger data no longer matches its hashes (audit).' },
  UNSUPPORTED: { retryable: false, description: 'The backend does not support this operation.' },
  INTERNAL: { retryable: false, description: 'A bug or an unexpected state inside ledgerkit.' },
} as const satisfies Record<string, { retryable: boolean; description: string }>;

/** A code from {@link errorCodes}. */
export type ErrorCode = keyof typeof errorCodes;

/** Options for constructing a {@link LedgerError}. */
export interface LedgerErrorOptions {
  /** Structured facts about the failure (values named in the message, ids, limits). */
  details?: Readonly<Record<string, unknown>>;
  /** The lower-level error this one wraps. */
  cause?: unknown;
  /** Overrides the retryability the code implies. */
  retryable?: boolean;
}

/**
 * Base class of every error ledgerkit throws. Check errors with {@link isLedgerError}
 * and their `code`, not with `instanceof`: two copies of this package still agree.
 *
 * @example
 * ```ts
 * try { await ledger.submit(call) }
 * catch (error) { if (isLedgerError(error, 'OCC_CONFLICT')) retryLater() }
 * ```
 */
export class LedgerError extends Error {
  /** Machine-readable code; stable across releases. */
  readonly code: ErrorCode;
  /** One-line human description, without details. */
  readonly shortMessage: string;
  /** Structured facts about the failure. */
  readonly details: Readonly<Record<string, unknown>>;
  /** Whether repeating the same operation may succeed. */
  readonly retryable: boolean;

  /**
   * @param code - a code from {@link errorCodes}
   * @param shortMessage - one line naming what was wrong
   * @param options - details, cause and retryability
   */
  constructor(code: ErrorCode, shortMessage: string, options: LedgerErrorOptions = {}) {
    const details = options.details ?? {};
    super(formatMessage(code, shortMessage, details), options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'LedgerError';
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = details;
    this.retryable = options.retryable ?? errorCodes[code].retryable;
    Object.defineProperty(this, ledgerErrorMarker, { value: true });
  }

  /**
   * Walks the cause chain, starting with this error.
   *
   * @param predicate - stops at the first error it accepts
   * @returns the first matching error, or the innermost cause when no predicate is given
   */
  walk(predicate?: (error: unknown) => boolean): unknown {
    let current: unknown = this;
    const seen = new Set<unknown>();
    while (current !== undefined && !seen.has(current)) {
      seen.add(current);
      if (predicate?.(current)) return current;
      const next: unknown = current instanceof Error ? current.cause : undefined;
      if (next === undefined) return predicate ? undefined : current;
      current = next;
    }
    return predicate ? undefined : current;
  }

  override toString(): string {
    return `${this.name} [${this.code}]: ${this.shortMessage}`;
  }
}

function formatMessage(code: ErrorCode, shortMessage: string, details: Readonly<Record<string, unknown>>): string {
  const lines = Object.entries(details)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `  ${key}: ${typeof value === 'string' ? value : safeStringify(value)}`);
  return lines.length === 0 ? `${shortMessage} [${code}]` : `${shortMessage} [${code}]\n${lines.join('\n')}`;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
  } catch {
    return String(value);
  }
}

/**
 * Tells whether a value is a ledgerkit error, optionally of one code. Works across
 * copies of the package because it checks a `Symbol.for` marker.
 *
 * @param value - anything caught
 * @param code - when given, the error must also carry this code
 * @returns true when `value` is a {@link LedgerError} (with that code)
 */
export function isLedgerError(value: unknown, code?: ErrorCode): value is LedgerError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[ledgerErrorMarker] !== true) return false;
  return code === undefined || (value as LedgerError).code === code;
}

/** Thrown when a Merkle inclusion or consistency proof does not verify. */
export class MerkleProofError extends LedgerError {
  constructor(shortMessage: string, details: Readonly<Record<string, unknown>>) {
    super('MERKLE_PROOF_INVALID', shortMessage, { details });
    this.name = 'MerkleProofError';
  }
}

/** Thrown for malformed arguments; `details.argument` names the offending one. */
export class InvalidArgumentError extends LedgerError {
  constructor(
    argument: string,
    shortMessage: string,
    details: Readonly<Record<string, unknown>> = {},
    cause?: unknown,
  ) {
    super('INVALID_ARGUMENT', shortMessage, { details: { argument, ...details }, cause });
    this.name = 'InvalidArgumentError';
  }
}
