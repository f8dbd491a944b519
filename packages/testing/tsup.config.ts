import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'fabric-network': 'src/fabric-network.ts',
    conformance: 'src/conformance.ts',
    hardhat: 'src/hardhat.ts',
  },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
  removeNodeProtocol: false,
});
