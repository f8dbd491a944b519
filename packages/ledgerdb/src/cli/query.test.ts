// `ledgerdb query` in-process: its REPL driven through a pipe (-i), statements from standard
// input and a file, and its output. test/cli.test.ts runs it as a process, over a real pty too.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { CliIo } from './io.js';
import { runLedgerdbCli } from './run.js';

let directory: string;
let db: string[];

function io(stdin?: string, env: Record<string, string> = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const stream = new PassThrough();
  if (stdin !== undefined) stream.end(stdin);
  return {
    out,
    err,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    ...(stdin === undefined ? {} : { readStdin: async () => stdin, stdin: stream }),
    stdinIsTty: false,
    env: { LEDGERDB_HISTORY: join(directory, 'history'), ...env },
  };
}

async function query(args: string[], stdin?: string) {
  const each = io(stdin);
  const code = await runLedgerdbCli(['query', ...args, ...db], each);
  return { code, stdout: each.out.join(''), stderr: each.err.join('') };
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'ledgerdb-query-'));
  db = ['--db', join(directory, 'cars.ledger')];
  expect(await runLedgerdbCli(['create-table', 'Car', ...db], io())).toBe(0);
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('the REPL (-i, over a pipe)', () => {
  test('runs statements spanning lines, reports an error and goes on, answers .tables and .help', async () => {
    // Typed line by line, each after the prompt it answers, as a person would.
    const session = io('');
    const input = new PassThrough();
    session.stdin = input;
    const running = runLedgerdbCli(['query', '-i', ...db], session);
    const output = () => session.out.join('');
    const prompts = () => output().split(/ledgerdb> | {5}\.\.\.> /).length - 1;
    const type = async (line: string) => {
      const before = prompts();
      input.write(`${line}\n`);
      await vi.waitFor(() => expect(prompts()).toBeGreaterThan(before));
    };
    await vi.waitFor(() => expect(prompts()).toBe(1));
    await type("INSERT INTO Car VALUE {'vin': 'R1',");
    expect(output().endsWith('     ...> ')).toBe(true);
    await type("  'make': 'Audi'};");
    expect(output()).toMatch(/documentId\n[0-9A-Za-z]{22}\n\(1 row\)\nledgerdb> $/);
    await type('.tables');
    expect(output().endsWith('Car\nledgerdb> ')).toBe(true);
    await type('SELECT * FROM Nope;');
    expect(session.err.join('')).toBe('ledgerdb query: table Nope does not exist [NOT_FOUND]\n');
    await type('.help');
    expect(output()).toContain('.exit     leave');
    await type("SELECT c.make FROM Car AS c WHERE c.vin = 'R1';");
    expect(output()).toMatch(/make\nAudi\n\(1 row\)\nledgerdb> $/);
    input.write('.exit\nSELECT * FROM Car;\n');
    expect(await running).toBe(0);
    // Nothing after .exit ran: one document, inserted once.
    expect((await query(['SELECT COUNT(*) AS n FROM Car'])).stdout).toContain('n\n1\n');
    const history = await readFile(join(directory, 'history'), 'utf8');
    expect(history).toContain("INSERT INTO Car VALUE {'vin': 'R1', 'make': 'Audi'};\n");
    expect(history).toContain('SELECT * FROM Nope;\n');
  });

  test('under --json it writes JSON lines only, no prompts; a statement cut off by the end of input still runs', async () => {
    const run = await query(
      ['-i', '--json'],
      "SELECT VALUE c.vin FROM Car AS c WHERE c.vin = 'R1';\nSELECT VALUE 1 FROM Car AS c",
    );
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { statement: "SELECT VALUE c.vin FROM Car AS c WHERE c.vin = 'R1'", rows: ['R1'] },
      { statement: 'SELECT VALUE 1 FROM Car AS c', rows: [1] },
    ]);
  });

  test('-i with a statement, or --param in the REPL, is bad input', async () => {
    expect((await query(['-i', 'SELECT * FROM Car'], '')).code).toBe(2);
    const param = await query(['-i', '--param', '1'], '');
    expect(param.code).toBe(2);
    expect(param.stderr).toMatch(/--param needs a statement/);
  });
});

describe('statements from standard input and files', () => {
  test('- runs each statement in turn; the first error stops the run and names the statement and line', async () => {
    const run = await query(
      ['-'],
      "INSERT INTO Car VALUE {'vin': 'S1'};\nSELECT VALUE c.vin\n FROM Car AS c WHERE c.vin = 'S1';\n\nSELEC 1;\nINSERT INTO Car VALUE {'vin': 'never'};",
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('S1\n(1 row)');
    expect(run.stderr).toMatch(/^ledgerdb query: statement 3 \(line 5\): .*found 'SELEC'.* \[INVALID_ARGUMENT\]\n$/);
    expect((await query(["SELECT * FROM Car AS c WHERE c.vin = 'never'"])).stdout).toBe('(no rows)\n');
  });

  test('--file runs a file; with no statement and no terminal, standard input is read', async () => {
    const file = join(directory, 'statements.partiql');
    await writeFile(file, "-- cars\nSELECT COUNT(*) AS n FROM Car AS c WHERE c.vin = 'S1';\n");
    expect(JSON.parse((await query(['--file', file, '--json'])).stdout)).toEqual({
      statement: "SELECT COUNT(*) AS n FROM Car AS c WHERE c.vin = 'S1'",
      rows: [{ n: 1 }],
    });
    const piped = await query(['--json'], "SELECT VALUE c.vin FROM Car AS c WHERE c.vin = 'S1'");
    expect(JSON.parse(piped.stdout).rows).toEqual(['S1']);
    expect((await query(['SELECT 1', '--file', file])).code).toBe(2);
  });

  test('--param values are Ion text: JSON, timestamps, bare words as strings; more than one statement is refused', async () => {
    const inserted = await query([
      'INSERT INTO Car ?',
      '--param',
      '{vin: "P1", built: 2020-01-02T, tags: ["a"], weight: 1.5e3}',
      '--json',
    ]);
    expect(inserted.code).toBe(0);
    const found = await query([
      'SELECT * FROM Car AS c WHERE c.vin = ? AND c.built = ?',
      '--param',
      'P1',
      '--param',
      '2020-01-02T',
      '--json',
    ]);
    expect(found.stderr).toBe('');
    expect(JSON.parse(found.stdout).rows).toHaveLength(1);
    const byWord = await query(['SELECT * FROM Car AS c WHERE c.vin = ?', '--param', 'P1', '--json']);
    expect(JSON.parse(byWord.stdout).rows).toEqual([
      { vin: 'P1', built: '2020-01-02T00:00:00.000Z', tags: ['a'], weight: 1500 },
    ]);
    const two = await query(['SELECT 1 FROM Car; SELECT 2 FROM Car', '--param', '1']);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/--param applies to one statement; there are 2/);
    const bad = await query(['SELECT * FROM Car AS c WHERE c.vin = ?', '--param', '{unclosed']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--param 1 is not Ion text/);
  });
});
