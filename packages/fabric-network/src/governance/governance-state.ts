import { GovernanceError } from './governance-error.js';
import { checkVotingPolicy, type ProposalStatus, proposalStatus, type VotingPolicy } from './voting-policy.js';

/** One organization of the network. */
export interface Member {
  /** Organization name, e.g. `Org1`. */
  name: string;
  /** Its MSP id, e.g. `Org1MSP`. */
  mspId: string;
  joinedAt: string;
  /** `REMOVED` once a removal proposal passed and the channel config no longer has its MSP. */
  status: 'ACTIVE' | 'REMOVED';
  removedAt?: string;
}

/**
 * What a proposal asks for: invite an organization, remove a member, or change a deployed
 * chaincode's endorsement policy (a new chaincode definition, approved and committed by the
 * admins of the members who vote YES once the vote passes).
 */
export type ProposalAction =
  | { type: 'INVITE'; organization: string }
  | { type: 'REMOVE'; member: string }
  | { type: 'UPDATE_ENDORSEMENT_POLICY'; chaincode: string; policy: string };

/** One vote. */
export interface Vote {
  member: string;
  vote: 'YES' | 'NO';
  at: string;
}

/**
 * A proposal and its votes. Its status is {@link ProposalStatus}, or `ACTION_FAILED` when it
 * was approved but the channel config update that carries it out was refused.
 */
export interface Proposal {
  /** `p1`, `p2`, … in creation order. */
  id: string;
  action: ProposalAction;
  proposedBy: string;
  createdAt: string;
  expiresAt: string;
  /** The members who vote on it: the active members when it was created. */
  voters: string[];
  votes: Vote[];
  status: ProposalStatus | 'ACTION_FAILED';
  decidedAt?: string;
}

/** The invitation an approved INVITE proposal sends to the organization it names. */
export interface Invitation {
  organization: string;
  proposalId: string;
  /** PENDING while the proposal is voted on; OPEN once approved, for the invitee to answer. */
  status: 'PENDING' | 'OPEN' | 'ACCEPTED' | 'REJECTED' | 'VOTED_DOWN';
  answeredAt?: string;
}

/** Everything governance keeps, stored as `<network dir>/governance/state.json`. */
export interface GovernanceState {
  format: 1;
  policy: VotingPolicy;
  members: Member[];
  proposals: Proposal[];
  invitations: Invitation[];
  createdAt: string;
}

/** A state change, recorded in the audit trail. */
export type GovernanceEvent =
  | { type: 'NETWORK_CREATED'; policy: VotingPolicy; members: string[] }
  | { type: 'PROPOSAL_CREATED'; proposalId: string; action: ProposalAction; proposedBy: string; expiresAt: string }
  | { type: 'VOTE_CAST'; proposalId: string; member: string; vote: 'YES' | 'NO' }
  | { type: 'PROPOSAL_STATUS'; proposalId: string; status: Proposal['status']; yes: number; no: number }
  | { type: 'INVITATION_ACCEPTED'; proposalId: string; organization: string; mspId: string }
  | { type: 'INVITATION_REJECTED'; proposalId: string; organization: string }
  | { type: 'MEMBER_REMOVED'; proposalId: string; member: string }
  | {
      type: 'CHAINCODE_DEFINITION_COMMITTED';
      proposalId: string;
      chaincode: string;
      sequence: number;
      policy: string;
      approvers: string[];
    }
  | {
      type: 'CONFIG_UPDATE_SUBMITTED';
      purpose: string;
      proposalId?: string;
      txId: string;
      sequence: number;
      signers: string[];
    };

/** A new state and the events that lead to it. */
export interface Transition<T = undefined> {
  state: GovernanceState;
  events: GovernanceEvent[];
  result: T;
}

const organizationPattern = /^[A-Za-z][A-Za-z0-9]{0,29}$/;
const chaincodePattern = /^[a-z][a-z0-9_-]{0,49}$/;
const hourMs = 3_600_000;

/**
 * Checks an organization name as the network does (1-30 letters and digits, starting with a letter).
 *
 * @param name - the name
 * @throws GovernanceError BAD_ORGANIZATION_NAME
 */
export function checkOrganizationName(name: string): void {
  if (typeof name !== 'string' || !organizationPattern.test(name) || name.toLowerCase() === 'orderer') {
    throw new GovernanceError(
      'BAD_ORGANIZATION_NAME',
      `invalid organization name '${String(name)}': use 1-30 letters and digits starting with a letter, not 'Orderer'`,
      { organization: name },
    );
  }
}

