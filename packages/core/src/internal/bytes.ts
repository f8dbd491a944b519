import { InvalidArgumentError } from '../errors.js';
import { fromHex, type HashInput } from '../merkle/hex.js';

/** Reads a 32-byte hash from bytes or hex, naming `argument` in any error. */
export function toHash(input: HashInput, argument: string): Uint8Array {
  const bytes = typeof input === 'string' ? fromHex(input, argument) : input;
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
    throw new InvalidArgumentError(argument, `${argument} must be a 32-byte SHA-256 hash`, {
      length: bytes instanceof Uint8Array ? bytes.length : undefined,
    });
  }
  return bytes;
}

/** Byte equality of two hashes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
