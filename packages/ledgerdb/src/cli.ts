// `@ledgerkit/ledgerdb/cli`: the `ledgerdb` command tree on commander, to run as a program
// or to mount under another one (`ledgerkit db`). Importing it runs nothing.
export type { CliIo } from './cli/io.js';
export { exitCodes } from './cli/output.js';
export { createLedgerdbCommand, type LedgerdbCommandOptions, runLedgerdbCli } from './cli/run.js';
