import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', verify: 'src/verify.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
  removeNodeProtocol: false,
});
