import { sleep, throwIfAborted } from './abort.js';
import { InvalidArgumentError, isLedgerError } from './errors.js';

/** How the random part of a backoff delay is drawn. */
export type Jitter =
  /** Half the exponential delay plus a uniform draw over the other half (QLDB driver). */
  | 'equal'
  /** A uniform draw over the whole exponential delay. */
  | 'full'
  /** The exponential delay exactly; for tests and deterministic tooling. */
  | 'none';

/** Backoff parameters; the defaults are the QLDB driver's. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter (default 10 ms). */
  baseDelayMs?: number;
  /** Upper bound of any delay (default 5,000 ms). */
  maxDelayMs?: number;
  /** Jitter strategy (default `'equal'`). */
  jitter?: Jitter;
  /** Source of uniform numbers in [0, 1) (default `Math.random`). */
  random?: () => number;
}

/** Options of {@link retry}. */
export interface RetryOptions extends BackoffOptions {
  /** Retries after the first attempt (default 4, so at most 5 attempts). */
  retries?: number;
  /** Decides whether an error is worth another attempt (default: ledgerkit errors marked retryable). */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Called before each wait, e.g. for logging. */
  onRetry?: (event: { error: unknown; attempt: number; delayMs: number }) => void;
  /** Aborts waiting and further attempts. */
  signal?: AbortSignal;
}

const defaults = { retries: 4, baseDelayMs: 10, maxDelayMs: 5_000, jitter: 'equal' } as const;

/**
 * The delay before retry number `attempt` (1 for the first retry):
 * `min(maxDelayMs, baseDelayMs * 2^attempt)` with the chosen jitter applied.
 *
 * @param attempt - retry number, >= 1
 * @param options - backoff parameters
 * @returns milliseconds to wait
 * @throws InvalidArgumentError when `attempt` is not a positive integer
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new InvalidArgumentError('attempt', `retry attempt must be a positive integer, got ${attempt}`);
  }
  const base = options.baseDelayMs ?? defaults.baseDelayMs;
  const max = options.maxDelayMs ?? defaults.maxDelayMs;
  const random = options.random ?? Math.random;
  const exponential = Math.min(max, base * 2 ** attempt);
  switch (options.jitter ?? defaults.jitter) {
    case 'none':
      return exponential;
    case 'full':
      return random() * exponential;
    case 'equal':
      return exponential / 2 + random() * (exponential / 2);
  }
}

/**
 * Runs `operation` until it succeeds, retrying retryable failures with jittered
 * exponential backoff. The operation is re-run from the start, so it must be idempotent.
 * When retries are exhausted (or an error is not retryable) the last error is thrown
 * unchanged, so callers still see its code.
 *
 * @param operation - receives the attempt number, 0 for the first call
 * @param options - retry count, backoff and predicate
 * @returns the operation's result
 * @throws the operation's last error, or a LedgerError with code `ABORTED` when `signal` aborts
 *
 * @example
 * ```ts
 * const receipt = await retry(() => ledger.submit(call), { retries: 6 })
 * ```
 */
export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? defaults.retries;
  if (!Number.isInteger(retries) || retries < 0) {
    throw new InvalidArgumentError('retries', `retries must be a non-negative integer, got ${retries}`);
  }
  const shouldRetry = options.shouldRetry ?? ((error: unknown) => isLedgerError(error) && error.retryable);
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(options.signal);
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= retries || !shouldRetry(error, attempt)) throw error;
      const delayMs = backoffDelay(attempt + 1, options);
      options.onRetry?.({ error, attempt: attempt + 1, delayMs });
      await sleep(delayMs, options.signal);
    }
  }
}
