import { describe, expect, test } from 'vitest';
import { endsStatement, splitStatements } from './script.js';

describe('splitStatements', () => {
  test('splits at ; tokens and names the line each statement starts on', () => {
    expect(splitStatements("SELECT 1 FROM t;\n\nINSERT INTO t VALUE {'a': 1};\n  DELETE FROM t")).toEqual([
      { text: 'SELECT 1 FROM t', line: 1 },
      { text: "INSERT INTO t VALUE {'a': 1}", line: 3 },
      { text: 'DELETE FROM t', line: 4 },
    ]);
  });

  test('a ; inside a string, a quoted name, an Ion literal or a comment does not split', () => {
    const text = 'SELECT \'a;b\' AS "x;y", `{s: "c;d"}` FROM t -- one; two\n/* three; */ WHERE a = \';\';';
    expect(splitStatements(text)).toHaveLength(1);
  });

  test('blank statements and comments alone are left out; text the lexer cannot read stays whole', () => {
    expect(splitStatements(' ;; -- only a comment\n;')).toEqual([]);
    expect(splitStatements("SELECT 'open; FROM t; SELECT 1")).toEqual([
      { text: "SELECT 'open; FROM t; SELECT 1", line: 1 },
    ]);
  });
});

describe('endsStatement', () => {
  test('true once the last token is ;, not for a ; in an open string', () => {
    expect(endsStatement('SELECT * FROM t')).toBe(false);
    expect(endsStatement('SELECT * FROM t;')).toBe(true);
    expect(endsStatement('SELECT * FROM t;  -- done')).toBe(true);
    expect(endsStatement("SELECT 'a;")).toBe(false);
    expect(endsStatement("SELECT 'a;'")).toBe(false);
    expect(endsStatement("SELECT 'a;';")).toBe(true);
  });

  test('a character no statement can hold ends the input, so the parser can name it', () => {
    expect(endsStatement('SELECT # FROM t')).toBe(true);
  });
});
