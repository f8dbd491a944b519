import { LedgerError } from './errors.js';

/**
 * The typed error for an aborted signal: `TIMEOUT` when the signal's reason is a
 * `TimeoutError` (as `AbortSignal.timeout(ms)` gives), `ABORTED` otherwise. Every adapter
 * reports a deadline the same way through this.
 *
 * @param signal - an aborted signal
 * @returns the error to throw
 */
export function abortError(signal: AbortSignal): LedgerError {
  const reason: unknown = signal.reason;
  if (typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError') {
    return new LedgerError('TIMEOUT', 'the operation did not finish within its deadline', { cause: reason });
  }
  return new LedgerError('ABORTED', 'operation aborted', { cause: reason });
}

/**
 * Throws {@link abortError} when `signal` is aborted.
 *
 * @param signal - the caller's signal, if any
 * @throws LedgerError `TIMEOUT` or `ABORTED`
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/**
 * A signal that aborts when any of `signals` does, with that signal's reason.
 *
 * @param signals - signals to follow; undefined ones are ignored
 * @returns the combined signal
 */
export function anySignal(...signals: ReadonlyArray<AbortSignal | undefined>): AbortSignal {
  return AbortSignal.any(signals.filter((signal): signal is AbortSignal => signal !== undefined));
}

/**
 * Waits `ms` milliseconds, or rejects with {@link abortError} as soon as `signal` aborts.
 *
 * @param ms - how long to wait
 * @param signal - stops the wait
 * @returns resolves after the wait
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Settles as `work` does, or rejects with {@link abortError} as soon as `signal` aborts, also
 * when it is aborted already. The work itself is not stopped: a gRPC or JSON-RPC call runs on
 * and its outcome is ignored.
 *
 * @param work - the pending operation
 * @param signal - the caller's signal, if any
 * @returns what `work` resolves with
 * @throws LedgerError `TIMEOUT` or `ABORTED` when `signal` aborts first; else what `work` rejects with
 */
export function raceSignal<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
