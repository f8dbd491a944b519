import { describe, expect, test } from 'vitest';
import { chaincodeArguments, parseResult } from './values.js';

const encode = (text: string) => new TextEncoder().encode(text);

describe('chaincodeArguments', () => {
  test('strings and bytes pass, scalars become text, objects JSON', () => {
    const bytes = new Uint8Array([1, 2]);
    expect(chaincodeArguments(['a', bytes, 5, true, 10n, { b: [1n] }, null])).toEqual([
      'a',
      bytes,
      '5',
      'true',
      '10',
      '{"b":["1"]}',
      'null',
    ]);
    expect(chaincodeArguments(undefined)).toEqual([]);
  });

  test('undefined, functions and symbols are INVALID_ARGUMENT naming the argument', () => {
    expect(() => chaincodeArguments(['a', undefined])).toThrow(
      expect.objectContaining({ details: { argument: 'args[1]' } }),
    );
    expect(() => chaincodeArguments([Symbol('s')])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

test('parseResult reads JSON when it is JSON, text otherwise, undefined when empty', () => {
  expect(parseResult(encode('{"a":1}'))).toEqual({ a: 1 });
  expect(parseResult(encode('42'))).toBe(42);
  expect(parseResult(encode('true'))).toBe(true);
  expect(parseResult(encode('plain text'))).toBe('plain text');
  expect(parseResult(encode('{broken'))).toBe('{broken');
  expect(parseResult(new Uint8Array())).toBeUndefined();
});
