import { InvalidArgumentError, LedgerError } from '@ledgerkit/core';
import { Command, CommanderError } from 'commander';
import { expect, test } from 'vitest';
import type { CliIo } from './io.js';
import {
  applyConventions,
  cliAction,
  commandPath,
  exitCodeOf,
  mergedOptions,
  reportError,
  runProgram,
} from './program.js';

function collect(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (text) => out.push(text), stderr: (text) => err.push(text) };
}

test('exit codes: 2 for the bad-input codes, 1 for other LedgerErrors and anything else', () => {
  expect(exitCodeOf(new InvalidArgumentError('x', 'bad'))).toBe(2);
  for (const code of ['NOT_FOUND', 'ALREADY_EXISTS', 'LIMIT_EXCEEDED'] as const) {
    expect(exitCodeOf(new LedgerError(code, 'm'))).toBe(2);
  }
  expect(exitCodeOf(new LedgerError('UNAVAILABLE', 'm'))).toBe(1);
  expect(exitCodeOf(new Error('boom'))).toBe(1);
  expect(exitCodeOf('a string')).toBe(1);
});

test('reportError writes one line with the code, INTERNAL for a non-LedgerError, the stack only when asked', () => {
  const io = collect();
  expect(reportError(io, 'ledgerdb get', new LedgerError('NOT_FOUND', 'no such\ndocument'))).toBe(2);
  expect(reportError(io, 'ledgerdb get', new TypeError('x is undefined'))).toBe(1);
  expect(io.err).toEqual(['ledgerdb get: no such document [NOT_FOUND]\n', 'ledgerdb get: x is undefined [INTERNAL]\n']);
  const debug = collect();
  reportError(debug, 'ledgerdb get', new Error('boom'), true);
  expect(debug.err[0]).toBe('ledgerdb get: boom [INTERNAL]\n');
  expect(debug.err[1]).toMatch(/^Error: boom\n {4}at /);
});

test('options after the command win over the same options before it', async () => {
  const seen: Record<string, unknown>[] = [];
  const io = collect();
  const program = new Command('tool').enablePositionalOptions().option('--db <file>').option('--json');
  const sub = new Command('run').option('--db <file>');
  sub.action(
    cliAction(io, async (_options: unknown, self: Command) => {
      seen.push(mergedOptions(self));
      expect(commandPath(self)).toBe('tool run');
      return 0;
    }),
  );
  program.addCommand(sub);
  applyConventions(program, io);
  expect(await runProgram(program, ['--db', 'a', '--json', 'run', '--db', 'b'], io)).toBe(0);
  expect(await runProgram(program, ['--db', 'a', 'run'], io)).toBe(0);
  expect(seen).toEqual([{ db: 'b', json: true }, { db: 'a' }]);
});

test('an action exit code other than 0 rejects parseAsync with a CommanderError carrying it', async () => {
  const io = collect();
  const program = new Command('tool');
  program.addCommand(new Command('check').action(cliAction(io, async () => 3)));
  applyConventions(program, io);
  const error = await program.parseAsync(['check'], { from: 'user' }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(CommanderError);
  expect((error as CommanderError).exitCode).toBe(3);
  expect(io.err).toEqual([]);
});
