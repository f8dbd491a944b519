// The conventions every `ledgerkit` command follows on commander, the same as the `ledgerdb`
// command line's: errors as one line `<command path>: <message> [CODE]` on stderr (a stack
// only with --debug), exit codes 0/1/2/3, `--json` and `--debug` on every command that does
// something, an Examples section in every --help.
//
// Outcome contract: `parseAsync` resolves when the command succeeded (exit 0) and rejects
// with a `CommanderError` whose `exitCode` is the exit code once everything was written,
// including the error line. Anything else it rejects with was not reported yet.
import { type ErrorCode, isLedgerError } from '@ledgerkit/core';
import { type Command, CommanderError } from 'commander';

/** Where the CLI writes and what it may read besides its arguments; the bin passes the process's streams. */
export interface CliOutput {
  /** Results: one JSON document (or JSON lines) under `--json`, human text otherwise. */
  stdout: (text: string) => void;
  /** Errors (one line each) and progress. */
  stderr: (text: string) => void;
  /** Whether stderr is a terminal: progress then shows spinners instead of plain lines. */
  stderrIsTTY?: boolean;
  /** Reads all of stdin, for documents given as `-`; absent means there is none. */
  readStdin?: () => Promise<Uint8Array>;
}

/** Process exit codes of the `ledgerkit` command; documented in its --help. */
export const exitCodes = {
  ok: 0,
  /** Something failed that is not the caller's input. */
  failure: 1,
  /**
   * Unknown command or option, missing or malformed argument, or a library error with code
   * INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS or LIMIT_EXCEEDED.
   */
  badInput: 2,
  /** A proof, signature or audit did not verify (`ledgerkit verify` uses 1, see its --help). */
  verificationFailed: 3,
} as const;

/** Library error codes that mean the caller's input was wrong (exit code 2), as in `ledgerdb`. */
const badInputCodes: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'LIMIT_EXCEEDED',
]);

/** commander's parse errors: all bad input (exit 2). */
const usageErrorCodes: ReadonlySet<string> = new Set([
  'commander.conflictingOption',
  'commander.excessArguments',
  'commander.invalidArgument',
  'commander.missingArgument',
  'commander.missingMandatoryOptionValue',
  'commander.optionMissingArgument',
  'commander.unknownCommand',
  'commander.unknownOption',
]);

/** `code` of the CommanderError a command rejects with after reporting its own outcome. */
const reportedExitCode = 'ledgerkit.exit';

/**
 * Whether an error is commander's (any copy of commander: a mounted tree such as
 * `ledgerkit db` may come with its own): it carries the exit code and was reported.
 *
 * @param error - what a parse rejected with
 * @returns true for a CommanderError of any commander copy
 */
export function isCommanderError(error: unknown): error is CommanderError {
  if (error instanceof CommanderError) return true;
  if (!(error instanceof Error)) return false;
  const { exitCode, code } = error as { exitCode?: unknown; code?: unknown };
  return typeof exitCode === 'number' && typeof code === 'string' && /^(commander|ledgerdb|ledgerkit)\./.test(code);
}

/** Options every command with an action takes, as {@link mergedOptions} returns them. */
export interface CommonOptions {
  json?: boolean;
  debug?: boolean;
}

/** Trees mounted from elsewhere (`ledgerkit db`) that apply these conventions themselves. */
const foreignTrees = new WeakSet<Command>();

/**
 * Marks a subtree that applies the same conventions itself, so {@link applyConventions}
 * leaves its output and exit handling alone.
 *
 * @param command - the root of the mounted tree
 * @returns the same command
 */
export function markForeign(command: Command): Command {
  foreignTrees.add(command);
  return command;
}

/**
 * The exit code of an error: 2 for bad input (see {@link exitCodes}), 1 otherwise.
 *
 * @param error - what a command threw
 * @returns 1 or 2
 */
export function exitCodeOf(error: unknown): number {
  return isLedgerError(error) && badInputCodes.has(error.code) ? exitCodes.badInput : exitCodes.failure;
}

/** One line of text: the first line of a message, without a trailing period's whitespace. */
function oneLine(text: string): string {
  const line = text.split('\n').find((each) => each.trim() !== '') ?? text;
  return line.trim();
}

/**
 * Writes an error as the one line `<where>: <message> [CODE]` (the LedgerError code, or
 * INTERNAL), followed by its stack when `debug` is set.
 *
 * @param io - where to write
 * @param where - the command path, e.g. `ledgerkit fabric status`
 * @param error - what was thrown
 * @param debug - whether to add the stack trace
 * @returns the exit code for it (see {@link exitCodeOf})
 */
