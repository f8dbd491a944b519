import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Ledger } from '@ledgerkit/core';
import { ensureFabricBinaries } from '../binaries.js';
import { endorsementPolicy } from '../chaincode/policy.js';
import { FabricNetworkError } from '../errors.js';
import { withFileLock, writeFileAtomic } from '../internal/file-lock.js';
import { type AuditEntry, AuditTrail } from './audit-trail.js';
import {
  adminsPolicy,
  applicationGroup,
  type ChannelConfigJson,
  ChannelConfigurator,
  type ConfigUpdateResult,
} from './channel-config.js';
import { GovernanceError } from './governance-error.js';
import {
  acceptInvitationState,
  activeMember,
  approvers,
  castVote,
  chaincodeCommittedState,
  createGovernanceState,
  createProposal,
  failProposalState,
  findProposal,
  type GovernanceEvent,
  type GovernanceState,
  type Invitation,
  type Member,
  openInvitation,
  type Proposal,
  type ProposalAction,
  rejectInvitationState,
  removeMemberState,
  settleExpired,
  type Transition,
} from './governance-state.js';
import { requiredYesVotes, type VotingPolicy } from './voting-policy.js';

/**
 * What governance needs of a network: {@link FabricNetwork} has all of it. The invitee's
 * organization is created with `addOrganization` (its own Fabric CA, MSP and peers) and its
 * peers join with `joinChannel` once the channel config holds its MSP.
 */
export interface GovernedNetwork {
  readonly dir: string;
  readonly channel: string;
  readonly mspIds: string[];
  organization(name: string): { name: string; mspId: string };
  addOrganization(options: {
    name: string;
    peers?: number;
    admin: { name: string; password: string };
  }): Promise<{ name: string; mspId: string }>;
  organizationDefinition(org: string): Promise<Record<string, unknown>>;
  joinChannel(org: string): Promise<unknown>;
  /** Stops a removed member's nodes and drops it from the network's channel organizations. */
  removeOrganization(org: string): Promise<unknown>;
  /** The chaincodes committed on the channel. */
  chaincodes(): { name: string; sequence: number; policy: string }[];
  /** Commits a chaincode's next definition with a new endorsement policy, approved by `approvers`' admins. */
  updateEndorsementPolicy(
    name: string,
    policy: string,
    options: { approvers: readonly string[] },
  ): Promise<{ name: string; sequence: number; policy: string }>;
}

/** The chaincode definition an approved endorsement policy proposal committed. */
export interface ChaincodeDefinitionChange {
  chaincode: string;
  /** The definition's sequence on the channel. */
  sequence: number;
  /** The signature policy it commits. */
  policy: string;
  /** MSP ids of the members whose admins approved and committed it (those who voted YES). */
  approvers: string[];
}

/** Options of {@link FabricGovernance.create} and {@link FabricGovernance.open}. */
export interface GovernanceOptions {
  /**
   * Where every governance state change is recorded as a document (ledgerdb's
   * `asLedger(database)`: `insert [table, document]`), so each step has a verifiable receipt.
   */
  ledger: Ledger;
  /** The ledger table of the audit documents (default `governance`); it must exist. */
  auditTable?: string;
  /** The clock proposals expire by (default the system clock). */
  now?: () => Date;
  /** Cache root of the Fabric binaries (default `$LEDGERKIT_HOME`). */
  home?: string;
}

/** What a governance call changed and the audit entries that record it. */
export interface GovernanceResult<T> {
  result: T;
  /** One entry per state change, each with its ledger receipt. */
  audit: AuditEntry[];
  /** The channel config update the call made, if any. */
  configUpdate?: ConfigUpdateResult;
  /** The chaincode definition the call committed, if any (an approved endorsement policy change). */
  chaincodeDefinition?: ChaincodeDefinitionChange;
  /** Why carrying out an approved proposal failed (the proposal is then ACTION_FAILED). */
  failure?: string;
}

