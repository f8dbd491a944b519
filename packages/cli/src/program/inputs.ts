import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '@ledgerkit/core';
import { InvalidArgumentError as CommanderInvalidArgument } from 'commander';
import type { CliOutput } from './conventions.js';

/**
 * Reads a document given on the command line as a file path, or `-` for stdin.
 *
 * @param io - for stdin
 * @param path - the path, or `-`
 * @param argument - the argument's name, for messages (`ARTIFACT`, `--anchor`)
 * @returns the bytes
 * @throws InvalidArgumentError naming the file when it cannot be read, or stdin is not available
 */
export async function readInput(io: Pick<CliOutput, 'readStdin'>, path: string, argument: string): Promise<Uint8Array> {
  if (path === '-') {
    if (!io.readStdin) throw new InvalidArgumentError(argument, `${argument} is -, but stdin is not available here`);
    return io.readStdin();
  }
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : String(code ?? error);
    throw new InvalidArgumentError(argument, `cannot read ${path}: ${reason}`, { path }, error);
  }
}

/**
 * Reads a JSON document from a file or stdin (see {@link readInput}).
 *
 * @param io - for stdin
 * @param path - the path, or `-`
 * @param argument - the argument's name, for messages
 * @returns the parsed value
 * @throws InvalidArgumentError when it cannot be read or is not JSON
 */
export async function readJsonInput(
  io: Pick<CliOutput, 'readStdin'>,
  path: string,
  argument: string,
): Promise<unknown> {
  const text = new TextDecoder().decode(await readInput(io, path, argument));
  try {
    return JSON.parse(text);
  } catch (error) {
    const where = path === '-' ? 'stdin' : path;
    throw new InvalidArgumentError(argument, `${where} is not JSON (${(error as Error).message})`, { path }, error);
  }
}

/**
 * A commander argument parser for a whole number in a range: malformed values are usage
 * errors (exit 2) before the command runs.
 *
 * @param min - smallest accepted value
 * @param max - largest accepted value
 * @returns the parser
 */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < min || number > max) {
      throw new CommanderInvalidArgument(`expected an integer from ${min} to ${max}, got '${value}'`);
    }
    return number;
  };
}
