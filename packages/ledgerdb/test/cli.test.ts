// The `ledgerdb` command line against ledger files in a temporary directory: most cases run
// the command tree in-process (runLedgerdbCli with collecting io), and the ones where the
// process matters (exit status, stdin, --version, the offline verifier) run the built
// bin/ledgerdb.js as a child process. `turbo run test` builds first.
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { runProgram } from '../src/cli/program.js';
import type { CliIo } from '../src/cli.js';
import { createLedgerdbCommand, runLedgerdbCli } from '../src/cli.js';
import type { AuditReport, Digest, DocumentRevision, ExportedBlock, RevisionProof } from '../src/index.js';
import { readJournalExport } from '../src/index.js';
import { createToken, parseRoles } from '../src/server.js';
import { verifyJournalExport } from '../src/verify.js';
import { startServe } from './serve-process.js';

const bin = fileURLToPath(new URL('../bin/ledgerdb.js', import.meta.url));
const builtMain = fileURLToPath(new URL('../dist/main.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface CommitOutput {
  id: string;
  txId: string;
  seq: number;
  version: number;
  hash: string;
}

interface VerificationOutput {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

/** One error line as the conventions say: `ledgerdb <command>: <message> [CODE]`. */
const errorLine = /^ledgerdb(?: [a-z-]+)*: [^\n]+ \[[A-Z_]+\]\n$/;

let directory: string;
let ledgerCount = 0;

/** Collecting io; `stdin` is what `-` reads (none when undefined), the environment is empty. */
function collectingIo(stdin?: string | (() => Promise<string>)): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    ...(stdin === undefined ? {} : { readStdin: typeof stdin === 'string' ? async () => stdin : stdin }),
    stderrIsTty: false,
    env: {},
  };
}