export function reportError(io: Pick<CliOutput, 'stderr'>, where: string, error: unknown, debug = false): number {
  const message = isLedgerError(error)
    ? error.shortMessage
    : error instanceof Error
      ? `${error.message || error.name}`
      : String(error);
  const code = isLedgerError(error) ? error.code : 'INTERNAL';
  const install = isLedgerError(error, 'UNSUPPORTED') ? error.details.install : undefined;
  const hint = typeof install === 'string' && !message.includes(install) ? ` (${install})` : '';
  io.stderr(`${where}: ${oneLine(message)}${hint} [${code}]\n`);
  if (debug && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  // A process that failed to start says why in its log (Fabric components).
  const logTail = isLedgerError(error) ? error.details.logTail : undefined;
  if (debug && typeof logTail === 'string' && logTail) io.stderr(`last log lines:\n${logTail}\n`);
  return exitCodeOf(error);
}

/**
 * The names from the outermost program down to a command, e.g. `ledgerkit fabric status`.
 *
 * @param command - any command of the tree
 * @returns its path, space separated
 */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current !== null; current = current.parent) {
    names.unshift(current.name());
  }
  return names.join(' ');
}

/**
 * A command's options merged with those of the commands above it, its own winning.
 *
 * @param command - the command whose action runs
 * @returns the merged option values
 */
export function mergedOptions<T extends object>(command: Command): T {
  const chain: Command[] = [];
  for (let current: Command | null = command; current !== null; current = current.parent) chain.unshift(current);
  return Object.assign({}, ...chain.map((each) => each.opts())) as T;
}

/**
 * Adds `--json` and `--debug` to a command that does something (groups have neither, so
 * that the option reaches the command after them).
 *
 * @param command - the command
 * @param json - what `--json` prints, for its help line
 * @returns the same command
 */
export function addCommonOptions(
  command: Command,
  json = 'machine output: one JSON document on stdout; progress as JSON lines on stderr',
): Command {
  return command.option('--json', json).option('--debug', 'print the stack trace of an error');
}

/**
 * Adds an `Examples:` section to a command's --help, each after the command's full path.
 *
 * @param command - the command
 * @param examples - arguments after the command path, e.g. `status --dir ./net`
 * @returns the same command
 */
export function withExamples(command: Command, examples: readonly string[]): Command {
  return command.addHelpText('after', () => {
    const path = commandPath(command);
    return `\nExamples:\n${examples.map((example) => `  $ ${path}${example ? ` ${example}` : ''}\n`).join('')}`;
  });
}

/**
 * Wraps a command's action: its exit code, or the error it throws, becomes the outcome of
 * the contract at the top of this file. The error is written as one line first.
 *
 * @param io - where errors go
 * @param handler - the action; receives commander's arguments and resolves to an exit code
 * @returns the action to pass to `command.action`
 */
export function cliAction(
  io: Pick<CliOutput, 'stderr'>,
  handler: (...args: never[]) => Promise<number>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    let exitCode: number;
    try {
      exitCode = await (handler as (...args: unknown[]) => Promise<number>)(...args);
    } catch (error) {
      if (isCommanderError(error)) throw error;
      const { debug } = mergedOptions<CommonOptions>(command);
      exitCode = reportError(io, commandPath(command), error, debug === true);
    }
    if (exitCode !== exitCodes.ok) throw new CommanderError(exitCode, reportedExitCode, `exit code ${exitCode}`);
  };
}

/**
 * Applies the conventions to every command of a tree (except trees marked with
 * {@link markForeign}): output through `io`, parse errors as one line with exit code 2,
 * help and version exiting 0, typo suggestions. Call it once the tree is complete.
 *
 * @param root - the top of the tree
 * @param io - where to write
 * @returns the same command
 */
export function applyConventions(root: Command, io: CliOutput): Command {
  const visit = (command: Command) => {
    if (foreignTrees.has(command)) return;
    command
      .configureOutput({
        writeOut: (text) => io.stdout(text),
        // Used only to show the whole help after a missing subcommand; one line says it instead.
        writeErr: () => undefined,
        // commander's messages start with 'error: ' and may put a suggestion on a second line.
        outputError: (text) =>
          io.stderr(
            `${commandPath(command)}: ${text
              .replace(/^error: /, '')
              .trim()
              .replace(/\s*\n\s*/g, ' ')} [INVALID_ARGUMENT]\n`,
          ),
      })
      .showSuggestionAfterError(true)
      .exitOverride((error) => {
        // 'commander.help' is also `ledgerkit help fabric`, which exits 0; non-zero means no subcommand.
        if (error.code === 'commander.help' && error.exitCode !== 0) {
          const path = commandPath(command);
          const [first, second] = command.args;
          const problem = first === 'help' && second !== undefined ? `unknown command '${second}'` : 'missing command';
          io.stderr(`${path}: ${problem}; run ${path} --help [INVALID_ARGUMENT]\n`);
          throw new CommanderError(exitCodes.badInput, error.code, problem);
        }
        if (usageErrorCodes.has(error.code)) throw new CommanderError(exitCodes.badInput, error.code, error.message);
        throw error;
      });
    for (const sub of command.commands) visit(sub);
  };
  visit(root);
  return root;
}

/**
 * Runs a command tree on arguments and returns the exit code; never rejects.
 *
 * @param program - the tree, with {@link applyConventions} applied
 * @param argv - the arguments after the executable
 * @param io - where to write what no command reported
 * @returns the exit code
 */
export async function runProgram(program: Command, argv: readonly string[], io: CliOutput): Promise<number> {
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    if (isCommanderError(error)) return error.exitCode;
    return reportError(io, program.name(), error, argv.includes('--debug'));
  }
}
