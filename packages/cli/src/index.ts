export { type CliOutput, exitCodes, runCli } from './run-cli.js';
