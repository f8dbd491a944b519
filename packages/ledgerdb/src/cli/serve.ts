// `ledgerdb serve` and `ledgerdb token`: the long-running server and its token file.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '@ledgerkit/core';
import type { TableRule } from '../ledger-adapter.js';
import type { StorageDriver } from '../storage/driver.js';
import { messageOf, readPrivateKeyFile } from './inputs.js';
import { type CliOutput, exitCodes, printJson } from './output.js';

export const serveHelp = `Usage: ledgerdb serve --db FILE --tokens FILE [options]
       ledgerdb serve --postgres URL [--schema NAME] --tokens FILE [options]

Serves the ledger over HTTP/JSON until SIGTERM or SIGINT (then finishes in-flight
requests, closes the ledger and exits 0).

  --db FILE              the ledger's SQLite file (created if missing)
  --postgres URL         a PostgreSQL ledger instead (postgres://...)
  --schema NAME          PostgreSQL schema (default: ledgerdb)
  --name NAME            ledger name when the storage is new
  --tokens FILE          API tokens file (ledgerdb token create); read at start and on SIGHUP
  --port N               default 8080 (0: any free port)
  --host H               default 127.0.0.1
  --tls-cert FILE        serve HTTPS with this certificate (PEM)
  --tls-key FILE         and this private key (PEM)
  --tls-ca FILE          require client certificates signed by this CA (mTLS)
  --signing-key FILE     sign digests with this Ed25519 private key (PEM)
  --body-limit BYTES     largest request body (default 1048576)
  --max-statements N     most statements per transaction (default 100)
  --max-documents-per-transaction N
                         most documents one transaction may write (default 40, QLDB's)
  --max-document-bytes BYTES
                         largest document (default 131072, QLDB's 128 KiB)
  --max-transaction-ms MS
                         longest a transaction may run before its commit (default 30000)
  --rules FILE           an ES module whose default export maps table names to rule
                         functions (change, { tx }) run before each write to the table;
                         one that throws refuses the write (CONTRACT_REVERTED, 422)

Prints one JSON line when listening: {"listening":"http://HOST:PORT","ledger":NAME}.
`;

export const tokenHelp = `Usage: ledgerdb token create --tokens FILE --name NAME --role ROLE [--role ROLE ...]
       ledgerdb token revoke --tokens FILE --name NAME
       ledgerdb token list --tokens FILE

Roles: read:TABLES, write:TABLES (TABLES: * or names joined by commas), auditor, admin.
create prints the token once; the file keeps only its SHA-256.
`;

/**
 * Runs `ledgerdb serve ...`; resolves with the exit code after shutdown.
 *
 * @param argv - arguments after `serve`
 */
export async function runServe(argv: readonly string[], output: CliOutput): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      db: { type: 'string' },
      postgres: { type: 'string' },
      schema: { type: 'string' },
      name: { type: 'string' },
      tokens: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-ca': { type: 'string' },
      'signing-key': { type: 'string' },
      'body-limit': { type: 'string' },
      'max-statements': { type: 'string' },
      'max-documents-per-transaction': { type: 'string' },
      'max-document-bytes': { type: 'string' },
      'max-transaction-ms': { type: 'string' },
      rules: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    output.stdout(serveHelp);
    return exitCodes.ok;
  }
  if ((values.db === undefined) === (values.postgres === undefined)) {
    throw new InvalidArgumentError('argv', 'serve needs exactly one of --db FILE or --postgres URL');
  }
  if (values.schema !== undefined && values.postgres === undefined) {
    throw new InvalidArgumentError('argv', '--schema applies to --postgres only');
  }
  if (values.tokens === undefined) throw new InvalidArgumentError('argv', 'serve needs --tokens FILE');
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) {
    throw new InvalidArgumentError('argv', '--tls-cert and --tls-key go together');
  }
  if (values['tls-ca'] !== undefined && values['tls-cert'] === undefined) {
    throw new InvalidArgumentError('argv', '--tls-ca (mTLS) needs --tls-cert and --tls-key');
  }
  const port = integerOption(values.port, '--port', 8080, 0, 65535);
  const bodyLimit = integerOption(values['body-limit'], '--body-limit', 1024 * 1024, 1, 1024 ** 3);
  const maxStatements = integerOption(values['max-statements'], '--max-statements', 100, 1, 100_000);
  const limits = {
    ...limitOption(
      values['max-documents-per-transaction'],
      '--max-documents-per-transaction',
      'documentsPerTransaction',
    ),
    ...limitOption(values['max-document-bytes'], '--max-document-bytes', 'documentBytes'),
    ...limitOption(values['max-transaction-ms'], '--max-transaction-ms', 'transactionMs'),
  };
  const tokensPath = values.tokens;

  const { openLedger } = await import('../ledger-database.js');
  const { createServer } = await import('../server/server.js');
  const { readTokensFile, TokenRegistry } = await import('../server/auth.js');

  const tokens = new TokenRegistry((await readTokensFile(tokensPath)).tokens);
  const tls =
    values['tls-cert'] === undefined
      ? undefined
      : {
          cert: await readFile(values['tls-cert']),
          key: await readFile(values['tls-key'] as string),
          ...(values['tls-ca'] ? { ca: await readFile(values['tls-ca']) } : {}),
        };
  const signingKey =
    values['signing-key'] === undefined ? undefined : await readPrivateKeyFile(values['signing-key'], '--signing-key');
  const storage: StorageDriver | undefined =
    values.postgres === undefined ? undefined : await postgresStorage(values.postgres, values.schema ?? 'ledgerdb');
  const ledger = await openLedger({
    ...(storage ? { storage } : { path: values.db as string }),
    ...(values.name ? { name: values.name } : {}),
    ...(signingKey ? { signingKey } : {}),
    limits,
  });
  const rules = values.rules === undefined ? undefined : await readRules(values.rules);
  const server = await createServer({
    ledger,
    tokens,
    closeLedger: true,
    ...(rules ? { rules } : {}),
    bodyLimit,
    maxStatements,
    ...(tls ? { tls } : {}),
  });
  let url: string;
  try {
    url = await server.listen({ port, host: values.host ?? '127.0.0.1' });
  } catch (error) {
    await server.close();
    throw error;
  }
  output.stdout(`${JSON.stringify({ listening: url, ledger: ledger.name })}\n`);

  const reload = () => {
    readTokensFile(tokensPath).then(
      (file) => tokens.replace(file.tokens),
      (error: unknown) => output.stderr(`ledgerdb: cannot reload tokens: ${messageOf(error)}\n`),
    );
  };
  process.on('SIGHUP', reload);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  process.off('SIGHUP', reload);
  // A second signal while draining ends the process at once.
  const force = () => process.exit(exitCodes.failure);
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  await server.close();
  return exitCodes.ok;
}

