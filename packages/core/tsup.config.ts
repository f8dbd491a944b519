import { defineConfig } from 'tsup';

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
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts', merkle: 'src/merkle.ts', der: 'src/der.ts' } },
  external: ['#merkle-native'],
  sourcemap: true,
  clean: true,
  target: 'node22',
  // Keep `node:` specifiers: `node:sqlite` exists only under that name.
  removeNodeProtocol: false,
});
