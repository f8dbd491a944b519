import { expect, test } from 'vitest';
import type { CliIo } from './io.js';
import { createProgress, formatValue, printFields, printTable } from './output.js';

function collect(stderrIsTty = false): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (text) => out.push(text), stderr: (text) => err.push(text), stderrIsTty };
}

test('formatValue shows scalars bare, lists joined, objects as compact JSON', () => {
  expect(formatValue('A-1')).toBe('A-1');
  expect(formatValue(5)).toBe('5');
  expect(formatValue(false)).toBe('false');
  expect(formatValue(null)).toBe('null');
  expect(formatValue(undefined)).toBe('-');
  expect(formatValue([])).toBe('(none)');
  expect(formatValue(['a', 'b'])).toBe('a, b');
  expect(formatValue({ a: [1] })).toBe('{"a":[1]}');
});

test('printFields aligns the values and leaves out undefined ones', () => {
  const io = collect();
  printFields(io, [
    ['id', 'x'],
    ['version', 3],
    ['skipped', undefined],
  ]);
  expect(io.out.join('')).toBe('id       x\nversion  3\n');
});

test('printTable pads every column but the last to its widest cell', () => {
  const io = collect();
  printTable(
    io,
    ['NAME', 'N', 'NOTE'],
    [
      ['alpha', 1, 'first'],
      ['b', 22, undefined],
    ],
  );
  expect(io.out.join('')).toBe('NAME   N   NOTE\nalpha  1   first\nb      22  -\n');
});

test('progress: JSON lines under --json, plain lines on a terminal, nothing otherwise; never stdout', () => {
  const json = collect();
  createProgress(json, true).step('building', { step: 1 });
  expect(json.err).toEqual(['{"progress":"building","step":1}\n']);
  const tty = collect(true);
  createProgress(tty, false).step('building');
  expect(tty.err).toEqual(['building...\n']);
  const pipe = collect(false);
  createProgress(pipe, false).step('building');
  expect(pipe.err).toEqual([]);
  expect([...json.out, ...tty.out, ...pipe.out]).toEqual([]);
});