/**
 * The state of a new network: its policy and first members.
 *
 * @param policy - the voting policy
 * @param members - the founding organizations
 * @param now - creation time
 * @returns the state and its NETWORK_CREATED event
 * @throws GovernanceError BAD_POLICY, BAD_ORGANIZATION_NAME, DUPLICATE_ORGANIZATION
 */
export function createGovernanceState(
  policy: VotingPolicy,
  members: readonly { name: string; mspId: string }[],
  now: Date,
): Transition {
  const checked = checkVotingPolicy(policy);
  const seen = new Set<string>();
  for (const member of members) {
    checkOrganizationName(member.name);
    if (seen.has(member.name.toLowerCase())) {
      throw new GovernanceError('DUPLICATE_ORGANIZATION', `organization '${member.name}' is listed twice`, {
        organization: member.name,
      });
    }
    seen.add(member.name.toLowerCase());
  }
  const at = now.toISOString();
  const state: GovernanceState = {
    format: 1,
    policy: checked,
    members: members.map(({ name, mspId }) => ({ name, mspId, joinedAt: at, status: 'ACTIVE' })),
    proposals: [],
    invitations: [],
    createdAt: at,
  };
  return {
    state,
    events: [{ type: 'NETWORK_CREATED', policy: checked, members: state.members.map((member) => member.name) }],
    result: undefined,
  };
}

/**
 * Finds an active member by name or MSP id.
 *
 * @param state - the governance state
 * @param name - organization name or MSP id
 * @returns the member, or undefined
 */
export function activeMember(state: GovernanceState, name: string): Member | undefined {
  return state.members.find((member) => member.status === 'ACTIVE' && (member.name === name || member.mspId === name));
}

function requireMember(state: GovernanceState, name: string, role: string): Member {
  const member = activeMember(state, name);
  if (!member) {
    throw new GovernanceError('NOT_A_MEMBER', `'${name}' is not a member of the network, so it cannot ${role}`, {
      member: name,
      members: state.members.filter((one) => one.status === 'ACTIVE').map((one) => one.name),
    });
  }
  return member;
}

/**
 * Finds a proposal by id.
 *
 * @param state - the governance state
 * @param id - the proposal id
 * @returns the proposal
 * @throws GovernanceError UNKNOWN_PROPOSAL
 */
export function findProposal(state: GovernanceState, id: string): Proposal {
  const proposal = state.proposals.find((candidate) => candidate.id === id);
  if (!proposal) {
    throw new GovernanceError('UNKNOWN_PROPOSAL', `no proposal '${id}'`, {
      proposalId: id,
      proposals: state.proposals.map((one) => one.id),
    });
  }
  return proposal;
}

function tally(proposal: Proposal) {
  const yes = proposal.votes.filter((vote) => vote.vote === 'YES').length;
  return { voters: proposal.voters.length, yes, no: proposal.votes.length - yes };
}

// Deep copies keep the caller's state untouched when a transition throws halfway.
const copy = (state: GovernanceState): GovernanceState => structuredClone(state);

/** Moves a decided or expired proposal to its status and its invitation with it. */
function settle(state: GovernanceState, proposal: Proposal, now: Date, events: GovernanceEvent[]): void {
  if (proposal.status !== 'IN_PROGRESS') return;
  const counts = tally(proposal);
  const status = proposalStatus(state.policy, counts, Date.parse(proposal.expiresAt), now.getTime());
  if (status === 'IN_PROGRESS') return;
  proposal.status = status;
  proposal.decidedAt = now.toISOString();
  events.push({ type: 'PROPOSAL_STATUS', proposalId: proposal.id, status, yes: counts.yes, no: counts.no });
  const invitation = state.invitations.find((one) => one.proposalId === proposal.id);
  if (invitation) invitation.status = status === 'APPROVED' ? 'OPEN' : 'VOTED_DOWN';
}

/**
 * Marks every undecided proposal whose time is up as EXPIRED.
 *
 * @param state - the governance state
 * @param now - the current time
 * @returns the new state and one PROPOSAL_STATUS event per expired proposal
 */
export function settleExpired(state: GovernanceState, now: Date): Transition {
  const next = copy(state);
  const events: GovernanceEvent[] = [];
  for (const proposal of next.proposals) settle(next, proposal, now, events);
  return { state: next, events, result: undefined };
}

