import { describe, expect, it } from 'vitest';
import { abortError, anySignal, sleep, throwIfAborted } from './abort.js';
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
});
