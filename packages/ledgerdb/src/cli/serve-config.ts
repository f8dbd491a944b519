// The settings of `ledgerdb serve` from its flags, the environment and a config file
// (JSON or YAML), in that order of precedence, then the defaults. Secrets come from files
// or the environment, never only from argv; a bad value names the setting and its source.
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { InvalidArgumentError } from '@ledgerkit/core';
import { type LogLevel, logLevels } from '../server/logging.js';
import type { Limits } from '../types.js';

/** Where a setting's value came from. */
export type SettingSource = 'flag' | 'env' | 'file' | 'default';

type Kind = 'string' | 'path' | 'secret' | 'integer' | 'boolean' | 'level';

interface SettingSpec {
  /** The flag, without `--`; also the key in the config file. */
  flag: string;
  /** The environment variable. */
  env: string;
  kind: Kind;
  /** Bounds of an integer. */
  min?: number;
  max?: number;
}

/** Every setting: its flag (and config file key), environment variable and kind. */
const specs = [
  { flag: 'db', env: 'LEDGERDB_DB', kind: 'path' },
  { flag: 'postgres', env: 'DATABASE_URL', kind: 'secret' },
  { flag: 'postgres-password-file', env: 'PGPASSWORD_FILE', kind: 'path' },
  { flag: 'schema', env: 'LEDGERDB_SCHEMA', kind: 'string' },
  { flag: 'name', env: 'LEDGERDB_NAME', kind: 'string' },
  { flag: 'tokens', env: 'LEDGERDB_TOKENS', kind: 'path' },
  { flag: 'port', env: 'LEDGERDB_PORT', kind: 'integer', min: 0, max: 65535 },
  { flag: 'host', env: 'LEDGERDB_HOST', kind: 'string' },
  { flag: 'tls-cert', env: 'LEDGERDB_TLS_CERT', kind: 'path' },
  { flag: 'tls-key', env: 'LEDGERDB_TLS_KEY', kind: 'path' },
  { flag: 'tls-ca', env: 'LEDGERDB_TLS_CA', kind: 'path' },
  { flag: 'signing-key', env: 'LEDGERDB_SIGNING_KEY', kind: 'path' },
  { flag: 'body-limit', env: 'LEDGERDB_BODY_LIMIT', kind: 'integer', min: 1, max: 1024 ** 3 },
  { flag: 'max-statements', env: 'LEDGERDB_MAX_STATEMENTS', kind: 'integer', min: 1, max: 100_000 },
  {
    flag: 'max-documents-per-transaction',
    env: 'LEDGERDB_MAX_DOCUMENTS_PER_TRANSACTION',
    kind: 'integer',
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
  },
  {
    flag: 'max-document-bytes',
    env: 'LEDGERDB_MAX_DOCUMENT_BYTES',
    kind: 'integer',
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
  },
  {
    flag: 'max-transaction-ms',
    env: 'LEDGERDB_MAX_TRANSACTION_MS',
    kind: 'integer',
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
  },
  { flag: 'rules', env: 'LEDGERDB_RULES', kind: 'path' },
  { flag: 'log-level', env: 'LEDGERDB_LOG_LEVEL', kind: 'level' },
  { flag: 'metrics', env: 'LEDGERDB_METRICS', kind: 'boolean' },
  { flag: 'metrics-port', env: 'LEDGERDB_METRICS_PORT', kind: 'integer', min: 0, max: 65535 },
  { flag: 'metrics-host', env: 'LEDGERDB_METRICS_HOST', kind: 'string' },
  { flag: 'docs', env: 'LEDGERDB_DOCS', kind: 'boolean' },
  { flag: 'drain-delay', env: 'LEDGERDB_DRAIN_DELAY', kind: 'integer', min: 0, max: 600_000 },
] as const satisfies readonly SettingSpec[];

/** The name of a setting: its flag without `--`, e.g. `port`, `log-level`. */
export type SettingName = (typeof specs)[number]['flag'];

/** The environment variable of each setting (`DATABASE_URL`, `PGPASSWORD_FILE`, else `LEDGERDB_*`). */
export const settingEnvironment: Readonly<Record<SettingName, string>> = Object.fromEntries(
  specs.map((spec) => [spec.flag, spec.env]),
) as Record<SettingName, string>;

/** The config file's flag and variable: it cannot name itself. */
export const configEnvironment = 'LEDGERDB_CONFIG';

/** The `PG*` variables libpq (and `pg`) read, used when no URL names the database. */
const pgVariables = ['PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE', 'PGSSLMODE'] as const;
const sslModes = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];

/** Where the ledger is kept. */
export type ServeStorage =
  | { kind: 'sqlite'; path: string }
  | {
      kind: 'postgres';
      /** The URL the driver gets: it may hold a password, never print it. */
      connectionString: string;
      /** The same without its password, for logs. */
      display: string;
      schema: string;
      /** Whether the URL with a password came from argv, where `ps` shows it. */
      passwordOnArgv: boolean;
    };