/**
 * The PostgreSQL driver (the `./postgres` entry's code), loaded only when asked for; opening
 * it rejects with `UNSUPPORTED` naming `pg` when that optional peer is not installed.
 */
async function postgresStorage(url: string, schema: string): Promise<StorageDriver> {
  const { postgresStorage: driver } = await import('../storage/postgres.js');
  return driver({ connectionString: url, schema });
}

function integerOption(text: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new InvalidArgumentError(name, `${name} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

/**
 * One of the ledger's limits from its flag: unset keeps the default (QLDB's); the bounds are
 * the ones `openLedger` accepts (a positive safe integer), checked here so the error names the flag.
 */
function limitOption<K extends 'documentsPerTransaction' | 'documentBytes' | 'transactionMs'>(
  text: string | undefined,
  name: string,
  key: K,
): Partial<Record<K, number>> {
  if (text === undefined) return {};
  return { [key]: integerOption(text, name, 0, 1, Number.MAX_SAFE_INTEGER) } as Partial<Record<K, number>>;
}

/** Runs `ledgerdb token create|revoke|list ...`. */
export async function runToken(argv: readonly string[], output: CliOutput): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      tokens: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  const [action, ...extra] = positionals;
  if (values.help || action === undefined) {
    output.stdout(tokenHelp);
    return values.help ? exitCodes.ok : exitCodes.badInput;
  }
  if (extra.length > 0) throw new InvalidArgumentError('argv', `unexpected argument '${extra[0]}'`);
  if (values.tokens === undefined) throw new InvalidArgumentError('argv', `token ${action} needs --tokens FILE`);
  const { createToken, parseRoles, readTokensFile, revokeToken } = await import('../server/auth.js');
  switch (action) {
    case 'create': {
      if (values.name === undefined) throw new InvalidArgumentError('argv', 'token create needs --name NAME');
      const rights = parseRoles(values.role ?? []);
      printJson(output, await createToken(values.tokens, values.name, rights));
      return exitCodes.ok;
    }
    case 'revoke':
      if (values.name === undefined) throw new InvalidArgumentError('argv', 'token revoke needs --name NAME');
      if (values.role !== undefined) throw new InvalidArgumentError('argv', 'token revoke takes no --role');
      await revokeToken(values.tokens, values.name);
      printJson(output, { revoked: values.name });
      return exitCodes.ok;
    case 'list': {
      const file = await readTokensFile(values.tokens);
      printJson(
        output,
        file.tokens.map(({ sha256: _secret, ...visible }) => visible),
      );
      return exitCodes.ok;
    }
    default:
      throw new InvalidArgumentError('argv', `unknown token action '${action}': create, revoke or list`);
  }
}

/** Loads `--rules FILE`: an ES module whose default export maps table names to rule functions. */
async function readRules(file: string): Promise<Record<string, TableRule>> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
  } catch (error) {
    throw new InvalidArgumentError('--rules', `cannot load the rules module ${file}: ${messageOf(error)}`);
  }
  const rules = module.default;
  if (typeof rules !== 'object' || rules === null) {
    throw new InvalidArgumentError('--rules', `${file} must export default { table: rule, ... }`);
  }
  for (const [table, rule] of Object.entries(rules)) {
    if (typeof rule !== 'function') {
      throw new InvalidArgumentError('--rules', `the rule of table ${table} in ${file} is not a function`);
    }
  }
  return rules as Record<string, TableRule>;
}
