// Entry of the `ledgerdb` program, built to dist/main.js and loaded by bin/ledgerdb.js
// (which first makes sure the Node.js running it has node:sqlite).
import { runLedgerdbCli } from './cli/run.js';

process.exitCode = await runLedgerdbCli(process.argv.slice(2));