/** The resolved settings of `ledgerdb serve`. */
export interface ServeSettings {
  storage: ServeStorage;
  name?: string;
  tokens: string;
  port: number;
  host: string;
  tls?: { cert: string; key: string; ca?: string };
  signingKey?: string;
  bodyLimit: number;
  maxStatements: number;
  limits: Partial<Limits>;
  rules?: string;
  logLevel: LogLevel;
  metrics: boolean;
  metricsPort?: number;
  metricsHost: string;
  docs: boolean;
  drainDelayMs: number;
  /** The config file read, if any. */
  configFile?: string;
  /** Where each setting that has a value came from. */
  sources: Partial<Record<SettingName, SettingSource>>;
}

/** What {@link resolveServeSettings} reads. */
export interface ServeInputs {
  /** Flag values by setting name (`undefined`: not given). */
  flags: Partial<Record<SettingName | 'config', string | boolean>>;
  /** The environment (`process.env`). */
  env: Readonly<Record<string, string | undefined>>;
}

interface Found {
  value: string | number | boolean;
  source: SettingSource;
  /** How to name it in an error: `--port`, `LEDGERDB_PORT (environment)`, `port in /etc/ledgerdb.yaml`. */
  where: string;
}

/**
 * Resolves the settings of `ledgerdb serve`: each from its flag, else its environment
 * variable, else the config file (`--config` or `LEDGERDB_CONFIG`), else its default.
 *
 * @param inputs - the flags and the environment
 * @returns the settings, with where each came from
 * @throws InvalidArgumentError naming the setting and its source for a bad or missing value
 */
export async function resolveServeSettings(inputs: ServeInputs): Promise<ServeSettings> {
  const { flags, env } = inputs;
  const configPath = pick(flags.config, env[configEnvironment]);
  const file = configPath === undefined ? undefined : await readConfigFile(configPath, flags.config !== undefined);
  const found = new Map<SettingName, Found>();
  for (const spec of specs) {
    const entry = lookup(spec, flags, env, file);
    if (entry) found.set(spec.flag, entry);
  }
  const string = (name: SettingName) => found.get(name)?.value as string | undefined;
  const integer = (name: SettingName, fallback: number) => (found.get(name)?.value as number | undefined) ?? fallback;
  const boolean = (name: SettingName, fallback: boolean) => (found.get(name)?.value as boolean | undefined) ?? fallback;

  const storage = await resolveStorage(found, env);
  const tokens = string('tokens');
  if (tokens === undefined) {
    throw new InvalidArgumentError(
      'tokens',
      `serve needs an API tokens file: --tokens FILE, ${settingEnvironment.tokens} or tokens in the config file`,
    );
  }
  const tlsCert = string('tls-cert');
  const tlsKey = string('tls-key');
  const tlsCa = string('tls-ca');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    const given = found.get(tlsCert === undefined ? 'tls-key' : 'tls-cert') as Found;
    throw new InvalidArgumentError(
      tlsCert === undefined ? 'tls-key' : 'tls-cert',
      `tls-cert and tls-key go together: only ${given.where} is set`,
    );
  }
  if (tlsCa !== undefined && tlsCert === undefined) {
    throw new InvalidArgumentError('tls-ca', `${found.get('tls-ca')?.where} (mTLS) needs tls-cert and tls-key`);
  }
  const limits: Partial<Limits> = {};
  if (found.has('max-documents-per-transaction')) {
    limits.documentsPerTransaction = integer('max-documents-per-transaction', 0);
  }
  if (found.has('max-document-bytes')) limits.documentBytes = integer('max-document-bytes', 0);
  if (found.has('max-transaction-ms')) limits.transactionMs = integer('max-transaction-ms', 0);
  const name = string('name');
  const signingKey = string('signing-key');
  const rules = string('rules');
  const metricsPort = found.get('metrics-port')?.value as number | undefined;
  const metrics = boolean('metrics', true);
  if (metricsPort !== undefined && !metrics) {
    throw new InvalidArgumentError(
      'metrics-port',
      `${found.get('metrics-port')?.where} serves metrics, which ${found.get('metrics')?.where} turns off`,
    );
  }
  return {
    storage,
    ...(name === undefined ? {} : { name }),
    tokens,
    port: integer('port', 8080),
    host: string('host') ?? '127.0.0.1',
    ...(tlsCert && tlsKey ? { tls: { cert: tlsCert, key: tlsKey, ...(tlsCa ? { ca: tlsCa } : {}) } } : {}),
    ...(signingKey === undefined ? {} : { signingKey }),
    bodyLimit: integer('body-limit', 1024 * 1024),
    maxStatements: integer('max-statements', 100),
    limits,
    ...(rules === undefined ? {} : { rules }),
    logLevel: (string('log-level') ?? 'info') as LogLevel,
    metrics,
    ...(metricsPort === undefined ? {} : { metricsPort }),
    metricsHost: string('metrics-host') ?? '127.0.0.1',
    docs: boolean('docs', true),
    drainDelayMs: integer('drain-delay', 0),
    ...(file ? { configFile: file.path } : {}),
    sources: Object.fromEntries([...found].map(([key, entry]) => [key, entry.source])),
  };
}

