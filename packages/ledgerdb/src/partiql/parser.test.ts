import { isLedgerError, type LedgerError } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import { PartiqlSyntaxError } from './errors.js';
import { maxStatementLength, parseStatement } from './parser.js';

function failure(text: string): LedgerError {
  try {
    parseStatement(text);
  } catch (error) {
    if (isLedgerError(error)) return error;
    throw error;
  }
  throw new Error(`parsed: ${text}`);
}

describe('statements', () => {
  test.each([
    ['CREATE TABLE VehicleRegistration', 'createTable'],
    ['CREATE INDEX ON VehicleRegistration (VIN)', 'createIndex'],
    ['DROP TABLE Vehicle', 'dropTable'],
    ['UNDROP TABLE "Vehicle"', 'undropTable'],
    ["INSERT INTO Vehicle VALUE {'VIN': 'x'}", 'insert'],
    ["INSERT INTO Vehicle << {'VIN': 'x'}, {'VIN': 'y'} >>", 'insert'],
    ['INSERT INTO Vehicle ?', 'insert'],
    ['SELECT * FROM Vehicle', 'select'],
    ["UPDATE Vehicle AS v SET v.Color = 'Red' WHERE v.VIN = ?", 'dml'],
    ["DELETE FROM Vehicle AS v WHERE v.VIN = 'x'", 'dml'],
    ['FROM Vehicle AS v WHERE v.VIN = ? INSERT INTO v.Tags VALUE ?', 'dml'],
    ['FROM Vehicle AS v WHERE v.VIN = ? SET v.Color = ?', 'dml'],
    ['FROM Vehicle AS v WHERE v.VIN = ? REMOVE v.Color', 'dml'],
    ["EXEC redact_revision ?, 'tableId', 'documentId'", 'exec'],
    ['EXPLAIN SELECT * FROM Vehicle', 'explain'],
    ['select * from Vehicle;', 'select'],
  ])('%s is a %s statement', (text, kind) => {
    expect(parseStatement(text).statement.kind).toBe(kind);
  });

  test('parameters are counted in order', () => {
    const { statement, params } = parseStatement('SELECT * FROM t AS x WHERE x.a = ? AND x.b IN (?, ?)');
    expect(params).toBe(3);
    expect(JSON.stringify(statement)).toContain('"index":2');
  });

  test('FROM classifies tables, the committed view, history, the catalog and unnesting', () => {
    const from = (text: string) => {
      const { statement } = parseStatement(text);
      if (statement.kind !== 'select') throw new Error('not a select');
      return statement.from.map((item) => ({ kind: item.source.kind, alias: item.alias, at: item.at, by: item.by }));
    };
    expect(from('SELECT * FROM Vehicle')).toEqual([{ kind: 'table', alias: 'Vehicle', at: undefined, by: undefined }]);
    expect(from('SELECT * FROM Vehicle v BY vid')).toEqual([{ kind: 'table', alias: 'v', at: undefined, by: 'vid' }]);
    expect(from('SELECT * FROM _ql_committed_Vehicle AS c')[0]?.kind).toBe('committed');
    expect(from('SELECT * FROM history(Vehicle, `2019-01-01T`, `2020-01-01T`) AS h')[0]?.kind).toBe('history');
    expect(from("SELECT * FROM history('Vehicle') AS h")[0]?.kind).toBe('history');
    expect(from('SELECT * FROM information_schema.user_tables')[0]?.kind).toBe('userTables');
    expect(from('SELECT * FROM Vehicle AS v, @v.Tags AS t AT i')[1]).toEqual({
      kind: 'unnest',
      alias: 't',
      at: 'i',
      by: undefined,
    });
    expect(from('SELECT * FROM Vehicle AS v, v.Tags AS t')[1]?.kind).toBe('unnest');
    expect(from('SELECT * FROM a AS x INNER JOIN b AS y ON x.k = y.k').map((item) => item.kind)).toEqual([
      'table',
      'table',
    ]);
  });

  test('operator precedence: NOT binds tighter than AND, AND tighter than OR', () => {
    const { statement } = parseStatement('SELECT * FROM t WHERE NOT a = 1 AND b = 2 OR c = 3');
    if (statement.kind !== 'select') throw new Error('not a select');
    expect(statement.where).toMatchObject({
      kind: 'binary',
      op: 'OR',
      left: { kind: 'binary', op: 'AND', left: { kind: 'unary', op: 'NOT' } },
    });
  });

  test('paths with fields, indexes, quoted names and keywords as field names', () => {
    const { statement } = parseStatement('SELECT r.a.b[0].c, r["q"], r.value, r."sp ace" FROM t AS r');
    if (statement.kind !== 'select' || statement.projection.kind !== 'items') throw new Error('not a list');
    expect(statement.projection.items[0]?.expr).toEqual({
      kind: 'path',
      base: { kind: 'var', name: 'r', at: false },
      steps: [
        { kind: 'field', name: 'a' },
        { kind: 'field', name: 'b' },
        { kind: 'index', expr: { kind: 'literal', value: 0 } },
        { kind: 'field', name: 'c' },
      ],
    });
    expect(statement.projection.items[2]?.expr).toMatchObject({ steps: [{ kind: 'field', name: 'value' }] });
    expect(statement.projection.items[3]?.expr).toMatchObject({ steps: [{ kind: 'field', name: 'sp ace' }] });
  });

  test('Ion literals in backticks become JSON values; timestamps ISO 8601 strings', () => {
    const { statement } = parseStatement("INSERT INTO t VALUE {'d': `2017-08-21T`, 's': `{a: 1.5, b: [x, \"y\"]}`}");
    if (statement.kind !== 'insert') throw new Error('not an insert');
    expect(statement.value).toMatchObject({
      fields: [
        { value: { kind: 'literal', value: '2017-08-21T00:00:00.000Z' } },
        { value: { kind: 'literal', value: { a: 1.5, b: ['x', 'y'] } } },
      ],
    });
  });

  test("strings double their quotes: 'O''Brien'", () => {
    const { statement } = parseStatement("SELECT * FROM t WHERE name = 'O''Brien'");
    expect(JSON.stringify(statement)).toContain("O'Brien");
  });
});

