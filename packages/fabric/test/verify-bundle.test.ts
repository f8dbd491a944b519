// The verify entry must bundle for a browser with no Node polyfills: esbuild fails on any
// import of a Node built-in, and the bundle must not mention `node:`, `Buffer` or `process`.
// The bundle itself then verifies golden vectors. `#verify-native` (package.json `imports`)
// names the portable build in dist/ for the `browser` condition; the bundle takes that
// build's source, so the test needs no build of this package.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Verification } from '@ledgerkit/core';
import { build, type Plugin } from 'esbuild';
import { expect, test } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };

const vector = async (name: string) =>
  JSON.parse(await readFile(fileURLToPath(new URL(`../testdata/receipts/${name}.json`, import.meta.url)), 'utf8'));

const portableSource: Plugin = {
  name: 'verify-native-portable-source',
  setup(build) {
    build.onResolve({ filter: /^#verify-native$/ }, () => ({
      path: fileURLToPath(new URL('../src/verify/native-portable.ts', import.meta.url)),
    }));
  },
};

test('@ledgerkit/fabric/verify bundles for the browser without Node built-ins, and the bundle verifies', async () => {
  expect(packageJson.imports['#verify-native'].browser).toBe('./dist/verify-native-portable.js');
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../src/verify.ts', import.meta.url))],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    plugins: [portableSource],
  });
  expect(result.errors).toEqual([]);
  const text = result.outputFiles[0]?.text ?? '';
  expect(text).toContain('verifyFabricReceipt');
  expect(text).not.toMatch(/from\s*["']node:|require\(["']node:|import\(["']node:/);
  expect(text).not.toMatch(/\bBuffer\.(from|alloc|concat|isBuffer)\b/);
  expect(text).not.toMatch(/\bprocess\.(env|versions|nextTick)\b/);

  const dir = await mkdtemp(join(tmpdir(), 'ledgerkit-fabric-bundle-'));
  try {
    const file = join(dir, 'verify.mjs');
    await writeFile(file, text);
    const bundled = (await import(pathToFileURL(file).href)) as {
      verifyFabricReceipt: (subject: unknown, evidence: unknown, anchor?: unknown) => Promise<Verification>;
    };
    for (const [name, ok] of [
      ['valid-receipt-pinned-config', true],
      ['valid-revision', true],
      ['tampered-value', false],
    ] as const) {
      const { bundle, anchor } = await vector(name);
      expect((await bundled.verifyFabricReceipt(bundle.subject, bundle.evidence, anchor)).ok, name).toBe(ok);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
