import { describe, expect, test, vi } from 'vitest';
import { isLedgerError, LedgerError } from './errors.js';
import { backoffDelay, retry } from './retry.js';

describe('backoffDelay', () => {
  test('doubles from the base and caps at the maximum (QLDB driver defaults)', () => {
    const delays = [1, 2, 3, 9, 12].map((attempt) => backoffDelay(attempt, { jitter: 'none' }));
    expect(delays).toEqual([20, 40, 80, 5000, 5000]);
  });

  test('equal jitter draws from the upper half of the delay', () => {
    expect(backoffDelay(3, { random: () => 0 })).toBe(40);
    expect(backoffDelay(3, { random: () => 0.999999 })).toBeCloseTo(80, 3);
  });

  test('full jitter draws from the whole delay', () => {
    expect(backoffDelay(3, { jitter: 'full', random: () => 0.25 })).toBe(20);
  });

  test('rejects a non-positive attempt', () => {
    expect(() => backoffDelay(0)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('retry', () => {
  const conflict = () => new LedgerError('OCC_CONFLICT', 'document changed');

  test('retries retryable errors until the operation succeeds', async () => {
    const operation = vi.fn(async (attempt: number) => {
      if (attempt < 2) throw conflict();
      return 'committed';
    });
    const onRetry = vi.fn();
    await expect(retry(operation, { baseDelayMs: 1, onRetry })).resolves.toBe('committed');
    expect(operation).toHaveBeenCalledTimes(3);
    expect(onRetry.mock.calls.map(([event]) => event.attempt)).toEqual([1, 2]);
  });

  test('gives up after the default 4 retries with the last error unchanged', async () => {
    const operation = vi.fn(async () => {
      throw conflict();
    });
    const error = await retry(operation, { baseDelayMs: 1 }).catch((caught: unknown) => caught);
    expect(isLedgerError(error, 'OCC_CONFLICT')).toBe(true);
    expect(operation).toHaveBeenCalledTimes(5);
  });

  test('does not retry errors that are not retryable', async () => {
    const operation = vi.fn(async () => {
      throw new LedgerError('INVALID_ARGUMENT', 'bad');
    });
    await expect(retry(operation, { baseDelayMs: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(operation).toHaveBeenCalledTimes(1);
  });

  test('a custom predicate decides what is retried', async () => {
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        if (calls === 1) throw new Error('ECONNRESET');
        return calls;
      },
      { baseDelayMs: 1, shouldRetry: (error) => error instanceof Error && error.message === 'ECONNRESET' },
    );
    expect(result).toBe(2);
  });

  test('aborting while waiting stops with ABORTED', async () => {
    const controller = new AbortController();
    const pending = retry(
      async () => {
        throw conflict();
      },
      { baseDelayMs: 10_000, signal: controller.signal },
    );
    setTimeout(() => controller.abort(new Error('shutdown')), 10);
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });

  test('rejects a negative retry count', async () => {
    await expect(retry(async () => 1, { retries: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
