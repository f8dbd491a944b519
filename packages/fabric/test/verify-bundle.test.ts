// The verify entry must bundle for a browser with no Node polyfills: esbuild fails on any
// import of a Node built-in, and the bundle must not mention `node:`, `Buffer` or `process`.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { expect, test } from 'vitest';

test('@ledgerkit/fabric/verify bundles for the browser without Node built-ins', async () => {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../src/verify.ts', import.meta.url))],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  const text = result.outputFiles[0]?.text ?? '';
  expect(text).toContain('verifyFabricReceipt');
  expect(text).not.toMatch(/from\s*["']node:|require\(["']node:/);
  expect(text).not.toMatch(/\bBuffer\.(from|alloc|concat|isBuffer)\b/);
  expect(text).not.toMatch(/\bprocess\.(env|versions|nextTick)\b/);
});
