import { InvalidArgumentError, type JsonValue } from '@ledgerkit/core';

/** Table names: a letter or `_`, then letters, digits or `_`, at most 128. */
export const tableNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** Index paths: dot-separated field names. */
export const indexPathPattern = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export function checkTableName(name: unknown): string {
  if (typeof name !== 'string' || !tableNamePattern.test(name)) {
    throw new InvalidArgumentError(
      'table',
      `table name ${JSON.stringify(name)} is invalid: use a letter or _ then letters, digits or _ (at most 128)`,
      { value: name },
    );
  }
  return name;
}

export function checkIndexPath(path: unknown): string {
  if (typeof path !== 'string' || path.length > 512 || !indexPathPattern.test(path)) {
    throw new InvalidArgumentError(
      'path',
      `index path ${JSON.stringify(path)} is invalid: use field names joined by dots`,
      {
        value: path,
      },
    );
  }
  return path;
}

/** Value at a dotted path of a document, or undefined. */
export function valueAt(data: unknown, path: string): JsonValue | undefined {
  let current: unknown = data;
  for (const field of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[field];
  }
  return current as JsonValue | undefined;
}
