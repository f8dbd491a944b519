// The `ledgerkit` command tree: the groups of ../groups.ts under one program, with
// --version, shell completion and the conventions of ./conventions.ts.
import tab from '@bomb.sh/tab/commander';
import { Command } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import * as groups from '../groups.js';
import {
  addCommonOptions,
  applyConventions,
  type CliOutput,
  cliAction,
  exitCodes,
  mergedOptions,
  withExamples,
} from './conventions.js';
import { printJson } from './output.js';

/** Options of {@link createProgram}. */
export interface ProgramOptions {
  /**
   * Which groups are loaded now rather than on use: `all` (completion, tests walking the
   * tree) or the group the arguments name. Groups not named stand in with their help only.
   */
  load?: 'all' | string;
}

const outputHelp = `
Output: human text on stdout; with --json one JSON document (JSON lines for streams).
Progress and spinners go to stderr only. Errors are one line on stderr:
  ledgerkit <command>: <message> [<CODE>]   (a stack trace too with --debug)

Exit codes:
  0  ok
  1  failure
  2  bad input: unknown command or option, missing or malformed argument, or
     INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, LIMIT_EXCEEDED
  3  verification failed (ledgerkit verify: 1 when a check failed, 2 bad input)`;

/**
 * Builds the whole `ledgerkit` command tree.
 *
 * @param io - where every command writes, and stdin
 * @param options - which lazily loaded groups to load now
 * @returns the program, ready for {@link runProgram}
 */
export async function createProgram(io: CliOutput, options: ProgramOptions = {}): Promise<Command> {
  const program = new Command('ledgerkit')
    .description(
      'Verifiable ledgers for application teams: ledgerdb, Fabric and Ethereum, and offline verification of what they return',
    )
    .version(packageJson.version, '-V, --version', 'print the version')
    // Options before a group belong to the program, after it to the command: `ledgerkit db`
    // keeps its own options in front of its commands.
    .enablePositionalOptions();
  program.addHelpText('after', outputHelp);
  withExamples(program, [
    'demo',
    'verify bundle.json --anchor digest.json --public-key owner.pem',
    'fabric up --orgs 2',
    'eth node start',
    'db insert shipments \'{"sku":"A-1"}\' --db app.ledger',
    'completion bash > ~/.ledgerkit-completion.bash',
  ]);
  for (const [name, create] of Object.entries(groups)) {
    const load = options.load === 'all' || options.load === name;
    program.addCommand(await (create as (io: CliOutput, load: boolean) => Command | Promise<Command>)(io, load));
  }
  addCompletion(program, io);
  return applyConventions(program, io);
}

/**
 * The `completion` command (scripts for bash, zsh, fish and powershell) and the `complete`
 * command those scripts call, from @bomb.sh/tab's commander adapter, which completes
 * commands and options from the tree itself.
 */
function addCompletion(program: Command, io: CliOutput): void {
  const completion = tab(program, { completionCommandName: 'completion' });
  const name = program.name();
  const script = program.commands.find((command) => command.name() === 'completion');
  const complete = program.commands.find((command) => command.name() === 'complete');
  if (script === undefined || complete === undefined) throw new Error('@bomb.sh/tab added no completion commands');
  script.description('Print a shell completion script (bash, zsh, fish, powershell)');
  addCommonOptions(script, 'one JSON document: {shell, script}');
  script.addHelpText(
    'after',
    `\nCompletions are computed by '${name} complete -- ARGS...', so ${name} must be on the PATH.`,
  );
  withExamples(script, [
    `bash > ~/.${name}-completion.bash && echo 'source ~/.${name}-completion.bash' >> ~/.bashrc`,
    `zsh > ~/.${name}-completion.zsh && echo 'source ~/.${name}-completion.zsh' >> ~/.zshrc`,
    `fish > ~/.config/fish/completions/${name}.fish`,
  ]);
  // The adapter's actions print with console.log; these print through io instead.
  script.action(
    cliAction(io, async (shell: string, _options: unknown, self: Command) => {
      const text = captureConsole(() => completion.setup(name, name, shell));
      if (mergedOptions<{ json?: boolean }>(self).json) printJson(io, { shell, script: text });
      else io.stdout(text);
      return exitCodes.ok;
    }),
  );
  complete.description('Print the completions of a partial command line (what the completion scripts call)');
  addCommonOptions(complete, 'not supported: the completion scripts read tab-separated lines');
  withExamples(complete, ['-- fabric s']);
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