/**
 * Creates a proposal to invite an organization or remove a member. The active members
 * at this moment vote on it.
 *
 * @param state - the governance state (expired proposals settled)
 * @param proposedBy - the proposing member
 * @param action - what to do
 * @param now - the current time
 * @returns the new state and the proposal
 * @throws GovernanceError NOT_A_MEMBER, BAD_ORGANIZATION_NAME, DUPLICATE_ORGANIZATION,
 *   UNKNOWN_MEMBER, DUPLICATE_PROPOSAL
 */
export function createProposal(
  state: GovernanceState,
  proposedBy: string,
  action: ProposalAction,
  now: Date,
): Transition<Proposal> {
  const proposer = requireMember(state, proposedBy, 'propose');
  const open = state.proposals.filter((proposal) => proposal.status === 'IN_PROGRESS');
  let checkedAction: ProposalAction;
  if (action?.type === 'INVITE') {
    checkOrganizationName(action.organization);
    const lower = action.organization.toLowerCase();
    const member = state.members.find((one) => one.name.toLowerCase() === lower && one.status === 'ACTIVE');
    const invited = state.invitations.find(
      (one) => one.organization.toLowerCase() === lower && (one.status === 'PENDING' || one.status === 'OPEN'),
    );
    if (member || invited) {
      throw new GovernanceError(
        'DUPLICATE_ORGANIZATION',
        member
          ? `'${action.organization}' is a member of the network already`
          : `'${action.organization}' has an open invitation already (proposal ${invited?.proposalId})`,
        { organization: action.organization, ...(invited ? { proposalId: invited.proposalId } : {}) },
      );
    }
    checkedAction = { type: 'INVITE', organization: action.organization };
  } else if (action?.type === 'REMOVE') {
    const member = activeMember(state, action.member);
    if (!member) {
      throw new GovernanceError('UNKNOWN_MEMBER', `'${action.member}' is not a member of the network`, {
        member: action.member,
      });
    }
    const pending = open.find((one) => one.action.type === 'REMOVE' && one.action.member === member.name);
    if (pending) {
      throw new GovernanceError('DUPLICATE_PROPOSAL', `proposal ${pending.id} to remove '${member.name}' is open`, {
        proposalId: pending.id,
        member: member.name,
      });
    }
    if (state.members.filter((one) => one.status === 'ACTIVE').length === 1) {
      throw new GovernanceError('UNKNOWN_MEMBER', `'${member.name}' is the last member; a network cannot be empty`, {
        member: member.name,
      });
    }
    checkedAction = { type: 'REMOVE', member: member.name };
  } else if (action?.type === 'UPDATE_ENDORSEMENT_POLICY') {
    if (typeof action.chaincode !== 'string' || !chaincodePattern.test(action.chaincode)) {
      throw new GovernanceError('UNKNOWN_CHAINCODE', `invalid chaincode name '${String(action.chaincode)}'`, {
        chaincode: action.chaincode,
      });
    }
    if (typeof action.policy !== 'string' || action.policy.trim() === '') {
      throw new GovernanceError('BAD_ENDORSEMENT_POLICY', 'an endorsement policy proposal needs a policy', {
        chaincode: action.chaincode,
      });
    }
    const pending = open.find(
      (one) => one.action.type === 'UPDATE_ENDORSEMENT_POLICY' && one.action.chaincode === action.chaincode,
    );
    if (pending) {
      throw new GovernanceError(
        'DUPLICATE_PROPOSAL',
        `proposal ${pending.id} to change the endorsement policy of '${action.chaincode}' is open`,
        { proposalId: pending.id, chaincode: action.chaincode },
      );
    }
    checkedAction = { type: 'UPDATE_ENDORSEMENT_POLICY', chaincode: action.chaincode, policy: action.policy.trim() };
  } else {
    throw new GovernanceError(
      'UNKNOWN_PROPOSAL',
      `a proposal is { type: 'INVITE' | 'REMOVE' | 'UPDATE_ENDORSEMENT_POLICY', … }`,
      {
        action: (action as { type?: unknown } | undefined)?.type,
      },
    );
  }
  const next = copy(state);
  const proposal: Proposal = {
    id: `p${next.proposals.length + 1}`,
    action: checkedAction,
    proposedBy: proposer.name,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + state.policy.proposalDurationHours * hourMs).toISOString(),
    voters: next.members.filter((one) => one.status === 'ACTIVE').map((one) => one.name),
    votes: [],
    status: 'IN_PROGRESS',
  };
  next.proposals.push(proposal);
  if (checkedAction.type === 'INVITE') {
    next.invitations.push({ organization: checkedAction.organization, proposalId: proposal.id, status: 'PENDING' });
  }
  return {
    state: next,
    events: [
      {
        type: 'PROPOSAL_CREATED',
        proposalId: proposal.id,
        action: checkedAction,
        proposedBy: proposal.proposedBy,
        expiresAt: proposal.expiresAt,
      },
    ],
    result: structuredClone(proposal),
  };
}

