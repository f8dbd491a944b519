import { describe, expect, test } from 'vitest';
import { canonicalize, isPlainJson } from './canonical-json.js';

describe('canonicalize (RFC 8785)', () => {
  test('sorts keys by UTF-16 code units and drops whitespace', () => {
    // RFC 8785 §3.2.3 sorting example, reduced.
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const keys = [...canonicalize(input).matchAll(/"([^"]*)":"[^"]*"/g)].map(([, key]) => JSON.parse(`"${key}"`));
    expect(keys).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
  });

  test('writes numbers as ECMAScript does (RFC 8785 §3.2.2.3 examples)', () => {
    const numbers = [
      0, -0, 1e21, 1e-7, 333333333.3333333, 9007199254740992, 4.5, 0.002, 1e23, 5e-324, -1.7976931348623157e308,
    ];
    expect(numbers.map((n) => canonicalize(n))).toEqual([
      '0',
      '0',
      '1e+21',
      '1e-7',
      '333333333.3333333',
      '9007199254740992',
      '4.5',
      '0.002',
      '1e+23',
      '5e-324',
      '-1.7976931348623157e+308',
    ]);
  });

  test('escapes strings minimally', () => {
    expect(canonicalize({ s: '\u20ac$\u000f\nA\'B"\\\\"/' })).toBe('{"s":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  test('nests arrays and objects', () => {
    expect(canonicalize({ b: [3, { z: null, a: true }], a: 'x' })).toBe('{"a":"x","b":[3,{"a":true,"z":null}]}');
  });

  test.each([
    [{ a: undefined }, 'data.a'],
    [{ a: Number.NaN }, 'data.a'],
    [{ a: [1, Number.POSITIVE_INFINITY] }, 'data.a[1]'],
    [{ when: new Date(0) }, 'data.when'],
    [{ n: 10n }, 'data.n'],
    [{ f: () => 1 }, 'data.f'],
    [{ s: '\ud800' }, 'data.s'],
    [{ 'odd key': new Map() }, 'data["odd key"]'],
  ])('rejects a non-JSON value and names its path (%#)', (value, path) => {
    expect(() => canonicalize(value, 'data')).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', details: expect.objectContaining({ argument: path }) }),
    );
  });

  test('orders integer-like keys as strings, not as JavaScript enumerates them', () => {
    expect(canonicalize({ 9: 'a', 10: 'b', a: 1 })).toBe('{"10":"b","9":"a","a":1}');
  });

  test('values whose keys are already in order still get every check', () => {
    expect(canonicalize({ a: 1, b: [true, null, 'x'], c: { d: 2.5 } })).toBe(
      '{"a":1,"b":[true,null,"x"],"c":{"d":2.5}}',
    );
    expect(() => canonicalize({ a: 1, b: Number.NaN }, 'data')).toThrowError(
      expect.objectContaining({ details: expect.objectContaining({ argument: 'data.b' }) }),
    );
    expect(() => canonicalize({ a: new Date(0) }, 'data')).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => canonicalize({ a: { toJSON: () => 1 } }, 'data')).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  test('rejects cycles', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => canonicalize(cyclic, 'data')).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  test('accepts the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalize({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
  test('keeps __proto__ as an ordinary key, in its sorted place', () => {
    const parsed = JSON.parse('{"z":1,"__proto__":{"x":1},"a":[{"b":2,"a":1}]}');
    expect(canonicalize(parsed)).toBe('{"__proto__":{"x":1},"a":[{"a":1,"b":2}],"z":1}');
  });

  test('any key order gives the text of a naive RFC 8785 writer (random values)', () => {
    const naive = (value: unknown): string => {
      if (Array.isArray(value)) return `[${value.map(naive).join(',')}]`;
      if (value !== null && typeof value === 'object') {
        const keys = Object.keys(value).sort();
        return `{${keys.map((key) => `${JSON.stringify(key)}:${naive((value as Record<string, unknown>)[key])}`).join(',')}}`;
      }
      return JSON.stringify(value);
    };
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const keyPool = ['a', 'b', 'Z', 'é', '€', '😀', '1', '10', '9', '-', 'k k', '__proto__', ''];
    const random = (depth: number): unknown => {
      const pick = next();
      if (depth > 3 || pick < 0.3) return [1.5, -0, 'x\u20ac', true, null, 1e21][Math.floor(next() * 6)];
      if (pick < 0.5) return Array.from({ length: Math.floor(next() * 4) }, () => random(depth + 1));
      const out: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 5); i > 0; i--) {
        Object.defineProperty(out, keyPool[Math.floor(next() * keyPool.length)] as string, {
          value: random(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    };
    for (let i = 0; i < 2000; i++) {
      const value = random(0);
      expect(canonicalize(value)).toBe(naive(value));
    }
  });
});

describe('isPlainJson', () => {
  test('true for parsed JSON in any key order, false for anything JSON.stringify would change', () => {
    expect(isPlainJson(JSON.parse('{"b":[1,{"z":null}],"a":"x"}'))).toBe(true);
    for (const value of [{ a: undefined }, { a: Number.NaN }, [new Date(0)], { a: { toJSON: () => 1 } }, () => 1]) {
      expect(isPlainJson(value)).toBe(false);
    }
  });
});

// Found by the fault suite's HTTP fuzzing (packages/fault-suite): the server answered 500.
describe('canonicalize of very deep values', () => {
  test('nesting that exhausts the stack is INVALID_ARGUMENT, not a RangeError', () => {
    const deep = JSON.parse(`${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`);
    expect(() => canonicalize(deep, 'data')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