function pick(flag: string | boolean | undefined, env: string | undefined): string | undefined {
  if (typeof flag === 'string') return flag;
  return env === undefined || env === '' ? undefined : env;
}

interface ConfigFile {
  path: string;
  values: Record<string, unknown>;
}

/** Reads the config file: JSON (`.json`) or YAML (`.yaml`, `.yml`), one object of settings. */
async function readConfigFile(path: string, fromFlag: boolean): Promise<ConfigFile> {
  const where = fromFlag ? '--config' : `${configEnvironment} (environment)`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError('config', `cannot read the config file ${path} given by ${where}`, {}, error);
  }
  const extension = extname(path).toLowerCase();
  let parsed: unknown;
  try {
    if (extension === '.json') parsed = JSON.parse(text);
    else if (extension === '.yaml' || extension === '.yml') {
      // Loaded only for a YAML file: most deployments configure through the environment.
      const { parse } = await import('yaml');
      parsed = parse(text);
    } else {
      throw new InvalidArgumentError('config', `the config file ${path} must end in .json, .yaml or .yml`);
    }
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw error;
    throw new InvalidArgumentError('config', `the config file ${path} is not valid ${extension.slice(1)}`, {}, error);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError('config', `the config file ${path} must hold one object of settings`);
  }
  const known = new Set<string>(specs.map((spec) => spec.flag));
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) {
      throw new InvalidArgumentError('config', `unknown setting '${key}' in the config file ${path}`, {
        setting: key,
        source: 'file',
      });
    }
  }
  return { path: resolve(path), values: parsed as Record<string, unknown> };
}

/** One setting's value from its highest source, checked and converted. */
function lookup(
  spec: SettingSpec,
  flags: ServeInputs['flags'],
  env: ServeInputs['env'],
  file: ConfigFile | undefined,
): Found | undefined {
  const flag = flags[spec.flag as SettingName];
  if (flag !== undefined) return check(spec, flag, 'flag', `--${spec.flag}`, process.cwd());
  const fromEnv = env[spec.env];
  if (fromEnv !== undefined && fromEnv !== '') {
    return check(spec, fromEnv, 'env', `${spec.env} (environment)`, process.cwd());
  }
  const fromFile = file?.values[spec.flag];
  if (file && fromFile !== undefined && fromFile !== null) {
    return check(spec, fromFile, 'file', `${spec.flag} in ${file.path}`, dirname(file.path));
  }
  return undefined;
}

function check(spec: SettingSpec, raw: unknown, source: SettingSource, where: string, base: string): Found {
  const bad = (expected: string, shown = true): never => {
    const got = shown && (typeof raw === 'string' || typeof raw === 'number') ? `, got '${raw}'` : '';
    throw new InvalidArgumentError(spec.flag, `${where} must be ${expected}${got}`, {
      setting: spec.flag,
      source,
    });
  };
  switch (spec.kind) {
    case 'integer': {
      const text = typeof raw === 'number' ? String(raw) : raw;
      const value = typeof text === 'string' && /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
      const min = spec.min ?? 0;
      const max = spec.max ?? Number.MAX_SAFE_INTEGER;
      if (!(value >= min && value <= max)) return bad(`an integer from ${min} to ${max}`);
      return { value, source, where };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw, source, where };
      if (source === 'env' && typeof raw === 'string' && /^(true|false|1|0)$/.test(raw)) {
        return { value: raw === 'true' || raw === '1', source, where };
      }
      return bad(source === 'env' ? 'true, false, 1 or 0' : 'true or false');
    }
    case 'level': {
      if (typeof raw !== 'string' || !(logLevels as readonly string[]).includes(raw)) {
        return bad(`one of ${logLevels.join(', ')}`);
      }
      return { value: raw, source, where };
    }
    case 'path': {
      if (typeof raw !== 'string' || raw === '') return bad('a file path');
      // A config file's relative paths are relative to the file, not to where serve starts.
      return { value: source === 'file' ? resolve(base, raw) : raw, source, where };
    }
    case 'secret': {
      if (typeof raw !== 'string' || raw === '') return bad('a postgres:// URL', false);
      return { value: raw, source, where };
    }
    default: {
      if (typeof raw !== 'string' || raw === '') return bad('a non-empty string');
      return { value: raw, source, where };
    }
  }
}

