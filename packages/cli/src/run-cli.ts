import { type CliOutput, exitCodes, runProgram } from './program/conventions.js';
import { createProgram } from './program/create-program.js';

export { type CliOutput, exitCodes };

/**
 * Runs the `ledgerkit` command line: parses the arguments, runs one command, writes its
 * output to `output.stdout`, progress and any error (one line) to `output.stderr`.
 *
 * @param argv - arguments after the executable, e.g. `['demo', '--json']`
 * @param output - where to write, and stdin
 * @returns the process exit code (see {@link exitCodes}; `ledgerkit verify` has its own); never rejects
 */
export async function runCli(argv: readonly string[], output: CliOutput): Promise<number> {
  const first = argv[0];
  // Completion walks the whole tree; otherwise only the group the arguments name is loaded.
  const load = first === 'complete' || first === 'completion' ? 'all' : first === 'help' ? argv[1] : first;
  const program = await createProgram(output, load === undefined ? {} : { load });
  return runProgram(program, argv, output);
}
