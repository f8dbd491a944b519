import type { Command as CommandType } from 'commander';
import { Command } from 'commander';
import { loadOptional } from '../load-optional.js';
import { addCommonOptions, type CliOutput, cliAction, markForeign, withExamples } from '../program/conventions.js';

const description =
  'A verifiable ledger database (QLDB semantics) in one SQLite file or on PostgreSQL: everything the ledgerdb command does';

/**
 * The `ledgerkit db` group: the `ledgerdb` command tree of `@ledgerkit/ledgerdb/cli`, an
 * optional peer dependency. It is imported only when needed (`load`), so the other commands
 * start without it; when it is not installed, `ledgerkit db` says which package to install.
 *
 * @param io - where to write, and stdin
 * @param load - whether to import the ledgerdb tree now (the command line names `db`, or
 *   completion needs the whole tree)
 * @returns the command
 */
export async function createDbCommand(io: CliOutput, load: boolean): Promise<CommandType> {
  if (load) {
    try {
      const { createLedgerdbCommand } = await loadOptional(
        '@ledgerkit/ledgerdb',
        'this command',
        () => import('@ledgerkit/ledgerdb/cli'),
      );
      const decoder = new TextDecoder();
      const readStdin = io.readStdin;
      return markForeign(
        createLedgerdbCommand({
          name: 'db',
          io: {
            stdout: io.stdout,
            stderr: io.stderr,
            ...(readStdin ? { readStdin: async () => decoder.decode(await readStdin()) } : {}),
            stderrIsTty: io.stderrIsTTY === true,
            env: process.env,
          },
        }),
      );
    } catch (error) {
      return placeholder(io, error);
    }
  }
  return placeholder(io);
}

/** Stands for the ledgerdb tree in the help of other commands, or reports why it cannot load. */
function placeholder(io: CliOutput, loadError?: unknown): CommandType {
  const command = new Command('db')
    .description(description)
    .argument('[ARGS...]', 'a ledgerdb command and its arguments (ledgerkit db --help lists them)')
    .allowUnknownOption()
    .passThroughOptions();
  addCommonOptions(command);
  withExamples(command, ['--help', 'insert shipments \'{"sku":"A-1"}\' --db app.ledger']);
  return command.action(
    cliAction(io, async () => {
      if (loadError !== undefined) throw loadError;
      // Not reached from runCli, which loads the tree whenever the arguments name `db`.
      throw new Error('the ledgerdb commands were not loaded');
    }),
  );
}