/**
 * The storage: the highest source that names one (`db` or `postgres`; both from one source
 * is an error), else PostgreSQL from the `PG*` variables when `PGHOST` or `PGDATABASE` is set.
 */
async function resolveStorage(found: Map<SettingName, Found>, env: ServeInputs['env']): Promise<ServeStorage> {
  const db = found.get('db');
  const postgres = found.get('postgres');
  const rank = (entry: Found | undefined) =>
    entry === undefined ? 9 : ['flag', 'env', 'file', 'default'].indexOf(entry.source);
  if (db && postgres && rank(db) === rank(postgres)) {
    throw new InvalidArgumentError('db', `${db.where} and ${postgres.where} both name the storage: give one`, {
      setting: 'db',
      source: db.source,
    });
  }
  const schema = found.get('schema');
  if (db && rank(db) < rank(postgres)) {
    if (schema?.source === 'flag') {
      throw new InvalidArgumentError('schema', '--schema applies to PostgreSQL storage only', {
        setting: 'schema',
        source: 'flag',
      });
    }
    return { kind: 'sqlite', path: db.value as string };
  }
  let url: URL;
  let where: string;
  if (postgres) {
    where = postgres.where;
    url = parsePostgresUrl(postgres.value as string, where);
  } else if (env.PGHOST || env.PGDATABASE) {
    where = 'the PG* environment variables';
    url = urlFromPgVariables(env);
  } else {
    throw new InvalidArgumentError(
      'db',
      'serve needs a storage: --db FILE or --postgres URL, LEDGERDB_DB or DATABASE_URL (or PGHOST/PGDATABASE), or db or postgres in the config file',
    );
  }
  checkPgVariables(env);
  const passwordFile = found.get('postgres-password-file');
  if (passwordFile) {
    if (url.password !== '') {
      throw new InvalidArgumentError(
        'postgres-password-file',
        `${passwordFile.where} gives a password, and so does the URL from ${where}: give one`,
        { setting: 'postgres-password-file', source: passwordFile.source },
      );
    }
    url.password = encodeURIComponent(await readPassword(passwordFile));
  }
  const display = new URL(url.href);
  if (display.password !== '') display.password = '';
  return {
    kind: 'postgres',
    connectionString: url.href,
    display: display.href,
    schema: (schema?.value as string | undefined) ?? 'ledgerdb',
    passwordOnArgv: postgres?.source === 'flag' && url.password !== '' && !passwordFile,
  };
}

/** A `postgres://` URL; the error never shows it (it may hold a password). */
function parsePostgresUrl(text: string, where: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')) {
    throw new InvalidArgumentError('postgres', `${where} must be a postgres:// or postgresql:// URL`, {
      setting: 'postgres',
    });
  }
  return url;
}

/** The URL the `PG*` variables describe; `PGPASSWORD`, if set, stays with `pg`, which reads it. */
function urlFromPgVariables(env: ServeInputs['env']): URL {
  const url = new URL('postgres://localhost');
  const host = env.PGHOST;
  if (host) {
    // A directory is a unix socket: libpq's convention, which `pg` reads from `?host=`.
    if (host.startsWith('/')) url.searchParams.set('host', host);
    else url.hostname = host;
  }
  if (env.PGPORT) url.port = env.PGPORT;
  if (env.PGUSER) url.username = encodeURIComponent(env.PGUSER);
  if (env.PGDATABASE) url.pathname = `/${encodeURIComponent(env.PGDATABASE)}`;
  if (env.PGSSLMODE) url.searchParams.set('sslmode', env.PGSSLMODE);
  return url;
}

/** `pg` reads the `PG*` variables for whatever the URL leaves out: a bad one is an error here, named. */
function checkPgVariables(env: ServeInputs['env']): void {
  for (const name of pgVariables) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const bad = (expected: string) => {
      throw new InvalidArgumentError(name, `${name} (environment) must be ${expected}, got '${value}'`, {
        setting: name,
        source: 'env',
      });
    };
    if (name === 'PGPORT' && !(/^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65535)) {
      bad('a port from 1 to 65535');
    }
    if (name === 'PGSSLMODE' && !sslModes.includes(value)) bad(`one of ${sslModes.join(', ')}`);
  }
}

async function readPassword(file: Found): Promise<string> {
  let text: string;
  try {
    text = await readFile(file.value as string, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError(
      'postgres-password-file',
      `cannot read the password file ${file.value} given by ${file.where}`,
      { setting: 'postgres-password-file', source: file.source },
      error,
    );
  }
  // One trailing newline is the file's, not the password's (echo secret > file).
  const password = text.replace(/\r?\n$/, '');
  if (password === '') {
    throw new InvalidArgumentError('postgres-password-file', `the password file from ${file.where} is empty`, {
      setting: 'postgres-password-file',
      source: file.source,
    });
  }
  return password;
}
