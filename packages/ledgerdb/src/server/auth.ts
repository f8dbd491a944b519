// API tokens of `ledgerdb serve`: random secrets shown once, kept at rest only as their
// SHA-256 in a JSON file, each with the tables it may read and write.
import { hash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InvalidArgumentError, LedgerError } from '@ledgerkit/core';
import { tableNamePattern } from '../internal/paths.js';

/** Tables a right covers: a list of names, or `'*'` for every table. */
export type TableGrant = readonly string[] | '*';

/** What a token may do. */
export interface TokenRights {
  /** Tables whose documents, history, revisions, proofs and events it may read. */
  read: TableGrant;
  /** Tables it may insert into, update and delete from. */
  write: TableGrant;
  /** May read digests and every proof, but revision proofs come without the revision. */
  auditor: boolean;
  /** May create tables and indexes. */
  admin: boolean;
  /** May read GET /metrics (the `metrics` role, for a Prometheus scraper); admins may too. */
  metrics?: boolean;
}

/** One token as stored: its name, rights and the SHA-256 of the secret (never the secret). */
export interface StoredToken extends TokenRights {
  name: string;
  /** Lowercase hex SHA-256 of the token text. */
  sha256: string;
  createdAt: string;
}

/** The tokens file: `{ "version": 1, "tokens": [...] }`. */
export interface TokensFile {
  version: 1;
  tokens: StoredToken[];
}

/** The caller of a request, once its token checked out. */
export interface Principal extends TokenRights {
  name: string;
}

const tokenPrefix = 'ldb_';
const tokenNamePattern = /^[A-Za-z0-9_.@-]{1,64}$/;

/** SHA-256 of a token, lowercase hex: what the tokens file keeps. */
export function tokenHash(token: string): string {
  return hash('sha256', token, 'hex');
}

/**
 * Parses `--role` values: `read:TABLES`, `write:TABLES` (TABLES is `*` or names joined
 * by commas), `auditor`, `admin`, `metrics`.
 *
 * @throws `INVALID_ARGUMENT` naming the bad role
 */
export function parseRoles(roles: readonly string[]): TokenRights {
  const rights: { read: TableGrant; write: TableGrant; auditor: boolean; admin: boolean; metrics?: boolean } = {
    read: [],
    write: [],
    auditor: false,
    admin: false,
  };
  if (roles.length === 0) throw new InvalidArgumentError('--role', 'give at least one --role');
  for (const role of roles) {
    if (role === 'auditor') rights.auditor = true;
    else if (role === 'admin') rights.admin = true;
    else if (role === 'metrics') rights.metrics = true;
    else {
      const match = /^(read|write):(.+)$/.exec(role);
      if (!match) {
        throw new InvalidArgumentError(
          '--role',
          `unknown role '${role}': use read:TABLES, write:TABLES, auditor, admin or metrics`,
        );
      }
      const kind = match[1] as 'read' | 'write';
      const tables = match[2] as string;
      if (tables === '*') rights[kind] = '*';
      else {
        const names = tables.split(',');
        for (const name of names) {
          if (!tableNamePattern.test(name)) {
            throw new InvalidArgumentError('--role', `'${name}' in role '${role}' is not a table name`);
          }
        }
        const current = rights[kind];
        if (current !== '*') rights[kind] = [...new Set([...current, ...names])];
      }
    }
  }
  return rights;
}

