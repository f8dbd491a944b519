import { defineConfig } from 'tsdown';
import { tsdownBase } from '../../tsdown.base.mjs';

export default defineConfig({
  ...tsdownBase,
  entry: {
    index: 'src/index.ts',
    merkle: 'src/merkle.ts',
    der: 'src/der.ts',
    // The two sides of `#merkle-native`, kept out of the bundles above so package.json
    // `imports` can choose one per platform when the package is consumed.
    'native-node': 'src/merkle/native-node.ts',
    'native-portable': 'src/merkle/native-portable.ts',
  },
  deps: { neverBundle: ['#merkle-native'] },
});