/** Runs `ledgerdb ...args` in this process. */
async function ledgerdb(args: readonly string[], stdin?: string | (() => Promise<string>)): Promise<Run> {
  const io = collectingIo(stdin);
  const code = await runLedgerdbCli(args, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

/** Runs `node bin/ledgerdb.js ...args` as a child process in `cwd`, feeding it `input`. */
function ledgerdbProcess(args: readonly string[], options: { cwd?: string; input?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { cwd: options.cwd ?? directory, env: { ...process.env, DATABASE_URL: '' } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** Stderr of a command that succeeded with --json: nothing but JSON progress lines. */
function expectOnlyProgress(stderr: string): void {
  for (const line of stderr.split('\n').filter(Boolean)) expect(JSON.parse(line)).toHaveProperty('progress');
}

/** Runs a command with --json that must succeed and parses its output. */
async function json<T>(args: readonly string[]): Promise<T> {
  const run = await ledgerdb([...args, '--json']);
  expectOnlyProgress(run.stderr);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** A new ledger file with a `shipments` table; returns the `--db` arguments. */
async function newLedger(extra: readonly string[] = []): Promise<string[]> {
  ledgerCount++;
  const db = ['--db', join(directory, `ledger-${ledgerCount}.ledger`), ...extra];
  expect(await json(['create-table', 'shipments', ...db])).toEqual({ table: 'shipments', indexes: [] });
  return db;
}

async function insert(db: readonly string[], document: object): Promise<CommitOutput> {
  return json<CommitOutput>(['insert', 'shipments', JSON.stringify(document), ...db]);
}

/** Every command of the tree, as the arguments that reach it (`['token', 'create']`). */
function commandPaths(): string[][] {
  const paths: string[][] = [];
  const visit = (command: Command, path: string[]) => {
    for (const sub of command.commands) {
      // `complete` is the hidden endpoint the completion scripts call; `help` is commander's.
      if (sub.name() === 'complete' || sub.name() === 'help') continue;
      paths.push([...path, sub.name()]);
      visit(sub, [...path, sub.name()]);
    }
  };
  visit(createLedgerdbCommand({ io: collectingIo() }), []);
  return paths;
}

beforeAll(async () => {
  if (!existsSync(builtMain)) throw new Error(`${builtMain} is missing: build the package first (npm run build)`);
  directory = await mkdtemp(join(tmpdir(), 'ledgerdb-cli-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('conventions of every command', { timeout: 60_000 }, () => {
  const paths = commandPaths();

  test('the tree has the commands the help lists', () => {
    expect(paths.map((path) => path.join(' '))).toEqual([
      'create-table',
      'create-index',
      'insert',
      'update',
      'delete',
      'get',
      'history',
      'digest',
      'proof',
      'verify-proof',
      'audit',
      'export',
      'redact',
      'query',
      'serve',
      'token',
      'token create',
      'token revoke',
      'token list',
      'completion',
    ]);
  });

  test('ledgerdb --help lists the commands, the output rules and the exit codes', async () => {
    const { code, stdout, stderr } = await ledgerdb(['--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const path of paths) if (path.length === 1) expect(stdout).toContain(`  ${path[0]} `);
    expect(stdout).toContain('Exit codes');
    expect(stdout).toMatch(/3 +verification failed/);
    expect(stdout).toMatch(/Examples:\n {2}\$ ledgerdb /);
  });

  test.each(paths.map((path) => [path.join(' '), path]))('%s --help has Usage and Examples', async (_name, path) => {
    const { code, stdout, stderr } = await ledgerdb([...path, '--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain(`Usage: ledgerdb ${path.join(' ')} `);
    expect(stdout).toMatch(new RegExp(`Examples:\\n {2}\\$ ledgerdb ${path.join(' ')}`));
  });

  /** Required options, checked before unknown ones, so the unknown flag is what fails. */
  const required: Readonly<Record<string, readonly string[]>> = {
    'verify-proof': ['--proof', 'p.json', '--digest', 'd.json'],
    redact: ['--revision', '0'],
    'token create': ['--tokens', 't.json', '--name', 'n'],
    'token revoke': ['--tokens', 't.json', '--name', 'n'],
    'token list': ['--tokens', 't.json'],
  };

  test.each(paths.map((path) => [path.join(' '), path]))(
    '%s --no-such-flag exits 2 with one line',
    async (name, path) => {
      const { code, stdout, stderr } = await ledgerdb([...path, ...(required[name] ?? []), '--no-such-flag']);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(errorLine);
      expect(stderr).toBe(`ledgerdb ${path.join(' ')}: unknown option '--no-such-flag' [INVALID_ARGUMENT]\n`);
    },
  );

  test('--version prints the version at the top level only (the bin, as -V too)', async () => {
    for (const flag of ['--version', '-V']) {
      const run = await ledgerdbProcess([flag]);
      expect(run).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
    }
    const nested = await ledgerdb(['proof', 'shipments', 'x', '--version', '0']);
    expect(nested.code).toBe(2);
    expect(nested.stderr).toMatch(
      /^ledgerdb proof: unknown option '--version' \(Did you mean --revision\?\) \[INVALID_ARGUMENT\]\n$/,
    );
  });

  test("ledgerdb help COMMAND shows that command's help and exits 0", async () => {
    const run = await ledgerdb(['help', 'insert']);
    expect(run).toEqual({ code: 0, stdout: (await ledgerdb(['insert', '--help'])).stdout, stderr: '' });
    expect(run.stdout).toContain('Usage: ledgerdb insert ');
    expect(await ledgerdb(['help', 'launch'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "ledgerdb: unknown command 'launch'; run ledgerdb --help [INVALID_ARGUMENT]\n",
    });
  });

  test('no command, or an unknown one, is one line and exit 2', async () => {
    expect(await ledgerdb([])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ledgerdb: missing command; run ledgerdb --help [INVALID_ARGUMENT]\n',
    });
    const typo = await ledgerdb(['insrt']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(errorLine);
    expect(typo.stderr).toContain('Did you mean insert?');
    expect((await ledgerdb(['token'])).stderr).toBe(
      'ledgerdb token: missing command; run ledgerdb token --help [INVALID_ARGUMENT]\n',
    );
  });

  test('--debug adds the stack trace under the error line; without it there is none', async () => {
    const db = await newLedger();
    const plain = await ledgerdb(['get', 'shipments', 'nope', ...db]);
    expect(plain.stderr).toMatch(errorLine);
    const debug = await ledgerdb(['get', 'shipments', 'nope', ...db, '--debug']);
    expect(debug.code).toBe(2);
    const [first, ...rest] = debug.stderr.split('\n');
    expect(`${first}\n`).toBe(plain.stderr);
    expect(rest.join('\n')).toMatch(/\n {4}at /);
  });

  test('an error that is not a LedgerError is one line with [INTERNAL] and exit 1', async () => {
    const db = await newLedger();
    const run = await ledgerdb(['insert', 'shipments', '-', ...db], async () => {
      throw new Error('the pipe broke');
    });
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'ledgerdb insert: the pipe broke [INTERNAL]\n' });
  });
});

describe('--json and human output', { timeout: 60_000 }, () => {
  let db: string[];
  let id: string;
  let files: { digest: string; proof: string; tokens: string };
  let indexCount = 0;

  beforeAll(async () => {
    db = await newLedger();
    ({ id } = await insert(db, { sku: 'P', qty: 1, owner: { name: 'Acme' } }));
    files = {
      digest: join(directory, 'json-digest.json'),
      proof: join(directory, 'json-proof.json'),
      tokens: join(directory, 'json-tokens.json'),
    };
    await writeFile(files.digest, JSON.stringify(await json(['digest', ...db])));
    await writeFile(files.proof, JSON.stringify(await json(['proof', 'shipments', id, ...db])));
  });

  /** Each outputting command, run twice by the tests below: once with --json, once without. */
  const commands: [string, () => string[], (value: unknown) => void][] = [
    [
      'create-index',
      () => ['create-index', 'shipments', `path${++indexCount}`, ...db],
      (v) => expect(v).toHaveProperty('indexes'),
    ],
    ['insert', () => ['insert', 'shipments', '{"sku":"Q"}', ...db], (v) => expect(v).toHaveProperty('txId')],
    [
      'update',
      () => ['update', 'shipments', id, '{"sku":"P","qty":2}', ...db],
      (v) => expect(v).toHaveProperty('hash'),
    ],
    ['get', () => ['get', 'shipments', id, ...db], (v) => expect(v).toHaveProperty('sku', 'P')],
    ['history', () => ['history', 'shipments', id, ...db], (v) => expect(Array.isArray(v)).toBe(true)],
    ['digest', () => ['digest', ...db], (v) => expect(v).toHaveProperty('rootHash')],
    ['proof', () => ['proof', 'shipments', id, ...db], (v) => expect(v).toHaveProperty('auditPath')],
    [
      'verify-proof',
      () => ['verify-proof', '--proof', files.proof, '--digest', files.digest],
      (v) => expect(v).toHaveProperty('ok', true),
    ],
    ['audit', () => ['audit', ...db], (v) => expect(v).toHaveProperty('ok', true)],
    [
      'token create',
      () => [
        'token',
        'create',
        '--tokens',
        files.tokens,
        '--name',
        `t${Math.random()}`.replace('.', ''),
        '--role',
        'read:*',
      ],
      (v) => expect(v).toHaveProperty('token', expect.stringMatching(/^ldb_/)),
    ],
    ['token list', () => ['token', 'list', '--tokens', files.tokens], (v) => expect(Array.isArray(v)).toBe(true)],
    [
      'query',
      () => ['query', 'SELECT * FROM shipments AS s WHERE s.sku = ?', '--param', 'P', ...db],
      (v) => expect(v).toMatchObject({ rows: [{ sku: 'P' }] }),
    ],
    ['completion', () => ['completion', 'bash'], (v) => expect(v).toHaveProperty('shell', 'bash')],
  ];

  test.each(commands)('%s --json prints one JSON document', async (_name, args, check) => {
    const run = await ledgerdb([...args(), '--json']);
    expectOnlyProgress(run.stderr);
    expect(run.code).toBe(0);
    check(JSON.parse(run.stdout));
  });

  test.each(commands)('%s prints human text, not JSON', async (_name, args) => {
    const run = await ledgerdb(args());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).not.toBe('');
    expect(() => JSON.parse(run.stdout)).toThrow();
  });

  test('human output: aligned fields, tables, a flattened document', async () => {
    const nested = await insert(db, { sku: 'R', owner: { name: 'Acme', city: 'Oslo' } });
    expect((await ledgerdb(['get', 'shipments', nested.id, ...db])).stdout).toBe(
      'owner.city  Oslo\nowner.name  Acme\nsku         R\n',
    );
    const history = (await ledgerdb(['history', 'shipments', id, ...db])).stdout.split('\n');
    expect(history[0]).toMatch(/^VERSION +TXID +TIME +HASH +DATA$/);
    expect(history[1]).toMatch(/^0 +\w{22} +\S+Z +[0-9a-f]{64} +\{"owner":\{"name":"Acme"\},"qty":1,"sku":"P"\}$/);
    const verified = (await ledgerdb(['verify-proof', '--proof', files.proof, '--digest', files.digest])).stdout;
    expect(verified).toMatch(/^CHECK +RESULT +DETAIL\nrevision-hash +ok /);
    expect(verified.endsWith('verified\n')).toBe(true);
  });

  test('token revoke, and export as JSON lines or human rows', async () => {
    await json(['token', 'create', '--tokens', files.tokens, '--name', 'gone', '--role', 'auditor']);
    expect(await json(['token', 'revoke', '--tokens', files.tokens, '--name', 'gone'])).toEqual({ revoked: 'gone' });
    await json(['token', 'create', '--tokens', files.tokens, '--name', 'gone2', '--role', 'auditor']);
    expect(await ledgerdb(['token', 'revoke', '--tokens', files.tokens, '--name', 'gone2'])).toEqual({
      code: 0,
      stdout: 'revoked gone2\n',
      stderr: '',
    });

    const lines = (await ledgerdb(['export', ...db, '--json'])).stdout.trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as ExportedBlock).block.seq)).toEqual(
      lines.map((_line, index) => index),
    );
    const human = (await ledgerdb(['export', ...db])).stdout.trimEnd().split('\n');
    expect(human[0]).toMatch(/^BLOCK +TXID +TIME +REVISIONS$/);
    expect(human).toHaveLength(lines.length + 1);
    expect(human[1]).toMatch(new RegExp(`^0 +\\w{22} +\\S+Z +shipments/${id}@0$`));
  });

  test('progress goes to stderr: JSON lines under --json, nothing when stderr is not a terminal', async () => {
    const io = collectingIo();
    expect(await runLedgerdbCli(['audit', ...db, '--json'], io)).toBe(0);
    expect(io.err.map((line) => JSON.parse(line))).toEqual([{ progress: 'auditing the journal', command: 'audit' }]);
    expect(JSON.parse(io.out.join(''))).toMatchObject({ ok: true });
    const human = await ledgerdb(['audit', ...db]);
    expect(human.stderr).toBe('');
    const tty = { ...collectingIo(), stderrIsTty: true };
    const err: string[] = [];
    tty.stderr = (text) => err.push(text);
    expect(await runLedgerdbCli(['audit', ...db], tty)).toBe(0);
    expect(err).toEqual(['auditing the journal...\n']);
  });
});

describe('documents from argv, a file, or stdin', { timeout: 60_000 }, () => {
  test('insert - reads the document from stdin (the bin, a real pipe)', async () => {
    const db = await newLedger();
    const run = await ledgerdbProcess(['insert', 'shipments', '-', ...db, '--json'], {
      input: '{"sku":"S","qty":7}\n',
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { id } = JSON.parse(run.stdout) as CommitOutput;
    expect(await json(['get', 'shipments', id, ...db])).toEqual({ sku: 'S', qty: 7 });
  });

  test('update - and --file', async () => {
    const db = await newLedger();
    const file = join(directory, 'document.json');
    await writeFile(file, '{"sku":"F","qty":1}');
    const { id } = await json<CommitOutput>(['insert', 'shipments', '--file', file, ...db]);
    expect(await json(['get', 'shipments', id, ...db])).toEqual({ sku: 'F', qty: 1 });
    const updated = await ledgerdb(['update', 'shipments', id, '-', ...db, '--json'], '{"sku":"F","qty":2}');
    expect(updated.code).toBe(0);
    expect(await json(['get', 'shipments', id, ...db])).toEqual({ sku: 'F', qty: 2 });
  });

  test('bad documents from stdin or a file are INVALID_ARGUMENT or NOT_FOUND, and nothing is written', async () => {
    const db = await newLedger();
    const before = await json<Digest>(['digest', ...db]);
    const cases: [string[], string | undefined, RegExp][] = [
      [['insert', 'shipments', '-'], '{"sku":', /^ledgerdb insert: malformed JSON document.*\[INVALID_ARGUMENT\]\n$/],
      [['insert', 'shipments', '-'], '[1,2]', /the document must be a JSON object, got an array \[INVALID_ARGUMENT\]/],
      [['insert', 'shipments', '-'], undefined, /JSON is -, but there is no standard input \[INVALID_ARGUMENT\]/],
      [['insert', 'shipments', '--file', join(directory, 'none.json')], undefined, /does not exist \[NOT_FOUND\]/],
      [
        ['insert', 'shipments', '{}', '--file', join(directory, 'none.json')],
        undefined,
        /not both \[INVALID_ARGUMENT\]/,
      ],
    ];
    for (const [args, stdin, message] of cases) {
      const run = await ledgerdb([...args, ...db], stdin);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(errorLine);
      expect(run.stderr).toMatch(message);
    }
    expect(await json<Digest>(['digest', ...db])).toEqual(before);
  });
});

describe('--db before or after the command, --postgres and DATABASE_URL', { timeout: 60_000 }, () => {
  test('--db works before the command, after it, and after wins', async () => {
    const db = await newLedger();
    const other = join(directory, 'other.ledger');
    await json(['create-table', 'parcels', '--db', other]);
    const { id } = await json<CommitOutput>([...db, 'insert', 'shipments', '{"sku":"B"}']);
    expect(await json([...db, 'get', 'shipments', id])).toEqual({ sku: 'B' });
    expect(await json(['get', 'shipments', id, ...db])).toEqual({ sku: 'B' });
    const overridden = await ledgerdb(['--db', other, 'get', 'shipments', id, ...db, '--json']);
    expect(JSON.parse(overridden.stdout)).toEqual({ sku: 'B' });
  });

  test('--db with --postgres is bad input; without --db, DATABASE_URL is the PostgreSQL ledger', async () => {
    const db = await newLedger();
    const both = await ledgerdb(['digest', ...db, '--postgres', 'postgres://127.0.0.1:1/none']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/not both \[INVALID_ARGUMENT\]\n$/);
    // Nothing listens on port 1: the command tried PostgreSQL, so it fails (exit 1, one line).
    const io = { ...collectingIo(), env: { DATABASE_URL: 'postgres://ledger@127.0.0.1:1/none' } };
    const code = await runLedgerdbCli(['digest'], io);
    expect(code).toBe(1);
    expect(io.err.join('')).toMatch(errorLine);
    // --db wins over DATABASE_URL.
    const withDb = { ...collectingIo(), env: { DATABASE_URL: 'postgres://ledger@127.0.0.1:1/none' } };
    expect(await runLedgerdbCli(['digest', ...db, '--json'], withDb)).toBe(0);
  });
});

describe('a PostgreSQL ledger (the server test/global-setup.ts starts)', { timeout: 60_000 }, () => {
  test('--postgres URL --schema NAME, and DATABASE_URL without --db, open the same ledger', async () => {
    const url = inject('postgresUrl');
    const schema = `cli_${randomBytes(6).toString('hex')}`;
    const postgres = ['--postgres', url, '--schema', schema];
    expect(await json(['create-table', 'shipments', ...postgres])).toEqual({ table: 'shipments', indexes: [] });
    const { id } = await json<CommitOutput>(['insert', 'shipments', '{"sku":"PG"}', ...postgres]);
    const io = { ...collectingIo(), env: { DATABASE_URL: url } };
    expect(await runLedgerdbCli(['get', 'shipments', id, '--schema', schema, '--json'], io)).toBe(0);
    expect(JSON.parse(io.out.join(''))).toEqual({ sku: 'PG' });
    expect(await json<AuditReport>(['audit', ...postgres])).toMatchObject({ ok: true, revisions: 1, blocks: 1 });
    const schemaAlone = await ledgerdb(['digest', '--schema', schema, '--db', join(directory, 'x.ledger')]);
    expect(schemaAlone.code).toBe(2);
    expect(schemaAlone.stderr).toBe('ledgerdb digest: --schema applies to --postgres only [INVALID_ARGUMENT]\n');
  });
});

describe('the data commands', { timeout: 60_000 }, () => {
  test('insert then get returns the document, and insert prints where it was committed', async () => {
    const db = await newLedger();
    const inserted = await insert(db, { sku: 'A-1', qty: 5, owner: { name: 'Acme' } });
    expect(Object.keys(inserted).sort()).toEqual(['hash', 'id', 'seq', 'txId', 'version']);
    expect(inserted).toMatchObject({ seq: 0, version: 0 });
    expect(inserted.id).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(inserted.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await json(['get', 'shipments', inserted.id, ...db])).toEqual({
      sku: 'A-1',
      qty: 5,
      owner: { name: 'Acme' },
    });
  });

  test('create-index adds the path to the table', async () => {
    const db = await newLedger();
    expect(await json(['create-index', 'shipments', 'owner.name', ...db])).toEqual({
      table: 'shipments',
      indexes: ['owner.name'],
    });
  });

  test('update and delete make versions 1 and 2, and history shows all three', async () => {
    const db = await newLedger();
    const { id } = await insert(db, { sku: 'B', qty: 1 });
    const updated = await json<CommitOutput>(['update', 'shipments', id, '{"sku":"B","qty":2}', ...db]);
    expect(updated).toMatchObject({ id, seq: 1, version: 1 });
    expect(await json(['get', 'shipments', id, ...db])).toEqual({ sku: 'B', qty: 2 });
    const deleted = await json<CommitOutput>(['delete', 'shipments', id, ...db]);
    expect(deleted).toMatchObject({ id, seq: 2, version: 2 });

    const history = await json<DocumentRevision[]>(['history', 'shipments', id, ...db]);
    expect(history.map((revision) => revision.metadata.version)).toEqual([0, 1, 2]);
    expect(history.map((revision) => revision.data)).toEqual([{ sku: 'B', qty: 1 }, { sku: 'B', qty: 2 }, undefined]);
    expect(history.map((revision) => revision.hash)).toEqual([expect.any(String), updated.hash, deleted.hash]);
    expect((await ledgerdb(['history', 'shipments', id, ...db])).stdout).toContain('(deleted)');

    const gone = await ledgerdb(['get', 'shipments', id, ...db]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toBe(`ledgerdb get: document shipments/${id} does not exist [NOT_FOUND]\n`);
  });

  test('digest describes the journal: two leaves (revision and block) per single-document commit', async () => {
    const db = await newLedger();
    expect(await json<Digest>(['digest', ...db])).toMatchObject({ treeSize: 0, tip: null });
    await insert(db, { sku: 'C' });
    const { txId, seq } = await insert(db, { sku: 'D' });
    const digest = await json<Digest>(['digest', ...db]);
    expect(digest).toMatchObject({ treeSize: 4, tip: { seq } });
    expect(digest.rootHash).toMatch(/^[0-9a-f]{64}$/);
    expect(digest.signature).toBeUndefined();
    expect(txId).toMatch(/^[0-9A-Za-z]{22}$/);
  });

  test('a proof verifies offline in a separate process without --db, touching no database', async () => {
    const db = await newLedger();
    const { id } = await insert(db, { sku: 'E', qty: 1 });
    await json(['update', 'shipments', id, '{"sku":"E","qty":2}', ...db]);
    await insert(db, { sku: 'F' });
    const proof = await json<RevisionProof>(['proof', 'shipments', id, ...db]);
    expect(proof.revision.metadata).toMatchObject({ id, version: 1 });
    const first = await json<RevisionProof>(['proof', 'shipments', id, '--revision', '0', ...db]);
    expect(first.revision).toMatchObject({ data: { sku: 'E', qty: 1 }, metadata: { version: 0 } });
    const digest = await json<Digest>(['digest', ...db]);

    // The verifier runs in a directory holding only the two files it is given.
    const offline = join(directory, 'offline');
    await mkdir(offline);
    await writeFile(join(offline, 'proof.json'), JSON.stringify(proof));
    await writeFile(join(offline, 'digest.json'), JSON.stringify(digest));
    const run = await ledgerdbProcess(['verify-proof', '--proof', 'proof.json', '--digest', 'digest.json', '--json'], {
      cwd: offline,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const verification = JSON.parse(run.stdout) as VerificationOutput;
    expect(verification.ok).toBe(true);
    expect(verification.checks.map((check) => [check.name, check.ok])).toEqual([
      ['revision-hash', true],
      ['data-hash', true],
      ['digest-match', true],
      ['inclusion-proof', true],
    ]);
    expect((await readdir(offline)).sort()).toEqual(['digest.json', 'proof.json']);
    // The proof can come from stdin as well.
    const piped = await ledgerdbProcess(['verify-proof', '--proof', '-', '--digest', 'digest.json'], {
      cwd: offline,
      input: JSON.stringify(proof),
    });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/verified\n$/);
  });

  test('proof --digest proves against an earlier digest', async () => {
    const db = await newLedger();
    const { id } = await insert(db, { sku: 'G' });
    const digestFile = join(directory, `digest-${ledgerCount}.json`);
    await writeFile(digestFile, (await ledgerdb(['digest', ...db, '--json'])).stdout);
    await insert(db, { sku: 'H' });
    const proofFile = join(directory, `proof-${ledgerCount}.json`);
    const proof = await ledgerdb(['proof', 'shipments', id, '--digest', digestFile, ...db, '--json']);
    expect(proof.code).toBe(0);
    expect(JSON.parse(proof.stdout)).toMatchObject({ treeSize: 2 });
    await writeFile(proofFile, proof.stdout);
    expect(
      await json<VerificationOutput>(['verify-proof', '--proof', proofFile, '--digest', digestFile]),
    ).toMatchObject({ ok: true });
  });

  test('a proof whose revision data was changed fails verification with exit code 3 (the bin)', async () => {
    const db = await newLedger();
    const { id } = await insert(db, { sku: 'I', qty: 10 });
    const proof = await json<RevisionProof>(['proof', 'shipments', id, ...db]);
    const digestFile = join(directory, `digest-${ledgerCount}.json`);
    await writeFile(digestFile, (await ledgerdb(['digest', ...db, '--json'])).stdout);
    const tamperedFile = join(directory, `tampered-${ledgerCount}.json`);
    await writeFile(
      tamperedFile,
      JSON.stringify({ ...proof, revision: { ...proof.revision, data: { sku: 'I', qty: 1 } } }),
    );

    const run = await ledgerdbProcess(['verify-proof', '--proof', tamperedFile, '--digest', digestFile, '--json']);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('');
    const verification = JSON.parse(run.stdout) as VerificationOutput;
    expect(verification.ok).toBe(false);
    // Journal format 2: the leaf commits to the data's hash, so the changed data fails data-hash.
    expect(verification.checks.find((check) => check.name === 'data-hash')?.ok).toBe(false);
    const human = await ledgerdb(['verify-proof', '--proof', tamperedFile, '--digest', digestFile]);
    expect(human.code).toBe(3);
    expect(human.stdout).toMatch(/data-hash +FAILED/);
    expect(human.stdout.endsWith('NOT VERIFIED\n')).toBe(true);
  });

  test('audit re-derives the journal and reports ok, also against a trusted digest', async () => {
    const db = await newLedger();
    const { id } = await insert(db, { sku: 'J' });
    await json(['delete', 'shipments', id, ...db]);
    const digestFile = join(directory, `digest-${ledgerCount}.json`);
    await writeFile(digestFile, (await ledgerdb(['digest', ...db, '--json'])).stdout);
    await insert(db, { sku: 'K' });
    const report = await json<AuditReport>(['audit', ...db]);
    expect(report).toMatchObject({ ok: true, treeSize: 6, blocks: 3, revisions: 3 });
    expect(await json<AuditReport>(['audit', '--against', digestFile, ...db])).toMatchObject({ ok: true });
    expect((await ledgerdb(['audit', ...db])).stdout).toMatch(/^result +ok\ntreeSize +6\n/);
  });

  test('audit of a tampered database exits 3 and names the mismatch (the bin)', async () => {
    const db = await newLedger();
    await insert(db, { sku: 'T', qty: 5 });
    const raw = new DatabaseSync(db[1] as string);
    try {
      raw.prepare(`UPDATE leaves SET data = replace(data, '"qty":5', '"qty":6') WHERE data LIKE '%"sku":"T"%'`).run();
    } finally {
      raw.close();
    }
    const run = await ledgerdbProcess(['audit', ...db, '--json']);
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.ok).toBe(false);
    expect(report.firstMismatch?.reason).toEqual(expect.any(String));
    const human = await ledgerdb(['audit', ...db]);
    expect(human.code).toBe(3);
    expect(human.stdout).toMatch(/^result +MISMATCH\n/);
    expect(human.stdout).toMatch(/first mismatch +\S/);
  });

  test('export prints one JSON line per block, with its revisions', async () => {
    const db = await newLedger();
    const { id } = await insert(db, { sku: 'L' });
    await json(['update', 'shipments', id, '{"sku":"L","qty":3}', ...db]);
    await insert(db, { sku: 'M' });
    const run = await ledgerdb(['export', ...db, '--json']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    const blocks = lines.map((line) => JSON.parse(line) as ExportedBlock);
    const digest = await json<Digest>(['digest', ...db]);
    expect(blocks).toHaveLength((digest.tip?.seq ?? -1) + 1);
    expect(blocks.map((entry) => entry.block.seq)).toEqual([0, 1, 2]);
    expect(blocks.flatMap((entry) => entry.revisions.map((revision) => revision.metadata.id))[1]).toBe(id);
    expect(blocks.at(-1)?.block.hash).toBe(digest.tip?.blockHash);
  });

  test("redact removes an earlier revision's data; export --format writes a verifiable file, by block or time", async () => {
    const db = await newLedger();
    const { id } = await insert(db, { sku: 'R', secret: 'S-1' });
    await json(['update', 'shipments', id, '{"sku":"R"}', ...db]);
    const redacted = await json<{ redactions: { version: number }[]; seq: number }>([
      'redact',
      'shipments',
      id,
      '--revision',
      '0',
      ...db,
    ]);
    expect(redacted.redactions).toMatchObject([{ table: 'shipments', id, version: 0 }]);
    expect((await ledgerdb(['history', 'shipments', id, ...db])).stdout).toMatch(/\(redacted, dataHash [0-9a-f]{64}\)/);
    const latest = await ledgerdb(['redact', 'shipments', id, '--revision', '1', ...db, '--json']);
    expect(latest.code).toBe(2);
    expect(latest.stderr).toMatch(/latest.*\[INVALID_ARGUMENT\]/);
    expect(await json<AuditReport>(['audit', ...db])).toMatchObject({ ok: true, redacted: 1 });

    for (const format of ['jsonl', 'ion'] as const) {
      const out = join(directory, `export-${ledgerCount}.${format}`);
      const summary = await json<{ records: number; fromSeq: number }>([
        'export',
        ...db,
        '--format',
        format,
        '--out',
        out,
        '--from',
        '1',
      ]);
      expect(summary).toMatchObject({ fromSeq: 1, toSeq: 2, format });
      const text = await readFile(out, 'utf8');
      expect(text).not.toContain('S-1');
      const verified = verifyJournalExport(readJournalExport(text));
      expect(verified.checks.filter((check) => !check.ok)).toEqual([]);
    }
    const stdout = await ledgerdb(['export', ...db, '--format', 'jsonl', '--to', new Date().toISOString()]);
    expect(stdout.code).toBe(0);
    expect(verifyJournalExport(stdout.stdout).ok).toBe(true);
    const bad = await ledgerdb(['export', ...db, '--format', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format.*\[INVALID_ARGUMENT\]/);
    const noFormat = await ledgerdb(['export', ...db, '--from', 'yesterday', '--format', 'jsonl']);
    expect(noFormat.stderr).toMatch(/--from.*\[INVALID_ARGUMENT\]/);
  });
});

describe('bad input exits 2 with one line naming the problem, and commits nothing', { timeout: 60_000 }, () => {
  const cases: [string, (db: string[], id: string) => string[], RegExp][] = [
    ['an unknown command', (db) => [...db, 'launch'], /^ledgerdb: unknown command 'launch'.*\[INVALID_ARGUMENT\]/],
    ['an unknown option', (db, id) => ['get', 'shipments', id, ...db, '--bogus'], /'--bogus'.*\[INVALID_ARGUMENT\]/],
    ['a missing argument', (db) => ['insert', ...db], /missing required argument 'table'.*\[INVALID_ARGUMENT\]/],
    ['a missing document', (db) => ['insert', 'shipments', ...db], /missing argument JSON.*\[INVALID_ARGUMENT\]/],
    ['an extra argument', (db, id) => ['get', 'shipments', id, 'x', ...db], /too many arguments.*\[INVALID_ARGUMENT\]/],
    ['malformed JSON', (db) => ['insert', 'shipments', '{"sku":', ...db], /malformed JSON.*\[INVALID_ARGUMENT\]/],
    [
      'a file name where the document goes',
      (db) => ['insert', 'shipments', 'doc.json', ...db],
      /malformed JSON document: .*\(to read the document from a file, use --file doc\.json; from standard input, -\) \[INVALID_ARGUMENT\]/,
    ],
    [
      'a document that is not an object',
      (db) => ['insert', 'shipments', '[1]', ...db],
      /JSON object.*\[INVALID_ARGUMENT\]/,
    ],
    [
      'an invalid table name',
      (db) => ['insert', 'ship-ments', '{}', ...db],
      /table name "ship-ments".*\[INVALID_ARGUMENT\]/,
    ],
    ['an unknown table', (db) => ['insert', 'parcels', '{}', ...db], /table parcels does not exist \[NOT_FOUND\]/],
    [
      'an index on an unknown table',
      (db) => ['create-index', 'parcels', 'owner', ...db],
      /^ledgerdb create-index: .*parcels.*\[NOT_FOUND\]/,
    ],
    [
      'an unknown id to get',
      (db) => ['get', 'shipments', 'nope', ...db],
      /shipments\/nope does not exist \[NOT_FOUND\]/,
    ],
    ['an unknown id to update', (db) => ['update', 'shipments', 'nope', '{}', ...db], /shipments\/nope.*\[NOT_FOUND\]/],
    ['an unknown id to delete', (db) => ['delete', 'shipments', 'nope', ...db], /shipments\/nope.*\[NOT_FOUND\]/],
    ['an unknown id to history', (db) => ['history', 'shipments', 'nope', ...db], /shipments\/nope.*\[NOT_FOUND\]/],
    ['an unknown id to prove', (db) => ['proof', 'shipments', 'nope', ...db], /^ledgerdb proof: .*\[NOT_FOUND\]/],
    ['an unknown version to prove', (db, id) => ['proof', 'shipments', id, '--revision', '9', ...db], /\[NOT_FOUND\]/],
    [
      'a bad revision',
      (db, id) => ['proof', 'shipments', id, '--revision', 'x', ...db],
      /--revision must be a non-negative integer.*\[INVALID_ARGUMENT\]/,
    ],
    ['an existing table', (db) => ['create-table', 'shipments', ...db], /already exists \[ALREADY_EXISTS\]/],
    ['a missing --db', () => ['digest'], /^ledgerdb digest: digest needs --db FILE.*\[INVALID_ARGUMENT\]/],
    [
      '--db for verify-proof',
      (db) => [...db, 'verify-proof', '--proof', 'p.json', '--digest', 'd.json'],
      /^ledgerdb verify-proof: verify-proof works offline and takes no --db \[INVALID_ARGUMENT\]/,
    ],
    [
      'a missing proof file',
      () => ['verify-proof', '--proof', join(directory, 'none.json'), '--digest', 'd.json'],
      /--proof file .*none\.json does not exist \[NOT_FOUND\]/,
    ],
    [
      'a digest file that is not a digest',
      (db, id) => ['proof', 'shipments', id, '--digest', bin, ...db],
      /malformed JSON in --digest file.*\[INVALID_ARGUMENT\]/,
    ],
    [
      'an audit against a missing digest file',
      (db) => ['audit', '--against', join(directory, 'none.json'), ...db],
      /^ledgerdb audit: --against file .* does not exist \[NOT_FOUND\]/,
    ],
    ['an unknown shell', () => ['completion', 'tcsh'], /^ledgerdb completion: .*'tcsh'.*\[INVALID_ARGUMENT\]/],
    [
      'a bad serve limit',
      (db) => ['serve', ...db, '--tokens', join(directory, 'tokens.json'), '--port', '70000'],
      /^ledgerdb serve: --port must be an integer from 0 to 65535.*\[INVALID_ARGUMENT\]/,
    ],
    [
      'a token name twice',
      () => ['token', 'create', '--tokens', join(directory, 'twice.json'), '--name', 'twice', '--role', 'auditor'],
      /^ledgerdb token create: a token named twice already exists .*\[ALREADY_EXISTS\]/,
    ],
    [
      'revoking an unknown token',
      () => ['token', 'revoke', '--tokens', join(directory, 'twice.json'), '--name', 'nobody'],
      /^ledgerdb token revoke: no token named nobody .*\[NOT_FOUND\]/,
    ],
    [
      'listing a tokens file that is not one',
      () => ['token', 'list', '--tokens', bin],
      /^ledgerdb token list: .*\[INVALID_ARGUMENT\]/,
    ],
  ];

  let db: string[];
  let id: string;
  let before: Digest;

  beforeAll(async () => {
    db = await newLedger();
    ({ id } = await insert(db, { sku: 'N' }));
    before = await json<Digest>(['digest', ...db]);
    await json(['token', 'create', '--tokens', join(directory, 'twice.json'), '--name', 'twice', '--role', 'auditor']);
  });

  test.each(cases)('%s', async (_name, args, message) => {
    const run = await ledgerdb(args(db, id));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(errorLine);
    expect(run.stderr).toMatch(message);
    expect(await json<Digest>(['digest', ...db])).toEqual(before);
  });

  test('the bin exits 2 with the same one line and no stack', async () => {
    const run = await ledgerdbProcess(['insert', 'shipments', '{"sku":', ...db]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(errorLine);
    expect(run.stderr).not.toContain('    at ');
  });

  test('a command other than create-table does not create a missing database file', async () => {
    const missing = join(directory, 'missing.ledger');
    for (const command of ['digest', 'audit', 'export']) {
      const run = await ledgerdb([command, '--db', missing]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        new RegExp(`^ledgerdb ${command}: database .*missing\\.ledger does not exist.*\\[NOT_FOUND\\]`),
      );
    }
    expect(existsSync(missing)).toBe(false);
  });
});

describe('signed digests', { timeout: 60_000 }, () => {
  let keys: { privateKey: string; publicKey: string; otherPublicKey: string };

  beforeAll(async () => {
    const owner = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519');
    keys = {
      privateKey: join(directory, 'owner.key.pem'),
      publicKey: join(directory, 'owner.pub.pem'),
      otherPublicKey: join(directory, 'other.pub.pem'),
    };
    await writeFile(keys.privateKey, owner.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(keys.publicKey, owner.publicKey.export({ type: 'spki', format: 'pem' }));
    await writeFile(keys.otherPublicKey, other.publicKey.export({ type: 'spki', format: 'pem' }));
  });

  async function signedProofFiles(signed: boolean): Promise<{ proof: string; digest: string }> {
    const db = await newLedger(signed ? ['--signing-key', keys.privateKey] : []);
    const { id } = await insert(db, { sku: 'O' });
    const digest = await json<Digest>(['digest', ...db]);
    expect(digest.signature === undefined).toBe(!signed);
    const files = {
      proof: join(directory, `proof-${ledgerCount}.json`),
      digest: join(directory, `d-${ledgerCount}.json`),
    };
    await writeFile(files.digest, JSON.stringify(digest));
    await writeFile(files.proof, (await ledgerdb(['proof', 'shipments', id, ...db, '--json'])).stdout);
    return files;
  }

  test('--signing-key signs digests, and verify-proof --public-key checks the signature', async () => {
    const files = await signedProofFiles(true);
    const digest = JSON.parse(await readFile(files.digest, 'utf8')) as Digest;
    expect(digest.signature).toMatch(/^[0-9a-f]{128}$/);
    const verification = await json<VerificationOutput>([
      'verify-proof',
      '--proof',
      files.proof,
      '--digest',
      files.digest,
      '--public-key',
      keys.publicKey,
    ]);
    expect(verification.ok).toBe(true);
    expect(verification.checks.find((check) => check.name === 'digest-signature')).toMatchObject({ ok: true });
  });

  test('verify-proof --public-key fails with exit code 3 on another key or an unsigned digest', async () => {
    const signed = await signedProofFiles(true);
    const wrongKey = await ledgerdb([
      'verify-proof',
      '--proof',
      signed.proof,
      '--digest',
      signed.digest,
      '--public-key',
      keys.otherPublicKey,
      '--json',
    ]);
    expect(wrongKey.code).toBe(3);
    expect(JSON.parse(wrongKey.stdout)).toMatchObject({ ok: false });

    const unsigned = await signedProofFiles(false);
    const run = await ledgerdb([
      'verify-proof',
      '--proof',
      unsigned.proof,
      '--digest',
      unsigned.digest,
      '--public-key',
      keys.publicKey,
      '--json',
    ]);
    expect(run.code).toBe(3);
    const verification = JSON.parse(run.stdout) as VerificationOutput;
    expect(verification.checks.find((check) => check.name === 'digest-signature')).toMatchObject({ ok: false });
  });

  test('a key file that is not a PEM key is bad input', async () => {
    const files = await signedProofFiles(true);
    const run = await ledgerdb(['verify-proof', '--proof', files.proof, '--digest', files.digest, '--public-key', bin]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^ledgerdb verify-proof: --public-key file .* is not a PEM public key \[INVALID_ARGUMENT\]\n$/,
    );
  });
});

describe('shell completion', { timeout: 60_000 }, () => {
  test('completion prints a bash, zsh and fish script that asks ledgerdb complete', async () => {
    const bash = await ledgerdb(['completion', 'bash']);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain('complete -F __ledgerdb_complete ledgerdb');
    expect(bash.stdout).toContain('ledgerdb complete --');
    expect((await ledgerdb(['completion', 'zsh'])).stdout).toMatch(/^#compdef ledgerdb\n/);
    expect((await ledgerdb(['completion', 'fish'])).stdout).toContain('complete -c ledgerdb');
  });

  test('the scripts get commands, subcommands and options from the command tree (the bin)', async () => {
    const commands = await ledgerdbProcess(['complete', '--', 'ins']);
    expect(commands.code).toBe(0);
    expect(commands.stdout.split('\n')).toContain(
      'insert\tInsert a document; prints its id and where it was committed',
    );
    const options = await ledgerdbProcess(['complete', '--', 'insert', '--fi']);
    expect(options.stdout).toMatch(/^--file\t/m);
    const nested = await ledgerdbProcess(['complete', '--', 'token', '']);
    expect(nested.stdout).toMatch(/^create\t/m);
    expect(nested.stdout).toMatch(/^list\t/m);
  });
});

describe('mounted under another program', { timeout: 60_000 }, () => {
  test('ledgerkit db: the same commands, errors named by the full path, no --version of its own', async () => {
    const io = collectingIo();
    const run = async (args: string[]) => {
      io.out.length = 0;
      io.err.length = 0;
      const program = new Command('ledgerkit').enablePositionalOptions().exitOverride();
      program.addCommand(createLedgerdbCommand({ name: 'db', io }));
      const code = await runProgram(program, args, io);
      return { code, stdout: io.out.join(''), stderr: io.err.join('') };
    };
    const db = ['--db', join(directory, 'mounted.ledger')];
    expect((await run(['db', 'create-table', 'shipments', ...db, '--json'])).code).toBe(0);
    const digest = await run(['db', ...db, 'digest', '--json']);
    expect(JSON.parse(digest.stdout)).toMatchObject({ treeSize: 0 });
    expect(await run(['db', 'get', 'shipments', 'nope', ...db])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ledgerkit db get: document shipments/nope does not exist [NOT_FOUND]\n',
    });
    const help = await run(['db', 'insert', '--help']);
    expect(help.stdout).toContain('Usage: ledgerkit db insert ');
    expect(help.stdout).toContain("$ ledgerkit db insert shipments '{");
    expect((await run(['db', '--version'])).code).toBe(2);
    expect((await run(['db', 'completion', 'bash'])).code).toBe(2);
  });
});

describe('query: PartiQL on a file, PostgreSQL, a server, and a terminal', { timeout: 60_000 }, () => {
  test('one statement with --param prints a table; --json one line with its rows', async () => {
    const db = await newLedger();
    await insert(db, { sku: 'Q-1', qty: 2, owner: { name: 'Acme' } });
    const human = await ledgerdb([
      'query',
      'SELECT s.sku, s.owner FROM shipments AS s WHERE s.qty = ?',
      '--param',
      '2',
      ...db,
    ]);
    expect(human).toEqual({ code: 0, stdout: 'sku  owner\nQ-1  {"name":"Acme"}\n(1 row)\n', stderr: '' });
    const parseError = await ledgerdb(['query', 'SELECT * FROM shipments WHERE', ...db]);
    expect(parseError.code).toBe(2);
    expect(parseError.stderr).toMatch(/^ledgerdb query: expected .* at line 1, column \d+ \[INVALID_ARGUMENT\]\n$/);
    const missing = await ledgerdb(['query', 'SELECT * FROM shipments', '--db', join(directory, 'none.ledger')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);
  });

  test('--postgres: the statements run on the PostgreSQL ledger', async () => {
    const postgres = ['--postgres', inject('postgresUrl'), '--schema', `query_${randomBytes(6).toString('hex')}`];
    await json(['create-table', 'shipments', ...postgres]);
    await json(['query', "INSERT INTO shipments << {'sku': 'PG-1'}, {'sku': 'PG-2'} >>", ...postgres]);
    const counted = await json<{ rows: unknown[] }>(['query', 'SELECT COUNT(*) AS n FROM shipments', ...postgres]);
    expect(counted.rows).toEqual([{ n: 2 }]);
  });

  test('--url: the statements run on a ledgerdb serve server, with its token from LEDGERDB_TOKEN or --token-file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ledgerdb-query-serve-'));
    const tokens = join(dir, 'tokens.json');
    const writer = await createToken(tokens, 'writer', parseRoles(['read:shipments', 'write:shipments']));
    const admin = await createToken(tokens, 'admin', parseRoles(['admin', 'read:*', 'write:*']));
    const tokenFile = join(dir, 'admin.token');
    await writeFile(tokenFile, `${admin.token}\n`);
    const server = await startServe(['--db', join(dir, 'served.ledger'), '--tokens', tokens, '--port', '0']);
    try {
      const url = ['--url', server.url];
      expect((await ledgerdb(['query', 'CREATE TABLE shipments', ...url, '--token-file', tokenFile])).code).toBe(0);
      const io = { ...collectingIo(), env: { LEDGERDB_TOKEN: writer.token } };
      expect(await runLedgerdbCli(['query', "INSERT INTO shipments VALUE {'sku': 'S-1'}", ...url, '--json'], io)).toBe(
        0,
      );
      const read = { ...collectingIo(), env: { LEDGERDB_TOKEN: writer.token } };
      expect(await runLedgerdbCli(['query', 'SELECT VALUE s.sku FROM shipments AS s', ...url, '--json'], read)).toBe(0);
      expect(JSON.parse(read.out.join('')).rows).toEqual(['S-1']);
      const denied = { ...collectingIo(), env: { LEDGERDB_TOKEN: writer.token } };
      expect(await runLedgerdbCli(['query', 'CREATE TABLE other', ...url], denied)).toBe(1);
      expect(denied.err.join('')).toMatch(/^ledgerdb query: .*admin.* \[PERMISSION_DENIED\]\n$/);
      const noToken = await ledgerdb(['query', 'SELECT 1', ...url]);
      expect(noToken.code).toBe(2);
      expect(noToken.stderr).toMatch(/LEDGERDB_TOKEN/);
      const both = await ledgerdb(['query', 'SELECT 1', ...url, '--db', join(dir, 'served.ledger')]);
      expect(both.code).toBe(2);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the REPL on a real terminal (a pty from script(1)): prompts, multi-line statements, history by the up arrow', async () => {
    const db = await newLedger();
    await insert(db, { sku: 'T-1' });
    const history = join(directory, 'pty-history');
    const command = [process.execPath, bin, 'query', ...db].map((part) => `'${part}'`).join(' ');
    const { spawn } = await import('node:child_process');
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { ...process.env, LEDGERDB_HISTORY: history, DATABASE_URL: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const waitFor = async (pattern: RegExp, from: number) => {
      const deadline = Date.now() + 30_000;
      while (!pattern.test(output.slice(from))) {
        if (Date.now() > deadline) throw new Error(`no ${pattern} in ${JSON.stringify(output)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await waitFor(/ledgerdb> /, 0);
    let mark = output.length;
    child.stdin.write('SELECT VALUE s.sku\r');
    await waitFor(/ {5}\.\.\.> /, mark);
    mark = output.length;
    child.stdin.write('  FROM shipments AS s;\r');
    await waitFor(/T-1\r?\n\(1 row\)[\s\S]*ledgerdb> /, mark);
    mark = output.length;
    // The up arrow brings the whole statement back as one line; Enter runs it again.
    child.stdin.write('\u001b[A\r');
    await waitFor(/SELECT VALUE s\.sku FROM shipments AS s;[\s\S]*T-1\r?\n\(1 row\)[\s\S]*ledgerdb> /, mark);
    child.stdin.write('.exit\r');
    expect(await exited).toBe(0);
    expect(await readFile(history, 'utf8')).toBe(
      'SELECT VALUE s.sku FROM shipments AS s;\nSELECT VALUE s.sku FROM shipments AS s;\n',
    );
  });
});
