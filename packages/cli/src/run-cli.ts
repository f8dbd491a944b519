import { parseArgs } from 'node:util';
import { isLedgerError } from '@ledgerkit/core';
import packageJson from '../package.json' with { type: 'json' };
import { runDemo } from './commands/demo.js';
import { runFabric } from './commands/fabric.js';
import { runVerify } from './commands/verify.js';

/** Where the CLI writes; the bin passes process streams, tests pass collectors. */
export interface CliOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is a terminal: progress then shows spinners instead of plain lines. */
  isTTY?: boolean;
  /** Reads all of stdin (`ledgerkit verify -`). */
  readStdin?: () => Promise<Uint8Array>;
}

/** Process exit codes of the `ledgerkit` command; documented in its --help. */
export const exitCodes = {
  ok: 0,
  /** Something failed that is not the caller's input. */
  failure: 1,
  /** Unknown command, unknown flag or malformed argument. */
  badInput: 2,
  /** A proof, signature or audit did not verify. */
  verificationFailed: 3,
} as const;

const help = `ledgerkit ${packageJson.version} - verifiable ledgers for application teams

Usage: ledgerkit <command> [options]

Commands:
  demo            An in-process walkthrough of verifiable logging on an RFC 9162 Merkle
                  tree (no ledger backend): append supply-chain events, take a digest,
                  prove inclusion and consistency, and catch a tampered event.
                  Options: --json (machine-readable result), --events N (default 8).
                  The supply-chain app on ledgerdb, Ethereum and Fabric side by side is
                  \`npm run demo\` in a clone of the ledgerkit repository.
  fabric          Run a Hyperledger Fabric network of native processes, no Docker:
                  fabric up | status | logs <component> | deploy | down [--purge]
                  (ledgerkit fabric --help for options)
  verify FILE     Check receipts, revisions or verification bundles offline against an
                  anchor you trust: --anchor FILE, --anchor-block N:HASH, --msp-root
                  MSPID=FILE, --rpc URL, --json (ledgerkit verify --help). Exit codes
                  of verify: 0 verified, 1 a check failed, 2 bad input.

Options:
  -h, --help      Show this help
  -v, --version   Print the version

Exit codes: 0 ok, 1 failure, 2 bad input, 3 verification failed (verify: 1 when a check failed).
`;

/**
 * Runs the command line.
 *
 * @param argv - arguments after the executable, e.g. `['demo', '--json']`
 * @param output - where to write
 * @returns the process exit code (see {@link exitCodes})
 */
export async function runCli(argv: readonly string[], output: CliOutput): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        output.stdout(help);
        return command === undefined ? exitCodes.badInput : exitCodes.ok;
      case '-v':
      case '--version':
        output.stdout(`${packageJson.version}\n`);
        return exitCodes.ok;
      case 'demo': {
        const { values } = parseArgs({
          args: [...rest],
          options: { json: { type: 'boolean', default: false }, events: { type: 'string', default: '8' } },
          strict: true,
        });
        const events = Number(values.events);
        if (!Number.isInteger(events) || events < 2 || events > 1_000_000) {
          output.stderr(`ledgerkit demo: --events must be an integer from 2 to 1000000, got '${values.events}'\n`);
          return exitCodes.badInput;
        }
        const result = runDemo({ events, print: values.json ? () => {} : output.stdout });
        if (values.json) output.stdout(`${JSON.stringify(result)}\n`);
        return result.ok ? exitCodes.ok : exitCodes.verificationFailed;
      }
      case 'fabric':
        return await runFabric(rest, output);
      case 'verify':
        return await runVerify(rest, output);
      default:
        output.stderr(`ledgerkit: unknown command '${command}'\n\n${help}`);
        return exitCodes.badInput;
    }
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      output.stderr(`ledgerkit ${command}: ${error.message}\n`);
      return exitCodes.badInput;
    }
    if (isLedgerError(error)) {
      output.stderr(`ledgerkit ${command}: ${error.shortMessage} [${error.code}]\n`);
      const logTail = error.details.logTail;
      if (typeof logTail === 'string' && logTail) output.stderr(`last log lines:\n${logTail}\n`);
      return error.code === 'INVALID_ARGUMENT' ? exitCodes.badInput : exitCodes.failure;
    }
    throw error;
  }
}
