// The verify entry must bundle for a browser with no Node polyfills: esbuild fails on any import
// of a Node built-in, and the bundle must not use `Buffer` or `process`. Running the bundle in
// headless Chromium is the CLI's browser test.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { expect, test } from 'vitest';

test('@ledgerkit/ethereum/verify bundles for the browser without Node built-ins', async () => {
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
  expect(text).toContain('verifyEthereumReceipt');
  expect(text).not.toMatch(/from\s*["']node:|require\(["']node:|import\(["']node:/);
  expect(text).not.toMatch(/\bBuffer\.(from|alloc|allocUnsafe|concat|isBuffer)\b/);
  // The only use of `process` allowed is one guarded by `typeof process !== 'undefined'` (the
  // browser build of `debug`, which @ethereumjs/mpt logs through, reads $DEBUG under Electron).
  const lines = text.split('\n');
  const unguarded = lines.filter(
    (line, index) =>
      /\bprocess\.(env|versions|nextTick|cwd)\b/.test(line) &&
      !lines.slice(Math.max(0, index - 2), index + 1).some((near) => /typeof process !== ["']undefined["']/.test(near)),
  );
  expect(unguarded).toEqual([]);
});
