import { defineConfig } from 'tsdown';
import { tsdownBase } from '../../tsdown.base.mjs';

export default defineConfig({
  ...tsdownBase,
  entry: { index: 'src/index.ts', testing: 'src/testing.ts' },
});
