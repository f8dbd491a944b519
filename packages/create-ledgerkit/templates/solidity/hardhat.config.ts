import { createRequire } from 'node:module';
import hardhatEthers from '@nomicfoundation/hardhat-ethers';
import hardhatIgnitionEthers from '@nomicfoundation/hardhat-ignition-ethers';
import hardhatNodeTestRunner from '@nomicfoundation/hardhat-node-test-runner';
import { defineConfig } from 'hardhat/config';

// Compile offline with the npm `solc` package (its WASM build) instead of downloading a
// compiler. Hardhat does not compare `version` with the file, so both come from the package:
// to change compiler, install another `solc` version.
const require = createRequire(import.meta.url);
const solcPath = require.resolve('solc/soljson.js');
const solcVersion: string = require('solc/package.json').version;

export default defineConfig({
  plugins: [hardhatEthers, hardhatIgnitionEthers, hardhatNodeTestRunner],
  solidity: {
    profiles: {
      default: { version: solcVersion, path: solcPath },
      production: {
        version: solcVersion,
        path: solcPath,
        settings: { optimizer: { enabled: true, runs: 200 } },
      },
    },
  },
  paths: { tests: { solidity: 'test/solidity', nodejs: 'test/nodejs' } },
  networks: {
    default: { type: 'edr-simulated', chainType: 'l1' },
    // `npx hardhat node` in another terminal, then `npm run deploy -- --network localhost`.
    localhost: { type: 'http', chainType: 'l1', url: 'http://127.0.0.1:8545' },
  },
});
