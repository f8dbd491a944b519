import { isLedgerError } from '@ledgerkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type LedgerDatabase, openLedgerDatabase as openLedger } from '../ledger-database.js';
import { LedgerDriver } from './driver.js';
import { PartiqlSyntaxError } from './errors.js';
import { keywordNames } from './lexer.js';
import { parseStatement } from './parser.js';

// Grammar fuzzing: random token soups, statements generated from the grammar, and mutations
// of both. Whatever the input, the parser either returns a statement or throws a typed
// error; syntax errors point inside the text and say what was expected. Generated
// statements also run against a real ledger, where every failure must be a LedgerError.

const typedCodes = new Set(['INVALID_ARGUMENT', 'UNSUPPORTED', 'LIMIT_EXCEEDED']);

function checkParse(text: string): void {
  try {
    parseStatement(text);
  } catch (error) {
    if (!isLedgerError(error) || !typedCodes.has(error.code)) throw error;
    if (error instanceof PartiqlSyntaxError) {
      const lines = text.split(/\r\n|\r|\n/);
      expect(error.line).toBeGreaterThanOrEqual(1);
      expect(error.line).toBeLessThanOrEqual(lines.length);
      expect(error.column).toBeGreaterThanOrEqual(1);
      expect(error.column).toBeLessThanOrEqual((lines[error.line - 1]?.length ?? 0) + 1);
      expect(error.expected.length).toBeGreaterThan(0);
    }
  }
}

// Every keyword of the lexer, then words and tokens that are not keywords.
const words = [
  ...keywordNames,
  'history',
  'UPPER',
  'DATE_ADD',
  'year',
  't',
  'x',
  'y',
  'information_schema',
  'user_tables',
  '_ql_committed_t',
  '"q"',
  "'s'",
  "'it''s'",
  '`2019-01-01T`',
  '`{a: 1}`',
  '`bad',
  '42',
  '1.5e3',
  '?',
  '*',
  '.',
  ',',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '<<',
  '>>',
  ':',
  ';',
  '=',
  '<>',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '+',
  '-',
  '/',
  '%',
  '||',
  '@',
  '--c\n',
  '/* c */',
  '\n',
  '#',
  '"',
];

const soup = fc.array(fc.constantFrom(...words), { maxLength: 30 }).map((tokens) => tokens.join(' '));

const name = fc.constantFrom('t', 'u', 'x', 'y', 'n', 'tags', 'a', '"q r"');
const literal = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.constantFrom("'a'", "'b'", "''", 'NULL', 'MISSING', 'TRUE', 'FALSE', '`2020-01-01T`', '?', '[1, 2]', '<<3>>'),
);
const { expr } = fc.letrec<{ expr: string; path: string }>((tie) => ({
  path: fc
    .tuple(
      fc.constantFrom('x', 'y', '@x', 'n'),
      fc.array(
        fc.oneof(
          name.map((n) => `.${n}`),
          fc.constantFrom('[0]', "['a']"),
        ),
        { maxLength: 3 },
      ),
    )
    .map(([base, steps]) => base + steps.join('')),
  // Composite expressions are parenthesized: SQL does not let `NOT a` or `a IS NULL` be an
  // operand of a comparison without parentheses.
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal,
    tie('path'),
    fc
      .tuple(tie('expr'), fc.constantFrom('=', '<>', '<', '>=', 'AND', 'OR', '+', '||', '*'), tie('expr'))
      .map((p) => `(${p.join(' ')})`),
    tie('expr').map((e) => `(NOT ${e})`),
    fc.tuple(tie('expr'), fc.constantFrom('IS NULL', 'IS NOT MISSING')).map((p) => `(${p.join(' ')})`),
    fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([a, b, c]) => `(${a} BETWEEN ${b} AND ${c})`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `(${a} IN (${b}, 1))`),
    fc.tuple(tie('expr'), fc.constantFrom("'a%'", "'_'", '?')).map(([a, b]) => `(${a} LIKE ${b})`),
    fc
      .tuple(fc.constantFrom('UPPER', 'SIZE', 'EXISTS', 'COALESCE', 'CHAR_LENGTH'), tie('expr'))
      .map(([f, a]) => `${f}(${a})`),
    tie('expr').map((e) => `{'k': ${e}}`),
  ),
}));

