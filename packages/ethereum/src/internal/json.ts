import type { JsonValue } from '@ledgerkit/core';
import { hexlify } from 'ethers';

/**
 * Converts decoded ABI values to JSON: bigints become decimal strings, ethers Results
 * with names become objects, byte arrays become hex.
 */
export function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Uint8Array) return hexlify(value);
  if (Array.isArray(value)) {
    const names = namesOf(value);
    if (names) {
      const object: Record<string, JsonValue> = {};
      names.forEach((name, index) => {
        object[name] = toJson(value[index]);
      });
      return object;
    }
    return value.map(toJson);
  }
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toJson(inner)]));
  }
  return String(value);
}

/** The field names of an ethers Result when every field is named, else undefined. */
function namesOf(value: unknown[]): string[] | undefined {
  const toObject = (value as { toObject?: () => Record<string, unknown> }).toObject;
  if (typeof toObject !== 'function') return undefined;
  try {
    const keys = Object.keys(toObject.call(value));
    return keys.length === value.length && keys.every((key) => !/^_\d+$/.test(key)) ? keys : undefined;
  } catch {
    return undefined;
  }
}

/** JSON text with object keys sorted, so two values compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}
