// `ledgerdb serve` and `ledgerdb token`: the long-running server and its token file.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError } from '@ledgerkit/core';
import { Command } from 'commander';
import type { TableRule } from '../ledger-adapter.js';
import type { StorageDriver } from '../storage/driver.js';
import { messageOf, readPrivateKeyFile } from './inputs.js';
import type { CliIo } from './io.js';
import { exitCodes, printFields, printJson, printTable } from './output.js';
import {
  addCommonOptions,
  type CommonOptions,
  cliAction,
  commandPath,
  mergedOptions,
  reportError,
  withExamples,
} from './program.js';
import { resolveServeSettings, type ServeInputs } from './serve-config.js';

/** Options of `ledgerdb serve`, as commander parses them (and as given before the command). */
interface ServeOptions extends CommonOptions {
  config?: string;
  db?: string;
  postgres?: string;
  postgresPasswordFile?: string;
  schema?: string;
  name?: string;
  tokens?: string;
  port?: string;
  host?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  signingKey?: string;
  bodyLimit?: string;
  maxStatements?: string;
  maxDocumentsPerTransaction?: string;
  maxDocumentBytes?: string;
  maxTransactionMs?: string;
  rules?: string;
  logLevel?: string;
  metrics?: boolean;
  metricsPort?: string;
  metricsHost?: string;
  docs?: boolean;
  drainDelay?: string;
}

/**
 * The `serve` command: serves the ledger over HTTP/JSON until SIGTERM or SIGINT.
 *
 * @param io - where it writes its listening line and errors
 * @returns the command, to add to the `ledgerdb` program
 */
export function createServeCommand(io: CliIo): Command {
  const command = new Command('serve')
    .description('Serve the ledger over HTTP/JSON until SIGTERM or SIGINT')
    .option('--config <file>', 'settings from a JSON or YAML file (keys: these flags without --)')
    .option('--db <file>', "the ledger's SQLite file (created if missing)")
    .option('--postgres <url>', 'a PostgreSQL ledger instead (postgres://...; better: DATABASE_URL)')
    .option('--postgres-password-file <file>', "the PostgreSQL password, from a file (not the URL's)")
    .option('--schema <name>', 'PostgreSQL schema (default: ledgerdb)')
    .option('--name <name>', 'ledger name when the storage is new')
    .option('--tokens <file>', 'API tokens file (ledgerdb token create); read at start and on SIGHUP')
    .option('--port <n>', 'default 8080 (0: any free port)')
    .option('--host <host>', 'default 127.0.0.1')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'and this private key (PEM)')
    .option('--tls-ca <file>', 'require client certificates signed by this CA (mTLS)')
    .option('--signing-key <file>', 'sign digests with this Ed25519 private key (PEM)')
    .option('--body-limit <bytes>', 'largest request body (default 1048576)')
    .option('--max-statements <n>', 'most statements per transaction (default 100)')
    .option('--max-documents-per-transaction <n>', "most documents one transaction may write (default 40, QLDB's)")
    .option('--max-document-bytes <bytes>', "largest document (default 131072, QLDB's 128 KiB)")
    .option('--max-transaction-ms <ms>', 'longest a transaction may run before its commit (default 30000)')
    .option(
      '--rules <file>',
      'an ES module whose default export maps table names to rule functions (change, { tx }) run ' +
        'before each write to the table; one that throws refuses the write (CONTRACT_REVERTED, 422)',
    )
    .option(
      '--log-level <level>',
      'JSON logs on stderr from this level: fatal, error, warn, info (default), debug, trace, silent',
    )
    .option('--no-metrics', 'no Prometheus metrics (default: GET /metrics for tokens with the metrics or admin role)')
    .option('--metrics-port <n>', 'also serve GET /metrics without a token on this port (0: any free port)')
    .option('--metrics-host <host>', 'the host of --metrics-port (default 127.0.0.1)')
    .option('--no-docs', 'no API page (default: Swagger UI at /docs)')
    .option('--drain-delay <ms>', 'on SIGTERM, answer /readyz 503 for this long before closing (default 0)');
  addCommonOptions(command).addHelpText(
    'after',
    `
Every setting also comes from an environment variable, LEDGERDB_ and the flag in upper
case (LEDGERDB_PORT, LEDGERDB_LOG_LEVEL, ...), except --postgres (DATABASE_URL, or the
PG* variables PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE) and
--postgres-password-file (PGPASSWORD_FILE), and from --config FILE (or LEDGERDB_CONFIG).
Precedence: flag, then environment, then config file, then default.

On SIGTERM or SIGINT it finishes in-flight requests, closes the ledger and exits 0.
Prints one JSON line when listening: {"listening":"http://HOST:PORT","ledger":NAME}
(with "metrics":URL when --metrics-port is set); logs go to stderr.`,
  );
  withExamples(command, [
    '--db app.ledger --tokens tokens.json',
    '--config /etc/ledgerdb/serve.yaml',
    '--tokens tokens.json --schema ledgerdb --port 8080   # DATABASE_URL or PG* in the environment',
    '--db app.ledger --tokens tokens.json --tls-cert server.pem --tls-key server.key --host 0.0.0.0',
  ]);
  return command.action(cliAction(io, (_options: ServeOptions, self: Command) => runServe(self, io)));
}

