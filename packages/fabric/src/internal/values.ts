import { InvalidArgumentError } from '@ledgerkit/core';

const decoder = new TextDecoder();

/**
 * Turns call arguments into chaincode arguments: strings and byte arrays pass unchanged,
 * numbers, booleans and bigints become their decimal text, objects and arrays JSON.
 *
 * @param args - the call's arguments
 * @returns one string or byte array per argument
 * @throws InvalidArgumentError naming `args[i]` for undefined, functions and symbols
 */
export function chaincodeArguments(args: readonly unknown[] | undefined): Array<string | Uint8Array> {
  if (args === undefined) return [];
  if (!Array.isArray(args)) throw new InvalidArgumentError('args', 'call.args must be an array');
  return args.map((arg, index) => {
    if (typeof arg === 'string' || arg instanceof Uint8Array) return arg;
    if (typeof arg === 'number' || typeof arg === 'boolean' || typeof arg === 'bigint') return String(arg);
    if (arg === null || typeof arg === 'object') {
      try {
        return JSON.stringify(arg, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
      } catch (error) {
        throw new InvalidArgumentError(`args[${index}]`, `argument ${index} cannot be encoded as JSON`, {}, error);
      }
    }
    throw new InvalidArgumentError(
      `args[${index}]`,
      `argument ${index} is ${typeof arg}; pass a string, number, boolean, bytes or JSON value`,
    );
  });
}

/**
 * Reads a chaincode's return value: JSON when the bytes are JSON, the UTF-8 text otherwise,
 * and `undefined` for an empty result.
 *
 * @param bytes - the result bytes
 * @returns the parsed value
 */
export function parseResult(bytes: Uint8Array): unknown {
  if (bytes.length === 0) return undefined;
  const text = decoder.decode(bytes);
  const first = text.charCodeAt(0);
  // Only text that can start a JSON document is tried, so plain strings skip the exception.
  const looksJson =
    first === 0x7b /* { */ ||
    first === 0x5b /* [ */ ||
    first === 0x22 /* " */ ||
    first === 0x2d /* - */ ||
    (first >= 0x30 && first <= 0x39) ||
    text === 'true' ||
    text === 'false' ||
    text === 'null';
  if (!looksJson) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
