import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerError } from '@ledgerkit/core';
import { expect, test } from 'vitest';
import { ErrorTally, reportAndAssert, reportScenario, tally } from './report.ts';

test('tally counts present, lost and duplicated ids', () => {
  expect(tally(['a', 'b', 'c'], ['a', 'a', 'c', 'x'])).toEqual({ acknowledged: 3, present: 2, lost: 1, duplicates: 1 });
});

test('ErrorTally counts by LedgerError code', () => {
  const errors = new ErrorTally();
  errors.add(new LedgerError('UNAVAILABLE', 'down'));
  errors.add(new LedgerError('UNAVAILABLE', 'down'));
  errors.add(new Error('plain'));
  expect(errors.byCode).toEqual({ UNAVAILABLE: 2, UNTYPED: 1 });
});

test('a scenario with a loss is not ok, is written to the results file, and fails its assertion', () => {
  // A file of its own: the suite's results file must only hold real scenarios.
  const file = join(mkdtempSync(join(tmpdir(), 'fault-report-')), 'results.jsonl');
  const scenario = 'report-self-test';
  const result = { scenario, acknowledged: 2, present: 1, lost: 1, duplicates: 0, errorsByCode: {}, recoveryMs: null };
  expect(() => reportAndAssert(result, file)).toThrow(/fault scenario failed/);
  const written = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.includes(scenario));
  expect(written).toHaveLength(1);
  expect(JSON.parse(written[0] ?? '{}').ok).toBe(false);
  expect(reportScenario({ ...result, scenario: `${scenario}-clean`, present: 2, lost: 0 }, file).ok).toBe(true);
});
