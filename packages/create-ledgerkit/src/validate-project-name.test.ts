import { describe, expect, test } from 'vitest';
import { validateProjectName } from './validate-project-name.js';

describe('validateProjectName', () => {
  test.each(['my-app', '@acme/ledger-app', 'app.v2', 'a_b'])('accepts %s', (name) => {
    expect(validateProjectName(name)).toEqual({ ok: true });
  });

  test.each([
    ['My-App', 'capital letters'],
    ['my app', 'URL-friendly'],
    ['.hidden', 'period'],
    ['_private', 'underscore'],
    ['', 'length must be greater than zero'],
    ['http', 'core module'],
    ['a'.repeat(215), '214'],
  ])('rejects %j, naming the rule (%s)', (name, rule) => {
    const check = validateProjectName(name);
    expect(check.ok).toBe(false);
    expect(check.ok ? [] : check.problems.join('\n')).toContain(rule);
  });
});
