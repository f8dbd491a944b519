// Reading and checking what the user hands the `ledgerdb` command: JSON arguments, JSON
// files and PEM keys. Every failure is a LedgerError whose code says whose fault it is.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type JsonObject, LedgerError } from '@ledgerkit/core';
import type { Digest, RevisionProof } from '../types.js';
import type { CliIo } from './io.js';

/**
 * Parses a JSON document given on the command line.
 *
 * @param text - the argument as typed
 * @param argument - its name in the usage, e.g. `JSON`
 * @returns the parsed document
 * @throws `INVALID_ARGUMENT` when the text is not JSON or not a JSON object
 */
export function parseDocument(text: string, argument: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(argument, `malformed JSON document: ${messageOf(error)}`, {}, error);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(argument, `the document must be a JSON object, got ${describeJson(value)}`);
  }
  return value as JsonObject;
}

/**
 * Reads a document from exactly one of: the argument as typed, `-` (standard input), or
 * the file of `--file`.
 *
 * @param argument - the JSON argument, `-`, or undefined when not given
 * @param file - the `--file` option, or undefined
 * @param io - where standard input comes from
 * @returns the parsed document
 * @throws `INVALID_ARGUMENT` when none or both are given, or the text is not a JSON object;
 *   `NOT_FOUND` when the file does not exist
 */
export async function readDocument(
  argument: string | undefined,
  file: string | undefined,
  io: Pick<CliIo, 'readStdin'>,
): Promise<JsonObject> {
  if ((argument === undefined) === (file === undefined)) {
    throw new InvalidArgumentError(
      'JSON',
      argument === undefined
        ? 'missing argument JSON: give the document, - for standard input, or --file FILE'
        : 'give the document either as the JSON argument or with --file, not both',
    );
  }
  if (file !== undefined) return parseDocument(await readInput(file, '--file', io), `--file ${file}`);
  if (argument === '-') return parseDocument(await readInput('-', 'JSON', io), 'JSON');
  const text = argument as string;
  // A file name where the document goes (`insert shipments doc.json`) gets told how to read it.
  if (!/^\s*[{[]/.test(text)) {
    try {
      JSON.parse(text);
    } catch (error) {
      throw new InvalidArgumentError(
        'JSON',
        `malformed JSON document: ${messageOf(error)} (to read the document from a file, use --file ${text}; from standard input, -)`,
        {},
        error,
      );
    }
  }
  return parseDocument(text, 'JSON');
}

/**
 * Reads a file named by an option or argument, or standard input when it is `-`.
 *
 * @param path - the file, or `-`
 * @param option - what named it, e.g. `--proof`
 * @param io - where standard input comes from
 * @returns its text
 * @throws `INVALID_ARGUMENT` when `-` is given but there is no standard input, or as {@link readOptionFile}
 */
export async function readInput(path: string, option: string, io: Pick<CliIo, 'readStdin'>): Promise<string> {
  if (path !== '-') return readOptionFile(path, option);
  if (io.readStdin === undefined)
    throw new InvalidArgumentError(option, `${option} is -, but there is no standard input`);
  return io.readStdin();
}

/**
 * Parses a document version given as `--revision N`.
 *
 * @param text - the option value
 * @returns the version, a non-negative integer
 * @throws `INVALID_ARGUMENT` when it is not one
 */
export function parseRevision(text: string): number {
  const version = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(version)) {
    throw new InvalidArgumentError('--revision', `--revision must be a non-negative integer, got '${text}'`);
  }
  return version;
}

/**
 * Reads a file named by an option.
 *
 * @param path - the file
 * @param option - the option that named it, e.g. `--proof`
 * @returns its text
 * @throws `NOT_FOUND` when it does not exist, `INVALID_ARGUMENT` when it cannot be read
 */
export async function readOptionFile(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new LedgerError('NOT_FOUND', `${option} file ${path} does not exist`, { details: { path }, cause: error });
    }
    throw new InvalidArgumentError(option, `cannot read ${option} file ${path}: ${messageOf(error)}`, { path }, error);
  }
}

/**
 * Reads a JSON file named by an option.
 *
 * @param path - the file, or `-` for standard input
 * @param option - the option that named it
 * @param io - where standard input comes from
 * @returns the parsed value
 * @throws `NOT_FOUND` or `INVALID_ARGUMENT` (unreadable or malformed JSON)
 */
export async function readJsonFile(path: string, option: string, io: Pick<CliIo, 'readStdin'> = {}): Promise<unknown> {
  const text = await readInput(path, option, io);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(option, `malformed JSON in ${option} file ${path}: ${messageOf(error)}`, {}, error);
  }
}

