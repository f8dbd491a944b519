import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    merkle: 'src/merkle.ts',
    der: 'src/der.ts',
    // The two sides of `#merkle-native`, kept out of the bundles above so package.json
    // `imports` can choose one per platform when the package is consumed.
    'native-node': 'src/merkle/native-node.ts',
    'native-portable': 'src/merkle/native-portable.ts',
  },
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // Declarations of every entry, without declaration maps (dist/ ships without src/).
  dts: { sourcemap: false },
  sourcemap: true,
  clean: true,
  // .js and .d.ts, as package.json names them (tsdown's default on node is .mjs).
  fixedExtension: false,
  deps: { neverBundle: ['#merkle-native'] },
  // Keep `node:` specifiers as written: `node:sqlite` exists only under that name, and the
  // browser-safe entries must not gain any.
  nodeProtocol: false,
});
