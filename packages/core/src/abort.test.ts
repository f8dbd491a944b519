import { describe, expect, it } from 'vitest';
import { abortError, anySignal, raceSignal, sleep, throwIfAborted } from './abort.js';
import { isLedgerError } from './errors.js';

describe('abort helpers', () => {
  it('reports a deadline as TIMEOUT and any other abort as ABORTED', () => {
    const timedOut = AbortSignal.abort(new DOMException('deadline', 'TimeoutError'));
    expect(abortError(timedOut).code).toBe('TIMEOUT');
    expect(abortError(AbortSignal.abort()).code).toBe('ABORTED');
    expect(() => throwIfAborted(timedOut)).toThrow(expect.objectContaining({ code: 'TIMEOUT' }));
    expect(() => throwIfAborted(undefined)).not.toThrow();
  });

  it('gives AbortSignal.timeout a TIMEOUT', async () => {
    const error = await sleep(5_000, AbortSignal.timeout(5)).catch((caught: unknown) => caught);
    expect(isLedgerError(error, 'TIMEOUT')).toBe(true);
  });

  it('follows any of several signals', async () => {
    const controller = new AbortController();
    const combined = anySignal(undefined, controller.signal, new AbortController().signal);
    const waiting = sleep(5_000, combined).catch((caught: unknown) => caught);
    controller.abort();
    expect(isLedgerError(await waiting, 'ABORTED')).toBe(true);
    await expect(sleep(1)).resolves.toBeUndefined();
  });

  it('races work against a signal: the outcome of the work, or the typed abort first', async () => {
    await expect(raceSignal(Promise.resolve(7), undefined)).resolves.toBe(7);
    await expect(raceSignal(Promise.resolve(7), new AbortController().signal)).resolves.toBe(7);
    await expect(raceSignal(Promise.reject(new Error('failed')), new AbortController().signal)).rejects.toThrow(
      'failed',
    );
    const never = new Promise<never>(() => {});
    const already = await raceSignal(never, AbortSignal.abort()).catch((caught: unknown) => caught);
    expect(isLedgerError(already, 'ABORTED')).toBe(true);
    const late = await raceSignal(never, AbortSignal.timeout(5)).catch((caught: unknown) => caught);
    expect(isLedgerError(late, 'TIMEOUT')).toBe(true);
  });
});
