// `ledgerdb query`: PartiQL from the command line through the QLDB-style driver, on an
// embedded ledger (--db, --postgres) or a `ledgerdb serve` server (--url): one statement,
// the statements of a file or of standard input, or a REPL.
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { InvalidArgumentError, isLedgerError, type JsonValue, LedgerError } from '@ledgerkit/core';
import { Command } from 'commander';
import type { dom } from 'ion-js';
import { ionJs } from '../internal/ion-module.js';
import type { LedgerDatabase } from '../ledger-database.js';
import type { LedgerDriver } from '../partiql/driver.js';
import { endsStatement, type ScriptStatement, splitStatements } from '../partiql/script.js';
import { addDatabaseOptions, type DatabaseOptions, openDatabase } from './commands.js';
import { messageOf, readInput, readOptionFile } from './inputs.js';
import type { CliIo } from './io.js';
import { exitCodes, printJsonLine, printTable } from './output.js';
import { addCommonOptions, cliAction, commandPath, mergedOptions, reportError, withExamples } from './program.js';

interface QueryOptions extends DatabaseOptions {
  file?: string;
  param: string[];
  interactive?: boolean;
  url?: string;
  tokenFile?: string;
}

const prompt = 'ledgerdb> ';
const continuation = '     ...> ';
const historyLimit = 500;

const replHelp = `Statements end with ; and may span lines. Each runs in its own transaction.
  .tables   the active tables
  .help     this text
  .exit     leave (or Ctrl-D)
`;

/**
 * The `query` command.
 *
 * @param io - where it writes and reads
 * @returns the command
 */
export function createQueryCommand(io: CliIo): Command {
  const command = addCommonOptions(
    addDatabaseOptions(
      new Command('query')
        .description(
          "Run PartiQL (QLDB's dialect): a statement, a file of them, standard input, or a REPL when none is given",
        )
        .argument('[statement]', 'a PartiQL statement; - reads statements (each ended by ;) from standard input')
        .option('-f, --file <file>', 'run the statements of this file, each ended by ;')
        .option(
          '--param <value>',
          'a value for the next ? of the statement, as Ion text (JSON is Ion; a bare word is a string); repeat per ?',
          (value: string, previous: string[]) => [...previous, value],
          [],
        )
        .option('-i, --interactive', 'start the REPL even when standard input is not a terminal')
        .option(
          '--url <url>',
          'run the statements on a `ledgerdb serve` server (token: $LEDGERDB_TOKEN or --token-file)',
        )
        .option('--token-file <file>', 'the server token (ldb_...), read from this file'),
    ),
  );
  command.addHelpText(
    'after',
    `
Output: a table per statement, or under --json one JSON line per statement:
  {"statement": "...", "rows": [...]}
Each statement is one transaction; a file or standard input stops at the first error.
The REPL keeps its history in $LEDGERDB_HISTORY (default ~/.ledgerdb_history; empty: none).`,
  );
  withExamples(command, [
    `"SELECT * FROM Person AS p WHERE p.GovId = ?" --param LEWISR261LL --db dmv.ledger`,
    `"INSERT INTO Person ?" --param '{"FirstName": "Raul"}' --db dmv.ledger --json`,
    '--file statements.partiql --postgres postgres://ledger@db/ledger',
    '- --db dmv.ledger < statements.partiql',
    '--url https://ledger.example.com:8443 --token-file token.txt',
    '--db dmv.ledger',
  ]);
  command.action(
    cliAction(io, async (statement: string | undefined, _local: unknown, self: Command) => {
      const options = mergedOptions<QueryOptions>(self);
      const where = commandPath(self);
      const json = options.json === true;
      const params = options.param.map((text, i) => parseParam(text, i));
      if (statement !== undefined && options.file !== undefined) {
        throw new InvalidArgumentError('--file', 'give a statement or --file, not both');
      }
      const interactive =
        options.interactive === true ||
        (statement === undefined && options.file === undefined && io.stdinIsTty === true);
      if (interactive && (statement !== undefined || options.file !== undefined)) {
        throw new InvalidArgumentError('--interactive', '--interactive takes no statement and no --file');
      }
      if (interactive && params.length > 0) {
        throw new InvalidArgumentError('--param', '--param needs a statement (the REPL takes no parameters)');
      }
      if (!interactive && statement === undefined && options.file === undefined && io.readStdin === undefined) {
        throw new InvalidArgumentError('statement', 'give a statement, --file FILE, or - for standard input');
      }
      let script: ScriptStatement[] | undefined;
      if (!interactive) {
        const text =
          options.file !== undefined
            ? await readOptionFile(options.file, '--file')
            : statement === undefined || statement === '-'
              ? await readInput('-', 'statement', io)
              : statement;
        script = splitStatements(text);
        if (script.length === 0) throw new InvalidArgumentError('statement', 'there is no statement to run');
        if (params.length > 0 && script.length > 1) {
          throw new InvalidArgumentError('--param', `--param applies to one statement; there are ${script.length}`);
        }
      }
      const target = await openTarget(options, io);
      try {
        if (interactive) return await repl(io, target.driver, json, where);
        for (const [i, entry] of (script as ScriptStatement[]).entries()) {
          let rows: readonly JsonValue[];
          try {
            rows = (await target.driver.execute(entry.text, ...params)).rows;
          } catch (error) {
            throw (script as ScriptStatement[]).length > 1 ? atStatement(error, i, entry) : error;
          }
          printResult(io, entry.text, rows, json);
        }
        return exitCodes.ok;
      } finally {
        await target.close();
      }
    }),
  );
  return command;
}

