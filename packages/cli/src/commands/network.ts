import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError, type Ledger } from '@ledgerkit/core';
import type {
  FabricGovernance,
  FabricNetwork,
  GovernanceResult,
  Proposal,
  VotingPolicy,
} from '@ledgerkit/fabric-network';
import { Argument, Command, Option } from 'commander';
import { loadOptional } from '../load-optional.js';
import { addCommonOptions, type CliOutput, cliAction, exitCodes, withExamples } from '../program/conventions.js';
import { integerIn } from '../program/inputs.js';
import { printFields, printJson, renderTable } from '../program/output.js';

const defaultDir = join('.ledgerkit', 'fabric');

interface NetworkOptions {
  dir: string;
  json?: boolean;
}

/** Loaded on use: `ledgerkit --help` and the other groups need none of it. */
const fabricNetwork = () => import('@ledgerkit/fabric-network');

/** The audit ledger: a ledgerdb file in the network directory, its signing key next to it. */
const auditPaths = (dir: string) => ({
  ledger: join(resolve(dir), 'governance', 'audit.ledger'),
  key: join(resolve(dir), 'governance', 'audit-signing-key.pem'),
});

async function openAuditLedger(dir: string, create: boolean): Promise<Ledger> {
  const { asLedger, openLedgerDatabase } = await loadOptional(
    '@ledgerkit/ledgerdb',
    'the governance audit trail',
    () => import('@ledgerkit/ledgerdb'),
  );
  const paths = auditPaths(dir);
  let key: string;
  if (create) {
    await mkdir(dirname(paths.key), { recursive: true });
    key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeFile(paths.key, key, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
      key = await readFile(paths.key, 'utf8');
    });
  } else {
    key = await readFile(paths.key, 'utf8');
  }
  const database = await openLedgerDatabase({ path: paths.ledger, name: 'governance', signingKey: key });
  if (!(await database.tables()).some((table) => table.name === 'governance')) await database.createTable('governance');
  return asLedger(database);
}

/** Opens the network and its governance, runs `work`, closes the audit ledger. */
async function withGovernance<T>(
  dir: string,
  work: (governance: FabricGovernance, network: FabricNetwork) => Promise<T>,
): Promise<T> {
  const { FabricNetwork, FabricGovernance } = await fabricNetwork();
  const network = await FabricNetwork.open(dir);
  const ledger = await openAuditLedger(dir, false).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      throw new InvalidArgumentError(
        'dir',
        `the network in ${network.dir} has no governance; run 'ledgerkit network create' first`,
        {
          dir: network.dir,
        },
      );
    }
    throw error;
  });
  try {
    return await work(await FabricGovernance.open(network, { ledger }), network);
  } finally {
    await ledger.close();
  }
}

function proposalRow(proposal: Proposal): unknown[] {
  const yes = proposal.votes.filter((vote) => vote.vote === 'YES').length;
  const action = proposal.action;
  const target =
    action.type === 'INVITE'
      ? action.organization
      : action.type === 'REMOVE'
        ? action.member
        : `${action.chaincode}: ${action.policy}`;
  return [
    proposal.id,
    proposal.action.type,
    target,
    proposal.proposedBy,
    proposal.status,
    `${yes} yes / ${proposal.votes.length - yes} no of ${proposal.voters.length}`,
    proposal.expiresAt,
  ];
}

const proposalColumns = ['ID', 'ACTION', 'TARGET', 'BY', 'STATUS', 'VOTES', 'EXPIRES'];

function printResult(io: CliOutput, json: boolean | undefined, result: GovernanceResult<unknown>, text: string): void {
  if (json) {
    printJson(io, result);
    return;
  }
  io.stdout(`${text}\n`);
  if (result.configUpdate) {
    printFields(
      io,
      [
        ['config update', result.configUpdate.txId],
        ['config sequence', result.configUpdate.sequence],
        ['signed by', result.configUpdate.signers],
      ],
      '  ',
    );
  }
  if (result.chaincodeDefinition) {
    printFields(
      io,
      [
        ['chaincode', result.chaincodeDefinition.chaincode],
        ['definition sequence', result.chaincodeDefinition.sequence],
        ['endorsement policy', result.chaincodeDefinition.policy],
        ['approved by', result.chaincodeDefinition.approvers],
      ],
      '  ',
    );
  }
  if (result.failure) io.stdout(`  failed: ${result.failure}\n`);
  io.stdout(
    `  audit: ${result.audit.map((entry) => `${entry.document.type} (tx ${entry.receipt.txId})`).join(', ')}\n`,
  );
}

/**
 * The `ledgerkit network` group: members, proposals, votes and invitations of a Fabric network,
 * enforced by the channel's own Admins policy.
 *
 * @param io - where to write
 * @returns the command
 */