/**
 * Reads a digest as `ledgerdb digest` printed it.
 *
 * @param path - the file, or `-` for standard input
 * @param option - the option that named it, e.g. `--digest`
 * @param io - where standard input comes from
 * @returns the digest
 * @throws `NOT_FOUND` or `INVALID_ARGUMENT` (not JSON, or not shaped like a digest)
 */
export async function readDigestFile(path: string, option: string, io: Pick<CliIo, 'readStdin'> = {}): Promise<Digest> {
  const value = await readJsonFile(path, option, io);
  const problem = shapeProblem(value, {
    ledger: 'string',
    treeSize: 'integer',
    rootHash: 'string',
  });
  if (problem) throw new InvalidArgumentError(option, `${option} file ${path} is not a digest: ${problem}`);
  return value as Digest;
}

/**
 * Reads a revision proof as `ledgerdb proof` printed it. Only its shape is checked
 * here; whether it proves anything is the verifier's business.
 *
 * @param path - the file, or `-` for standard input
 * @param option - the option that named it, e.g. `--proof`
 * @param io - where standard input comes from
 * @returns the proof
 * @throws `NOT_FOUND` or `INVALID_ARGUMENT` (not JSON, or not shaped like a proof)
 */
export async function readProofFile(
  path: string,
  option: string,
  io: Pick<CliIo, 'readStdin'> = {},
): Promise<RevisionProof> {
  const value = await readJsonFile(path, option, io);
  const problem = shapeProblem(value, {
    revision: 'object',
    leafIndex: 'integer',
    treeSize: 'integer',
    leafHash: 'string',
    auditPath: 'string[]',
    rootHash: 'string',
  });
  if (problem) throw new InvalidArgumentError(option, `${option} file ${path} is not a revision proof: ${problem}`);
  return value as RevisionProof;
}

/**
 * Reads the ledger owner's Ed25519 private key (PEM) used to sign digests.
 *
 * @param path - the PEM file
 * @param option - the option that named it
 * @returns the key
 * @throws `NOT_FOUND`, or `INVALID_ARGUMENT` when it is not an Ed25519 private key
 */
export async function readPrivateKeyFile(path: string, option: string): Promise<KeyObject> {
  const pem = await readOptionFile(path, option);
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new InvalidArgumentError(option, `${option} file ${path} is not a PEM private key`, { path }, error);
  }
  return requireEd25519(key, path, option);
}

/**
 * Reads the ledger owner's Ed25519 public key (PEM) that digests must be signed with.
 *
 * @param path - the PEM file
 * @param option - the option that named it
 * @returns the key
 * @throws `NOT_FOUND`, or `INVALID_ARGUMENT` when it is not an Ed25519 key
 */
export async function readPublicKeyFile(path: string, option: string): Promise<KeyObject> {
  const pem = await readOptionFile(path, option);
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new InvalidArgumentError(option, `${option} file ${path} is not a PEM public key`, { path }, error);
  }
  return requireEd25519(key, path, option);
}

function requireEd25519(key: KeyObject, path: string, option: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new InvalidArgumentError(
      option,
      `${option} file ${path} holds an ${key.asymmetricKeyType ?? 'unknown'} key; digests are signed with Ed25519`,
      { path },
    );
  }
  return key;
}

type FieldKind = 'string' | 'integer' | 'object' | 'string[]';

const fieldKindNames: Readonly<Record<FieldKind, string>> = {
  string: 'a string',
  integer: 'an integer',
  object: 'an object',
  'string[]': 'an array of strings',
};

/** What is wrong with a value expected to be an object with these fields, or undefined. */
function shapeProblem(value: unknown, fields: Readonly<Record<string, FieldKind>>): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `expected a JSON object, got ${describeJson(value)}`;
  }
  for (const [name, kind] of Object.entries(fields)) {
    const field = (value as Record<string, unknown>)[name];
    const fits =
      kind === 'string'
        ? typeof field === 'string'
        : kind === 'integer'
          ? Number.isSafeInteger(field)
          : kind === 'object'
            ? field !== null && typeof field === 'object' && !Array.isArray(field)
            : Array.isArray(field) && field.every((item) => typeof item === 'string');
    if (!fits) return `field ${name} should be ${fieldKindNames[kind]}`;
  }
  return undefined;
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * The message of anything thrown, on one line.
 *
 * @param error - what was caught
 * @returns its message without line breaks
 */
export function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
