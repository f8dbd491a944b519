import { InvalidArgumentError } from '@ledgerkit/core';

/** Marks a value the fast path leaves to the careful one. */
const invalid = Symbol('invalid');

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
  // Plain JSON goes to the native serializer: objects whose keys are already in order
  // (values parsed from canonical JSON) as they are, others rebuilt with sorted keys.
  const sorted = sortedCopy(value, 0);
  if (sorted !== invalid) return JSON.stringify(sorted);
  try {
    return write(value, [path], new Set());
  } catch (error) {
    // Nesting deep enough to exhaust the stack (JSON.parse accepts it) is bad input, not a
    // crash: the server answered 500 to a 20,000-deep document.
    if (error instanceof RangeError) {
      throw new InvalidArgumentError(path, `${path} is nested too deeply to serialize`, { reason: 'too-deep' }, error);
    }
    throw error;
  }
}

/**
 * `value` with every object's keys inserted in RFC 8785 order (objects already in order
 * are reused), or `invalid` for anything doubtful: non-JSON values, lone surrogates,
 * depth over 100 (so cycles too), keys that look like array indexes, which JavaScript
 * objects always enumerate first in numeric order whatever the insertion order, and
 * `__proto__`, which an assignment would not create as a key. The careful path handles those and names the errors.
 */
function sortedCopy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return value.isWellFormed() ? value : invalid;
    case 'number':
      return Number.isFinite(value) ? value : invalid;
    case 'boolean':
      return value;
    case 'object': {
      if (value === null) return value;
      if (depth > 100) return invalid;
      if (Array.isArray(value)) {
        let out: unknown[] | undefined;
        for (let i = 0; i < value.length; i++) {
          const element = value[i];
          const copied = sortedCopy(element, depth + 1);
          if (copied === invalid) return invalid;
          if (copied !== element && out === undefined) out = value.slice(0, i);
          out?.push(copied);
        }
        return out ?? value;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return invalid;
      const keys = Object.keys(value);
      let ordered = true;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        const first = key.charCodeAt(0);
        // Possibly an array index (digits first): enumeration order is not insertion order.
        if ((first >= 48 && first <= 57) || key === '__proto__' || !key.isWellFormed()) return invalid;
        if (i > 0 && !((keys[i - 1] as string) < key)) ordered = false;
      }
      if (!ordered) sortKeys(keys);
      let changed = !ordered;
      const values: unknown[] = new Array(keys.length);
      for (let i = 0; i < keys.length; i++) {
        const original = (value as Record<string, unknown>)[keys[i] as string];
        const copied = sortedCopy(original, depth + 1);
        if (copied === invalid) return invalid;
        if (copied !== original) changed = true;
        values[i] = copied;
      }
      if (!changed) return value;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) out[keys[i] as string] = values[i];
      return out;
    }
    default:
      return invalid;
  }
}

/**
 * Sorts keys by UTF-16 code units, as `Array.prototype.sort` does: insertion sort for the
 * few keys of a typical document (no comparator calls, a fraction of the built-in sort's
 * cost on a commit path), the built-in sort for many.
 */
function sortKeys(keys: string[]): void {
  if (keys.length > 16) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
}

/**
 * True when `value` holds nothing but JSON (strings, finite numbers, booleans, null,
 * arrays and plain objects), at any key order. For such a value `JSON.stringify` writes
 * exactly what it contains, so a hash of that text speaks for the value itself.
 *
 * @param value - the value to check
 * @returns whether it is plain JSON (depth up to 100)
 */
export function isPlainJson(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth > 100) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
        return true;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      for (const key in value) if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
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
