// Reads the golden receipt vectors every backend commits under packages/<backend>/testdata/receipts/.
// ledgerdb and Fabric write `{ bundle, anchor?, expect: { ok, failing? } }` files; Ethereum writes
// `{ subject, evidence, anchor?, expect: { ok, failingCheck? } }` in valid/ and tampered/ folders.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrustAnchor, VerificationBundle } from '@ledgerkit/core';

/** One vector, in one shape whatever the backend wrote. */
export interface GoldenVector {
  /** Path under the backend's receipts folder. */
  name: string;
  bundle: VerificationBundle;
  anchor?: TrustAnchor;
  ok: boolean;
  /** The checks that must fail (empty for a valid vector). */
  failing: string[];
}

const packages = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Every golden vector of a backend, sorted by name.
 *
 * @param backend - the package folder: `ledgerdb`, `ethereum` or `fabric`
 * @returns the vectors
 */
export async function goldenVectors(backend: string): Promise<GoldenVector[]> {
  const root = join(packages, backend, 'testdata', 'receipts');
  const files = (await readdir(root, { recursive: true })).filter((name) => name.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => {
      const raw = JSON.parse(await readFile(join(root, file), 'utf8')) as Record<string, unknown>;
      const expect = raw.expect as { ok: boolean; failing?: string[]; failingCheck?: string };
      const bundle = (raw.bundle as VerificationBundle | undefined) ?? {
        format: 'ledgerkit.verification-bundle',
        version: 1,
        subject: raw.subject as VerificationBundle['subject'],
        evidence: raw.evidence as VerificationBundle['evidence'],
      };
      const vector: GoldenVector = {
        name: relative(root, join(root, file)),
        bundle,
        ok: expect.ok,
        failing: expect.failing ?? (expect.failingCheck ? [expect.failingCheck] : []),
      };
      if (raw.anchor) vector.anchor = raw.anchor as TrustAnchor;
      return vector;
    }),
  );
}
