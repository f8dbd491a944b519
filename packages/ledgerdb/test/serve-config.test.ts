// `ledgerdb serve` configured without flags: PostgreSQL from the environment alone (the real
// PostgreSQL the suite starts), a YAML config file, the precedence between them, a bad value
// (exit 2 naming it), and the drain on SIGTERM. The rules themselves: src/cli/serve-config.test.ts.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, inject, test } from 'vitest';
import { createToken, parseRoles } from '../src/server.js';
import { cliBuilt, ledgerdbBin, startServe } from './serve-process.js';
import { api } from './server-helpers.js';

const run = promisify(execFile);
const postgresUrl = new URL(inject('postgresUrl'));
const dir = mkdtempSync(join(tmpdir(), 'ledgerdb-serve-config-'));
const tokensFile = join(dir, 'tokens.json');
const admin = (await createToken(tokensFile, 'admin', parseRoles(['admin', 'read:*', 'write:*']))).token;

/** This process's environment without anything that configures serve or PostgreSQL. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(LEDGERDB_|PG|DATABASE_URL$)/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

/** Runs serve expecting it to refuse its settings: exit code and stderr. */
async function refused(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number; stderr: string }> {
  try {
    await run(process.execPath, [ledgerdbBin, 'serve', ...args], { env, timeout: 30_000 });
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { status: failed.code, stderr: failed.stderr };
  }
  throw new Error('serve started');
}