/** Options of {@link FabricGovernance.acceptInvitation}. */
export interface AcceptInvitationOptions {
  /** Bootstrap admin of the new member's Fabric CA (name 1-16 alphanumerics; password 8-32 with upper, lower, digit). */
  admin: { name: string; password: string };
  /** Peers of the new member (default 1). */
  peers?: number;
}

const stateFile = (dir: string) => join(dir, 'governance', 'state.json');
const auditFile = (dir: string) => join(dir, 'governance', 'audit.jsonl');
const lockFile = (dir: string) => join(dir, 'governance', 'state.lock');

/** Runs `work` holding the governance lock of the network directory (one process at a time). */
function lockGovernance<T>(dir: string, work: () => Promise<T>): Promise<T> {
  return withFileLock(lockFile(dir), work, {
    busy: (holder) =>
      new FabricNetworkError(
        'NETWORK_BUSY',
        `another process${holder ? ` (pid ${holder})` : ''} has held the governance of ${dir} for 10 minutes`,
        { dir, holder },
      ),
  });
}

/**
 * Managed membership of a Fabric network, as Amazon Managed Blockchain offers it: members
 * propose inviting an organization or removing a member, vote under the network's
 * {@link VotingPolicy}, and an invited organization accepts (gets its CA, MSP and peers and
 * joins the channel) or rejects. Fabric enforces the outcome: the channel's Application
 * `Admins` policy is a signature policy "N of the member admins", N from the voting threshold
 * and the member count, so the orderer accepts a membership change only with the signatures
 * of enough approving members' admins. Every state change is recorded on a ledger.
 *
 * @example
 * ```ts
 * const governance = await FabricGovernance.create(net, {
 *   policy: { thresholdPercentage: 50, comparator: 'GREATER_THAN', proposalDurationHours: 24 },
 *   ledger,
 * });
 * const { result: proposal } = await governance.propose('Org1', { type: 'INVITE', organization: 'Org3' });
 * await governance.vote(proposal.id, 'Org1', 'YES');
 * await governance.vote(proposal.id, 'Org2', 'YES');
 * await governance.acceptInvitation('Org3', { admin: { name: 'admin', password: 'Passw0rd1' } });
 * ```
 */
export class FabricGovernance {
  readonly #network: GovernedNetwork;
  readonly #config: ChannelConfigurator;
  readonly #audit: AuditTrail;
  readonly #now: () => Date;
  #state: GovernanceState;

  private constructor(
    network: GovernedNetwork,
    config: ChannelConfigurator,
    audit: AuditTrail,
    now: () => Date,
    state: GovernanceState,
  ) {
    this.#network = network;
    this.#config = config;
    this.#audit = audit;
    this.#now = now;
    this.#state = state;
  }

