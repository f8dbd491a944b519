import { fileURLToPath } from 'node:url';
import type { RunnerTask } from 'vitest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startVitest } from 'vitest/node';

// The suite's own test: it must fail a Ledger that breaks a promise. A nested vitest runs
// test/fixtures/faulty-ledgers/faulty-ledgers.suite.ts, where embedded ledgerdb sits behind
// wrappers that each break one promise, and each fault must fail the cases that check that
// promise while an unrelated case still passes (the fault is caught, not a crash).
const root = fileURLToPath(new URL('../..', import.meta.url));

const control = 'submit then evaluate returns the written value';
// The round trip checks the receipt's version too: an unversioned receipt fails it.
const controlFor: Record<string, string> = {
  'receipts-unversioned': 'evaluate of a key never written rejects with NOT_FOUND',
};

/** Per fault (the wrapper in the fixture), cases that must fail. */
const mustFail: Record<string, string[]> = {
  'null-for-missing': ['evaluate of a key never written rejects with NOT_FOUND'],
  'history-newest-first': ['history lists one revision per write, oldest first, each with a receipt that verifies'],
  'events-skip-one-on-resume': [
    'events from the start carry checkpoints, resume after any of them with no gap and no duplicate, and follow live writes',
    'events resume from a checkpoint after the ledger is closed and reopened',
  ],
  'events-repeat-on-resume': [
    'events from the start carry checkpoints, resume after any of them with no gap and no duplicate, and follow live writes',
  ],
  'submit-lands-twice': [
    'history lists one revision per write, oldest first, each with a receipt that verifies',
    '50 concurrent submits of distinct keys all land exactly once',
  ],
  'receipts-unversioned': ['every receipt carries version 1, survives a JSON round trip and still verifies'],
  'verify-always-ok': [
    'verify rejects a revision with a changed value',
    'verify rejects a receipt with a changed position',
    'verify rejects a receipt with a changed transaction id',
    'verify rejects a receipt from another ledger of the same kind',
    'verify rejects malformed receipts with failed checks, never an exception',
    'verify rejects an anchor of the wrong type with a failed anchor-type check',
    'verify against a garbled anchor of the right type fails with named checks',
  ],
  'verify-throws-on-malformed': ['verify rejects malformed receipts with failed checks, never an exception'],
  'timeout-reported-as-aborted': ['a signal aborted with a TimeoutError rejects submit and evaluate with TIMEOUT'],
};

/** Outcome of each case, per suite title. */
const outcomes = new Map<string, Map<string, string>>();

function collectOutcomes(task: RunnerTask, suite: string | undefined): void {
  if (task.type === 'suite') {
    const title = task.name.startsWith('conformance ') ? task.name.slice('conformance '.length) : suite;
    for (const child of task.tasks) collectOutcomes(child, title);
    return;
  }
  if (suite === undefined) return;
  const cases = outcomes.get(suite) ?? new Map<string, string>();
  cases.set(task.name, task.result?.state ?? 'not run');
  outcomes.set(suite, cases);
}

describe('the conformance suite fails ledgers that break a promise', () => {
  beforeAll(async () => {
    const exitCode = process.exitCode;
    const vitest = await startVitest(
      'test',
      [],
      {
        root,
        config: false,
        run: true,
        watch: false,
        include: ['test/fixtures/faulty-ledgers/*.suite.ts'],
        reporters: [{}],
        silent: true,
      },
      {},
    );
    try {
      for (const file of vitest.state.getFiles()) {
        expect(file.result?.errors ?? [], `the fixture ${file.name} ran`).toEqual([]);
        collectOutcomes(file as unknown as RunnerTask, undefined);
      }
    } finally {
      await vitest.close();
      // The nested run's failures are the expected ones; they must not fail this process.
      process.exitCode = exitCode;
    }
  }, 120_000);

  afterAll(() => outcomes.clear());

  test.each(Object.entries(mustFail))('fault %s fails the cases that check it', (fault, cases) => {
    const results = outcomes.get(`faulty-${fault}`);
    expect(results, `the suite for ${fault} ran`).toBeDefined();
    for (const name of cases) expect(results?.get(name), name).toBe('fail');
    const passing = controlFor[fault] ?? control;
    expect(results?.get(passing), passing).toBe('pass');
  });
});
