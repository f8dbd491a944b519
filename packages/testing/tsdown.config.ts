import { defineConfig } from 'tsdown';
import { tsdownBase } from '../../tsdown.base.mjs';

export default defineConfig({
  ...tsdownBase,
  entry: {
    index: 'src/index.ts',
    'fabric-network': 'src/fabric-network.ts',
    conformance: 'src/conformance.ts',
    hardhat: 'src/hardhat.ts',
  },
  // The one package bundled rather than imported (by the in-memory chaincode stub, as with tsup).
  deps: { onlyBundle: ['long'] },
});
