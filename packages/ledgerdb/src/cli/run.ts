import { existsSync } from 'node:fs';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { type ErrorCode, InvalidArgumentError, isLedgerError, LedgerError } from '@ledgerkit/core';
import packageJson from '../../package.json' with { type: 'json' };
import type { LedgerDatabase } from '../ledger-database.js';
import { type Command, type CommandContext, type CommandOptionName, commands } from './commands.js';
import { messageOf, readPrivateKeyFile } from './inputs.js';
import { type CliOutput, exitCodes } from './output.js';

export { type CliOutput, exitCodes } from './output.js';

const help = `ledgerdb ${packageJson.version} - a verifiable ledger database (QLDB semantics) in one SQLite file

Usage: ledgerdb --db FILE <command> [arguments] [options]
       ledgerdb verify-proof --proof FILE --digest FILE [--public-key FILE]

Commands:
  create-table TABLE          Create a table (creates FILE if it does not exist)
  create-index TABLE PATH     Create an equality index on a document path (e.g. owner.id)
  insert TABLE JSON           Insert a document; prints { id, txId, seq, version, hash }
  update TABLE ID JSON        Replace a document's data; prints the same
  delete TABLE ID             Delete a document (its history stays); prints the same
  get TABLE ID                Print a document's current data
  history TABLE ID            Print every revision of a document, oldest first
  digest                      Print the journal's digest (signed with --signing-key)
  proof TABLE ID              Print an inclusion proof of a revision against the current digest
      --version N               the revision to prove (default: the latest)
      --digest FILE             prove against this earlier digest instead
  verify-proof                Check a proof offline, without any database
      --proof FILE              a proof printed by 'proof'
      --digest FILE             the digest it is checked against, printed by 'digest'
      --public-key FILE         also require the digest's signature by this Ed25519 key (PEM)
  audit                       Re-derive every hash in the database and report the first mismatch
      --against FILE            also check the journal against a digest you trust
  export                      Print every block with its revisions, one JSON object per line
  serve --db FILE --tokens FILE [--port N --host H --tls-cert F --tls-key F --tls-ca F]
                              Serve the ledger over HTTP/JSON (ledgerdb serve --help)
  token create --tokens FILE --name NAME --role ROLE...
                              Create an API token; printed once, stored hashed (ledgerdb token --help)

Options:
  --db FILE                   The ledger's SQLite file (every command but verify-proof)
  --signing-key FILE          The owner's Ed25519 private key (PEM); digests are signed with it
  -h, --help                  Show this help

Output: one JSON document on stdout (JSON Lines for export); errors on stderr, one line:
  ledgerdb: <message> [<CODE>]

Exit codes:
  0  ok
  1  other failure
  2  bad input: unknown command or option, missing argument, malformed JSON, or
     INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, LIMIT_EXCEEDED from the ledger
  3  verification failed: verify-proof or audit is not ok
`;

const globalOptions = {
  db: { type: 'string' },
  'signing-key': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

const commandOptions = {
  version: { type: 'string' },
  proof: { type: 'string' },
  digest: { type: 'string' },
  'public-key': { type: 'string' },
  against: { type: 'string' },
} as const satisfies Record<CommandOptionName, ParseArgsOptionsConfig[string]>;

/** Library error codes that mean the caller's input was wrong (exit code 2). */
const badInputCodes: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'LIMIT_EXCEEDED',
]);

/**
 * Runs the `ledgerdb` command line: parses the arguments, runs one command, writes its
 * JSON result to `output.stdout` and any error as one line to `output.stderr`.
 *
 * @param argv - arguments after the executable, e.g. `['--db', 'app.ledger', 'digest']`
 * @param output - where to write
 * @returns the process exit code (see {@link exitCodes}); never rejects
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), {
 *   stdout: (text) => process.stdout.write(text),
 *   stderr: (text) => process.stderr.write(text),
 * })
 * ```
 */
