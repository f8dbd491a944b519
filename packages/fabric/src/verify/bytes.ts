// Byte helpers for the browser-safe verifier: Uint8Array only, no Buffer, no Node built-ins here.
// SHA-256 and the last step of base64 decoding come from `#verify-native`: node:crypto and
// Buffer on Node, @noble/hashes and plain loops in a browser bundle.

import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { latin1Bytes, sha256, sha256Concat } from '#verify-native';

export { concatBytes, sha256, sha256Concat };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of a string. */
export const utf8Bytes = (text: string): Uint8Array => encoder.encode(text);

/** A string from UTF-8 bytes (invalid sequences become U+FFFD). */
export const utf8Text = (bytes: Uint8Array): string => decoder.decode(bytes);

/** Lowercase hex of bytes. */
export const toHex = (bytes: Uint8Array): string => bytesToHex(bytes);

/**
 * Bytes of a hex string, with or without `0x`, any case.
 *
 * @throws Error when the text is not hex of whole bytes
 */
export function fromHex(text: string): Uint8Array {
  const hex = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  return hexToBytes(hex.toLowerCase());
}

/** Whether two byte arrays hold the same bytes. */
export function equalBytes(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

/** Bytewise order of two byte arrays, as Go's bytes.Compare. */
export function compareBytes(left: Uint8Array, right: Uint8Array): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const difference = (left[index] as number) - (right[index] as number);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return left.length === right.length ? 0 : left.length < right.length ? -1 : 1;
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 (with padding) of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let index = 0; index < bytes.length; index += 3) {
    const a = bytes[index] as number;
    const b = bytes[index + 1];
    const c = bytes[index + 2];
    const triple = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    text += alphabet[(triple >> 18) & 63];
    text += alphabet[(triple >> 12) & 63];
    text += b === undefined ? '=' : alphabet[(triple >> 6) & 63];
    text += c === undefined ? '=' : alphabet[triple & 63];
  }
  return text;
}

/** The text without whitespace and trailing `=`, after checking that it is base64. */
function cleanBase64(text: string): string {
  const clean = text.replace(/\s+/g, '').replace(/=+$/, '');
  if (clean.length % 4 === 1) throw new Error('base64 text of an impossible length');
  const foreign = /[^A-Za-z0-9+/]/u.exec(clean);
  if (foreign) throw new Error(`'${foreign[0]}' is not a base64 character`);
  return clean;
}

/**
 * Bytes of standard base64 text; whitespace is ignored, padding optional.
 *
 * @throws Error when the text holds a character outside the base64 alphabet or a dangling character
 */
export function fromBase64(text: string): Uint8Array {
  // atob (browsers, Node) decodes in native code, an order of magnitude faster than a loop
  // over characters. It skips ASCII whitespace and takes up to two `=` of padding; any text
  // it refuses is cleaned first (other whitespace, more `=`) or refused with the reason.
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    binary = atob(cleanBase64(text));
  }
  return latin1Bytes(binary);
}
