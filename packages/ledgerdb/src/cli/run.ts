// The `ledgerdb` command tree on commander, and running it as the `ledgerdb` program.
import tab from '@bomb.sh/tab/commander';
import { Command } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { addDatabaseOptions, createDataCommands } from './commands.js';
import { type CliIo, processIo } from './io.js';
import { exitCodes, printJson } from './output.js';
import { addCommonOptions, applyConventions, cliAction, mergedOptions, runProgram, withExamples } from './program.js';
import { createQueryCommand } from './query.js';
import { createServeCommand, createTokenCommand } from './serve.js';

/** Options of {@link createLedgerdbCommand}. */
export interface LedgerdbCommandOptions {
  /**
   * The command's name. Leave it out for the standalone `ledgerdb` program (which then
   * has `--version` and `completion`); give one, e.g. `db`, to mount the tree under another
   * program, which provides those itself.
   */
  name?: string;
  /** Where the commands write and read; default the process's streams. */
  io?: CliIo;
}

const exitCodesHelp = `
Output: human text on stdout; with --json one JSON document (JSON lines for export).
Progress goes to stderr only. Errors are one line on stderr:
  <command>: <message> [<CODE>]   (a stack trace too with --debug)

Exit codes:
  0  ok
  1  failure (storage, an unexpected error)
  2  bad input: unknown command or option, missing or malformed argument, or
     INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, LIMIT_EXCEEDED from the ledger
  3  verification failed: verify-proof or audit is not ok`;

/**
 * Builds the whole `ledgerdb` command tree: the data commands, `verify-proof`, `serve` and
 * `token`. `ledgerdb --db FILE <command>` works as well as `ledgerdb <command> --db FILE`.
 *
 * Outcome of `parseAsync`: it resolves when the command succeeded (exit code 0) and rejects
 * with a commander `CommanderError` carrying the exit code once everything, including the
 * one-line error, was written; `--help` and `--version` also reject that way, with 0.
 *
 * @param options - the name to mount it under, and the io
 * @returns the commander command
 *
 * @example
 * ```ts
 * const program = new Command('ledgerkit').enablePositionalOptions()
 * program.addCommand(createLedgerdbCommand({ name: 'db' }))
 * ```
 */
export function createLedgerdbCommand(options: LedgerdbCommandOptions = {}): Command {
  const io = options.io ?? processIo();
  const standalone = options.name === undefined;
  const program = new Command(options.name ?? 'ledgerdb')
    .description(
      'A verifiable ledger database (QLDB semantics): tables of JSON documents, an immutable ' +
        'journal in a Merkle tree, signed digests and proofs. In one SQLite file, or on PostgreSQL.',
    )
    // Options before the command belong to the program, after it to the command: both work.
    .enablePositionalOptions();
  addCommonOptions(addDatabaseOptions(program));
  if (standalone) program.version(packageJson.version, '-V, --version', 'print the version');
  program.addHelpText('after', exitCodesHelp);
  withExamples(program, [
    `insert shipments '{"sku":"A-1","qty":5}' --db app.ledger`,
    '--db app.ledger create-table shipments',
    'proof shipments ID --db app.ledger --json > proof.json',
    'verify-proof --proof proof.json --digest digest.json',
    `query "SELECT * FROM shipments AS s WHERE s.sku = 'A-1'" --db app.ledger`,
  ]);
  for (const command of createDataCommands(io)) program.addCommand(command);
  program.addCommand(createQueryCommand(io));
  program.addCommand(createServeCommand(io));
  program.addCommand(createTokenCommand(io));
  if (standalone) addCompletion(program, io);
  return applyConventions(program, io);
}

/**
 * The `completion` command (scripts for bash, zsh, fish and powershell) and the hidden
 * `complete` command those scripts call, from @bomb.sh/tab's commander adapter. Only the
 * standalone program has them: the scripts call the program by its own name.
 */
function addCompletion(program: Command, io: CliIo): void {
  const completion = tab(program, { completionCommandName: 'completion' });
  const name = program.name();
  const script = program.commands.find((command) => command.name() === 'completion');
  const complete = program.commands.find((command) => command.name() === 'complete');
  if (script === undefined || complete === undefined) throw new Error('@bomb.sh/tab added no completion commands');
  script.description('Print a shell completion script (bash, zsh, fish, powershell)');
  addCommonOptions(script);
  script.addHelpText(
    'after',
    `
Completions are computed by '${name} complete -- ARGS...', so ${name} must be on the PATH.`,
  );
  withExamples(script, [
    `bash > ~/.${name}-completion.bash && echo 'source ~/.${name}-completion.bash' >> ~/.bashrc`,
    `zsh > ~/.${name}-completion.zsh && echo 'source ~/.${name}-completion.zsh' >> ~/.zshrc`,
    `fish > ~/.config/fish/completions/${name}.fish`,
  ]);
  // The adapter's actions print with console.log; these print through io instead.
  script.action(
    cliAction(io, async (shell: string, _local: unknown, self: Command) => {
      const text = captureConsole(() => completion.setup(name, name, shell));
      if (mergedOptions<{ json?: boolean }>(self).json) printJson(io, { shell, script: text });
      else io.stdout(text);
      return exitCodes.ok;
    }),
  );
  complete.action(
    cliAction(io, async (args: string[]) => {
      io.stdout(captureConsole(() => completion.parse(args)));
      return exitCodes.ok;
    }),
  );
}

/** What a synchronous function writes with console.log. */
function captureConsole(write: () => void): string {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...values: unknown[]) => {
    lines.push(`${values.join(' ')}\n`);
  };
  try {
    write();
  } finally {
    console.log = log;
  }
  return lines.join('');
}

/**
 * Runs the `ledgerdb` command line: parses the arguments, runs one command, writes its
 * output to `io.stdout` and any error as one line to `io.stderr`.
 *
 * @param argv - arguments after the executable, e.g. `['digest', '--db', 'app.ledger']`
 * @param io - where to write (default: the process's streams)
 * @returns the process exit code: 0 ok, 1 failure, 2 bad input, 3 verification failed;
 *   never rejects
 *
 * @example
 * ```ts
 * process.exitCode = await runLedgerdbCli(process.argv.slice(2))
 * ```
 */
export async function runLedgerdbCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  return runProgram(createLedgerdbCommand({ io }), argv, io);
}

/** The former name of {@link runLedgerdbCli}. */
export const runCli: typeof runLedgerdbCli = runLedgerdbCli;

export { exitCodes };
