import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'fabric-network': 'src/fabric-network.ts',
    conformance: 'src/conformance.ts',
    hardhat: 'src/hardhat.ts',
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
  // The one package bundled rather than imported (by the in-memory chaincode stub, as with tsup).
  deps: { onlyBundle: ['long'] },
  // Keep `node:` specifiers as written: `node:sqlite` exists only under that name, and the
  // browser-safe entries must not gain any.
  nodeProtocol: false,
});