/** Reads a tokens file; a missing file holds no tokens. */
export async function readTokensFile(path: string): Promise<TokensFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, tokens: [] };
    throw new LedgerError('UNAVAILABLE', `cannot read the tokens file ${path}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError('--tokens', `tokens file ${path} is not JSON`, {}, error);
  }
  const file = parsed as Partial<TokensFile>;
  if (file === null || typeof file !== 'object' || file.version !== 1 || !Array.isArray(file.tokens)) {
    throw new InvalidArgumentError('--tokens', `tokens file ${path} is not a ledgerdb tokens file (version 1)`);
  }
  for (const [i, token] of file.tokens.entries()) {
    const ok =
      token !== null &&
      typeof token === 'object' &&
      typeof token.name === 'string' &&
      typeof token.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(token.sha256) &&
      isGrant(token.read) &&
      isGrant(token.write) &&
      typeof token.auditor === 'boolean' &&
      typeof token.admin === 'boolean' &&
      (token.metrics === undefined || typeof token.metrics === 'boolean');
    if (!ok) throw new InvalidArgumentError('--tokens', `entry ${i} of tokens file ${path} is malformed`);
  }
  return file as TokensFile;
}

function isGrant(value: unknown): value is TableGrant {
  return value === '*' || (Array.isArray(value) && value.every((name) => typeof name === 'string'));
}

/** Writes a tokens file atomically (temporary file, fsync, rename), readable by its owner only. */
export async function writeTokensFile(path: string, file: TokensFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(file, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}

/**
 * Creates a token and stores its hash in the tokens file.
 *
 * @returns the token text, to show once: it is not stored anywhere
 * @throws `ALREADY_EXISTS` when the name is taken, `INVALID_ARGUMENT` for a bad name
 */
export async function createToken(
  path: string,
  name: string,
  rights: TokenRights,
): Promise<{ name: string; token: string } & TokenRights> {
  if (!tokenNamePattern.test(name)) {
    throw new InvalidArgumentError('--name', `token name '${name}' is invalid: 1 to 64 of A-Z a-z 0-9 _ . @ -`);
  }
  const file = await readTokensFile(path);
  if (file.tokens.some((token) => token.name === name)) {
    throw new LedgerError('ALREADY_EXISTS', `a token named ${name} already exists in ${path}`, { details: { name } });
  }
  const token = `${tokenPrefix}${randomBytes(32).toString('base64url')}`;
  file.tokens.push({ name, sha256: tokenHash(token), ...rights, createdAt: new Date().toISOString() });
  await writeTokensFile(path, file);
  return { name, token, ...rights };
}

/** Removes a token by name. @throws `NOT_FOUND` when there is none */
export async function revokeToken(path: string, name: string): Promise<void> {
  const file = await readTokensFile(path);
  const kept = file.tokens.filter((token) => token.name !== name);
  if (kept.length === file.tokens.length) {
    throw new LedgerError('NOT_FOUND', `no token named ${name} in ${path}`, { details: { name } });
  }
  await writeTokensFile(path, { version: 1, tokens: kept });
}

/** Looks tokens up by the hash of the presented secret. */
export class TokenRegistry {
  #byHash = new Map<string, Principal>();
  /**
   * Tokens already seen to be valid, so a client's every request needs no SHA-256. Only
   * valid tokens enter it (at most one entry per stored token); `replace` empties it.
   */
  #known = new Map<string, Principal>();

  constructor(tokens: readonly StoredToken[] = []) {
    this.replace(tokens);
  }

  /** Replaces every token (e.g. after the file changed). */
  replace(tokens: readonly StoredToken[]): void {
    const next = new Map<string, Principal>();
    for (const { sha256, name, read, write, auditor, admin, metrics } of tokens) {
      next.set(sha256, { name, read, write, auditor, admin, ...(metrics ? { metrics } : {}) });
    }
    this.#byHash = next;
    this.#known = new Map();
  }

  /** The principal a bearer token stands for, or undefined. */
  lookup(token: string): Principal | undefined {
    const known = this.#known.get(token);
    if (known) return known;
    if (!token.startsWith(tokenPrefix) || token.length > 256) return undefined;
    const principal = this.#byHash.get(tokenHash(token));
    if (principal && this.#known.size < this.#byHash.size) this.#known.set(token, principal);
    return principal;
  }
}

/** Whether a grant covers a table. */
export function grants(grant: TableGrant, table: string): boolean {
  return grant === '*' || grant.includes(table);
}
