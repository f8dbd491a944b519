import { isLedgerError } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import {
  acceptInvitationState,
  approvers,
  castVote,
  chaincodeCommittedState,
  createGovernanceState,
  createProposal,
  type GovernanceState,
  rejectInvitationState,
  removeMemberState,
  settleExpired,
} from './governance-state.js';
import type { VotingPolicy } from './voting-policy.js';

const policy: VotingPolicy = { thresholdPercentage: 50, comparator: 'GREATER_THAN', proposalDurationHours: 24 };
const t0 = new Date('2026-12-04T12:00:00Z');
const later = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

function network(names: string[], votingPolicy = policy): GovernanceState {
  return createGovernanceState(
    votingPolicy,
    names.map((name) => ({ name, mspId: `${name}MSP` })),
    t0,
  ).state;
}

/** The reason of the GovernanceError `run` throws, after checking it left `state` as it was. */
function refusal(state: GovernanceState, run: () => unknown): { code: string; reason: unknown } {
  const before = structuredClone(state);
  try {
    run();
  } catch (error) {
    expect(state).toEqual(before);
    if (!isLedgerError(error)) throw error;
    return { code: error.code, reason: error.details.reason };
  }
  throw new Error('expected a refusal');
}

describe('governance state machine', () => {
  test('an endorsement policy proposal: one open per chaincode, checked names, committed once approved', () => {
    let state = network(['Org1', 'Org2']);
    const action = { type: 'UPDATE_ENDORSEMENT_POLICY', chaincode: 'assets', policy: " AND('Org1MSP.peer') " } as const;
    const created = createProposal(state, 'Org1', action, t0);
    expect(created.result.action).toEqual({ ...action, policy: "AND('Org1MSP.peer')" });
    expect(created.state.invitations).toEqual([]);
    state = created.state;
    expect(refusal(state, () => createProposal(state, 'Org2', action, t0))).toEqual({
      code: 'ALREADY_EXISTS',
      reason: 'DUPLICATE_PROPOSAL',
    });
    expect(refusal(state, () => createProposal(state, 'Org2', { ...action, chaincode: 'Bad Name' }, t0))).toEqual({
      code: 'NOT_FOUND',
      reason: 'UNKNOWN_CHAINCODE',
    });
    expect(
      refusal(state, () => createProposal(state, 'Org2', { ...action, chaincode: 'other', policy: ' ' }, t0)),
    ).toEqual({
      code: 'INVALID_ARGUMENT',
      reason: 'BAD_ENDORSEMENT_POLICY',
    });
    expect(refusal(state, () => createProposal(state, 'Org9', action, t0))).toEqual({
      code: 'PERMISSION_DENIED',
      reason: 'NOT_A_MEMBER',
    });
    // Not approved yet: nothing to record.
    expect(
      refusal(state, () => chaincodeCommittedState(state, 'p1', { sequence: 2, policy: 'x', approvers: [] })),
    ).toEqual({ code: 'INVALID_ARGUMENT', reason: 'PROPOSAL_CLOSED' });
    state = castVote(state, 'p1', 'Org1', 'YES', later(1)).state;
    state = castVote(state, 'p1', 'Org2', 'YES', later(2)).state;
    const committed = chaincodeCommittedState(state, 'p1', {
      sequence: 2,
      policy: "AND('Org1MSP.peer')",
      approvers: ['Org1MSP', 'Org2MSP'],
    });
    expect(committed.events).toEqual([
      {
        type: 'CHAINCODE_DEFINITION_COMMITTED',
        proposalId: 'p1',
        chaincode: 'assets',
        sequence: 2,
        policy: "AND('Org1MSP.peer')",
        approvers: ['Org1MSP', 'Org2MSP'],
      },
    ]);
    // Once decided, another proposal for the chaincode may be made.
    expect(createProposal(committed.state, 'Org2', action, later(3)).result.id).toBe('p2');
  });

  test('an invitation passes with the threshold of YES votes and opens for the invitee', () => {
    let state = network(['Org1', 'Org2']);
    const created = createProposal(state, 'Org1', { type: 'INVITE', organization: 'Org3' }, t0);
    state = created.state;
    expect(created.result).toMatchObject({ id: 'p1', status: 'IN_PROGRESS', voters: ['Org1', 'Org2'] });
    expect(created.result.expiresAt).toBe('2026-12-05T12:00:00.000Z');
    expect(state.invitations).toEqual([{ organization: 'Org3', proposalId: 'p1', status: 'PENDING' }]);

    const first = castVote(state, 'p1', 'Org1', 'YES', later(1));
    expect(first.result.status).toBe('IN_PROGRESS'); // 50 % GREATER_THAN of 2 needs both
    expect(first.events.map((event) => event.type)).toEqual(['VOTE_CAST']);
    const second = castVote(first.state, 'p1', 'Org2MSP', 'YES', later(2));
    expect(second.result.status).toBe('APPROVED');
    expect(second.events).toEqual([
      { type: 'VOTE_CAST', proposalId: 'p1', member: 'Org2', vote: 'YES' },
      { type: 'PROPOSAL_STATUS', proposalId: 'p1', status: 'APPROVED', yes: 2, no: 0 },
    ]);
    expect(approvers(second.result)).toEqual(['Org1', 'Org2']);
    state = second.state;
    expect(state.invitations[0]?.status).toBe('OPEN');

    state = acceptInvitationState(state, 'Org3', 'Org3MSP', later(3)).state;
    expect(state.members.map((member) => [member.name, member.status])).toEqual([
      ['Org1', 'ACTIVE'],
      ['Org2', 'ACTIVE'],
      ['Org3', 'ACTIVE'],
    ]);
    expect(state.invitations[0]?.status).toBe('ACCEPTED');
  });

  test('one NO among two members (50 % GREATER_THAN) rejects at once; the invitation cannot be accepted', () => {
    let state = network(['Org1', 'Org2']);
    state = createProposal(state, 'Org1', { type: 'INVITE', organization: 'Org4' }, t0).state;
    const voted = castVote(state, 'p1', 'Org2', 'NO', later(1));
    expect(voted.result.status).toBe('REJECTED');
    state = voted.state;
    expect(state.invitations[0]?.status).toBe('VOTED_DOWN');
    expect(refusal(state, () => acceptInvitationState(state, 'Org4', 'Org4MSP', later(2)))).toEqual({
      code: 'INVALID_ARGUMENT',
      reason: 'INVITATION_NOT_APPROVED',
    });
    expect(refusal(state, () => castVote(state, 'p1', 'Org1', 'YES', later(2)))).toEqual({
      code: 'INVALID_ARGUMENT',
      reason: 'PROPOSAL_CLOSED',
    });
    // A voted-down organization may be proposed again.
    expect(createProposal(state, 'Org2', { type: 'INVITE', organization: 'Org4' }, later(3)).result.id).toBe('p2');
  });

  test('an invitation still being voted on cannot be accepted or rejected by the invitee', () => {
    let state = network(['Org1', 'Org2']);
    state = createProposal(state, 'Org1', { type: 'INVITE', organization: 'Org3' }, t0).state;
    state = castVote(state, 'p1', 'Org1', 'YES', later(1)).state;
    expect(refusal(state, () => acceptInvitationState(state, 'Org3', 'Org3MSP', later(2))).reason).toBe(
      'INVITATION_NOT_APPROVED',
    );
    expect(refusal(state, () => rejectInvitationState(state, 'Org3', later(2))).reason).toBe('INVITATION_NOT_APPROVED');
    expect(refusal(state, () => acceptInvitationState(state, 'Nobody', 'NobodyMSP', later(2)))).toEqual({
      code: 'NOT_FOUND',
      reason: 'UNKNOWN_INVITATION',
    });
  });

  test('the invitee may reject an approved invitation; it is then closed', () => {
    let state = network(['Org1', 'Org2'], { ...policy, comparator: 'GREATER_THAN_OR_EQUAL_TO' });
    state = createProposal(state, 'Org1', { type: 'INVITE', organization: 'Org3' }, t0).state;
    state = castVote(state, 'p1', 'Org1', 'YES', later(1)).state; // 1 of 2 is 50 %, enough
    expect(state.proposals[0]?.status).toBe('APPROVED');
    const rejected = rejectInvitationState(state, 'Org3', later(2));
    expect(rejected.events).toEqual([{ type: 'INVITATION_REJECTED', proposalId: 'p1', organization: 'Org3' }]);
    state = rejected.state;
    expect(refusal(state, () => acceptInvitationState(state, 'Org3', 'Org3MSP', later(3))).reason).toBe(
      'INVITATION_NOT_APPROVED',
    );
    expect(state.members).toHaveLength(2);
  });

  test('ten members, 50 % GREATER_THAN: 5 YES leave it open, the 6th approves; 5 NO reject', () => {
    const names = Array.from({ length: 10 }, (_, index) => `Org${index + 1}`);
    let state = network(names);
    state = createProposal(state, 'Org1', { type: 'INVITE', organization: 'Org11' }, t0).state;
    state = createProposal(state, 'Org1', { type: 'INVITE', organization: 'Org12' }, t0).state;
    for (const name of names.slice(0, 5)) state = castVote(state, 'p1', name, 'YES', later(1)).state;
    expect(state.proposals[0]?.status).toBe('IN_PROGRESS');
    state = castVote(state, 'p1', 'Org6', 'YES', later(2)).state;
    expect(state.proposals[0]?.status).toBe('APPROVED');
    for (const name of names.slice(0, 4)) state = castVote(state, 'p2', name, 'NO', later(1)).state;
    expect(state.proposals[1]?.status).toBe('IN_PROGRESS');
    state = castVote(state, 'p2', 'Org5', 'NO', later(2)).state;
    expect(state.proposals[1]?.status).toBe('REJECTED');
  });

  test('a proposal expires after the policy duration: votes are refused, settleExpired records EXPIRED', () => {
    let state = network(['Org1', 'Org2', 'Org3']);
    state = createProposal(state, 'Org1', { type: 'REMOVE', member: 'Org3' }, t0).state;
    state = castVote(state, 'p1', 'Org1', 'YES', later(10)).state;
    const atExpiry = later(24 * 60);
    expect(refusal(state, () => castVote(state, 'p1', 'Org2', 'YES', atExpiry))).toEqual({
      code: 'INVALID_ARGUMENT',
      reason: 'PROPOSAL_EXPIRED',
    });
    expect(settleExpired(state, later(24 * 60 - 1)).events).toEqual([]);
    const settled = settleExpired(state, atExpiry);
    expect(settled.events).toEqual([{ type: 'PROPOSAL_STATUS', proposalId: 'p1', status: 'EXPIRED', yes: 1, no: 0 }]);
    expect(settled.state.proposals[0]?.status).toBe('EXPIRED');
    expect(refusal(settled.state, () => castVote(settled.state, 'p1', 'Org2', 'YES', atExpiry)).reason).toBe(
      'PROPOSAL_EXPIRED',
    );
    // The expired invitation of an organization frees its name for a new proposal.
    state = createProposal(settled.state, 'Org1', { type: 'INVITE', organization: 'Org9' }, atExpiry).state;
    const expiredInvite = settleExpired(state, later(2 * 24 * 60)).state;
    expect(expiredInvite.invitations[0]?.status).toBe('VOTED_DOWN');
  });

  test('refusals: duplicate names, non-members, double votes, unknown proposals and members; nothing changes', () => {
    let state = network(['Org1', 'Org2', 'Org3']);
    state = createProposal(state, 'Org1', { type: 'INVITE', organization: 'Acme' }, t0).state;
    const frozen = state;
    const cases: [string, () => unknown, string, string][] = [
      [
        'inviting a member',
        () => createProposal(frozen, 'Org1', { type: 'INVITE', organization: 'org2' }, t0),
        'ALREADY_EXISTS',
        'DUPLICATE_ORGANIZATION',
      ],
      [
        'inviting an organization with an open invitation',
        () => createProposal(frozen, 'Org2', { type: 'INVITE', organization: 'ACME' }, t0),
        'ALREADY_EXISTS',
        'DUPLICATE_ORGANIZATION',
      ],
      [
        'a malformed name',
        () => createProposal(frozen, 'Org1', { type: 'INVITE', organization: 'Org 5' }, t0),
        'INVALID_ARGUMENT',
        'BAD_ORGANIZATION_NAME',
      ],
      [
        "the orderer's name",
        () => createProposal(frozen, 'Org1', { type: 'INVITE', organization: 'Orderer' }, t0),
        'INVALID_ARGUMENT',
        'BAD_ORGANIZATION_NAME',
      ],
      [
        'a proposal by a non-member',
        () => createProposal(frozen, 'Acme', { type: 'INVITE', organization: 'Org7' }, t0),
        'PERMISSION_DENIED',
        'NOT_A_MEMBER',
      ],
      ['a vote by a non-member', () => castVote(frozen, 'p1', 'Acme', 'YES', t0), 'PERMISSION_DENIED', 'NOT_A_MEMBER'],
      [
        'a vote on an unknown proposal',
        () => castVote(frozen, 'p9', 'Org1', 'YES', t0),
        'NOT_FOUND',
        'UNKNOWN_PROPOSAL',
      ],
      [
        'a vote that is neither YES nor NO',
        () => castVote(frozen, 'p1', 'Org1', 'MAYBE' as 'YES', t0),
        'INVALID_ARGUMENT',
        'BAD_POLICY',
      ],
      [
        'removing a non-member',
        () => createProposal(frozen, 'Org1', { type: 'REMOVE', member: 'Acme' }, t0),
        'NOT_FOUND',
        'UNKNOWN_MEMBER',
      ],
      [
        'an unknown action',
        () => createProposal(frozen, 'Org1', { type: 'PROMOTE' } as never, t0),
        'NOT_FOUND',
        'UNKNOWN_PROPOSAL',
      ],
    ];
    for (const [what, run, code, reason] of cases) expect(refusal(frozen, run), what).toEqual({ code, reason });

    state = castVote(state, 'p1', 'Org1', 'YES', later(1)).state;
    expect(refusal(state, () => castVote(state, 'p1', 'Org1', 'NO', later(2)))).toEqual({
      code: 'ALREADY_EXISTS',
      reason: 'ALREADY_VOTED',
    });
    state = createProposal(state, 'Org1', { type: 'REMOVE', member: 'Org3MSP' }, t0).state;
    expect(state.proposals[1]?.action).toEqual({ type: 'REMOVE', member: 'Org3' });
    expect(refusal(state, () => createProposal(state, 'Org2', { type: 'REMOVE', member: 'Org3' }, t0))).toEqual({
      code: 'ALREADY_EXISTS',
      reason: 'DUPLICATE_PROPOSAL',
    });
  });

  test('a member that joined after a proposal was created does not vote on it', () => {
    let state = network(['Org1', 'Org2'], { ...policy, comparator: 'GREATER_THAN_OR_EQUAL_TO' });
    state = createProposal(state, 'Org1', { type: 'REMOVE', member: 'Org2' }, t0).state;
    state = createProposal(state, 'Org1', { type: 'INVITE', organization: 'Org3' }, t0).state;
    state = castVote(state, 'p2', 'Org2', 'YES', later(1)).state;
    state = acceptInvitationState(state, 'Org3', 'Org3MSP', later(2)).state;
    expect(refusal(state, () => castVote(state, 'p1', 'Org3', 'YES', later(3)))).toEqual({
      code: 'PERMISSION_DENIED',
      reason: 'NOT_A_VOTER',
    });
  });

  test('an approved removal marks the member removed; it can no longer vote or propose', () => {
    let state = network(['Org1', 'Org2', 'Org3']);
    state = createProposal(state, 'Org1', { type: 'REMOVE', member: 'Org3' }, t0).state;
    state = createProposal(state, 'Org3', { type: 'INVITE', organization: 'Org4' }, t0).state;
    state = castVote(state, 'p1', 'Org1', 'YES', later(1)).state;
    expect(refusal(state, () => removeMemberState(state, 'p1', later(1))).reason).toBe('PROPOSAL_CLOSED');
    state = castVote(state, 'p1', 'Org2', 'YES', later(2)).state;
    const removed = removeMemberState(state, 'p1', later(3));
    expect(removed.events).toEqual([{ type: 'MEMBER_REMOVED', proposalId: 'p1', member: 'Org3' }]);
    state = removed.state;
    expect(state.members.find((member) => member.name === 'Org3')?.status).toBe('REMOVED');
    expect(refusal(state, () => castVote(state, 'p2', 'Org3', 'YES', later(4))).reason).toBe('NOT_A_MEMBER');
    expect(
      refusal(state, () => createProposal(state, 'Org3', { type: 'REMOVE', member: 'Org1' }, later(4))).reason,
    ).toBe('NOT_A_MEMBER');
  });

  test('creating a network refuses a bad policy and duplicate founding members', () => {
    const empty = network(['Org1']);
    expect(refusal(empty, () => createGovernanceState({ ...policy, thresholdPercentage: 120 }, [], t0)).reason).toBe(
      'BAD_POLICY',
    );
    expect(
      refusal(empty, () =>
        createGovernanceState(
          policy,
          [
            { name: 'Org1', mspId: 'Org1MSP' },
            { name: 'ORG1', mspId: 'X' },
          ],
          t0,
        ),
      ).reason,
    ).toBe('DUPLICATE_ORGANIZATION');
    expect(refusal(empty, () => createProposal(empty, 'Org1', { type: 'REMOVE', member: 'Org1' }, t0)).reason).toBe(
      'UNKNOWN_MEMBER',
    );
  });
});
