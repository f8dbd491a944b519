// Entry of the `ledgerdb` command, built to dist/cli.js and loaded by bin/ledgerdb.js
// (which first makes sure the Node.js running it has node:sqlite).
import { runCli } from './cli/run.js';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
