// The golden receipt vectors (testdata/receipts/, written by scripts/generate-golden-receipts.ts
// from a real network) are kept forever: every version of the verifier must accept the valid
// ones and reject the tampered ones with the named failing checks.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrustAnchor, VerificationBundle } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import { verifyFabricReceipt } from '../src/verify.js';

interface Vector {
  description: string;
  bundle: VerificationBundle;
  anchor?: TrustAnchor;
  expect: { ok: boolean; failing?: string[] };
}

const dir = fileURLToPath(new URL('../testdata/receipts', import.meta.url));
const vectors = readdirSync(dir)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => [name.replace(/\.json$/, ''), JSON.parse(readFileSync(join(dir, name), 'utf8')) as Vector] as const);

describe('golden Fabric receipt vectors', () => {
  test('cover valid receipts and revisions and every kind of tampering', () => {
    const names = vectors.map(([name]) => name);
    for (const name of [
      'valid-receipt-pinned-config',
      'valid-receipt-msp-roots',
      'valid-revision',
      'valid-legacy-receipt',
      'tampered-value',
      'tampered-position',
      'tampered-other-channel',
      'tampered-truncated-block',
      'tampered-wrong-anchor-type',
      'tampered-wrong-pinned-config',
    ]) {
      expect(names).toContain(name);
    }
  });

  test.each(vectors)('%s', async (name, vector) => {
    const result = await verifyFabricReceipt(vector.bundle.subject, vector.bundle.evidence, vector.anchor);
    const failing = result.checks.filter((check) => !check.ok).map((check) => check.name);
    expect(result.ok, `${name}: ${vector.description}`).toBe(vector.expect.ok);
    expect(failing).toEqual(vector.expect.failing ?? []);
    expect(name.startsWith('valid-')).toBe(vector.expect.ok);
    if (vector.anchor && vector.expect.ok) expect(result.anchor?.explicit).toBe(true);
  });
});
