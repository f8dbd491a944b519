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

/** Options of `ledgerdb serve`, as commander parses them (and as given before the command). */
interface ServeOptions extends CommonOptions {
  db?: string;
  postgres?: string;
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
    .option('--db <file>', "the ledger's SQLite file (created if missing)")
    .option('--postgres <url>', 'a PostgreSQL ledger instead (postgres://...)')
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
    );
  addCommonOptions(command).addHelpText(
    'after',
    `
On SIGTERM or SIGINT it finishes in-flight requests, closes the ledger and exits 0.
Prints one JSON line when listening: {"listening":"http://HOST:PORT","ledger":NAME}.`,
  );
  withExamples(command, [
    '--db app.ledger --tokens tokens.json',
    '--postgres postgres://ledger@db/ledger --schema ledgerdb --tokens tokens.json --port 8080',
    '--db app.ledger --tokens tokens.json --tls-cert server.pem --tls-key server.key --host 0.0.0.0',
  ]);
  return command.action(cliAction(io, (_options: ServeOptions, self: Command) => runServe(self, io)));
}

/** Runs `ledgerdb serve`; resolves with the exit code after shutdown. */
async function runServe(command: Command, output: CliIo): Promise<number> {
  const values = mergedOptions<ServeOptions>(command);
  if ((values.db === undefined) === (values.postgres === undefined)) {
    throw new InvalidArgumentError('argv', 'serve needs exactly one of --db FILE or --postgres URL');
  }
  if (values.schema !== undefined && values.postgres === undefined) {
    throw new InvalidArgumentError('argv', '--schema applies to --postgres only');
  }
  if (values.tokens === undefined) throw new InvalidArgumentError('argv', 'serve needs --tokens FILE');
  if ((values.tlsCert === undefined) !== (values.tlsKey === undefined)) {
    throw new InvalidArgumentError('argv', '--tls-cert and --tls-key go together');
  }
  if (values.tlsCa !== undefined && values.tlsCert === undefined) {
    throw new InvalidArgumentError('argv', '--tls-ca (mTLS) needs --tls-cert and --tls-key');
  }
  const port = integerOption(values.port, '--port', 8080, 0, 65535);
  const bodyLimit = integerOption(values.bodyLimit, '--body-limit', 1024 * 1024, 1, 1024 ** 3);
  const maxStatements = integerOption(values.maxStatements, '--max-statements', 100, 1, 100_000);
  const limits = {
    ...limitOption(values.maxDocumentsPerTransaction, '--max-documents-per-transaction', 'documentsPerTransaction'),
    ...limitOption(values.maxDocumentBytes, '--max-document-bytes', 'documentBytes'),
    ...limitOption(values.maxTransactionMs, '--max-transaction-ms', 'transactionMs'),
  };
  const tokensPath = values.tokens;

  const { openLedger } = await import('../ledger-database.js');
  const { createServer } = await import('../server/server.js');
  const { readTokensFile, TokenRegistry } = await import('../server/auth.js');

  const tokens = new TokenRegistry((await readTokensFile(tokensPath)).tokens);
  const tls =
    values.tlsCert === undefined
      ? undefined
      : {
          cert: await readFile(values.tlsCert),
          key: await readFile(values.tlsKey as string),
          ...(values.tlsCa ? { ca: await readFile(values.tlsCa) } : {}),
        };
  const signingKey =
    values.signingKey === undefined ? undefined : await readPrivateKeyFile(values.signingKey, '--signing-key');
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
      (error: unknown) => reportError(output, `${commandPath(command)} (reloading tokens)`, error),
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
Roles: read:TABLES, write:TABLES (TABLES: * or names joined by commas), auditor, admin.
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
    .option('--role <role>', 'a role, repeatable: read:TABLES, write:TABLES, auditor, admin', collect);
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
          ['NAME', 'READ', 'WRITE', 'AUDITOR', 'ADMIN', 'CREATED'],
          visible.map((token) => [token.name, token.read, token.write, token.auditor, token.admin, token.createdAt]),
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