describe('errors', () => {
  test('a misspelt keyword names line, column, what was found and the expected token', () => {
    const error = failure('SELECT *\n  FORM Vehicle');
    expect(error).toBeInstanceOf(PartiqlSyntaxError);
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.details).toMatchObject({ line: 2, column: 3, found: 'FORM', expected: ["'FROM'"] });
    expect(error.message).toContain('line 2, column 3');
  });

  test('a statement that ends early points past its last token and lists what may follow', () => {
    const error = failure('SELECT * FROM t WHERE');
    expect(error.details).toMatchObject({ line: 1, column: 22, found: '' });
    expect(error.details.expected).toEqual(expect.arrayContaining(['an identifier', 'a string', "'?'"]));
  });

  test('trailing input after a complete statement', () => {
    const error = failure('DROP TABLE t t2');
    expect(error.details).toMatchObject({ line: 1, column: 14, found: 't2', expected: ['the end of the statement'] });
  });

  test('an unterminated string is a typed error at its opening quote', () => {
    const error = failure("SELECT * FROM t\nWHERE a = 'x");
    expect(error.details).toMatchObject({ line: 2, column: 11, expected: ["a closing '"] });
  });

  test('a character outside the language', () => {
    expect(failure('SELECT # FROM t').details).toMatchObject({ line: 1, column: 8, found: '#' });
  });

  test('an invalid Ion literal', () => {
    expect(failure('SELECT * FROM t WHERE a = `{{{`').details).toMatchObject({
      column: 27,
      expected: ['an Ion value'],
    });
  });

  test('Ion values without an exact JSON form are refused, not rounded', () => {
    for (const literal of ['`{{aGVsbG8=}}`', '`123456789012345678901234567890`', '`nan`', '`+inf`']) {
      const error = failure(`SELECT * FROM t WHERE a = ${literal}`);
      expect(error).toBeInstanceOf(PartiqlSyntaxError);
      expect(error.details).toMatchObject({ line: 1, column: 27, found: literal });
    }
    const { statement } = parseStatement('SELECT VALUE `(a 1.5d0 null.int -0e0)` FROM t');
    expect(statement).toMatchObject({ projection: { expr: { kind: 'literal', value: ['a', 1.5, null, 0] } } });
  });

  test('ORDER BY, GROUP BY, LIMIT and outer joins are not QLDB and answer UNSUPPORTED with the position', () => {
    for (const [text, column] of [
      ['SELECT * FROM t ORDER BY a', 17],
      ['SELECT * FROM t GROUP BY a', 17],
      ['SELECT * FROM t LIMIT 1', 17],
      ['SELECT * FROM a LEFT JOIN b ON a.x = b.x', 17],
    ] as const) {
      const error = failure(text);
      expect(error.code).toBe('UNSUPPORTED');
      expect(error.details).toMatchObject({ line: 1, column });
    }
  });

  test('QLDB limits a statement to 100,000 characters', () => {
    const long = `SELECT * FROM t WHERE a = '${'x'.repeat(maxStatementLength)}'`;
    expect(failure(long).code).toBe('LIMIT_EXCEEDED');
  });

  test('history() needs a table name', () => {
    expect(failure('SELECT * FROM history(1) AS h').details).toMatchObject({ expected: ['a table name'] });
  });
});