/** The flags given on argv, by setting name; a default commander filled in is not one. */
function givenFlags(command: Command): ServeInputs['flags'] {
  const values = mergedOptions<ServeOptions>(command);
  const flags: ServeInputs['flags'] = {};
  const names: Record<string, keyof ServeOptions> = {
    config: 'config',
    db: 'db',
    postgres: 'postgres',
    'postgres-password-file': 'postgresPasswordFile',
    schema: 'schema',
    name: 'name',
    tokens: 'tokens',
    port: 'port',
    host: 'host',
    'tls-cert': 'tlsCert',
    'tls-key': 'tlsKey',
    'tls-ca': 'tlsCa',
    'signing-key': 'signingKey',
    'body-limit': 'bodyLimit',
    'max-statements': 'maxStatements',
    'max-documents-per-transaction': 'maxDocumentsPerTransaction',
    'max-document-bytes': 'maxDocumentBytes',
    'max-transaction-ms': 'maxTransactionMs',
    rules: 'rules',
    'log-level': 'logLevel',
    'metrics-port': 'metricsPort',
    'metrics-host': 'metricsHost',
    'drain-delay': 'drainDelay',
  };
  for (const [flag, key] of Object.entries(names)) {
    const value = values[key];
    if (typeof value === 'string') (flags as Record<string, string>)[flag] = value;
  }
  // --no-metrics and --no-docs: commander defaults them to true; only a given flag counts.
  if (command.getOptionValueSource('metrics') === 'cli') flags.metrics = values.metrics as boolean;
  if (command.getOptionValueSource('docs') === 'cli') flags.docs = values.docs as boolean;
  return flags;
}