test.skipIf(!cliBuilt)(
  'PostgreSQL from PG* variables alone; the password from PGPASSWORD_FILE, never logged',
  { timeout: 60_000 },
  async () => {
    const passwordFile = join(dir, 'pgpassword');
    // The test server trusts loopback connections, so any password is accepted: what is
    // checked is that it reaches no log and no argv.
    writeFileSync(passwordFile, 'hunter2-not-for-logs\n');
    const env = cleanEnv({
      PGHOST: postgresUrl.hostname,
      PGPORT: postgresUrl.port,
      PGUSER: decodeURIComponent(postgresUrl.username),
      PGDATABASE: postgresUrl.pathname.slice(1),
      PGSSLMODE: 'disable',
      PGPASSWORD_FILE: passwordFile,
      LEDGERDB_SCHEMA: `envonly_${process.pid}`,
      LEDGERDB_TOKENS: tokensFile,
      LEDGERDB_PORT: '0',
      LEDGERDB_NAME: 'from-env',
    });
    const server = await startServe([], { env });
    try {
      expect(server.listening.ledger).toBe('from-env');
      expect(server.child.spawnargs.join(' ')).not.toContain('hunter2');
      await api(server.url, 'POST', '/v1/tables', { token: admin, body: { name: 'orders' } });
      const done = await api(server.url, 'POST', '/v1/transactions', {
        token: admin,
        body: { statements: [{ op: 'insert', table: 'orders', id: 'o-1', data: { total: 5 } }] },
      });
      expect(done.status).toBe(200);
      expect(await api(server.url, 'GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    const logs = server.stderr();
    const ready = logs
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .find((line) => line.msg === 'ledgerdb serve is ready');
    expect(ready.storage).toContain(`@${postgresUrl.hostname}:${postgresUrl.port}/`);
    expect(ready.settings).toMatchObject({ schema: 'env', tokens: 'env', 'postgres-password-file': 'env' });
    expect(logs).not.toContain('hunter2');
    expect(logs).not.toContain(admin);
  },
);

test.skipIf(!cliBuilt)(
  'a YAML config file, overridden by the environment, overridden by flags',
  { timeout: 60_000 },
  async () => {
    const config = join(dir, 'serve.yaml');
    writeFileSync(
      config,
      ['db: file.ledger', 'tokens: tokens.json', 'port: 0', 'name: from-file', 'log-level: warn', 'docs: false'].join(
        '\n',
      ),
    );
    const fromFile = await startServe(['--config', config], { env: cleanEnv({}) });
    expect(fromFile.listening.ledger).toBe('from-file');
    // docs: false: no page, so /docs is an unknown route, which needs a token like any.
    expect((await fetch(new URL('/docs', fromFile.url))).status).toBe(401);
    await api(fromFile.url, 'GET', '/v1/digest', { token: admin });
    fromFile.child.kill('SIGTERM');
    expect(await fromFile.exited).toBe(0);
    // At warn, the request and the startup lines (info) are not logged.
    expect(fromFile.stderr()).not.toContain('"msg":"request completed"');
    expect(fromFile.stderr()).not.toContain('ledgerdb serve is ready');

    // The environment's level over the file's.
    const fromEnv = await startServe([], { env: cleanEnv({ LEDGERDB_CONFIG: config, LEDGERDB_LOG_LEVEL: 'info' }) });
    expect(fromEnv.listening.ledger).toBe('from-file');
    fromEnv.child.kill('SIGTERM');
    expect(await fromEnv.exited).toBe(0);
    expect(fromEnv.stderr()).toContain('ledgerdb serve is ready');

    const fromFlag = await startServe(['--db', join(dir, 'flag.ledger'), '--name', 'from-flag'], {
      env: cleanEnv({ LEDGERDB_CONFIG: config, LEDGERDB_NAME: 'from-env', LEDGERDB_DB: join(dir, 'env.ledger') }),
    });
    expect(fromFlag.listening.ledger).toBe('from-flag');
    fromFlag.child.kill('SIGTERM');
    expect(await fromFlag.exited).toBe(0);

    const envOverFile = await startServe([], {
      env: cleanEnv({ LEDGERDB_CONFIG: config, LEDGERDB_NAME: 'from-env', LEDGERDB_DB: join(dir, 'env.ledger') }),
    });
    expect(envOverFile.listening.ledger).toBe('from-env');
    envOverFile.child.kill('SIGTERM');
    expect(await envOverFile.exited).toBe(0);
  },
);

test.skipIf(!cliBuilt)('a bad value exits 2 with INVALID_ARGUMENT naming it and its source', async () => {
  const base = ['--db', join(dir, 'never.ledger'), '--tokens', tokensFile];
  const env = await refused(base, cleanEnv({ LEDGERDB_PORT: 'eighty' }));
  expect(env.status).toBe(2);
  expect(env.stderr).toContain('LEDGERDB_PORT (environment)');
  expect(env.stderr).toContain('INVALID_ARGUMENT');
  const config = join(dir, 'bad.json');
  writeFileSync(config, JSON.stringify({ 'log-level': 'chatty' }));
  const file = await refused([...base, '--config', config], cleanEnv({}));
  expect(file.status).toBe(2);
  expect(file.stderr).toContain(`log-level in ${config}`);
  const url = await refused(base.slice(2), cleanEnv({ DATABASE_URL: 'mysql://root:hunter2@db/x' }));
  expect(url.status).toBe(2);
  expect(url.stderr).toContain('DATABASE_URL (environment)');
  expect(url.stderr).not.toContain('hunter2');
});

test.skipIf(!cliBuilt)(
  'metrics on a port of their own; on SIGTERM /readyz answers 503 through the drain delay',
  { timeout: 60_000 },
  async () => {
    const server = await startServe(
      ['--db', join(dir, 'drain.ledger'), '--tokens', tokensFile, '--port', '0', '--metrics-port', '0'],
      { env: cleanEnv({ LEDGERDB_DRAIN_DELAY: '1500' }) },
    );
    const metricsUrl = server.listening.metrics as string;
    const scraped = await fetch(new URL('/metrics', metricsUrl));
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('ledgerdb_commits_total 0');
    expect((await fetch(new URL('/readyz', server.url))).status).toBe(200);
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await fetch(new URL('/readyz', server.url))).status).toBe(503);
    expect((await fetch(new URL('/healthz', server.url))).status).toBe(200);
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toContain('"msg":"draining: /readyz answers 503"');
  },
);