const select = fc
  .tuple(
    fc.constantFrom('*', 'VALUE x', 'x.n AS n, y', 'COUNT(*)', 'VALUE x.tags'),
    fc.constantFrom(
      't AS x',
      't AS x BY id',
      't AS x, @x.tags AS y AT i',
      't AS x INNER JOIN u AS y ON x.n = y.n',
      'history(t) AS x',
      '_ql_committed_t AS x',
      'information_schema.user_tables AS x',
    ),
    fc.option(expr, { nil: undefined }),
  )
  .map(([projection, from, where]) => `SELECT ${projection} FROM ${from}${where ? ` WHERE ${where}` : ''}`);
const dml = fc.oneof(
  fc.tuple(expr, expr).map(([v, w]) => `UPDATE t AS x SET x.n = ${v} WHERE ${w}`),
  expr.map((w) => `DELETE FROM t AS x WHERE ${w}`),
  expr.map((w) => `FROM t AS x WHERE ${w} INSERT INTO x.tags VALUE 1`),
  expr.map((w) => `FROM t AS x WHERE ${w} REMOVE x.a`),
  expr.map((v) => `INSERT INTO t VALUE {'n': ${v}, 'tags': []}`),
  fc.constant('INSERT INTO t ?'),
);
const statement = fc.oneof(
  select,
  dml,
  select.map((s) => `EXPLAIN ${s}`),
);

/** Deletes, duplicates, swaps or replaces tokens, or cuts the text. */
const mutated = fc
  .tuple(
    statement,
    fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...words), fc.nat(4)), { minLength: 1, maxLength: 4 }),
  )
  .map(([text, edits]) => {
    const tokens = text.split(' ');
    for (const [i, j, word, kind] of edits) {
      const a = i % tokens.length;
      const b = j % tokens.length;
      if (kind === 0) tokens.splice(a, 1);
      else if (kind === 1) tokens.splice(a, 0, tokens[b] as string);
      else if (kind === 2) [tokens[a], tokens[b]] = [tokens[b] as string, tokens[a] as string];
      else if (kind === 3) tokens[a] = word;
      else tokens.splice(a);
    }
    return tokens.join(' ');
  });

describe('grammar fuzzing', () => {
  test('random token sequences: a statement or a typed error', () => {
    fc.assert(
      fc.property(soup, (text) => checkParse(text)),
      { numRuns: 3000 },
    );
  });

  test('random characters: a statement or a typed error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => checkParse(text)),
      { numRuns: 2000 },
    );
  });

  test('statements from the grammar parse', () => {
    fc.assert(
      fc.property(statement, (text) => {
        expect(() => parseStatement(text)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  test('mutated statements: a statement or a typed error', () => {
    fc.assert(
      fc.property(mutated, (text) => checkParse(text)),
      { numRuns: 3000 },
    );
  });

  describe('executing generated statements', () => {
    let ledger: LedgerDatabase;
    let driver: LedgerDriver;

    beforeAll(async () => {
      ledger = await openLedger({ name: 'fuzz' });
      driver = new LedgerDriver(ledger);
      await driver.execute('CREATE TABLE t');
      await driver.execute('CREATE TABLE u');
      await driver.execute('CREATE INDEX ON t (n)');
      await driver.execute('INSERT INTO t ?', [
        { n: 1, a: 'a', tags: [1, 'x'] },
        { n: 2, a: null, tags: [] },
        { n: 'two', q: { r: 1 } },
      ]);
      await driver.execute("INSERT INTO u << {'n': 1}, {'n': 'two'} >>");
    });

    afterAll(async () => {
      await ledger.close();
    });

    test('every failure is a LedgerError', async () => {
      await fc.assert(
        fc.asyncProperty(statement, fc.jsonValue({ maxDepth: 2 }), async (text, param) => {
          const params = Array.from({ length: parseStatement(text).params }, () => param);
          try {
            await driver.executeLambda((txn) => txn.execute(text, ...params), { retryLimit: 0 });
          } catch (error) {
            if (!isLedgerError(error)) throw error;
          }
        }),
        { numRuns: 600 },
      );
      // The ledger is still whole afterwards.
      expect(await ledger.audit()).toMatchObject({ ok: true });
    });
  });
});
