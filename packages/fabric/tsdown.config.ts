import { defineConfig } from 'tsdown';
import { tsdownBase } from '../../tsdown.base.mjs';

export default defineConfig({
  ...tsdownBase,
  entry: {
    index: 'src/index.ts',
    verify: 'src/verify.ts',
    // The two sides of `#verify-native`, kept out of the bundles above so package.json
    // `imports` can choose one per platform when the package is consumed.
    'verify-native-node': 'src/verify/native-node.ts',
    'verify-native-portable': 'src/verify/native-portable.ts',
  },
  deps: { neverBundle: ['#verify-native'] },
});
