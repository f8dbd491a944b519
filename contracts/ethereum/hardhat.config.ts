import { createRequire } from 'node:module';
import hardhatEthers from '@nomicfoundation/hardhat-ethers';
import hardhatIgnitionEthers from '@nomicfoundation/hardhat-ignition-ethers';
import hardhatNetworkHelpers from '@nomicfoundation/hardhat-network-helpers';
import hardhatNodeTestRunner from '@nomicfoundation/hardhat-node-test-runner';
import { defineConfig } from 'hardhat/config';

// Compile offline with the npm `solc` package (WASM build) instead of downloading solc.
// Hardhat does not compare `version` with the file, so both come from the same package.
const require = createRequire(import.meta.url);
const solcPath = require.resolve('solc/soljson.js');
const solcVersion: string = require('solc/package.json').version;

export default defineConfig({
  plugins: [hardhatEthers, hardhatIgnitionEthers, hardhatNetworkHelpers, hardhatNodeTestRunner],
  solidity: {
    profiles: {
      default: { version: solcVersion, path: solcPath },
      production: {
        version: solcVersion,
        path: solcPath,
        settings: { optimizer: { enabled: true, runs: 10_000 } },
      },
    },
  },
  paths: { tests: { solidity: 'test/solidity', nodejs: 'test/nodejs' } },
  test: {
    solidity: { fuzz: { runs: 512 } },
  },
  networks: {
    default: { type: 'edr-simulated', chainType: 'l1' },
  },
});
