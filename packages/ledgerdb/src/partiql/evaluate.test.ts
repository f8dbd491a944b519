import { isLedgerError } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import { evaluate, type PartiqlValue } from './evaluate.js';
import { parseStatement } from './parser.js';

const row = {
  name: 'Ann',
  age: 40,
  nested: { list: [{ k: 'a' }, { k: 'b' }], empty: [] },
  nothing: null,
  since: '2017-08-21T00:00:00.000Z',
};

/** Evaluates `expr` with `r` bound to `row` (also reachable unqualified) and the given parameters. */
function value(expr: string, ...params: PartiqlValue[]): PartiqlValue {
  const { statement } = parseStatement(`SELECT VALUE ${expr} FROM t AS r`);
  if (statement.kind !== 'select' || statement.projection.kind !== 'value') throw new Error('not SELECT VALUE');
  return evaluate(
    statement.projection.expr,
    { vars: new Map([['r', row]]), rows: ['r'] },
    { params, now: () => '2026-01-01T00:00:00.000Z' },
  );
}

describe('paths', () => {
  test.each([
    ['r.name', 'Ann'],
    ['name', 'Ann'],
    ['r.nested.list[1].k', 'b'],
    ["r['name']", 'Ann'],
    ['r.nested.list[5]', undefined],
    ['r.missing.deeper', undefined],
    ['r.name.first', undefined],
    ['@r.age', 40],
  ])('%s → %j', (expr, expected) => {
    expect(value(expr)).toEqual(expected);
  });
});

describe('three-valued logic with NULL and MISSING', () => {
  test.each([
    ['r.age = 40', true],
    ['r.age = ?', null],
    ['r.nothing = NULL', null],
    ['r.missing = 1', null],
    ['r.missing IS MISSING', true],
    ['r.missing IS NULL', true],
    ['r.nothing IS MISSING', false],
    ['r.nothing IS NOT NULL', false],
    ['r.age <> 41', true],
    ['NULL AND FALSE', false],
    ['NULL AND TRUE', null],
    ['NULL OR TRUE', true],
    ['NULL OR FALSE', null],
    ['NOT NULL', null],
    ['NOT (r.age = 40)', false],
    ["r.age < 'x'", null],
    ['r.age IN (1, 40)', true],
    ['r.age IN (1, NULL)', null],
    ['r.age NOT IN (1, 2)', true],
    ['r.age IN 40', null],
    ['r.age BETWEEN 30 AND 40', true],
    ['r.age NOT BETWEEN 30 AND 40', false],
    ["r.name BETWEEN 'A' AND 'B'", true],
  ])('%s → %j', (expr, expected) => {
    expect(value(expr, null)).toEqual(expected);
  });
});

describe('LIKE', () => {
  test.each([
    ["'Ann' LIKE 'A%'", true],
    ["'Ann' LIKE 'A_n'", true],
    ["'Ann' LIKE 'a%'", false],
    ["'A.n' LIKE 'A.n'", true],
    ["'Axn' LIKE 'A.n'", false],
    ["'50%' LIKE '50!%' ESCAPE '!'", true],
    ["'500' LIKE '50!%' ESCAPE '!'", false],
    ["'Ann' NOT LIKE 'B%'", true],
    ["1 LIKE '1'", null],
  ])('%s → %j', (expr, expected) => {
    expect(value(expr)).toEqual(expected);
  });
});

describe('arithmetic, strings, constructors', () => {
  test.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['-r.age', -40],
    ['7 % 4', 3],
    ['1 / 0', null],
    ["'a' || 'b'", 'ab'],
    ["1 + 'a'", null],
    ["{'a': 1, 'b': r.missing}", { a: 1 }],
    ['[1, r.missing]', [1, null]],
    ['<<1, 2>>', [1, 2]],
    ['`{a: 2017-08-21T}`', { a: '2017-08-21T00:00:00.000Z' }],
  ])('%s → %j', (expr, expected) => {
    expect(value(expr)).toEqual(expected);
  });
});

