import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLedgerError } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import { resolveServeSettings, type ServeInputs } from './serve-config.js';

const dir = mkdtempSync(join(tmpdir(), 'ledgerdb-serve-config-'));

async function failure(inputs: ServeInputs): Promise<{ code: string; message: string; details: any }> {
  try {
    await resolveServeSettings(inputs);
  } catch (error) {
    if (!isLedgerError(error)) throw error;
    return { code: error.code, message: error.shortMessage, details: error.details };
  }
  throw new Error('resolved');
}

describe('precedence: flag, then environment, then config file, then default', () => {
  const file = join(dir, 'serve.yaml');
  writeFileSync(file, 'db: app.ledger\ntokens: tokens.json\nport: 9000\nname: from-file\nlog-level: warn\n');

  test('each setting from its highest source', async () => {
    const settings = await resolveServeSettings({
      flags: { config: file, port: '7000' },
      env: { LEDGERDB_PORT: '8000', LEDGERDB_NAME: 'from-env' },
    });
    expect(settings.port).toBe(7000);
    expect(settings.name).toBe('from-env');
    expect(settings.logLevel).toBe('warn');
    expect(settings.host).toBe('127.0.0.1');
    expect(settings.sources).toMatchObject({ port: 'flag', name: 'env', 'log-level': 'file', db: 'file' });
    // A config file's relative paths are relative to the file.
    expect(settings.storage).toEqual({ kind: 'sqlite', path: join(dir, 'app.ledger') });
    expect(settings.tokens).toBe(join(dir, 'tokens.json'));
    expect(settings.configFile).toBe(file);
  });

  test('LEDGERDB_CONFIG names the file; the defaults fill the rest', async () => {
    const settings = await resolveServeSettings({ flags: {}, env: { LEDGERDB_CONFIG: file } });
    expect(settings).toMatchObject({ port: 9000, name: 'from-file', metrics: true, docs: true, drainDelayMs: 0 });
    expect(settings.bodyLimit).toBe(1024 * 1024);
  });

  test('a flag naming the storage wins over DATABASE_URL; the environment over the file', async () => {
    const flagged = await resolveServeSettings({
      flags: { db: 'x.ledger', tokens: 't.json' },
      env: { DATABASE_URL: 'postgres://u:p@db.example/ledger' },
    });
    expect(flagged.storage).toEqual({ kind: 'sqlite', path: 'x.ledger' });
    const fromEnv = await resolveServeSettings({
      flags: { config: file },
      env: { DATABASE_URL: 'postgres://u@db.example:5433/ledger' },
    });
    expect(fromEnv.storage).toMatchObject({ kind: 'postgres', display: 'postgres://u@db.example:5433/ledger' });
  });
});

describe('PostgreSQL from the environment', () => {
  test('the PG* variables, a socket directory included', async () => {
    const settings = await resolveServeSettings({
      flags: { tokens: 't.json' },
      env: { PGHOST: '/run/postgresql', PGPORT: '5433', PGUSER: 'led ger', PGDATABASE: 'main', PGSSLMODE: 'disable' },
    });
    expect(settings.storage.kind).toBe('postgres');
    const url = new URL((settings.storage as { connectionString: string }).connectionString);
    expect(url.searchParams.get('host')).toBe('/run/postgresql');
    expect(url.port).toBe('5433');
    expect(decodeURIComponent(url.username)).toBe('led ger');
    expect(url.pathname).toBe('/main');
    expect(url.searchParams.get('sslmode')).toBe('disable');
  });

  test('the password from PGPASSWORD_FILE goes into the URL, never into display', async () => {
    const passwordFile = join(dir, 'pgpassword');
    writeFileSync(passwordFile, 'p@ss:word/%\n');
    const settings = await resolveServeSettings({
      flags: { tokens: 't.json' },
      env: { DATABASE_URL: 'postgres://ledger@db.example/main', PGPASSWORD_FILE: passwordFile },
    });
    const storage = settings.storage as { connectionString: string; display: string; passwordOnArgv: boolean };
    expect(decodeURIComponent(new URL(storage.connectionString).password)).toBe('p@ss:word/%');
    expect(storage.display).toBe('postgres://ledger@db.example/main');
    expect(storage.passwordOnArgv).toBe(false);
  });

  test('a password on argv is flagged, so serve can warn', async () => {
    const settings = await resolveServeSettings({
      flags: { tokens: 't.json', postgres: 'postgres://ledger:secret@db.example/main' },
      env: {},
    });
    expect(settings.storage).toMatchObject({ passwordOnArgv: true, display: 'postgres://ledger@db.example/main' });
  });
});

