import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Verification } from '@ledgerkit/core';
import { build } from 'esbuild';
import { expect, test } from 'vitest';

// `@ledgerkit/ledgerdb/verify` must run in a browser: bundled for one, with no Node
// polyfills, it builds, imports nothing from `node:`, and still verifies.
test('the verify entry bundles for a browser without node: imports, and the bundle verifies a golden vector', async () => {
  const result = await build({
    entryPoints: [join(import.meta.dirname, '..', 'src', 'verify.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text ?? '';
  expect(code.length).toBeGreaterThan(1000);
  expect(code).not.toMatch(/["']node:/);
  expect(code).not.toMatch(/\bBuffer\./);
  expect(code).not.toMatch(/\bprocess\./);

  const directory = await mkdtemp(join(tmpdir(), 'ledgerdb-verify-bundle-'));
  try {
    const file = join(directory, 'verify.mjs');
    await writeFile(file, code);
    const bundled = (await import(pathToFileURL(file).href)) as {
      verifyLedgerdbReceipt(subject: unknown, evidence: unknown, anchor?: unknown): Promise<Verification>;
    };
    const vectors = join(import.meta.dirname, '..', 'testdata', 'receipts');
    for (const [name, ok] of [
      ['valid-receipt.json', true],
      ['valid-revision.json', true],
      ['tampered-value.json', false],
      ['tampered-bad-signature.json', false],
    ] as const) {
      const vector = JSON.parse(await readFile(join(vectors, name), 'utf8'));
      const verdict = await bundled.verifyLedgerdbReceipt(vector.bundle.subject, vector.bundle.evidence, vector.anchor);
      expect(verdict.ok, name).toBe(ok);
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});
