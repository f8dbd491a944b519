import { isLedgerError } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import { checkVotingPolicy, proposalStatus, requiredYesVotes, type VotingPolicy } from './voting-policy.js';

const policy = (
  thresholdPercentage: number,
  comparator: VotingPolicy['comparator'] = 'GREATER_THAN',
): VotingPolicy => ({ thresholdPercentage, comparator, proposalDurationHours: 24 });

function reasonOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    if (isLedgerError(error, 'INVALID_ARGUMENT')) return error.details.reason;
    throw error;
  }
  return 'no error';
}

describe('requiredYesVotes', () => {
  test('50 % GREATER_THAN of 10 members needs 6 YES (the AMB example); GREATER_THAN_OR_EQUAL_TO needs 5', () => {
    expect(requiredYesVotes(policy(50), 10)).toBe(6);
    expect(requiredYesVotes(policy(50, 'GREATER_THAN_OR_EQUAL_TO'), 10)).toBe(5);
  });

  test('boundaries of a share that is exact: 2 of 3 is 66.67 %, above 66 but not 67', () => {
    expect(requiredYesVotes(policy(66), 3)).toBe(2);
    expect(requiredYesVotes(policy(67), 3)).toBe(3);
    expect(requiredYesVotes(policy(66, 'GREATER_THAN_OR_EQUAL_TO'), 3)).toBe(2);
    expect(requiredYesVotes(policy(67, 'GREATER_THAN_OR_EQUAL_TO'), 3)).toBe(3);
  });

  test('two members: 50 % GREATER_THAN needs both, GREATER_THAN_OR_EQUAL_TO needs one', () => {
    expect(requiredYesVotes(policy(50), 2)).toBe(2);
    expect(requiredYesVotes(policy(50, 'GREATER_THAN_OR_EQUAL_TO'), 2)).toBe(1);
  });

  test('100 % GREATER_THAN_OR_EQUAL_TO needs everyone; 0 % still needs one YES', () => {
    for (const members of [1, 2, 7, 10]) {
      expect(requiredYesVotes(policy(100, 'GREATER_THAN_OR_EQUAL_TO'), members)).toBe(members);
      expect(requiredYesVotes(policy(0), members)).toBe(1);
      expect(requiredYesVotes(policy(0, 'GREATER_THAN_OR_EQUAL_TO'), members)).toBe(1);
    }
  });

  test('agrees with the definition (yes / members * 100 compared with the threshold) for every case up to 12 members', () => {
    for (let members = 1; members <= 12; members++) {
      for (let threshold = 0; threshold <= 100; threshold++) {
        for (const comparator of ['GREATER_THAN', 'GREATER_THAN_OR_EQUAL_TO'] as const) {
          if (comparator === 'GREATER_THAN' && threshold === 100) continue;
          const passes = (yes: number) =>
            yes >= 1 &&
            (comparator === 'GREATER_THAN' ? yes * 100 > threshold * members : yes * 100 >= threshold * members);
          const needed = requiredYesVotes(policy(threshold, comparator), members);
          expect(passes(needed), `${threshold} ${comparator} ${members}`).toBe(true);
          expect(passes(needed - 1), `${threshold} ${comparator} ${members}`).toBe(false);
        }
      }
    }
  });
});

describe('proposalStatus', () => {
  const expiresAt = Date.parse('2026-12-05T00:00:00Z');
  const before = expiresAt - 1;

  test('IN_PROGRESS until the YES votes reach the threshold, then APPROVED', () => {
    expect(proposalStatus(policy(50), { voters: 10, yes: 5, no: 0 }, expiresAt, before)).toBe('IN_PROGRESS');
    expect(proposalStatus(policy(50), { voters: 10, yes: 6, no: 0 }, expiresAt, before)).toBe('APPROVED');
  });

  test('REJECTED as soon as the NO votes make the threshold unreachable, not before', () => {
    // 6 YES needed of 10: 4 NO leave exactly 6 possible YES, 5 NO leave 5.
    expect(proposalStatus(policy(50), { voters: 10, yes: 0, no: 4 }, expiresAt, before)).toBe('IN_PROGRESS');
    expect(proposalStatus(policy(50), { voters: 10, yes: 0, no: 5 }, expiresAt, before)).toBe('REJECTED');
    expect(proposalStatus(policy(50), { voters: 2, yes: 1, no: 1 }, expiresAt, before)).toBe('REJECTED');
    expect(
      proposalStatus(policy(50, 'GREATER_THAN_OR_EQUAL_TO'), { voters: 2, yes: 0, no: 1 }, expiresAt, before),
    ).toBe('IN_PROGRESS');
  });

  test('EXPIRED from the expiry instant on when undecided; a decision stays after it', () => {
    expect(proposalStatus(policy(50), { voters: 10, yes: 5, no: 0 }, expiresAt, expiresAt)).toBe('EXPIRED');
    expect(proposalStatus(policy(50), { voters: 10, yes: 6, no: 0 }, expiresAt, expiresAt + 1)).toBe('APPROVED');
    expect(proposalStatus(policy(50), { voters: 10, yes: 0, no: 5 }, expiresAt, expiresAt + 1)).toBe('REJECTED');
  });
});

describe('checkVotingPolicy', () => {
  test('accepts the AMB ranges and returns only the three fields', () => {
    const extra = { ...policy(50), extra: true } as VotingPolicy;
    expect(checkVotingPolicy(extra)).toEqual(policy(50));
    expect(checkVotingPolicy({ ...policy(0), proposalDurationHours: 1 })).toEqual({
      ...policy(0),
      proposalDurationHours: 1,
    });
    expect(
      checkVotingPolicy({ ...policy(100, 'GREATER_THAN_OR_EQUAL_TO'), proposalDurationHours: 168 })
        .proposalDurationHours,
    ).toBe(168);
  });

  test.each([
    ['a negative threshold', { ...policy(50), thresholdPercentage: -1 }],
    ['a threshold above 100', { ...policy(50), thresholdPercentage: 101 }],
    ['a fractional threshold', { ...policy(50), thresholdPercentage: 50.5 }],
    ['100 % GREATER_THAN (unreachable)', policy(100)],
    ['an unknown comparator', { ...policy(50), comparator: 'MORE' }],
    ['a duration of 0 hours', { ...policy(50), proposalDurationHours: 0 }],
    ['a duration above 168 hours', { ...policy(50), proposalDurationHours: 169 }],
    ['no object', null],
  ])('refuses %s with BAD_POLICY', (_, candidate) => {
    expect(reasonOf(() => checkVotingPolicy(candidate as VotingPolicy))).toBe('BAD_POLICY');
  });
});
