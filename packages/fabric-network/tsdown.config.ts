import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: { index: 'src/index.ts', testing: 'src/testing.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // Declarations of every entry, without declaration maps (dist/ ships without src/).
  dts: { sourcemap: false },
  sourcemap: true,
  clean: true,
  // .js and .d.ts, as package.json names them (tsdown's default on node is .mjs).
  fixedExtension: false,
  // Keep `node:` specifiers as written: `node:sqlite` exists only under that name, and the
  // browser-safe entries must not gain any.
  nodeProtocol: false,
});
