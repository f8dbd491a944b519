import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', merkle: 'src/merkle.ts', der: 'src/der.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
  // Keep `node:` specifiers: `node:sqlite` exists only under that name.
  removeNodeProtocol: false,
});
