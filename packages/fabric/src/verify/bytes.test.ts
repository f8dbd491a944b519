import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { compareBytes, fromBase64, fromHex, toBase64, toHex } from './bytes.js';

describe('byte helpers without Buffer', () => {
  test('base64 agrees with Node for every length and rejects foreign characters', () => {
    for (let length = 0; length < 70; length++) {
      const bytes = randomBytes(length);
      expect(toBase64(bytes)).toBe(bytes.toString('base64'));
      expect(Buffer.from(fromBase64(bytes.toString('base64')))).toEqual(bytes);
    }
    expect(() => fromBase64('ab$d')).toThrow(/base64/);
    expect(() => fromBase64('abcde')).toThrow(/length/);
  });

  test('base64 ignores any whitespace and takes any trailing padding, or none', () => {
    const hello = [...Buffer.from('hello')];
    for (const text of [
      'aGVsbG8=',
      'aGVsbG8',
      'aGVsbG8===',
      ' aG\r\nVs\tbG8=\n',
      'aGVs\vbG8\u00a0=',
      'aG Vs bG 8 = ',
    ]) {
      expect([...fromBase64(text)], JSON.stringify(text)).toEqual(hello);
    }
    expect([...fromBase64('')]).toEqual([]);
    expect(() => fromBase64('aG=Vsb')).toThrow("'=' is not a base64 character");
    expect(() => fromBase64('aGVsbG8é')).toThrow("'é' is not a base64 character");
    expect(() => fromBase64('a===')).toThrow('base64 text of an impossible length');
  });

  test('hex with or without 0x; bytewise order', () => {
    expect(toHex(fromHex('0xA0ff'))).toBe('a0ff');
    expect(compareBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(-1);
    expect(compareBytes(Uint8Array.of(1, 2), Uint8Array.of(1))).toBe(1);
    expect(compareBytes(Uint8Array.of(), Uint8Array.of())).toBe(0);
  });
});
