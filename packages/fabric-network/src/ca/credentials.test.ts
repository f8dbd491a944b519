import { isLedgerError } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import { checkAdminCredentials } from './credentials.js';

function failure(name: string, password: string): unknown {
  try {
    checkAdminCredentials({ name, password });
  } catch (error) {
    return isLedgerError(error) ? error.details : error;
  }
  return 'accepted';
}

describe('checkAdminCredentials (Amazon Managed Blockchain rules)', () => {
  test('accepts a 1-16 character alphanumeric name and an 8-32 character mixed password', () => {
    expect(failure('admin', 'Passw0rd1')).toBe('accepted');
    expect(failure('a', 'Aa345678')).toBe('accepted');
    expect(failure('Admin2AdminAdmin', `Aa1${'x'.repeat(29)}`)).toBe('accepted');
  });

  test('names: a letter first, letters and digits, at most 16', () => {
    for (const name of ['', '1admin', 'ad-min', 'ad min', 'A'.repeat(17)]) {
      expect(failure(name, 'Passw0rd1')).toMatchObject({ reason: 'BAD_CREDENTIALS', field: 'name' });
    }
  });

  test('passwords: length, upper, lower, digit, and no URL delimiters; the password is never echoed', () => {
    const cases: [string, string][] = [
      ['Aa1', '8-32 characters'],
      [`Aa1${'x'.repeat(30)}`, '8-32 characters'],
      ['password1', 'an upper-case letter'],
      ['PASSWORD1', 'a lower-case letter'],
      ['Passwordx', 'a digit'],
      ['Pass@w0rd', 'none of @ / : ? # % " \' \\ or spaces'],
      ['Pass w0rd', 'none of @ / : ? # % " \' \\ or spaces'],
    ];
    for (const [password, rule] of cases) {
      const details = failure('admin', password) as { reason: string; field: string; rules: string[] };
      expect(details).toMatchObject({ reason: 'BAD_CREDENTIALS', field: 'password' });
      expect(details.rules).toContain(rule);
      expect(JSON.stringify(details)).not.toContain(password);
    }
  });
});
