// Just enough DER (ITU-T X.690) to write X.509 certificates: definite lengths, the universal
// types certificates use, and context-specific explicit tags.
import { InvalidArgumentError } from '../errors.js';

/**
 * Encodes a DER definite length.
 *
 * @param length - content length in bytes; requires `0 <= length`
 * @returns one byte below 128, otherwise `0x80 | n` followed by the n big-endian length bytes
 * @example
 * derLength(300); // <82 01 2c>
 */
export function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/**
 * Encodes one tag-length-value element.
 *
 * @param tag - the identifier octet, e.g. `0x30` for SEQUENCE
 * @param contents - the content, concatenated in order
 * @returns the element's DER encoding
 * @example
 * tlv(0x05); // NULL: <05 00>
 */
export function tlv(tag: number, ...contents: Uint8Array[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

/**
 * Encodes a SEQUENCE of already encoded elements.
 *
 * @param items - encoded elements, in order
 * @returns the SEQUENCE
 * @example
 * sequence(objectIdentifier('1.2.840.10045.4.3.2')); // AlgorithmIdentifier of ecdsa-with-SHA256
 */
export const sequence = (...items: Uint8Array[]): Buffer => tlv(0x30, ...items);

/**
 * Encodes a SET of already encoded elements, in the order given (DER's SET OF sorting is the
 * caller's: X.509 names hold one element a set).
 *
 * @param items - encoded elements
 * @returns the SET
 * @example
 * set(sequence(objectIdentifier('2.5.4.3'), utf8String('alice'))); // one RDN: CN=alice
 */
export const set = (...items: Uint8Array[]): Buffer => tlv(0x31, ...items);

/**
 * Encodes a UTF8String.
 *
 * @param text - the string
 * @returns the UTF8String
 * @example
 * utf8String('client');
 */
export const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));

/**
 * Encodes an OCTET STRING.
 *
 * @param bytes - the content
 * @returns the OCTET STRING
 * @example
 * octetString(Buffer.from('{"attrs":{}}'));
 */
export const octetString = (bytes: Uint8Array): Buffer => tlv(0x04, bytes);

/**
 * Encodes a BIT STRING of whole bytes (no unused bits).
 *
 * @param bytes - the content
 * @returns the BIT STRING
 * @example
 * bitString(signature);
 */
export const bitString = (bytes: Uint8Array): Buffer => tlv(0x03, Buffer.from([0]), bytes);

/**
 * Encodes a BOOLEAN.
 *
 * @param value - the value
 * @returns `<01 01 ff>` for true, `<01 01 00>` for false
 * @example
 * boolean(true); // the `critical` flag of an extension
 */
export const boolean = (value: boolean): Buffer => tlv(0x01, Buffer.from([value ? 0xff : 0]));

/**
 * Wraps an element in a constructed context-specific tag `[tagNumber] EXPLICIT`.
 *
 * @param tagNumber - the context tag number; requires `0 <= tagNumber < 31`
 * @param item - the encoded element
 * @returns the tagged element
 * @example
 * explicit(0, integer(Buffer.from([2]))); // X.509 version v3
 */
export const explicit = (tagNumber: number, item: Uint8Array): Buffer => tlv(0xa0 | tagNumber, item);

/**
 * Encodes a non-negative INTEGER from big-endian bytes, minimal: leading zero bytes are
 * dropped and one is added when the high bit is set.
 *
 * @param value - the unsigned big-endian magnitude
 * @returns the INTEGER
 * @example
 * integer(randomBytes(16)); // a certificate serial number
 */
export function integer(value: Uint8Array): Buffer {
  let bytes = Buffer.from(value);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  while (bytes.length > 1 && bytes[0] === 0 && (bytes[1] ?? 0) < 0x80) bytes = bytes.subarray(1);
  if ((bytes[0] ?? 0) >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

/**
 * Encodes an OBJECT IDENTIFIER.
 *
 * @param dotted - the OID in dotted form, e.g. `2.5.4.3`; requires at least two arcs
 * @returns the OBJECT IDENTIFIER
 * @example
 * objectIdentifier('1.2.3.4.5.6.7.8.1'); // Fabric CA's attribute extension
 */
export function objectIdentifier(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes: number[] = [];
  // The first two arcs share one subidentifier; every subidentifier is base-128, high bit = "more".
  for (const arc of [first * 40 + second, ...rest]) {
    const groups: number[] = [];
    let remaining = arc;
    do {
      groups.unshift(remaining % 128);
      remaining = Math.floor(remaining / 128);
    } while (remaining > 0);
    for (let index = 0; index < groups.length - 1; index++) groups[index] = (groups[index] ?? 0) | 0x80;
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/**
 * Encodes a UTCTime (`YYMMDDHHMMSSZ`), as RFC 5280 requires for validity dates before 2050.
 *
 * @param date - the instant; requires a year from 1950 to 2049 (seconds precision is kept)
 * @returns the UTCTime
 * @throws InvalidArgumentError for a year outside 1950–2049, which a two-digit year cannot
 *   say (2050 would read back as 1950): use {@link validityTime} or {@link generalizedTime}
 * @example
 * utcTime(new Date('2030-01-01T00:00:00Z')); // "300101000000Z"
 */
export function utcTime(date: Date): Buffer {
  const year = checkedYear(date);
  if (year < 1950 || year > 2049) {
    throw new InvalidArgumentError('date', `UTCTime holds the years 1950 to 2049, not ${year}: use GeneralizedTime`, {
      year,
    });
  }
  const text = `${date.toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`;
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

/**
 * Encodes a GeneralizedTime (`YYYYMMDDHHMMSSZ`, seconds precision).
 *
 * @param date - the instant; requires a year from 0 to 9999
 * @returns the GeneralizedTime
 * @throws InvalidArgumentError for an invalid date or a year outside 0–9999
 * @example
 * generalizedTime(new Date('2051-01-01T00:00:00Z')); // "20510101000000Z"
 */
export function generalizedTime(date: Date): Buffer {
  const year = checkedYear(date);
  if (year < 0 || year > 9999) {
    throw new InvalidArgumentError('date', `GeneralizedTime holds the years 0 to 9999, not ${year}`, { year });
  }
  const text = `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
  return tlv(0x18, Buffer.from(text, 'ascii'));
}

/**
 * Encodes a certificate or CRL time as RFC 5280 §4.1.2.5 requires: UTCTime through 2049,
 * GeneralizedTime from 2050 on.
 *
 * @param date - the instant (seconds precision is kept)
 * @returns the UTCTime or GeneralizedTime
 */
export function validityTime(date: Date): Buffer {
  const year = checkedYear(date);
  return year >= 1950 && year <= 2049 ? utcTime(date) : generalizedTime(date);
}

function checkedYear(date: Date): number {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError('date', 'not a valid Date');
  }
  return date.getUTCFullYear();
}
