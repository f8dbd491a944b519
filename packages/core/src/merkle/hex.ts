import { bytesToHex, hexToBytes } from '#merkle-native';
import { InvalidArgumentError } from '../errors.js';

/** A hash given either as bytes or as lowercase/uppercase hex. */
export type HashInput = Uint8Array | string;

const hexPattern = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * Encodes bytes as lowercase hex.
 *
 * @param bytes - the bytes
 * @returns lowercase hex, two characters a byte
 */
export function toHex(bytes: Uint8Array): string {
  return bytesToHex(bytes);
}

/**
 * Decodes hex into bytes.
 *
 * @param hex - an even number of hex digits
 * @param argument - name used in the error when the input is malformed
 * @returns the bytes
 * @throws InvalidArgumentError when `hex` is not hex
 */
export function fromHex(hex: string, argument = 'hex'): Uint8Array {
  if (!hexPattern.test(hex)) {
    throw new InvalidArgumentError(argument, `${argument} is not an even-length hex string`, { value: hex });
  }
  return hexToBytes(hex);
}
