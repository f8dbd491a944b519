import { FabricNetworkError } from '../errors.js';

/** The bootstrap administrator of an organization's certificate authority. */
export interface CaAdminCredentials {
  /** 1-16 letters and digits, starting with a letter (Amazon Managed Blockchain's rule). */
  name: string;
  /** 8-32 characters with at least one upper-case letter, one lower-case letter and one digit. */
  password: string;
}

const adminNamePattern = /^[a-zA-Z][a-zA-Z0-9]{0,15}$/;

/**
 * Checks a CA admin name and password against Amazon Managed Blockchain's rules, which
 * also keep them safe inside the `https://name:password@host` URL fabric-ca-client takes.
 *
 * @param admin - the name and password
 * @throws FabricNetworkError BAD_CREDENTIALS naming the rule that failed (never the password)
 */
export function checkAdminCredentials(admin: CaAdminCredentials): void {
  const { name, password } = admin ?? ({} as CaAdminCredentials);
  if (typeof name !== 'string' || !adminNamePattern.test(name)) {
    throw new FabricNetworkError(
      'BAD_CREDENTIALS',
      `invalid CA admin name '${String(name)}': use 1-16 letters and digits, starting with a letter`,
      { field: 'name' },
    );
  }
  const problems: string[] = [];
  if (typeof password !== 'string' || password.length < 8 || password.length > 32) problems.push('8-32 characters');
  if (typeof password === 'string') {
    if (!/[A-Z]/.test(password)) problems.push('an upper-case letter');
    if (!/[a-z]/.test(password)) problems.push('a lower-case letter');
    if (!/[0-9]/.test(password)) problems.push('a digit');
    // fabric-ca-client takes the password inside a URL; these would end its user-info part.
    if (/[@/:?#\s%"'\\]/.test(password)) problems.push('none of @ / : ? # % " \' \\ or spaces');
  }
  if (problems.length > 0) {
    throw new FabricNetworkError(
      'BAD_CREDENTIALS',
      `invalid CA admin password for '${name}': it needs ${problems.join(', ')}`,
      { field: 'password', rules: problems },
    );
  }
}
