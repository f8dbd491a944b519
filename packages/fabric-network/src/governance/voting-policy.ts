import { GovernanceError } from './governance-error.js';

/**
 * How proposals are decided, set when the network's governance is created and applied to
 * every proposal (Amazon Managed Blockchain's ApprovalThresholdPolicy): a proposal passes
 * when its YES votes, as a percentage of the members who may vote on it, are greater than
 * (or at least) the threshold.
 */
export interface VotingPolicy {
  /** 0-100: the percentage of the voting members whose YES a proposal needs. */
  thresholdPercentage: number;
  /** `GREATER_THAN`: 50 % of 10 members needs 6 YES; `GREATER_THAN_OR_EQUAL_TO`: 5 YES. */
  comparator: 'GREATER_THAN' | 'GREATER_THAN_OR_EQUAL_TO';
  /** 1-168: hours after creation at which an undecided proposal expires. */
  proposalDurationHours: number;
}

/** A proposal's state: voting, or the decision. */
export type ProposalStatus = 'IN_PROGRESS' | 'APPROVED' | 'REJECTED' | 'EXPIRED';

/**
 * Checks a voting policy and returns a copy holding only its three fields.
 *
 * @param policy - the policy as given
 * @returns the checked policy
 * @throws GovernanceError BAD_POLICY naming the field
 */
export function checkVotingPolicy(policy: VotingPolicy): VotingPolicy {
  const bad = (field: string, why: string): never => {
    throw new GovernanceError('BAD_POLICY', `invalid voting policy: ${field} ${why}`, {
      field,
      value: (policy as unknown as Record<string, unknown> | undefined)?.[field],
    });
  };
  if (typeof policy !== 'object' || policy === null) return bad('policy', 'must be an object');
  const { thresholdPercentage, comparator, proposalDurationHours } = policy;
  if (!Number.isInteger(thresholdPercentage) || thresholdPercentage < 0 || thresholdPercentage > 100) {
    bad('thresholdPercentage', `must be an integer from 0 to 100, got ${String(thresholdPercentage)}`);
  }
  if (comparator !== 'GREATER_THAN' && comparator !== 'GREATER_THAN_OR_EQUAL_TO') {
    bad('comparator', `must be GREATER_THAN or GREATER_THAN_OR_EQUAL_TO, got ${String(comparator)}`);
  }
  if (comparator === 'GREATER_THAN' && thresholdPercentage === 100) {
    bad('thresholdPercentage', 'of 100 with GREATER_THAN can never be reached; use GREATER_THAN_OR_EQUAL_TO');
  }
  if (!Number.isInteger(proposalDurationHours) || proposalDurationHours < 1 || proposalDurationHours > 168) {
    bad('proposalDurationHours', `must be an integer from 1 to 168, got ${String(proposalDurationHours)}`);
  }
  return { thresholdPercentage, comparator, proposalDurationHours };
}

/**
 * The fewest YES votes that pass a proposal among `voters` members. Integer arithmetic
 * (`yes * 100` against `threshold * voters`), so 1/3 of a vote never rounds the wrong way.
 * At least one YES is always needed, so a 0 % threshold does not pass a proposal nobody
 * voted for.
 *
 * @param policy - a checked voting policy
 * @param voters - how many members vote (at least 1)
 * @returns the number of YES votes needed, 1..voters
 * @example
 * ```ts
 * requiredYesVotes({ thresholdPercentage: 50, comparator: 'GREATER_THAN', proposalDurationHours: 24 }, 10) // 6
 * ```
 */
export function requiredYesVotes(policy: VotingPolicy, voters: number): number {
  for (let yes = 1; yes <= voters; yes++) {
    const share = yes * 100;
    const bar = policy.thresholdPercentage * voters;
    if (policy.comparator === 'GREATER_THAN' ? share > bar : share >= bar) return yes;
  }
  // Unreachable for a checked policy (100 % GREATER_THAN is refused): all voters is the most there is.
  return voters;
}

/**
 * A proposal's status from its votes and the clock: APPROVED once the YES votes reach
 * {@link requiredYesVotes}; REJECTED as soon as the NO votes leave too few members to
 * reach it; otherwise EXPIRED from `expiresAt` on, IN_PROGRESS before.
 *
 * @param policy - the network's voting policy
 * @param tally - how many members vote on the proposal and the votes cast so far
 * @param expiresAt - when voting ends (ms since the epoch)
 * @param now - the current time (ms since the epoch)
 * @returns the status
 */
export function proposalStatus(
  policy: VotingPolicy,
  tally: { voters: number; yes: number; no: number },
  expiresAt: number,
  now: number,
): ProposalStatus {
  const needed = requiredYesVotes(policy, tally.voters);
  if (tally.yes >= needed) return 'APPROVED';
  if (tally.voters - tally.no < needed) return 'REJECTED';
  return now >= expiresAt ? 'EXPIRED' : 'IN_PROGRESS';
}