  /**
   * Creates the governance of a running network: its organizations become the founding
   * members, and the channel's Application `Admins` policy becomes "N of the member admins"
   * (N = the YES votes the policy needs among them), signed by every founding admin.
   *
   * @param network - the running network
   * @param options - the voting policy, the audit ledger, the clock
   * @returns the governance
   * @throws GovernanceError BAD_POLICY, GOVERNANCE_EXISTS, CONFIG_UPDATE_REJECTED; FabricNetworkError COMMAND_FAILED
   */
  static async create(
    network: GovernedNetwork,
    options: GovernanceOptions & { policy: VotingPolicy },
  ): Promise<FabricGovernance> {
    const now = options.now ?? (() => new Date());
    const founders = network.mspIds.map((mspId) => {
      const org = network.organization(mspId);
      return { name: org.name, mspId: org.mspId };
    });
    const created = createGovernanceState(options.policy, founders, now());
    await mkdir(join(network.dir, 'governance'), { recursive: true });
    return lockGovernance(network.dir, () => FabricGovernance.#create(network, options, created, founders, now));
  }

  static async #create(
    network: GovernedNetwork,
    options: GovernanceOptions,
    created: Transition,
    founders: { name: string; mspId: string }[],
    now: () => Date,
  ): Promise<FabricGovernance> {
    if (await exists(stateFile(network.dir))) {
      throw new GovernanceError('GOVERNANCE_EXISTS', `the network in ${network.dir} has governance already`, {
        dir: network.dir,
      });
    }
    const governance = await FabricGovernance.#attach(network, options, created.state);
    const mspIds = founders.map((one) => one.mspId);
    const needed = requiredYesVotes(created.state.policy, mspIds.length);
    const update = await governance.#config.update(
      (config) => {
        applicationGroup(config).policies.Admins = adminsPolicyEntry(config, needed, mspIds);
      },
      mspIds,
      `Application Admins policy: ${needed} of ${mspIds.length} member admins`,
    );
    const events: GovernanceEvent[] = [
      ...created.events,
      configEvent(update, `Application Admins policy: ${needed} of ${mspIds.length} member admins`),
    ];
    await mkdir(join(network.dir, 'governance'), { recursive: true });
    await governance.#audit.record(events, now());
    await governance.#save();
    return governance;
  }

  /**
   * Opens the governance of a network created earlier (state in `<dir>/governance/`).
   *
   * @param network - the network
   * @param options - the audit ledger, the clock
   * @returns the governance
   * @throws GovernanceError NO_GOVERNANCE
   */
  static async open(network: GovernedNetwork, options: GovernanceOptions): Promise<FabricGovernance> {
    const text = await readFile(stateFile(network.dir), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        throw new GovernanceError('NO_GOVERNANCE', `the network in ${network.dir} has no governance; create it first`, {
          dir: network.dir,
        });
      }
      throw error;
    });
    return FabricGovernance.#attach(network, options, JSON.parse(text) as GovernanceState);
  }

  static async #attach(
    network: GovernedNetwork,
    options: GovernanceOptions,
    state: GovernanceState,
  ): Promise<FabricGovernance> {
    const binaries = await ensureFabricBinaries({ build: false, ...(options.home ? { home: options.home } : {}) });
    await mkdir(join(network.dir, 'governance'), { recursive: true });
    const audit = await AuditTrail.open(
      options.ledger,
      options.auditTable ?? 'governance',
      auditFile(network.dir),
      network.channel,
    );
    return new FabricGovernance(
      network,
      new ChannelConfigurator(network.dir, binaries),
      audit,
      options.now ?? (() => new Date()),
      state,
    );
  }

  /** The network's voting policy. */
  get policy(): VotingPolicy {
    return { ...this.#state.policy };
  }

  /**
   * Members, active and removed.
   *
   * @returns a copy of each member
   */
  members(): Member[] {
    return structuredClone(this.#state.members);
  }

  /**
   * Proposals, oldest first, with expired ones shown as EXPIRED.
   *
   * @returns a copy of each proposal
   */
  proposals(): Proposal[] {
    return structuredClone(settleExpired(this.#state, this.#now()).state.proposals);
  }

  /**
   * One proposal.
   *
   * @param id - its id
   * @returns a copy of it
   * @throws GovernanceError UNKNOWN_PROPOSAL
   */
  proposal(id: string): Proposal {
    return structuredClone(findProposal(settleExpired(this.#state, this.#now()).state, id));
  }

  /**
   * Invitations, optionally of one organization.
   *
   * @param organization - the invited organization
   * @returns a copy of each invitation
   */
  invitations(organization?: string): Invitation[] {
    const all = settleExpired(this.#state, this.#now()).state.invitations;
    return structuredClone(
      organization === undefined
        ? all
        : all.filter((one) => one.organization.toLowerCase() === organization.toLowerCase()),
    );
  }

  /**
   * The admin signatures the channel's Application Admins policy needs with the current members.
   *
   * @returns N of "N of the member admins"
   */
  requiredSignatures(): number {
    return requiredYesVotes(this.#state.policy, this.#active().length);
  }

  /**
   * Every audit entry recorded so far, oldest first.
   *
   * @returns the entries with their receipts
   */
  auditTrail(): Promise<AuditEntry[]> {
    return this.#audit.entries();
  }

  /**
   * The channel config as the orderer has it now, read by a member's admin.
   *
   * @param reader - the reading member (default the first active one)
   * @returns the decoded config and its sequence number
   */
  channelConfig(reader?: string): Promise<{ config: ChannelConfigJson; sequence: number; blockNumber: number }> {
    return this.#config.read(reader ?? (this.#active()[0] as Member).mspId);
  }

  /**
   * A member proposes inviting an organization or removing a member.
   *
   * @param proposedBy - the proposing member (name or MSP id)
   * @param action - `{ type: 'INVITE', organization }` or `{ type: 'REMOVE', member }`
   * @returns the proposal
   * @throws GovernanceError NOT_A_MEMBER, BAD_ORGANIZATION_NAME, DUPLICATE_ORGANIZATION, UNKNOWN_MEMBER, DUPLICATE_PROPOSAL
   */
  async propose(proposedBy: string, action: ProposalAction): Promise<GovernanceResult<Proposal>> {
    return this.#exclusive(async () => {
      let checked = action;
      if (action?.type === 'UPDATE_ENDORSEMENT_POLICY' && activeMember(this.#state, proposedBy)) {
        const deployed = this.#network.chaincodes().find((chaincode) => chaincode.name === action.chaincode);
        if (!deployed) {
          throw new GovernanceError('UNKNOWN_CHAINCODE', `no chaincode '${String(action.chaincode)}' is deployed`, {
            chaincode: action.chaincode,
            chaincodes: this.#network.chaincodes().map((chaincode) => chaincode.name),
          });
        }
        // Voters vote on the exact signature policy: a shorthand is resolved against today's members.
        let policy: string;
        try {
          policy = endorsementPolicy(String(action.policy ?? ''), this.#network.mspIds);
        } catch (error) {
          throw new GovernanceError(
            'BAD_ENDORSEMENT_POLICY',
            error instanceof Error ? error.message : String(error),
            { chaincode: action.chaincode, policy: action.policy },
            error,
          );
        }
        checked = { type: 'UPDATE_ENDORSEMENT_POLICY', chaincode: deployed.name, policy };
      }
      return this.#apply((state, now) => createProposal(state, proposedBy, checked, now));
    });
  }

  /**
   * A member votes. A vote that approves a removal carries it out: the channel config update
   * dropping the member's MSP (and lowering N of the Admins policy) is signed by the approving
   * members' admins and submitted; if the orderer refuses it, the proposal is ACTION_FAILED.
   * An approved invitation waits for the invitee ({@link FabricGovernance.acceptInvitation}).
   *
   * @param proposalId - the proposal
   * @param member - the voting member (name or MSP id)
   * @param vote - YES or NO
   * @returns the proposal after the vote
   * @throws GovernanceError UNKNOWN_PROPOSAL, NOT_A_MEMBER, NOT_A_VOTER, PROPOSAL_EXPIRED, PROPOSAL_CLOSED, ALREADY_VOTED
   */
  async vote(proposalId: string, member: string, vote: 'YES' | 'NO'): Promise<GovernanceResult<Proposal>> {
    return this.#exclusive(() => this.#vote(proposalId, member, vote));
  }

  async #vote(proposalId: string, member: string, vote: 'YES' | 'NO'): Promise<GovernanceResult<Proposal>> {
    const voted = await this.#apply((state, now) => castVote(state, proposalId, member, vote, now));
    const proposal = voted.result;
    if (proposal.status !== 'APPROVED') return voted;
    if (proposal.action.type === 'UPDATE_ENDORSEMENT_POLICY') return this.#commitEndorsementPolicy(proposal, voted);
    if (proposal.action.type !== 'REMOVE') return voted;
    const removed = activeMember(this.#state, proposal.action.member) as Member;
    const remaining = this.#active().filter((one) => one.name !== removed.name);
    const signers = approvers(proposal).map((name) => (activeMember(this.#state, name) as Member).mspId);
    // The removed member's admin may sign (it voted), but it cannot read the config afterwards.
    const ordered = [
      ...signers.filter((mspId) => mspId !== removed.mspId),
      ...signers.filter((m) => m === removed.mspId),
    ];
    const needed = requiredYesVotes(this.#state.policy, remaining.length);
    const purpose = `remove ${removed.mspId} (proposal ${proposal.id}); Admins: ${needed} of ${remaining.length}`;
    let update: ConfigUpdateResult;
    try {
      update = await this.#config.update(
        (config) => {
          const application = applicationGroup(config);
          delete application.groups[removed.mspId];
          application.policies.Admins = adminsPolicyEntry(
            config,
            needed,
            remaining.map((one) => one.mspId),
          );
        },
        ordered,
        purpose,
      );
    } catch (error) {
      return this.#actionFailed(proposal, voted, error);
    }
    const done = await this.#apply((state, now) => {
      const removal = removeMemberState(state, proposal.id, now);
      return { ...removal, events: [configEvent(update, purpose, proposal.id), ...removal.events] };
    });
    // The channel no longer holds its MSP: its nodes stop, and the network stops naming it.
    await this.#network.removeOrganization(removed.mspId);
    return { result: this.proposal(proposal.id), audit: [...voted.audit, ...done.audit], configUpdate: update };
  }

  /** An approved proposal whose action Fabric refused: ACTION_FAILED, with the refusal. */
  async #actionFailed(
    proposal: Proposal,
    voted: GovernanceResult<Proposal>,
    error: unknown,
  ): Promise<GovernanceResult<Proposal>> {
    const failed = await this.#apply((state, now) => failProposalState(state, proposal.id, now));
    return {
      result: this.proposal(proposal.id),
      audit: [...voted.audit, ...failed.audit],
      failure: error instanceof Error ? error.message : String(error),
    };
  }

  /**
   * Carries out an approved endorsement policy change: the admins of the members who voted YES
   * approve the chaincode's next definition and commit it (Fabric's LifecycleEndorsement policy
   * decides whether they are enough); a refusal makes the proposal ACTION_FAILED.
   */
  async #commitEndorsementPolicy(
    proposal: Proposal,
    voted: GovernanceResult<Proposal>,
  ): Promise<GovernanceResult<Proposal>> {
    const action = proposal.action as Extract<ProposalAction, { type: 'UPDATE_ENDORSEMENT_POLICY' }>;
    const signers = approvers(proposal)
      .map((name) => activeMember(this.#state, name))
      .filter((one): one is Member => one !== undefined)
      .map((one) => one.mspId);
    let committed: { sequence: number; policy: string };
    try {
      committed = await this.#network.updateEndorsementPolicy(action.chaincode, action.policy, { approvers: signers });
    } catch (error) {
      return this.#actionFailed(proposal, voted, error);
    }
    const change: ChaincodeDefinitionChange = {
      chaincode: action.chaincode,
      sequence: committed.sequence,
      policy: committed.policy,
      approvers: signers,
    };
    const done = await this.#apply((state) => chaincodeCommittedState(state, proposal.id, change));
    return {
      result: this.proposal(proposal.id),
      audit: [...voted.audit, ...done.audit],
      chaincodeDefinition: change,
    };
  }

  /**
   * The invited organization accepts an approved invitation: it gets its own Fabric CA, MSP
   * and peers; the channel config update adding its MSP and anchor peer (and raising the
   * Admins policy to the new member count) is signed by the admins of the members who
   * approved it and submitted; then its peers join the channel. The invitation is checked
   * before anything is created, and the approvals are checked against the channel's current
   * Admins policy, so a refused call leaves no crypto material and no config change.
   *
   * @param organization - the invited organization
   * @param options - its CA's bootstrap admin and how many peers
   * @returns the new member
   * @throws GovernanceError UNKNOWN_INVITATION, INVITATION_NOT_APPROVED, CONFIG_UPDATE_REJECTED;
   *   FabricNetworkError from creating the organization (BAD_CREDENTIALS, ALREADY_EXISTS, …)
   */
  async acceptInvitation(organization: string, options: AcceptInvitationOptions): Promise<GovernanceResult<Member>> {
    return this.#exclusive(() => this.#acceptInvitation(organization, options));
  }

  async #acceptInvitation(organization: string, options: AcceptInvitationOptions): Promise<GovernanceResult<Member>> {
    this.#settle();
    const invitation = openInvitation(this.#state, organization);
    const proposal = findProposal(this.#state, invitation.proposalId);
    const signers = approvers(proposal)
      .map((name) => activeMember(this.#state, name))
      .filter((member): member is Member => member !== undefined)
      .map((member) => member.mspId);
    const current = await this.#config.read(signers[0] ?? (this.#active()[0] as Member).mspId);
    const policy = applicationGroup(current.config).policies.Admins?.policy as
      | { value?: { rule?: { n_out_of?: { n?: number } } } }
      | undefined;
    const needed = Number(policy?.value?.rule?.n_out_of?.n ?? Number.POSITIVE_INFINITY);
    if (signers.length < needed) {
      throw new GovernanceError(
        'CONFIG_UPDATE_REJECTED',
        `adding '${invitation.organization}' needs ${needed} admin signatures under the channel's Admins policy; only ${signers.length} approving members remain`,
        { organization: invitation.organization, proposalId: proposal.id, needed, signers },
      );
    }
    const created = await this.#network.addOrganization({
      name: invitation.organization,
      admin: options.admin,
      ...(options.peers === undefined ? {} : { peers: options.peers }),
    });
    const definition = await this.#network.organizationDefinition(created.mspId);
    const members = [...this.#active().map((one) => one.mspId), created.mspId];
    const newNeeded = requiredYesVotes(this.#state.policy, members.length);
    const purpose = `add ${created.mspId} (proposal ${proposal.id}); Admins: ${newNeeded} of ${members.length}`;
    const update = await this.#config.update(
      (config) => {
        const application = applicationGroup(config);
        application.groups[created.mspId] = definition as unknown as (typeof application.groups)[string];
        application.policies.Admins = adminsPolicyEntry(config, newNeeded, members);
      },
      signers,
      purpose,
    );
    await this.#network.joinChannel(created.mspId);
    const accepted = await this.#apply((state, now) => {
      const transition = acceptInvitationState(state, invitation.organization, created.mspId, now);
      return { ...transition, events: [configEvent(update, purpose, proposal.id), ...transition.events] };
    });
    return {
      result: activeMember(this.#state, created.mspId) as Member,
      audit: accepted.audit,
      configUpdate: update,
    };
  }

  /**
   * The invited organization declines an approved invitation.
   *
   * @param organization - the invited organization
   * @returns nothing
   * @throws GovernanceError UNKNOWN_INVITATION, INVITATION_NOT_APPROVED
   */
  async rejectInvitation(organization: string): Promise<GovernanceResult<undefined>> {
    return this.#exclusive(() => this.#apply((state, now) => rejectInvitationState(state, organization, now)));
  }

  /**
   * Puts a member's certificate revocation list into its MSP in the channel config (signed by
   * that member's admin alone, as its own MSP's policy asks), so the peers refuse every
   * certificate on it.
   *
   * @param member - the member (name or MSP id)
   * @param crlPem - the CRL its CA generated (PEM)
   * @returns the config update
   * @throws GovernanceError NOT_A_MEMBER, CONFIG_UPDATE_REJECTED; FabricNetworkError BAD_OPTION (not a CRL)
   */
  async publishRevocations(member: string, crlPem: string): Promise<GovernanceResult<ConfigUpdateResult>> {
    return this.#exclusive(() => this.#publishRevocations(member, crlPem));
  }

  async #publishRevocations(member: string, crlPem: string): Promise<GovernanceResult<ConfigUpdateResult>> {
    const found = activeMember(this.#state, member);
    if (!found) {
      throw new GovernanceError('NOT_A_MEMBER', `'${member}' is not a member of the network`, { member });
    }
    if (!/-----BEGIN X509 CRL-----/.test(crlPem)) {
      throw new FabricNetworkError('BAD_OPTION', 'the revocation list must be a PEM X509 CRL', { option: 'crlPem' });
    }
    const purpose = `revocation list of ${found.mspId}`;
    const update = await this.#config.update(
      (config) => {
        const msp = applicationGroup(config).groups[found.mspId]?.values.MSP?.value as
          | { config: { revocation_list?: string[] } }
          | undefined;
        if (!msp) throw new FabricNetworkError('NETWORK_MISMATCH', `the channel config has no MSP ${found.mspId}`, {});
        msp.config.revocation_list = [Buffer.from(crlPem).toString('base64')];
      },
      [found.mspId],
      purpose,
    );
    const at = this.#now();
    const audit = await this.#audit.record([configEvent(update, purpose)], at);
    return { result: update, audit, configUpdate: update };
  }

  /**
   * Runs a state change holding the governance lock, on the state as the state file has it now
   * (another process may have changed it since this one opened it).
   */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    return lockGovernance(this.#network.dir, async () => {
      const text = await readFile(stateFile(this.#network.dir), 'utf8').catch(() => undefined);
      if (text !== undefined) this.#state = JSON.parse(text) as GovernanceState;
      return work();
    });
  }

  #active(): Member[] {
    return this.#state.members.filter((member) => member.status === 'ACTIVE');
  }

  /** Records expiries that happened since the last call. */
  #settle(): void {
    const settled = settleExpired(this.#state, this.#now());
    if (settled.events.length > 0) this.#pending.push(...settled.events);
    this.#state = settled.state;
  }

  #pending: GovernanceEvent[] = [];

  /**
   * Runs a transition on the current state (expiries settled first): audit entries are
   * written, then the state is saved. A transition that throws changes nothing.
   */
  async #apply<T>(transition: (state: GovernanceState, now: Date) => Transition<T>): Promise<GovernanceResult<T>> {
    const now = this.#now();
    const settled = settleExpired(this.#state, now);
    const next = transition(settled.state, now);
    const events = [...this.#pending, ...settled.events, ...next.events];
    const audit = await this.#audit.record(events, now);
    this.#pending = [];
    this.#state = next.state;
    await this.#save();
    return { result: next.result, audit };
  }

  async #save(): Promise<void> {
    await writeFileAtomic(stateFile(this.#network.dir), `${JSON.stringify(this.#state, null, 2)}\n`);
  }
}

/** The Admins policy entry with `n` of `mspIds`, keeping the entry's version and mod_policy. */
function adminsPolicyEntry(config: ChannelConfigJson, n: number, mspIds: readonly string[]) {
  const existing = applicationGroup(config).policies.Admins;
  return {
    mod_policy: existing?.mod_policy ?? 'Admins',
    version: existing?.version ?? '0',
    policy: adminsPolicy(n, mspIds),
  };
}

function configEvent(update: ConfigUpdateResult, purpose: string, proposalId?: string): GovernanceEvent {
  return {
    type: 'CONFIG_UPDATE_SUBMITTED',
    purpose,
    ...(proposalId ? { proposalId } : {}),
    txId: update.txId,
    sequence: update.sequence,
    signers: update.signers,
  };
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}
