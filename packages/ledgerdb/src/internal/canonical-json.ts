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
  // Values parsed from canonical JSON (proofs, stored revisions) already have their keys in
  // order: then the native serializer writes exactly the canonical form.
  if (isCanonicalShape(value, 0)) return JSON.stringify(value);
  return write(value, [path], new Set());
}

/**
 * True when `value` is plain JSON whose object keys are already in RFC 8785 order, so
 * that `JSON.stringify` output is canonical. Anything doubtful returns false and takes
 * the careful path, which also produces the errors.
 */
function isCanonicalShape(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
      return value.isWellFormed();
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'object': {
      if (value === null) return true;
      // Deep or cyclic values take the careful path.
      if (depth > 100) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isCanonicalShape(value[i], depth + 1)) return false;
        return true;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      const keys = Object.keys(value);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        if (i > 0 && !((keys[i - 1] as string) < key)) return false;
        if (!key.isWellFormed() || !isCanonicalShape((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** The path of the value being written, built only for an error message. */
function pathOf(parts: readonly (string | number)[]): string {
  let out = String(parts[0]);
  for (const part of parts.slice(1)) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += /^[A-Za-z_$][\w$]*$/.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`;
  }
  return out;
}

function fail(parts: readonly (string | number)[], message: (path: string) => string): never {
  const path = pathOf(parts);
  throw new InvalidArgumentError(path, message(path));
}

function write(value: unknown, parts: (string | number)[], ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) fail(parts, (path) => `${path} contains a lone surrogate, which JSON cannot carry`);
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) fail(parts, (path) => `${path} is ${value}, which is not a JSON number`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (ancestors.has(value)) fail(parts, (path) => `${path} refers back to itself (a cycle)`);
      ancestors.add(value);
      try {
        if (Array.isArray(value)) {
          let out = '[';
          for (let i = 0; i < value.length; i++) {
            if (i > 0) out += ',';
            parts.push(i);
            out += write(value[i], parts, ancestors);
            parts.pop();
          }
          return `${out}]`;
        }
        const prototype = Object.getPrototypeOf(value);
        if (prototype !== Object.prototype && prototype !== null) {
          const kind = (value as object).constructor?.name ?? 'object';
          fail(parts, (path) => `${path} is a ${kind}, not a plain JSON object`);
        }
        const keys = Object.keys(value).sort();
        let out = '{';
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i] as string;
          parts.push(key);
          if (!key.isWellFormed()) fail(parts, (path) => `${path} has a key with a lone surrogate`);
          if (i > 0) out += ',';
          out += `${JSON.stringify(key)}:${write((value as Record<string, unknown>)[key], parts, ancestors)}`;
          parts.pop();
        }
        return `${out}}`;
      } finally {
        ancestors.delete(value);
      }
    }
    default:
      return fail(
        parts,
        (path) => `${path} is ${value === undefined ? 'undefined' : `a ${typeof value}`}, which is not JSON`,
      );
  }
}