export function createNetworkCommand(io: CliOutput): Command {
  const group = new Command('network').description(
    'Managed membership of a Fabric network: create, status, propose (invite, remove, endorsement policy), vote, proposals, invitations, accept, reject, members, add-node',
  );
  group.addHelpText(
    'after',
    `\nEvery command takes --dir (default ./${defaultDir}). Governance state is kept in <dir>/governance;\nevery change is recorded on a ledgerdb ledger there (audit.ledger), each with a receipt.`,
  );
  withExamples(group, [
    'create --orgs Org1,Org2 --threshold 50',
    'propose invite Org3 --member Org1',
    'propose endorsement-policy assets --policy all --member Org1',
    'vote p1 YES --member Org2',
    'accept Org3 --admin admin --admin-password Passw0rd1',
  ]);
  const withDir = (command: Command) => command.option('--dir <dir>', 'the network directory', defaultDir);

  const create = withDir(new Command('create'))
    .description('Start a Fabric network (unless it runs) and create its governance with a voting policy')
    .option('--orgs <orgs>', 'founding members: a count (default 2) or names: Org1,Org2')
    .option('--channel <name>', 'channel name (default ledgerkit)')
    .requiredOption('--threshold <percent>', 'approval threshold percentage, 0-100', integerIn(0, 100))
    .addOption(
      new Option('--comparator <comparator>', 'how YES votes compare with the threshold')
        .choices(['GREATER_THAN', 'GREATER_THAN_OR_EQUAL_TO'])
        .default('GREATER_THAN'),
    )
    .option('--duration <hours>', 'hours a proposal stays open, 1-168', integerIn(1, 168), 24);
  addCommonOptions(create, 'one JSON document: {policy, members, requiredSignatures}');
  withExamples(create, [
    '--orgs Org1,Org2 --threshold 50',
    '--threshold 67 --comparator GREATER_THAN_OR_EQUAL_TO --json',
  ]);
  create.action(
    cliAction(
      io,
      async (
        options: NetworkOptions & {
          orgs?: string;
          channel?: string;
          threshold: number;
          comparator: VotingPolicy['comparator'];
          duration: number;
        },
      ) => {
        const { FabricNetwork, FabricGovernance } = await fabricNetwork();
        const orgs =
          options.orgs === undefined
            ? undefined
            : /^\d+$/.test(options.orgs)
              ? Number(options.orgs)
              : options.orgs.split(',');
        const network = await FabricNetwork.up({
          dir: options.dir,
          ...(orgs === undefined ? {} : { orgs }),
          ...(options.channel === undefined ? {} : { channel: options.channel }),
        });
        const ledger = await openAuditLedger(options.dir, true);
        try {
          const governance = await FabricGovernance.create(network, {
            policy: {
              thresholdPercentage: options.threshold,
              comparator: options.comparator,
              proposalDurationHours: options.duration,
            },
            ledger,
          });
          const summary = {
            policy: governance.policy,
            members: governance.members(),
            requiredSignatures: governance.requiredSignatures(),
          };
          if (options.json) printJson(io, summary);
          else {
            io.stdout(`Network governance created in ${network.dir}\n`);
            printFields(
              io,
              [
                ['members', summary.members.map((member) => member.name)],
                ['threshold', `${options.threshold}% ${options.comparator}`],
                ['proposal duration', `${options.duration} h`],
                ['Admins policy', `${summary.requiredSignatures} of ${summary.members.length} member admins`],
              ],
              '  ',
            );
          }
          return exitCodes.ok;
        } finally {
          await ledger.close();
        }
      },
    ),
  );

  const status = withDir(new Command('status')).description(
    "Members, voting policy, open proposals and each node's health and key metrics (Fabric's operations endpoint)",
  );
  addCommonOptions(status, 'one JSON document: {policy, requiredSignatures, members, openProposals, nodes}');
  withExamples(status, ['', '--dir ./net --json']);
  status.action(
    cliAction(io, async (options: NetworkOptions) =>
      withGovernance(options.dir, async (governance, network) => {
        const nodes = await network.nodeHealth();
        const summary = {
          policy: governance.policy,
          requiredSignatures: governance.requiredSignatures(),
          members: governance.members(),
          openProposals: governance.proposals().filter((proposal) => proposal.status === 'IN_PROGRESS'),
          nodes,
        };
        if (options.json) printJson(io, summary);
        else {
          const policy = summary.policy;
          printFields(io, [
            ['members', summary.members.filter((m) => m.status === 'ACTIVE').map((m) => m.name)],
            ['policy', `${policy.thresholdPercentage}% ${policy.comparator}, ${policy.proposalDurationHours} h`],
            ['Admins policy', `${summary.requiredSignatures} member admin signatures`],
            ['open proposals', summary.openProposals.map((proposal) => proposal.id)],
          ]);
          io.stdout(
            `\n${renderTable(
              ['NODE', 'KIND', 'MSP', 'RUNNING', 'HEALTHY', 'HEIGHT', 'ENDORSEMENTS'],
              nodes.map((node) => [
                node.id,
                node.kind,
                node.mspId,
                node.running,
                node.healthy,
                node.metrics.ledgerHeight,
                node.metrics.successfulEndorsements,
              ]),
            )}`,
          );
        }
        return nodes.every((node) => node.healthy) ? exitCodes.ok : exitCodes.failure;
      }),
    ),
  );

  const propose = withDir(new Command('propose'))
    .description(
      "A member proposes inviting an organization, removing a member, or changing a chaincode's endorsement policy",
    )
    .addArgument(
      new Argument('<action>', 'invite, remove or endorsement-policy').choices([
        'invite',
        'remove',
        'endorsement-policy',
      ]),
    )
    .argument('<target>', 'the organization to invite, the member to remove, or the chaincode')
    .requiredOption('--member <member>', 'the proposing member (name or MSP id)')
    .option(
      '--policy <policy>',
      "endorsement-policy: majority, any, all or an expression such as AND('Org1MSP.peer','Org2MSP.peer')",
    );
  addCommonOptions(propose, 'one JSON document: {result: the proposal, audit}');
  withExamples(propose, [
    'invite Org3 --member Org1',
    'remove Org2 --member Org1 --json',
    'endorsement-policy assets --policy all --member Org1',
  ]);
  propose.action(
    cliAction(
      io,
      async (
        action: 'invite' | 'remove' | 'endorsement-policy',
        target: string,
        options: NetworkOptions & { member: string; policy?: string },
      ) => {
        if ((action === 'endorsement-policy') !== (options.policy !== undefined)) {
          throw new InvalidArgumentError(
            'policy',
            action === 'endorsement-policy'
              ? 'propose endorsement-policy needs --policy (majority, any, all or an expression)'
              : `--policy belongs to endorsement-policy proposals, not ${action}`,
          );
        }
        return withGovernance(options.dir, async (governance) => {
          const result = await governance.propose(
            options.member,
            action === 'invite'
              ? { type: 'INVITE', organization: target }
              : action === 'remove'
                ? { type: 'REMOVE', member: target }
                : { type: 'UPDATE_ENDORSEMENT_POLICY', chaincode: target, policy: options.policy as string },
          );
          const what =
            result.result.action.type === 'UPDATE_ENDORSEMENT_POLICY'
              ? `endorsement policy of ${target}: ${result.result.action.policy}`
              : `${action} ${target}`;
          printResult(
            io,
            options.json,
            result,
            `Proposal ${result.result.id}: ${what}, open until ${result.result.expiresAt}`,
          );
          return exitCodes.ok;
        });
      },
    ),
  );

  const vote = withDir(new Command('vote'))
    .description(
      'A member votes on a proposal; the vote that approves a removal or an endorsement policy change carries it out',
    )
    .argument('<proposal>', 'the proposal id, e.g. p1')
    .addArgument(new Argument('<vote>', 'YES or NO').choices(['YES', 'NO']))
    .requiredOption('--member <member>', 'the voting member (name or MSP id)');
  addCommonOptions(vote, 'one JSON document: {result: the proposal, audit, configUpdate?, chaincodeDefinition?}');
  withExamples(vote, ['p1 YES --member Org2', 'p2 NO --member Org1 --json']);
  vote.action(
    cliAction(io, async (id: string, choice: 'YES' | 'NO', options: NetworkOptions & { member: string }) =>
      withGovernance(options.dir, async (governance) => {
        const result = await governance.vote(id, options.member, choice);
        printResult(io, options.json, result, `Proposal ${id} is ${result.result.status}`);
        return result.result.status === 'ACTION_FAILED' ? exitCodes.failure : exitCodes.ok;
      }),
    ),
  );

  const proposals = withDir(new Command('proposals')).description('Every proposal with its votes and status');
  addCommonOptions(proposals, 'one JSON document: the proposals');
  withExamples(proposals, ['', '--json']);
  proposals.action(
    cliAction(io, async (options: NetworkOptions) =>
      withGovernance(options.dir, async (governance) => {
        const all = governance.proposals();
        if (options.json) printJson(io, all);
        else io.stdout(renderTable(proposalColumns, all.map(proposalRow)));
        return exitCodes.ok;
      }),
    ),
  );

  const invitations = withDir(new Command('invitations'))
    .description('Invitations: PENDING while voted on, OPEN once approved, then ACCEPTED, REJECTED or VOTED_DOWN')
    .option('--org <org>', 'only this organization’s');
  addCommonOptions(invitations, 'one JSON document: the invitations');
  withExamples(invitations, ['', '--org Org3 --json']);
  invitations.action(
    cliAction(io, async (options: NetworkOptions & { org?: string }) =>
      withGovernance(options.dir, async (governance) => {
        const all = governance.invitations(options.org);
        if (options.json) printJson(io, all);
        else
          io.stdout(
            renderTable(
              ['ORGANIZATION', 'PROPOSAL', 'STATUS'],
              all.map((one) => [one.organization, one.proposalId, one.status]),
            ),
          );
        return exitCodes.ok;
      }),
    ),
  );

  const accept = withDir(new Command('accept'))
    .description(
      'The invited organization accepts: its Fabric CA, MSP and peers, the config update adding it signed by the approving admins, its peers join',
    )
    .argument('<org>', 'the invited organization')
    .requiredOption('--admin <name>', 'bootstrap admin of its Fabric CA (1-16 letters and digits)')
    .addOption(
      new Option('--admin-password <password>', 'the admin password (8-32 with upper, lower, digit)').env(
        'LEDGERKIT_CA_ADMIN_PASSWORD',
      ),
    )
    .option('--peers <n>', 'peers of the new member', integerIn(1, 4), 1);
  addCommonOptions(accept, 'one JSON document: {result: the member, audit, configUpdate}');
  withExamples(accept, ['Org3 --admin admin --admin-password Passw0rd1', 'Org3 --admin admin --peers 2 --json']);
  accept.action(
    cliAction(
      io,
      async (org: string, options: NetworkOptions & { admin: string; adminPassword?: string; peers: number }) => {
        if (options.adminPassword === undefined) {
          throw new InvalidArgumentError(
            'admin-password',
            'give the CA admin password with --admin-password or LEDGERKIT_CA_ADMIN_PASSWORD',
          );
        }
        const password = options.adminPassword;
        return withGovernance(options.dir, async (governance) => {
          const result = await governance.acceptInvitation(org, {
            admin: { name: options.admin, password },
            peers: options.peers,
          });
          printResult(io, options.json, result, `${result.result.name} (${result.result.mspId}) joined the network`);
          return exitCodes.ok;
        });
      },
    ),
  );

  const reject = withDir(new Command('reject'))
    .description('The invited organization declines an approved invitation')
    .argument('<org>', 'the invited organization');
  addCommonOptions(reject, 'one JSON document: {audit}');
  withExamples(reject, ['Org3', 'Org3 --json']);
  reject.action(
    cliAction(io, async (org: string, options: NetworkOptions) =>
      withGovernance(options.dir, async (governance) => {
        printResult(io, options.json, await governance.rejectInvitation(org), `${org} declined its invitation`);
        return exitCodes.ok;
      }),
    ),
  );

  const members = withDir(new Command('members')).description('Members, active and removed');
  addCommonOptions(members, 'one JSON document: the members');
  withExamples(members, ['', '--json']);
  members.action(
    cliAction(io, async (options: NetworkOptions) =>
      withGovernance(options.dir, async (governance) => {
        const all = governance.members();
        if (options.json) printJson(io, all);
        else
          io.stdout(
            renderTable(
              ['MEMBER', 'MSP', 'STATUS', 'JOINED'],
              all.map((member) => [member.name, member.mspId, member.status, member.joinedAt]),
            ),
          );
        return exitCodes.ok;
      }),
    ),
  );

  const addNode = withDir(new Command('add-node'))
    .description("Add a peer to a member: identity from its CA, started, joined, caught up (AMB's CreateNode)")
    .argument('<member>', 'the member (name or MSP id)');
  addCommonOptions(addNode, 'one JSON document: {id, host, endpoint, joined, height}');
  withExamples(addNode, ['Org1', 'Org3 --json']);
  addNode.action(
    cliAction(io, async (member: string, options: NetworkOptions) =>
      withGovernance(options.dir, async (governance, network) => {
        if (
          !governance.members().some((one) => one.status === 'ACTIVE' && (one.name === member || one.mspId === member))
        ) {
          throw new InvalidArgumentError('member', `'${member}' is not a member of the network`, { member });
        }
        const added = await network.addPeer(member);
        if (options.json) printJson(io, added);
        else
          io.stdout(`Peer ${added.id} at ${added.endpoint}, joined: ${added.joined}, height ${added.height ?? '-'}\n`);
        return exitCodes.ok;
      }),
    ),
  );

  for (const command of [create, status, propose, vote, proposals, invitations, accept, reject, members, addNode]) {
    group.addCommand(command);
  }
  return group;
}
