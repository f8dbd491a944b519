// The conventions every `ledgerdb` command follows on commander: errors as one line
// `<command path>: <message> [CODE]` on stderr (a stack only with --debug), exit codes
// 0/1/2/3, `--json` and `--debug` on every command, an Examples section in every --help.
//
// Outcome contract (also for a program that mounts these commands, like `ledgerkit db`):
// `parseAsync` resolves when the command succeeded (exit 0), and rejects with a
// `CommanderError` whose `exitCode` is the exit code once everything was written,
// including the error line. Anything else it rejects with was not reported yet.
import { type ErrorCode, isLedgerError } from '@ledgerkit/core';
import { type Command, CommanderError } from 'commander';
import { messageOf } from './inputs.js';
import type { CliIo } from './io.js';
import { exitCodes } from './output.js';

/** Library error codes that mean the caller's input was wrong (exit code 2). */
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
export const reportedExitCode = 'ledgerdb.exit';

/** Options every command takes, as `optsWithGlobals()` returns them. */
export interface CommonOptions {
  json?: boolean;
  debug?: boolean;
}

/**
 * The exit code of an error: 2 for bad input (see {@link exitCodes}), 1 otherwise.
 *
 * @param error - what a command threw
 * @returns 1 or 2
 */
export function exitCodeOf(error: unknown): number {
  if (isLedgerError(error)) return badInputCodes.has(error.code) ? exitCodes.badInput : exitCodes.failure;
  return exitCodes.failure;
}

/**
 * Writes an error as the one line `<where>: <message> [CODE]` (the LedgerError code, or
 * INTERNAL), followed by its stack when `debug` is set.
 *
 * @param io - where to write
 * @param where - the command path, e.g. `ledgerdb insert`
 * @param error - what was thrown
 * @param debug - whether to add the stack trace
 * @returns the exit code for it (see {@link exitCodeOf})
 */
export function reportError(io: Pick<CliIo, 'stderr'>, where: string, error: unknown, debug = false): number {
  const message = isLedgerError(error) ? messageOf(error.shortMessage) : messageOf(error);
  const code = isLedgerError(error) ? error.code : 'INTERNAL';
  io.stderr(`${where}: ${message} [${code}]\n`);
  if (debug && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  return exitCodeOf(error);
}

/**
 * The names from the outermost program down to a command, e.g. `ledgerdb insert` or
 * `ledgerkit db insert`.
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
 * A command's options merged with those of the commands above it, its own winning: so
 * `ledgerdb --db a.ledger digest` and `ledgerdb digest --db a.ledger` mean the same, and an
 * option given after the command overrides the same option given before it.
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
 * Adds `--json` and `--debug` to a command.
 *
 * @param command - the command
 * @returns the same command
 */
export function addCommonOptions(command: Command): Command {
  return command
    .option('--json', 'machine output: one JSON document on stdout (JSON lines for streams)')
    .option('--debug', 'print the stack trace of an error');
}

/**
 * Adds an `Examples:` section to a command's --help. Each example is written after the
 * command's full path, so it reads right however the tree is mounted.
 *
 * @param command - the command
 * @param examples - arguments after the command path, e.g. `shipments '{"sku":"A-1"}' --db app.ledger`
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
  io: Pick<CliIo, 'stderr'>,
  handler: (...args: never[]) => Promise<number>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    let exitCode: number;
    try {
      exitCode = await (handler as (...args: unknown[]) => Promise<number>)(...args);
    } catch (error) {
      if (error instanceof CommanderError) throw error;
      const { debug } = mergedOptions<CommonOptions>(command);
      exitCode = reportError(io, commandPath(command), error, debug === true);
    }
    if (exitCode !== exitCodes.ok) throw new CommanderError(exitCode, reportedExitCode, `exit code ${exitCode}`);
  };
}

/**
 * Applies the conventions to every command of a tree: output through `io`, parse errors as
 * one line with exit code 2, help and version exiting 0, typo suggestions. Call it once
 * the tree is complete.
 *
 * @param root - the top of the tree
 * @param io - where to write
 * @returns the same command
 */
export function applyConventions(root: Command, io: CliIo): Command {
  const visit = (command: Command) => {
    command
      .configureOutput({
        writeOut: (text) => io.stdout(text),
        // Used only to show the whole help after a missing subcommand; one line says it instead.
        writeErr: () => undefined,
        // commander's messages start with 'error: ' and put a suggestion on a second line.
        outputError: (text) =>
          io.stderr(`${commandPath(command)}: ${messageOf(text.replace(/^error: /, ''))} [INVALID_ARGUMENT]\n`),
      })
      .showSuggestionAfterError(true)
      .exitOverride((error) => {
        // 'commander.help' is also `ledgerdb help insert`, which exits 0; non-zero means no subcommand.
        if (error.code === 'commander.help' && error.exitCode !== 0) {
          const path = commandPath(command);
          // `help NAME` for a NAME that is no command ends here too.
          const [first, second] = command.args;
          const problem = first === 'help' && second !== undefined ? `unknown command '${second}'` : 'missing command';
          io.stderr(`${path}: ${problem}; run ${path} --help [INVALID_ARGUMENT]\n`);
          throw new CommanderError(exitCodes.badInput, error.code, 'missing command');
        }
        if (usageErrorCodes.has(error.code)) {
          throw new CommanderError(exitCodes.badInput, error.code, error.message);
        }
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
export async function runProgram(program: Command, argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    return reportError(io, program.name(), error, argv.includes('--debug'));
  }
}
