import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { errorCodes, InvalidArgumentError, isLedgerError, LedgerError, MerkleProofError } from './errors.js';

describe('LedgerError', () => {
  test('carries code, short message, details, cause and retryability', () => {
    const cause = new Error('socket hang up');
    const error = new LedgerError('UNAVAILABLE', 'peer0 is unreachable', { details: { peer: 'peer0' }, cause });
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.shortMessage).toBe('peer0 is unreachable');
    expect(error.details).toEqual({ peer: 'peer0' });
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('peer: peer0');
    expect(String(error)).toBe('LedgerError [UNAVAILABLE]: peer0 is unreachable');
  });

  test('retryability can be overridden per error', () => {
    expect(new LedgerError('TIMEOUT', 'slow', { retryable: false }).retryable).toBe(false);
  });

  test('walk finds a cause by predicate and the innermost cause without one', () => {
    const root = new Error('root');
    const middle = new InvalidArgumentError('table', 'bad table', {}, root);
    const top = new LedgerError('INTERNAL', 'wrapped', { cause: middle });
    expect(top.walk((error) => isLedgerError(error, 'INVALID_ARGUMENT'))).toBe(middle);
    expect(top.walk()).toBe(root);
    expect(top.walk(() => false)).toBeUndefined();
  });
});

describe('isLedgerError', () => {
  test('recognises errors by marker, also from another copy of the package', () => {
    const foreign = Object.assign(new Error('x'), { code: 'NOT_FOUND' });
    Object.defineProperty(foreign, Symbol.for('ledgerkit.error'), { value: true });
    expect(isLedgerError(foreign, 'NOT_FOUND')).toBe(true);
    expect(isLedgerError(new Error('plain'))).toBe(false);
    expect(isLedgerError({ code: 'NOT_FOUND' })).toBe(false);
    expect(isLedgerError(null)).toBe(false);
  });

  test('filters by code', () => {
    const error = new MerkleProofError('bad proof', { expectedRoot: 'aa', computedRoot: 'bb' });
    expect(isLedgerError(error, 'MERKLE_PROOF_INVALID')).toBe(true);
    expect(isLedgerError(error, 'NOT_FOUND')).toBe(false);
  });

  test('InvalidArgumentError names the argument', () => {
    const error = new InvalidArgumentError('document.size', 'too big', { limit: 131072 });
    expect(error.details).toEqual({ argument: 'document.size', limit: 131072 });
  });
});

test('docs/errors.md lists exactly the codes in errorCodes, with their retryability', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(yes|no)\s*\|/gm)].map(([, code, retryable]) => [
    code,
    retryable,
  ]);
  expect(rows).toEqual(Object.entries(errorCodes).map(([code, entry]) => [code, entry.retryable ? 'yes' : 'no']));
});
