export { connectLedger } from './connect-ledger.js';
export {
  type EthereumConfig,
  type FabricConfig,
  type LedgerConfig,
  type LedgerdbConfig,
  parseLedgerUrl,
  validateLedgerConfig,
} from './ledger-config.js';
export { type CliOutput, exitCodes, runCli } from './run-cli.js';