describe('a bad value is INVALID_ARGUMENT naming the setting and where it came from', () => {
  test.each([
    [{ flags: { db: 'x', tokens: 't', port: '99999' }, env: {} }, '--port', 'flag'],
    [{ flags: { db: 'x', tokens: 't' }, env: { LEDGERDB_PORT: 'abc' } }, 'LEDGERDB_PORT (environment)', 'env'],
    [{ flags: { db: 'x', tokens: 't' }, env: { LEDGERDB_LOG_LEVEL: 'loud' } }, 'LEDGERDB_LOG_LEVEL', 'env'],
    [{ flags: { db: 'x', tokens: 't' }, env: { LEDGERDB_METRICS: 'maybe' } }, 'LEDGERDB_METRICS', 'env'],
    [{ flags: { tokens: 't' }, env: { PGHOST: 'db', PGPORT: 'x' } }, 'PGPORT (environment)', 'env'],
    [{ flags: { tokens: 't' }, env: { PGDATABASE: 'd', PGSSLMODE: 'always' } }, 'PGSSLMODE', 'env'],
  ] as [ServeInputs, string, string][])('%#: %s', async (inputs, named, source) => {
    const error = await failure(inputs);
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain(named);
    expect(error.details.source).toBe(source);
  });

  test('in the config file, by key and path', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ db: 'x', tokens: 't', 'max-statements': 0 }));
    const error = await failure({ flags: { config: file }, env: {} });
    expect(error.message).toContain(`max-statements in ${file}`);
    expect(error.details).toMatchObject({ setting: 'max-statements', source: 'file' });

    const unknown = join(dir, 'unknown.yaml');
    writeFileSync(unknown, 'db: x\nport_number: 1\n');
    expect((await failure({ flags: { config: unknown }, env: {} })).message).toContain("unknown setting 'port_number'");
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'db: [x\n');
    expect((await failure({ flags: { config: broken }, env: {} })).message).toContain('is not valid yaml');
  });

  test('a malformed DATABASE_URL is named without being shown', async () => {
    const error = await failure({ flags: { tokens: 't' }, env: { DATABASE_URL: 'mysql://root:hunter2@db/x' } });
    expect(error.message).toContain('DATABASE_URL (environment)');
    expect(error.message).not.toContain('hunter2');
  });

  test('two passwords, two storages from one source, no storage, no tokens', async () => {
    const passwordFile = join(dir, 'pw');
    writeFileSync(passwordFile, 'x');
    expect(
      (
        await failure({
          flags: { tokens: 't', postgres: 'postgres://u:inline@h/d' },
          env: { PGPASSWORD_FILE: passwordFile },
        })
      ).details.setting,
    ).toBe('postgres-password-file');
    expect(
      (await failure({ flags: { tokens: 't' }, env: { LEDGERDB_DB: 'x', DATABASE_URL: 'postgres://h/d' } })).message,
    ).toContain('both name the storage');
    expect((await failure({ flags: { tokens: 't' }, env: {} })).message).toContain('serve needs a storage');
    expect((await failure({ flags: { db: 'x' }, env: {} })).message).toContain('LEDGERDB_TOKENS');
  });
});