export async function runCli(argv: readonly string[], output: CliOutput): Promise<number> {
  let opened: Promise<LedgerDatabase> | undefined;
  let exitCode: number;
  // serve and token have options of their own; they come first: `ledgerdb serve --db ...`.
  if (argv[0] === 'serve' || argv[0] === 'token') {
    try {
      const { runServe, runToken } = await import('./serve.js');
      return await (argv[0] === 'serve' ? runServe : runToken)(argv.slice(1), output);
    } catch (error) {
      return reportError(output, error);
    }
  }
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { ...globalOptions, ...commandOptions },
      allowPositionals: true,
      strict: true,
    });
    const [name, ...operands] = positionals;
    if (values.help || name === 'help') {
      output.stdout(help);
      return exitCodes.ok;
    }
    if (name === undefined) throw usageError('missing command; run ledgerdb --help');
    const command = commands.get(name);
    if (command === undefined) throw usageError(`unknown command '${name}'; run ledgerdb --help`);
    checkOperands(name, command, operands);
    checkOptions(name, command, values);
    const { db: databasePath, 'signing-key': signingKeyPath } = values;
    if (command.database !== 'none') {
      if (databasePath === undefined) throw usageError(`${name} needs --db FILE`);
      if (command.database === 'existing' && !existsSync(databasePath)) {
        throw new LedgerError('NOT_FOUND', `database ${databasePath} does not exist (create-table creates it)`, {
          details: { path: databasePath },
        });
      }
    }
    const context: CommandContext = {
      operand: (operandName) => {
        const value = operands[command.operands.indexOf(operandName)];
        if (value === undefined) throw new LedgerError('INTERNAL', `${name} has no operand ${operandName}`);
        return value;
      },
      options: values,
      output,
      ledger: () => {
        if (databasePath === undefined) throw new LedgerError('INTERNAL', `${name} opens no database`);
        opened ??= openDatabase(databasePath, signingKeyPath);
        return opened;
      },
    };
    exitCode = await command.run(context);
  } catch (error) {
    exitCode = reportError(output, error);
  }
  if (opened !== undefined) {
    try {
      await (await opened).close();
    } catch (error) {
      // An open that failed was reported above; a failed close is reported only if nothing else was.
      if (exitCode === exitCodes.ok) exitCode = reportError(output, error);
    }
  }
  return exitCode;
}

async function openDatabase(path: string, signingKeyPath: string | undefined): Promise<LedgerDatabase> {
  const signingKey =
    signingKeyPath === undefined ? undefined : await readPrivateKeyFile(signingKeyPath, '--signing-key');
  // Loaded here, not at the top: verify-proof must run without node:sqlite.
  const { openLedger } = await import('../ledger-database.js');
  return openLedger(signingKey === undefined ? { path } : { path, signingKey });
}

function checkOperands(name: string, command: Command, operands: readonly string[]): void {
  const usage = ['ledgerdb', name, ...command.operands].join(' ');
  const missing = command.operands[operands.length];
  if (missing !== undefined) throw usageError(`missing argument ${missing}; usage: ${usage}`);
  const extra = operands[command.operands.length];
  if (extra !== undefined) throw usageError(`unexpected argument '${extra}'; usage: ${usage}`);
}

function checkOptions(name: string, command: Command, values: Readonly<Record<string, unknown>>): void {
  for (const [option, value] of Object.entries(values)) {
    if (value === undefined || option === 'help') continue;
    const global = option === 'db' || option === 'signing-key';
    if (global && command.database === 'none') {
      throw usageError(`${name} works offline and takes no --${option}`);
    }
    if (!global && !(command.options as readonly string[]).includes(option)) {
      throw usageError(`option --${option} does not apply to ${name}`);
    }
  }
}

function usageError(message: string): LedgerError {
  return new InvalidArgumentError('argv', message);
}

/** Writes the one-line error and returns its exit code. */
function reportError(output: CliOutput, error: unknown): number {
  let message: string;
  let code: string;
  let exitCode: number;
  if (isLedgerError(error)) {
    message = messageOf(error.shortMessage);
    code = error.code;
    exitCode = badInputCodes.has(error.code) ? exitCodes.badInput : exitCodes.failure;
  } else if (isParseArgsError(error)) {
    // node:util's messages go on with advice about '--'; the first sentence says it.
    const first = messageOf(error).split(/\.\s/)[0] ?? '';
    message = `${first.charAt(0).toLowerCase()}${first.slice(1)}; run ledgerdb --help`;
    code = 'INVALID_ARGUMENT';
    exitCode = exitCodes.badInput;
  } else {
    message = messageOf(error);
    const systemCode = (error as { code?: unknown } | null)?.code;
    code = typeof systemCode === 'string' ? systemCode : 'INTERNAL';
    exitCode = exitCodes.failure;
  }
  output.stderr(`ledgerdb: ${message} [${code}]\n`);
  return exitCode;
}

function isParseArgsError(error: unknown): error is Error {
  return (
    error instanceof TypeError &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code.startsWith('ERR_PARSE_ARGS')
  );
}
