import { describe, expect, it } from 'vitest';
import { formatVerification } from './format-verification.js';
import { check, checkAsync, verification } from './ledger.js';

const passed = verification(
  [
    { name: 'inclusion-proof', ok: true, detail: 'leaf 3 folds to ab12' },
    { name: 'digest-signature', ok: true, detail: 'signed | by the pinned key' },
  ],
  { type: 'ledgerdb-digest', explicit: true, detail: 'digest of tree size 8' },
);
const failed = verification([
  { name: 'inclusion-proof', ok: false, detail: 'root differs' },
  { name: 'transaction-id', ok: true, detail: 'same' },
]);

describe('formatVerification', () => {
  it('renders text with every check, the anchor and a verdict', () => {
    const text = formatVerification(passed, 'text', 'receipt 1');
    expect(text.split('\n')[0]).toBe('receipt 1');
    expect(text).toContain('pass  inclusion-proof: leaf 3 folds to ab12');
    expect(text).toContain('digest of tree size 8 (anchor chosen by the verifier)');
    expect(text.trimEnd().split('\n').at(-1)).toBe('VERIFIED: 2 of 2 checks passed');
  });

  it('says when the anchor came from the backend, and counts failures', () => {
    const text = formatVerification(
      verification(failed.checks, { type: 'ethereum-block', explicit: false, detail: 'block 9 0xab' }),
    );
    expect(text).toContain('anchor taken from the backend that was asked');
    expect(text).toContain('FAIL  inclusion-proof: root differs');
    expect(text.trimEnd().split('\n').at(-1)).toBe('NOT VERIFIED: 1 of 2 checks failed');
  });

  it('renders Markdown with escaped table cells', () => {
    const markdown = formatVerification(passed, 'markdown', 'receipt 1');
    expect(markdown).toContain('| pass | `digest-signature` | signed \\| by the pinned key |');
    expect(markdown).toContain('**VERIFIED: 2 of 2 checks passed**');
    expect(formatVerification(failed, 'markdown')).toContain('| **FAIL** | `inclusion-proof` | root differs |');
  });

  it('renders JSON that parses back to the same checks', () => {
    const parsed = JSON.parse(formatVerification(failed, 'json', 'x'));
    expect(parsed).toMatchObject({ title: 'x', ok: false, anchor: null, checks: failed.checks });
    expect(parsed.verdict).toBe('NOT VERIFIED: 1 of 2 checks failed');
  });

  it('never calls an empty verification verified', () => {
    expect(formatVerification(verification([]))).toContain('NOT VERIFIED: no check was made');
  });
});

describe('check', () => {
  it('turns a thrown error into a failed check with its message', async () => {
    expect(check('a', () => [true, 'fine'])).toEqual({ name: 'a', ok: true, detail: 'fine' });
    expect(
      check('b', () => {
        throw new Error('truncated proof');
      }),
    ).toEqual({ name: 'b', ok: false, detail: 'truncated proof' });
    await expect(checkAsync('c', async () => Promise.reject(new TypeError('bad hex')))).resolves.toEqual({
      name: 'c',
      ok: false,
      detail: 'bad hex',
    });
  });
});
