import { expect, test } from 'vitest';
import { verification } from './ledger.js';

test('a verification with no checks is not ok', () => {
  expect(verification([])).toEqual({ ok: false, checks: [] });
});

test('a verification is ok only when every check passed', () => {
  const pass = { name: 'inclusion-proof', ok: true, detail: 'leaf 3 of 8 leads to the digest root' };
  const fail = { name: 'digest-signature', ok: false, detail: 'signature does not verify under the owner key' };
  expect(verification([pass]).ok).toBe(true);
  expect(verification([pass, fail]).ok).toBe(false);
});