/**
 * Records a member's vote and decides the proposal when the vote settles it.
 *
 * @param state - the governance state
 * @param proposalId - the proposal
 * @param member - the voting member
 * @param vote - YES or NO
 * @param now - the current time
 * @returns the new state and the proposal after the vote
 * @throws GovernanceError UNKNOWN_PROPOSAL, NOT_A_MEMBER, NOT_A_VOTER, PROPOSAL_EXPIRED,
 *   PROPOSAL_CLOSED, ALREADY_VOTED, BAD_POLICY (a vote other than YES/NO)
 */
export function castVote(
  state: GovernanceState,
  proposalId: string,
  member: string,
  vote: 'YES' | 'NO',
  now: Date,
): Transition<Proposal> {
  const found = findProposal(state, proposalId);
  const voter = requireMember(state, member, 'vote');
  if (vote !== 'YES' && vote !== 'NO') {
    throw new GovernanceError('BAD_POLICY', `a vote is YES or NO, got '${String(vote)}'`, { vote });
  }
  if (!found.voters.includes(voter.name)) {
    throw new GovernanceError(
      'NOT_A_VOTER',
      `'${voter.name}' was not a member when proposal ${found.id} was created, so it does not vote on it`,
      { proposalId: found.id, member: voter.name, voters: found.voters },
    );
  }
  if (found.status === 'EXPIRED' || (found.status === 'IN_PROGRESS' && now.getTime() >= Date.parse(found.expiresAt))) {
    throw new GovernanceError('PROPOSAL_EXPIRED', `proposal ${found.id} expired at ${found.expiresAt}`, {
      proposalId: found.id,
      expiresAt: found.expiresAt,
    });
  }
  if (found.status !== 'IN_PROGRESS') {
    throw new GovernanceError('PROPOSAL_CLOSED', `proposal ${found.id} is ${found.status} and takes no more votes`, {
      proposalId: found.id,
      status: found.status,
    });
  }
  if (found.votes.some((one) => one.member === voter.name)) {
    throw new GovernanceError('ALREADY_VOTED', `'${voter.name}' has voted on proposal ${found.id} already`, {
      proposalId: found.id,
      member: voter.name,
    });
  }
  const next = copy(state);
  const proposal = findProposal(next, proposalId);
  proposal.votes.push({ member: voter.name, vote, at: now.toISOString() });
  const events: GovernanceEvent[] = [{ type: 'VOTE_CAST', proposalId, member: voter.name, vote }];
  settle(next, proposal, now, events);
  return { state: next, events, result: structuredClone(proposal) };
}

/**
 * The open invitation of an organization, checked for an answer by the invitee.
 *
 * @param state - the governance state
 * @param organization - the invited organization
 * @returns the invitation, approved and unanswered
 * @throws GovernanceError UNKNOWN_INVITATION, INVITATION_NOT_APPROVED
 */
export function openInvitation(state: GovernanceState, organization: string): Invitation {
  const all = state.invitations.filter((one) => one.organization.toLowerCase() === organization.toLowerCase());
  if (all.length === 0) {
    throw new GovernanceError('UNKNOWN_INVITATION', `no invitation for '${organization}'`, {
      organization,
      invitations: state.invitations.map((one) => one.organization),
    });
  }
  const open = all.find((one) => one.status === 'OPEN');
  if (!open) {
    const last = all[all.length - 1] as Invitation;
    const proposal = findProposal(state, last.proposalId);
    throw new GovernanceError(
      'INVITATION_NOT_APPROVED',
      `the invitation of '${organization}' cannot be answered: its proposal ${proposal.id} is ${proposal.status} and the invitation is ${last.status}`,
      { organization, proposalId: proposal.id, proposalStatus: proposal.status, invitationStatus: last.status },
    );
  }
  return open;
}

/**
 * Marks an open invitation accepted and adds the organization as a member. Call it once the
 * organization's MSP is in the channel config.
 *
 * @param state - the governance state
 * @param organization - the invited organization
 * @param mspId - its MSP id
 * @param now - the current time
 * @returns the new state
 * @throws GovernanceError UNKNOWN_INVITATION, INVITATION_NOT_APPROVED
 */