/** A `--param` value: Ion text, so JSON, timestamps and bare words (symbols, taken as strings) all work. */
function parseParam(text: string, position: number): dom.Value {
  let value: dom.Value | null;
  try {
    value = ionJs().load(text);
  } catch (error) {
    throw new InvalidArgumentError('--param', `--param ${position + 1} is not Ion text: ${messageOf(error)}`);
  }
  if (value === null) throw new InvalidArgumentError('--param', `--param ${position + 1} is empty`);
  return value;
}

/** The driver over what the options name, and how to let it go. */
async function openTarget(options: QueryOptions, io: CliIo): Promise<{ driver: LedgerDriver; close(): Promise<void> }> {
  // Loaded here: --help and bad input need neither the parser nor node:sqlite.
  const { LedgerDriver } = await import('../partiql/driver.js');
  if (options.url !== undefined) {
    for (const [key, flag] of [
      ['db', '--db'],
      ['postgres', '--postgres'],
      ['schema', '--schema'],
      ['signingKey', '--signing-key'],
    ] as const) {
      if (options[key] !== undefined) throw new InvalidArgumentError(flag, `--url runs on the server; drop ${flag}`);
    }
    const token =
      options.tokenFile !== undefined
        ? (await readOptionFile(options.tokenFile, '--token-file')).trim()
        : io.env?.LEDGERDB_TOKEN;
    if (!token) {
      throw new InvalidArgumentError('--token-file', '--url needs a token: set LEDGERDB_TOKEN or give --token-file');
    }
    const { LedgerdbClient } = await import('../client/client.js');
    const client = await LedgerdbClient.connect({ url: options.url, token });
    return { driver: new LedgerDriver(client), close: () => client.close() };
  }
  if (options.tokenFile !== undefined) throw new InvalidArgumentError('--token-file', '--token-file needs --url');
  const ledger: LedgerDatabase = await openDatabase('query', 'existing', options, io);
  return { driver: new LedgerDriver(ledger), close: () => ledger.close() };
}

/** An error of one statement of several, naming which one and its line. */
function atStatement(error: unknown, index: number, entry: ScriptStatement): unknown {
  if (!isLedgerError(error)) return error;
  return new LedgerError(error.code, `statement ${index + 1} (line ${entry.line}): ${error.shortMessage}`, {
    details: { ...error.details, statement: index + 1, line: entry.line },
    cause: error,
  });
}

function printResult(io: CliIo, statement: string, rows: readonly JsonValue[], json: boolean): void {
  if (json) {
    printJsonLine(io, { statement, rows });
    return;
  }
  if (rows.length === 0) {
    io.stdout('(no rows)\n');
    return;
  }
  const isStruct = (row: JsonValue) => row !== null && typeof row === 'object' && !Array.isArray(row);
  if (rows.every(isStruct)) {
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row as object)))];
    printTable(
      io,
      columns,
      rows.map((row) => columns.map((column) => (row as Record<string, JsonValue>)[column])),
    );
  } else {
    printTable(
      io,
      ['VALUE'],
      rows.map((row) => [row]),
    );
  }
  io.stdout(`(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})\n`);
}

