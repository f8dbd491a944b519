export {
  deployHardhatFixture,
  type FundedAccount,
  type HardhatFixture,
  type HardhatFixtureOptions,
} from './hardhat-fixtures.js';
