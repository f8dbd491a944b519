import { isLedgerError } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import { fillPlaceholders } from './fill-placeholders.js';

const values = { projectName: '@acme/app', run: 'pnpm', install: 'pnpm install' };

describe('fillPlaceholders', () => {
  test('fills every occurrence, with or without spaces inside the braces', () => {
    expect(fillPlaceholders('# {{projectName}}\n{{ install }} && {{run}} test ({{projectName}})', values, 'x')).toBe(
      '# @acme/app\npnpm install && pnpm test (@acme/app)',
    );
  });

  test('leaves text without placeholders unchanged, including single braces and template literals', () => {
    const text = ['const a = { b: `$', '{c}` }; function f() { return {}; }'].join('');
    expect(fillPlaceholders(text, values, 'x')).toBe(text);
  });

  test('an unknown placeholder is INTERNAL, naming the file', () => {
    const error = (() => {
      try {
        fillPlaceholders('{{projectName}} {{version}}', values, 'solidity/README.md');
      } catch (caught) {
        return caught;
      }
    })();
    expect(isLedgerError(error, 'INTERNAL')).toBe(true);
    expect((error as { details: Record<string, unknown> }).details).toEqual({
      file: 'solidity/README.md',
      placeholder: 'version',
    });
  });

  test('does not treat inherited object keys as placeholders', () => {
    expect(() => fillPlaceholders('{{constructor}}', values, 'x')).toThrow();
  });
});