describe('functions', () => {
  test.each([
    ['UPPER(r.name)', 'ANN'],
    ['LOWER(r.name)', 'ann'],
    ['UPPER(r.missing)', undefined],
    ['UPPER(1)', null],
    ['CHAR_LENGTH(r.name)', 3],
    ["CHARACTER_LENGTH('ü')", 1],
    ["SUBSTRING('123456789', 0, 3)", '12'],
    ["SUBSTRING('123456789', 5)", '56789'],
    ["SUBSTRING('123456789', 2, 3)", '234'],
    ["TRIM('  x  ')", 'x'],
    ["TRIM(LEADING FROM '  x  ')", 'x  '],
    ["TRIM(TRAILING 'y' FROM 'yxyy')", 'yx'],
    ['SIZE(r.nested.list)', 2],
    ['SIZE(r.nested)', 2],
    ['SIZE(r.missing)', undefined],
    ['EXISTS(r.nested.list)', true],
    ['EXISTS(r.nested.empty)', false],
    ['COALESCE(r.missing, r.nothing, 3)', 3],
    ['COALESCE(r.missing)', null],
    ['NULLIF(1, 1)', null],
    ['NULLIF(1, 2)', 1],
    ['UTCNOW()', '2026-01-01T00:00:00.000Z'],
    ['DATE_ADD(month, 6, r.since)', '2018-02-21T00:00:00.000Z'],
    ['DATE_ADD(day, -21, r.since)', '2017-07-31T00:00:00.000Z'],
    ['DATE_ADD(hour, 1, `2017-01-01T`)', '2017-01-01T01:00:00.000Z'],
    ['DATE_DIFF(month, r.since, `2018-02-20T`)', 6],
    ['DATE_DIFF(year, `2010-01-01T`, `2017-06-01T`)', 7],
    ['DATE_DIFF(second, `2017-01-01T00:00:00Z`, `2017-01-01T00:01:30Z`)', 90],
    ['EXTRACT(MONTH FROM r.since)', 8],
    ['EXTRACT(day FROM r.since)', 21],
    ['EXTRACT(timezone_hour FROM r.since)', 0],
    ["TO_STRING(r.since, 'yyyy-MM-dd')", '2017-08-21'],
    ["TO_STRING(r.since, 'MMM d, yyyy \\'at\\' HH:mm')", 'Aug 21, 2017 at 00:00'],
    ["TO_TIMESTAMP('2017-08-21T10:00:00Z')", '2017-08-21T10:00:00.000Z'],
    ["TO_TIMESTAMP('not a time')", null],
    ['CAST(r.age AS STRING)', '40'],
    ["CAST('12.7' AS INT)", 12],
    ["CAST('1.5' AS DECIMAL)", 1.5],
    ["CAST('true' AS BOOL)", true],
    ["CAST('x' AS INT)", null],
    ["CAST('2017-08-21' AS TIMESTAMP)", '2017-08-21T00:00:00.000Z'],
  ])('%s → %j', (expr, expected) => {
    expect(value(expr.replaceAll("\\'", "''"))).toEqual(expected);
  });

  test.each([
    ['NO_SUCH_FUNCTION(1)', 'INVALID_ARGUMENT'],
    ['UPPER(1, 2)', 'INVALID_ARGUMENT'],
    ['DATE_ADD(fortnight, 1, r.since)', 'INVALID_ARGUMENT'],
    ['SUM(r.age)', 'INVALID_ARGUMENT'],
    ['TXID()', 'UNSUPPORTED'],
    ["TO_TIMESTAMP('1/2/2017', 'M/d/yyyy')", 'UNSUPPORTED'],
    ['CAST(1 AS BLOB)', 'UNSUPPORTED'],
    ['?', 'INVALID_ARGUMENT'],
  ])('%s is %s', (expr, code) => {
    let caught: unknown;
    try {
      const { statement } = parseStatement(`SELECT VALUE ${expr} FROM t AS r`);
      if (statement.kind !== 'select' || statement.projection.kind !== 'value') throw new Error('not SELECT VALUE');
      evaluate(statement.projection.expr, { vars: new Map([['r', row]]), rows: ['r'] }, { params: [], now: () => '' });
    } catch (error) {
      caught = error;
    }
    expect(isLedgerError(caught, code as 'INVALID_ARGUMENT')).toBe(true);
  });
});
