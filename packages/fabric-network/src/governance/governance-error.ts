import { type ErrorCode, LedgerError } from '@ledgerkit/core';

/**
 * Why a governance call was refused, in `error.reason` and `error.details.reason`. Each
 * reason maps to one {@link ErrorCode}; callers and tests check the code and the reason.
 * A refused call changes nothing: no state, no crypto material, no channel config.
 */
export const governanceReasons = {
  /** The voting policy is malformed (threshold 0-100, comparator, duration 1-168 hours). */
  BAD_POLICY: 'INVALID_ARGUMENT',
  /** An organization name breaks the rules (1-30 letters and digits, starting with a letter). */
  BAD_ORGANIZATION_NAME: 'INVALID_ARGUMENT',
  /** The organization is a member already, or an invitation or proposal for it is open. */
  DUPLICATE_ORGANIZATION: 'ALREADY_EXISTS',
  /** A removal of this member is already being voted on. */
  DUPLICATE_PROPOSAL: 'ALREADY_EXISTS',
  /** The caller (proposer, voter) is not an active member of the network. */
  NOT_A_MEMBER: 'PERMISSION_DENIED',
  /** The member joined after the proposal was created: only the members at creation vote on it. */
  NOT_A_VOTER: 'PERMISSION_DENIED',
  /** No proposal has this id. */
  UNKNOWN_PROPOSAL: 'NOT_FOUND',
  /** No member has this name (or MSP id). */
  UNKNOWN_MEMBER: 'NOT_FOUND',
  /** No chaincode of this name is deployed on the network (or the name is malformed). */
  UNKNOWN_CHAINCODE: 'NOT_FOUND',
  /** An endorsement policy proposal's policy is missing or does not parse (or names a non-member). */
  BAD_ENDORSEMENT_POLICY: 'INVALID_ARGUMENT',
  /** No invitation names this organization. */
  UNKNOWN_INVITATION: 'NOT_FOUND',
  /** The proposal's voting period is over. */
  PROPOSAL_EXPIRED: 'INVALID_ARGUMENT',
  /** The proposal was decided already (approved, rejected, failed): it takes no more votes. */
  PROPOSAL_CLOSED: 'INVALID_ARGUMENT',
  /** The member has voted on this proposal already. */
  ALREADY_VOTED: 'ALREADY_EXISTS',
  /** The invitation's proposal was not approved (still voting, rejected or expired) or it was answered already. */
  INVITATION_NOT_APPROVED: 'INVALID_ARGUMENT',
  /** The network directory has no governance yet (create it first). */
  NO_GOVERNANCE: 'NOT_FOUND',
  /** The network directory has governance already. */
  GOVERNANCE_EXISTS: 'ALREADY_EXISTS',
  /** The orderer refused a channel config update (for example too few admin signatures for the Admins policy). */
  CONFIG_UPDATE_REJECTED: 'PERMISSION_DENIED',
} as const satisfies Record<string, ErrorCode>;

/** A key of {@link governanceReasons}. */
export type GovernanceReason = keyof typeof governanceReasons;

/**
 * The error governance calls throw. Its message says what was wrong; `details` names the
 * proposal, member or organization involved.
 *
 * @example
 * ```ts
 * try { await governance.vote(id, 'Org2', 'YES') }
 * catch (error) {
 *   if (isLedgerError(error, 'ALREADY_EXISTS') && error.details.reason === 'ALREADY_VOTED') console.error('voted already')
 * }
 * ```
 */
export class GovernanceError extends LedgerError {
  readonly reason: GovernanceReason;

  /**
   * @param reason - a key of {@link governanceReasons}
   * @param shortMessage - what was wrong, naming the value
   * @param details - structured facts (proposal id, member, organization)
   * @param cause - the lower-level error
   */
  constructor(
    reason: GovernanceReason,
    shortMessage: string,
    details: Readonly<Record<string, unknown>> = {},
    cause?: unknown,
  ) {
    super(governanceReasons[reason], shortMessage, { details: { reason, ...details }, cause });
    this.name = 'GovernanceError';
    this.reason = reason;
  }
}