/**
 * The REPL: statements end with `;` and may span lines; each runs in its own transaction
 * and an error is reported without ending the session. Ends at `.exit` or end of input.
 */
async function repl(io: CliIo, driver: LedgerDriver, json: boolean, where: string): Promise<number> {
  if (io.stdin === undefined) throw new InvalidArgumentError('--interactive', 'there is no standard input to read');
  const historyFile = io.env?.LEDGERDB_HISTORY ?? join(homedir(), '.ledgerdb_history');
  const history = historyFile === '' ? [] : await readHistory(historyFile);
  const terminal = io.stdinIsTty === true;
  const output = new Writable({
    write(chunk, _encoding, done) {
      // Under --json stdout holds JSON lines only: no prompts, no echo.
      if (!json) io.stdout(String(chunk));
      done();
    },
  });
  const lines = createInterface({ input: io.stdin, output, terminal, history, historySize: historyLimit, prompt });
  const added: string[] = [];
  // The input can end while a statement runs; readline then refuses to prompt.
  let closed = false;
  lines.on('close', () => {
    closed = true;
  });
  const ask = (text: string) => {
    if (closed) return;
    lines.setPrompt(text);
    lines.prompt();
  };
  if (!json) io.stdout(`PartiQL (QLDB's dialect). ${replHelp.split('\n')[0]} .help for help.\n`);
  let buffer = '';
  let bufferLines = 0;
  const run = async (text: string) => {
    const oneLine = text.replace(/\s*\n\s*/g, ' ');
    added.push(oneLine);
    if (terminal && bufferLines > 1) {
      // The statement as one history entry instead of its lines.
      const kept = (lines as unknown as { history: string[] }).history;
      kept.splice(0, bufferLines, oneLine);
    }
    for (const entry of splitStatements(text)) {
      try {
        printResult(io, entry.text, (await driver.execute(entry.text)).rows, json);
      } catch (error) {
        reportError(io, where, error);
      }
    }
  };
  ask(prompt);
  for await (const line of lines) {
    if (buffer === '' && line.trim().startsWith('.')) {
      const command = line.trim();
      if (command === '.exit' || command === '.quit') break;
      if (command === '.help') io.stdout(replHelp);
      else if (command === '.tables') {
        try {
          const names = await driver.getTableNames();
          io.stdout(names.length === 0 ? '(no tables)\n' : `${names.sort().join('\n')}\n`);
        } catch (error) {
          reportError(io, where, error);
        }
      } else {
        reportError(io, where, new InvalidArgumentError('command', `unknown command ${command}; .help lists them`));
      }
      ask(prompt);
      continue;
    }
    buffer = buffer === '' ? line : `${buffer}\n${line}`;
    bufferLines++;
    if (buffer.trim() === '' || !endsStatement(buffer)) {
      if (buffer.trim() === '') {
        buffer = '';
        bufferLines = 0;
      }
      ask(buffer === '' ? prompt : continuation);
      continue;
    }
    const text = buffer;
    buffer = '';
    await run(text);
    bufferLines = 0;
    ask(prompt);
  }
  // End of input in the middle of a statement: run what was typed.
  if (buffer.trim() !== '') await run(buffer);
  lines.close();
  if (!json && terminal) io.stdout('\n');
  if (historyFile !== '' && added.length > 0) await saveHistory(historyFile, added);
  return exitCodes.ok;
}

/** History entries, newest first (as readline wants them). */
async function readHistory(path: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8'))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .slice(-historyLimit)
      .reverse();
  } catch {
    return [];
  }
}

/** Appends the session's statements, keeping the file to its last entries. */
async function saveHistory(path: string, added: readonly string[]): Promise<void> {
  try {
    await appendFile(path, `${added.join('\n')}\n`, { mode: 0o600 });
    const all = (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim() !== '');
    if (all.length > historyLimit) await writeFile(path, `${all.slice(-historyLimit).join('\n')}\n`);
  } catch {
    // History is a convenience: a read-only home directory does not fail the session.
  }
}
