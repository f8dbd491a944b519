import { InvalidArgumentError } from '@ledgerkit/core';

/**
 * RFC 8785 (JSON Canonicalization Scheme) serialization: object keys sorted by UTF-16
 * code units, no whitespace, numbers and strings as ECMAScript's JSON.stringify writes
 * them. Anything that is not plain JSON (undefined, functions, symbols, bigints,
 * non-finite numbers, class instances such as Date or Map, lone surrogates, cycles) is
 * rejected with an InvalidArgumentError naming the path of the offending value.
 *
 * @param value - the value to serialize
 * @param path - name of the value in error messages
 * @returns the canonical JSON text
 */
export function canonicalize(value: unknown, path = 'value'): string {
  return write(value, path, new Set());
}

function write(value: unknown, path: string, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) {
        throw new InvalidArgumentError(path, `${path} contains a lone surrogate, which JSON cannot carry`);
      }
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new InvalidArgumentError(path, `${path} is ${value}, which is not a JSON number`);
      }
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (ancestors.has(value)) throw new InvalidArgumentError(path, `${path} refers back to itself (a cycle)`);
      ancestors.add(value);
      try {
        if (Array.isArray(value)) {
          let out = '[';
          for (let i = 0; i < value.length; i++) {
            if (i > 0) out += ',';
            out += write(value[i], `${path}[${i}]`, ancestors);
          }
          return `${out}]`;
        }
        const prototype = Object.getPrototypeOf(value);
        if (prototype !== Object.prototype && prototype !== null) {
          const kind = (value as object).constructor?.name ?? 'object';
          throw new InvalidArgumentError(path, `${path} is a ${kind}, not a plain JSON object`);
        }
        const keys = Object.keys(value).sort();
        let out = '{';
        let first = true;
        for (const key of keys) {
          const inner = (value as Record<string, unknown>)[key];
          const innerPath = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
          if (!key.isWellFormed()) {
            throw new InvalidArgumentError(innerPath, `${innerPath} has a key with a lone surrogate`);
          }
          if (!first) out += ',';
          first = false;
          out += `${JSON.stringify(key)}:${write(inner, innerPath, ancestors)}`;
        }
        return `${out}}`;
      } finally {
        ancestors.delete(value);
      }
    }
    default:
      throw new InvalidArgumentError(
        path,
        `${path} is ${value === undefined ? 'undefined' : `a ${typeof value}`}, which is not JSON`,
      );
  }
}