/** Runs `ledgerdb serve`; resolves with the exit code after shutdown. */
async function runServe(command: Command, output: CliIo): Promise<number> {
  const settings = await resolveServeSettings({ flags: givenFlags(command), env: process.env });
  const tokensPath = settings.tokens;

  const { openLedgerDatabase: openLedger } = await import('../ledger-database.js');
  const { createServer } = await import('../server/server.js');
  const { readTokensFile, TokenRegistry } = await import('../server/auth.js');
  const { LineBuffer } = await import('../server/logging.js');

  const tokens = new TokenRegistry((await readTokensFile(tokensPath)).tokens);
  const tls =
    settings.tls === undefined
      ? undefined
      : {
          cert: await readFile(settings.tls.cert),
          key: await readFile(settings.tls.key),
          ...(settings.tls.ca ? { ca: await readFile(settings.tls.ca) } : {}),
        };
  const signingKey =
    settings.signingKey === undefined ? undefined : await readPrivateKeyFile(settings.signingKey, '--signing-key');
  const storage: StorageDriver | undefined =
    settings.storage.kind === 'postgres'
      ? await postgresStorage(settings.storage.connectionString, settings.storage.schema)
      : undefined;
  const ledger = await openLedger({
    ...(storage ? { storage } : { path: (settings.storage as { path: string }).path }),
    ...(settings.name ? { name: settings.name } : {}),
    ...(signingKey ? { signingKey } : {}),
    limits: settings.limits,
  });
  const rules = settings.rules === undefined ? undefined : await readRules(settings.rules);
  // JSON lines on stderr (stdout keeps its one listening line), gathered for up to 100 ms
  // per write (errors at once); what is queued when the process exits is written then.
  const logStream = new LineBuffer(process.stderr);
  process.once('exit', logStream.flush);
  const server = await createServer({
    ledger,
    tokens,
    closeLedger: true,
    ...(rules ? { rules } : {}),
    bodyLimit: settings.bodyLimit,
    maxStatements: settings.maxStatements,
    ...(tls ? { tls } : {}),
    logger: settings.logLevel === 'silent' ? false : { level: settings.logLevel, stream: logStream },
    metrics: settings.metrics,
    docs: settings.docs,
  });
  let url: string;
  let metricsUrl: string | undefined;
  try {
    url = await server.listen({ port: settings.port, host: settings.host });
    if (settings.metricsPort !== undefined) {
      metricsUrl = await server.listenMetrics({ port: settings.metricsPort, host: settings.metricsHost });
    }
  } catch (error) {
    await server.close();
    throw error;
  }
  const log = server.app.log;
  if (settings.storage.kind === 'postgres' && settings.storage.passwordOnArgv) {
    log.warn(
      'the PostgreSQL password is on the command line, where ps shows it: use DATABASE_URL or --postgres-password-file',
    );
  }
  log.info(
    {
      ledger: ledger.name,
      storage: settings.storage.kind === 'postgres' ? settings.storage.display : settings.storage.path,
      url,
      ...(metricsUrl ? { metricsUrl } : {}),
      ...(settings.configFile ? { configFile: settings.configFile } : {}),
      settings: settings.sources,
    },
    'ledgerdb serve is ready',
  );
  const reload = () => {
    readTokensFile(tokensPath).then(
      (file) => {
        tokens.replace(file.tokens);
        log.info({ tokens: file.tokens.length }, 'tokens reloaded');
      },
      (error: unknown) => {
        log.error({ err: error }, 'cannot reload the tokens file');
        reportError(output, `${commandPath(command)} (reloading tokens)`, error);
      },
    );
  };
  process.on('SIGHUP', reload);
  // The handlers are in place before the listening line: whoever reads it may signal at once.
  const stopped = new Promise<string>((resolve) => {
    const stop = (name: string) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(name);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  output.stdout(
    `${JSON.stringify({ listening: url, ledger: ledger.name, ...(metricsUrl ? { metrics: metricsUrl } : {}) })}\n`,
  );
  const signal = await stopped;
  process.off('SIGHUP', reload);
  // A second signal while draining ends the process at once.
  const force = () => process.exit(exitCodes.failure);
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  log.info({ signal, drainDelayMs: settings.drainDelayMs }, 'draining: /readyz answers 503');
  server.drain();
  if (settings.drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, settings.drainDelayMs));
  await server.close();
  log.info('closed');
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

/** Options of the `token` commands. */
interface TokenOptions extends CommonOptions {
  tokens: string;
  name?: string;
  role?: string[];
}

/** commander's collector of a repeatable option: `--role a --role b` is `['a', 'b']`. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * The `token` command and its `create`, `revoke` and `list` subcommands, which manage the
 * API tokens file of `serve`.
 *
 * @param io - where they write
 * @returns the command, to add to the `ledgerdb` program
 */
export function createTokenCommand(io: CliIo): Command {
  const command = new Command('token').description("Manage serve's API tokens file (create, revoke, list)");
  command.addHelpText(
    'after',
    `
Roles: read:TABLES, write:TABLES (TABLES: * or names joined by commas), auditor, admin,
metrics (may read GET /metrics, nothing else).
create prints the token once; the file keeps only its SHA-256.`,
  );
  withExamples(command, [
    'create --tokens tokens.json --name ops --role admin --role read:* --role write:*',
    'list --tokens tokens.json',
  ]);
  const tokensOption = ['--tokens <file>', 'the API tokens file (created by the first create)'] as const;

  const create = new Command('create')
    .description('Create an API token; printed once, stored hashed')
    .requiredOption(...tokensOption)
    .requiredOption('--name <name>', "the token's name (1 to 64 of A-Z a-z 0-9 _ . @ -)")
    .option('--role <role>', 'a role, repeatable: read:TABLES, write:TABLES, auditor, admin, metrics', collect);
  withExamples(addCommonOptions(create), [
    '--tokens tokens.json --name ops --role admin --role read:* --role write:*',
    '--tokens tokens.json --name reporting --role read:shipments,orders --json',
  ]);
  create.action(
    cliAction(io, async (_local: TokenOptions, self: Command) => {
      const options = mergedOptions<TokenOptions>(self);
      const { createToken, parseRoles } = await import('../server/auth.js');
      const created = await createToken(options.tokens, options.name as string, parseRoles(options.role ?? []));
      if (options.json) {
        printJson(io, created);
      } else {
        printFields(io, [
          ['name', created.name],
          ['read', created.read],
          ['write', created.write],
          ['auditor', created.auditor],
          ['admin', created.admin],
          ['metrics', created.metrics ?? false],
          ['token', created.token],
        ]);
        io.stdout('The token is shown only now; the tokens file keeps its SHA-256.\n');
      }
      return exitCodes.ok;
    }),
  );

  const revoke = new Command('revoke')
    .description('Revoke an API token by name')
    .requiredOption(...tokensOption)
    .requiredOption('--name <name>', 'the token to revoke');
  withExamples(addCommonOptions(revoke), ['--tokens tokens.json --name ops']);
  revoke.action(
    cliAction(io, async (_local: TokenOptions, self: Command) => {
      const options = mergedOptions<TokenOptions>(self);
      const { revokeToken } = await import('../server/auth.js');
      await revokeToken(options.tokens, options.name as string);
      if (options.json) printJson(io, { revoked: options.name });
      else io.stdout(`revoked ${options.name}\n`);
      return exitCodes.ok;
    }),
  );

  const list = new Command('list').description('List the API tokens (names and rights, never secrets)');
  list.requiredOption(...tokensOption);
  withExamples(addCommonOptions(list), ['--tokens tokens.json', '--tokens tokens.json --json']);
  list.action(
    cliAction(io, async (_local: TokenOptions, self: Command) => {
      const options = mergedOptions<TokenOptions>(self);
      const { readTokensFile } = await import('../server/auth.js');
      const visible = (await readTokensFile(options.tokens)).tokens.map(({ sha256: _secret, ...rest }) => rest);
      if (options.json) printJson(io, visible);
      else if (visible.length === 0) io.stdout(`no tokens in ${options.tokens}\n`);
      else {
        printTable(
          io,
          ['NAME', 'READ', 'WRITE', 'AUDITOR', 'ADMIN', 'METRICS', 'CREATED'],
          visible.map((token) => [
            token.name,
            token.read,
            token.write,
            token.auditor,
            token.admin,
            token.metrics ?? false,
            token.createdAt,
          ]),
        );
      }
      return exitCodes.ok;
    }),
  );
  return command.addCommand(create).addCommand(revoke).addCommand(list);
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