export function acceptInvitationState(
  state: GovernanceState,
  organization: string,
  mspId: string,
  now: Date,
): Transition {
  const invitation = openInvitation(state, organization);
  const next = copy(state);
  const target = next.invitations.find((one) => one.proposalId === invitation.proposalId) as Invitation;
  const at = now.toISOString();
  target.status = 'ACCEPTED';
  target.answeredAt = at;
  next.members.push({ name: invitation.organization, mspId, joinedAt: at, status: 'ACTIVE' });
  return {
    state: next,
    events: [
      { type: 'INVITATION_ACCEPTED', proposalId: invitation.proposalId, organization: invitation.organization, mspId },
    ],
    result: undefined,
  };
}

/**
 * Marks an open invitation rejected by the invitee.
 *
 * @param state - the governance state
 * @param organization - the invited organization
 * @param now - the current time
 * @returns the new state
 * @throws GovernanceError UNKNOWN_INVITATION, INVITATION_NOT_APPROVED
 */
export function rejectInvitationState(state: GovernanceState, organization: string, now: Date): Transition {
  const invitation = openInvitation(state, organization);
  const next = copy(state);
  const target = next.invitations.find((one) => one.proposalId === invitation.proposalId) as Invitation;
  target.status = 'REJECTED';
  target.answeredAt = now.toISOString();
  return {
    state: next,
    events: [{ type: 'INVITATION_REJECTED', proposalId: invitation.proposalId, organization: invitation.organization }],
    result: undefined,
  };
}

/**
 * Marks a member removed after its approved removal proposal was carried out.
 *
 * @param state - the governance state
 * @param proposalId - the approved REMOVE proposal
 * @param now - the current time
 * @returns the new state
 */
export function removeMemberState(state: GovernanceState, proposalId: string, now: Date): Transition {
  const next = copy(state);
  const proposal = findProposal(next, proposalId);
  if (proposal.action.type !== 'REMOVE' || proposal.status !== 'APPROVED') {
    throw new GovernanceError('PROPOSAL_CLOSED', `proposal ${proposalId} is not an approved removal`, {
      proposalId,
      status: proposal.status,
    });
  }
  const name = proposal.action.member;
  const member = next.members.find((one) => one.name === name) as Member;
  member.status = 'REMOVED';
  member.removedAt = now.toISOString();
  return { state: next, events: [{ type: 'MEMBER_REMOVED', proposalId, member: name }], result: undefined };
}

/**
 * Records the chaincode definition an approved endorsement policy proposal committed.
 *
 * @param state - the governance state
 * @param proposalId - the approved UPDATE_ENDORSEMENT_POLICY proposal
 * @param committed - the committed definition's sequence and policy, and the approving MSP ids
 * @returns the state (unchanged: the definition lives on the channel) and the event
 */
export function chaincodeCommittedState(
  state: GovernanceState,
  proposalId: string,
  committed: { sequence: number; policy: string; approvers: string[] },
): Transition {
  const proposal = findProposal(state, proposalId);
  if (proposal.action.type !== 'UPDATE_ENDORSEMENT_POLICY' || proposal.status !== 'APPROVED') {
    throw new GovernanceError(
      'PROPOSAL_CLOSED',
      `proposal ${proposalId} is not an approved endorsement policy change`,
      {
        proposalId,
        status: proposal.status,
      },
    );
  }
  return {
    state: copy(state),
    events: [
      {
        type: 'CHAINCODE_DEFINITION_COMMITTED',
        proposalId,
        chaincode: proposal.action.chaincode,
        sequence: committed.sequence,
        policy: committed.policy,
        approvers: committed.approvers,
      },
    ],
    result: undefined,
  };
}

/**
 * Marks an approved proposal whose channel config update the orderer refused.
 *
 * @param state - the governance state
 * @param proposalId - the proposal
 * @param now - the current time
 * @returns the new state
 */
export function failProposalState(state: GovernanceState, proposalId: string, now: Date): Transition {
  const next = copy(state);
  const proposal = findProposal(next, proposalId);
  proposal.status = 'ACTION_FAILED';
  proposal.decidedAt = now.toISOString();
  const counts = tally(proposal);
  return {
    state: next,
    events: [{ type: 'PROPOSAL_STATUS', proposalId, status: 'ACTION_FAILED', yes: counts.yes, no: counts.no }],
    result: undefined,
  };
}

/**
 * The members who voted YES on a proposal: the admins who sign its channel config update.
 *
 * @param proposal - the proposal
 * @returns member names in voting order
 */
export function approvers(proposal: Proposal): string[] {
  return proposal.votes.filter((vote) => vote.vote === 'YES').map((vote) => vote.member);
}
