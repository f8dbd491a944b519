// The governance acceptance scenario on one real network: two organizations (1 Raft orderer,
// one peer each, native processes), the test's TypeScript chaincode, a ledgerdb ledger (SQLite
// file) as the audit trail. Org3 is invited, voted in, gets its own fabric-ca-server and peer,
// joins and endorses; a voted-down invitation and an under-signed config update leave the
// channel config as it was; a revoked user is refused by the peer; a removed member's
// endorsements stop satisfying the chaincode's policy. The network is torn down even on failure.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLedgerError, type Ledger } from '@ledgerkit/core';
import { asLedger, type LedgerDatabase, openLedgerDatabase } from '@ledgerkit/ledgerdb';
import { verifyLedgerdbReceipt } from '@ledgerkit/ledgerdb/verify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureFabricBinaries } from '../src/binaries.js';
import {
  adminsPolicy,
  applicationGroup,
  type ChannelConfigJson,
  ChannelConfigurator,
} from '../src/governance/channel-config.js';
import { FabricGovernance } from '../src/governance/fabric-governance.js';
import { FabricNetwork } from '../src/index.js';
import { claimNetworkDir } from '../src/testing.js';
import { gatewayFor, whenDiscovered } from './gateway-client.js';

const chaincodePath = fileURLToPath(new URL('./fixtures/asset-transfer', import.meta.url));
const channel = 'governed';
const caAdmin = { name: 'admin', password: 'Passw0rd1' };

async function refusal(run: () => Promise<unknown>): Promise<{ code: string; reason: unknown }> {
  try {
    await run();
  } catch (error) {
    if (!isLedgerError(error)) throw error;
    return { code: error.code, reason: error.details.reason };
  }
  throw new Error('expected a refusal');
}

function adminsRule(config: ChannelConfigJson) {
  const policy = applicationGroup(config).policies.Admins?.policy as {
    type: number;
    value: { identities: { principal: { msp_identifier: string } }[]; rule: { n_out_of: { n: number } } };
  };
  return {
    type: policy.type,
    n: policy.value.rule.n_out_of.n,
    of: policy.value.identities.map((identity) => identity.principal.msp_identifier),
  };
}

describe('network governance on a real Fabric network', () => {
  let dir: string;
  let network: FabricNetwork | undefined;
  let ledger: Ledger<LedgerDatabase> | undefined;
  // The governance clock; the test moves it forward to expire a proposal.
  let now = new Date();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgerkit-fabric-'));
    await claimNetworkDir(dir);
    const { privateKey } = generateKeyPairSync('ed25519');
    const database = await openLedgerDatabase({
      path: join(dir, 'audit.ledger'),
      name: 'governance',
      signingKey: privateKey,
    });
    await database.createTable('governance');
    ledger = asLedger(database);
  });

  afterAll(async () => {
    await ledger?.close().catch(() => {});
    await network?.down({ purge: true }).catch(() => {});
    await (await FabricNetwork.open(dir).catch(() => undefined))?.down({ purge: true });
    await rm(dir, { recursive: true, force: true });
  });

  test('invite, vote, accept, endorse; refused changes leave the config alone; revoke; remove', async () => {
    network = await FabricNetwork.up({ dir, orgs: 2, channel });
    await network.deployChaincode({ name: 'assets', path: chaincodePath, policy: 'any' });
    const governance = await FabricGovernance.create(network, {
      // 67 % GREATER_THAN_OR_EQUAL_TO: 2 of 2 members, 3 of 3 (where Fabric's default MAJORITY is 2).
      policy: { thresholdPercentage: 67, comparator: 'GREATER_THAN_OR_EQUAL_TO', proposalDurationHours: 24 },
      ledger: ledger as Ledger<LedgerDatabase>,
      now: () => now,
    });
    const configurator = new ChannelConfigurator(network.dir, await ensureFabricBinaries({ build: false }));
    const created = await governance.channelConfig();
    // 67 % of 2 members: both admins must sign a membership change.
    expect(adminsRule(created.config)).toEqual({ type: 1, n: 2, of: ['Org1MSP', 'Org2MSP'] });

    // An update signed by one admin is refused by the orderer; the sequence stays.
    const underSigned = await refusal(() =>
      configurator.update(
        (config) => {
          const admins = applicationGroup(config).policies.Admins as { policy: unknown };
          admins.policy = adminsPolicy(1, ['Org1MSP']);
        },
        ['Org1MSP'],
        'Org1 alone makes its admin the only one the Admins policy needs',
      ),
    );
    expect(underSigned).toEqual({ code: 'PERMISSION_DENIED', reason: 'CONFIG_UPDATE_REJECTED' });
    expect((await governance.channelConfig()).sequence).toBe(created.sequence);

    // A proposal that fails the vote: no config change, no crypto material for the organization.
    const { result: voteDown } = await governance.propose('Org1', { type: 'INVITE', organization: 'Org4' });
    expect((await governance.vote(voteDown.id, 'Org2', 'NO')).result.status).toBe('REJECTED');
    expect(await refusal(() => governance.acceptInvitation('Org4', { admin: caAdmin }))).toEqual({
      code: 'INVALID_ARGUMENT',
      reason: 'INVITATION_NOT_APPROVED',
    });
    expect((await governance.channelConfig()).sequence).toBe(created.sequence);
    expect(await readdir(join(dir, 'crypto', 'peerOrganizations'))).not.toContain('org4.example.com');

    // Bad input through the service: a non-member's vote, a double vote, a duplicate name.
    const { result: invite } = await governance.propose('Org1', { type: 'INVITE', organization: 'Org3' });
    expect(await refusal(() => governance.vote(invite.id, 'Org9', 'YES'))).toEqual({
      code: 'PERMISSION_DENIED',
      reason: 'NOT_A_MEMBER',
    });
    await governance.vote(invite.id, 'Org1', 'YES');
    expect(await refusal(() => governance.vote(invite.id, 'Org1', 'YES'))).toEqual({
      code: 'ALREADY_EXISTS',
      reason: 'ALREADY_VOTED',
    });
    expect(await refusal(() => governance.propose('Org2', { type: 'INVITE', organization: 'org3' }))).toEqual({
      code: 'ALREADY_EXISTS',
      reason: 'DUPLICATE_ORGANIZATION',
    });
    expect(await refusal(() => governance.acceptInvitation('Org3', { admin: caAdmin }))).toEqual({
      code: 'INVALID_ARGUMENT',
      reason: 'INVITATION_NOT_APPROVED',
    });
    expect((await governance.vote(invite.id, 'Org2', 'YES')).result.status).toBe('APPROVED');
    expect(governance.invitations('Org3')).toMatchObject([{ status: 'OPEN', proposalId: invite.id }]);

    // Org3 accepts: its CA and peer, the config update signed by both approving admins, the join.
    const accepted = await governance.acceptInvitation('Org3', { admin: caAdmin });
    expect(accepted.result).toMatchObject({ name: 'Org3', mspId: 'Org3MSP', status: 'ACTIVE' });
    expect(accepted.configUpdate).toMatchObject({ sequence: created.sequence + 1, signers: ['Org1MSP', 'Org2MSP'] });
    const withOrg3 = await governance.channelConfig();
    expect(Object.keys(applicationGroup(withOrg3.config).groups).sort()).toEqual(['Org1MSP', 'Org2MSP', 'Org3MSP']);
    // 67 % of 3 members: all 3 admin signatures.
    expect(adminsRule(withOrg3.config)).toEqual({ type: 1, n: 3, of: ['Org1MSP', 'Org2MSP', 'Org3MSP'] });
    expect(governance.requiredSignatures()).toBe(3);
    // Two of three admins would satisfy Fabric's default MAJORITY; the derived policy refuses them.
    expect(
      await refusal(() =>
        configurator.update(
          (config) => {
            const admins = applicationGroup(config).policies.Admins as { policy: unknown };
            admins.policy = adminsPolicy(1, ['Org1MSP', 'Org2MSP']);
          },
          ['Org1MSP', 'Org2MSP'],
          'Org1 and Org2 leave Org3 out of the Admins policy',
        ),
      ),
    ).toEqual({ code: 'PERMISSION_DENIED', reason: 'CONFIG_UPDATE_REJECTED' });
    expect((await governance.channelConfig()).sequence).toBe(withOrg3.sequence);

    // Org3 endorses a chaincode whose policy names it, committed with the three members.
    const shared = await network.deployChaincode({ name: 'shared', path: chaincodePath, policy: 'any' });
    expect(shared.policy).toBe("OR('Org1MSP.peer','Org2MSP.peer','Org3MSP.peer')");
    const org3 = await gatewayFor(network.organization('Org3'));
    try {
      const contract = org3.gateway.getNetwork(channel).getContract('shared');
      const endorsed = await whenDiscovered(
        () =>
          contract
            .newProposal('CreateAsset', { arguments: ['by-org3', 'Org3', '3'], endorsingOrganizations: ['Org3MSP'] })
            .endorse(),
        60_000,
      );
      const status = await (await endorsed.submit()).getStatus();
      expect(status.successful).toBe(true);
    } finally {
      org3.close();
    }

    // A revoked user of Org3: accepted before, refused by the peer once the CRL is in the channel MSP.
    const ca = await network.certificateAuthority('Org3');
    const { secret } = await ca.register({ name: 'mallory', type: 'client' });
    const mallory = await ca.enroll({ name: 'mallory', secret });
    const asMallory = await gatewayFor(network.organization('Org3'), mallory);
    try {
      const contract = asMallory.gateway.getNetwork(channel).getContract('shared');
      await contract.submitTransaction('CreateAsset', 'mallory-1', 'Mallory', '1');
      const { crl } = await ca.revoke('mallory');
      const published = await governance.publishRevocations('Org3', crl);
      expect(published.result.signers).toEqual(['Org3MSP']);
      let refused: unknown;
      const deadline = Date.now() + 30_000;
      while (refused === undefined && Date.now() < deadline) {
        await contract.submitTransaction('CreateAsset', `mallory-${Date.now()}`, 'Mallory', '1').catch((error) => {
          refused = error;
        });
      }
      expect(refused).toBeDefined();
      expect((refused as Error).name).toMatch(/EndorseError|GatewayError/);
    } finally {
      asMallory.close();
    }

    // Removing Org2: an endorsement Org2 gave before no longer satisfies the policy after.
    const org1 = await gatewayFor(network.organization('Org1'));
    try {
      const contract = org1.gateway.getNetwork(channel).getContract('shared');
      const byOrg2 = await contract
        .newProposal('CreateAsset', { arguments: ['by-org2', 'Org2', '2'], endorsingOrganizations: ['Org2MSP'] })
        .endorse();
      const { result: removal } = await governance.propose('Org1', { type: 'REMOVE', member: 'Org2' });
      await governance.vote(removal.id, 'Org1', 'YES');
      expect((await governance.vote(removal.id, 'Org3', 'YES')).result.status).toBe('IN_PROGRESS');
      const removed = await governance.vote(removal.id, 'Org2', 'YES');
      expect(removed.result.status).toBe('APPROVED');
      // The member being removed signs last: afterwards it can no longer read the config.
      expect(removed.configUpdate?.signers).toEqual(['Org1MSP', 'Org3MSP', 'Org2MSP']);
      expect(governance.members().find((member) => member.name === 'Org2')?.status).toBe('REMOVED');
      const withoutOrg2 = await governance.channelConfig();
      expect(Object.keys(applicationGroup(withoutOrg2.config).groups).sort()).toEqual(['Org1MSP', 'Org3MSP']);
      expect(adminsRule(withoutOrg2.config)).toEqual({ type: 1, n: 2, of: ['Org1MSP', 'Org3MSP'] });
      const status = await (await byOrg2.submit()).getStatus();
      expect(status.successful).toBe(false);
      expect(status.code).toBe(10); // ENDORSEMENT_POLICY_FAILURE
    } finally {
      org1.close();
    }

    // A vote after the proposal's 24 hours is refused, and the expiry is recorded.
    const { result: late } = await governance.propose('Org1', { type: 'INVITE', organization: 'Org5' });
    now = new Date(now.getTime() + 25 * 3_600_000);
    expect(await refusal(() => governance.vote(late.id, 'Org3', 'YES'))).toEqual({
      code: 'INVALID_ARGUMENT',
      reason: 'PROPOSAL_EXPIRED',
    });
    expect(governance.proposal(late.id).status).toBe('EXPIRED');

    // Every step has a receipt the ledgerdb verifier accepts; the state survives reopening.
    const trail = await governance.auditTrail();
    const types = trail.map((entry) => entry.document.type);
    expect(types.slice(0, 2)).toEqual(['NETWORK_CREATED', 'CONFIG_UPDATE_SUBMITTED']);
    for (const type of ['PROPOSAL_CREATED', 'VOTE_CAST', 'PROPOSAL_STATUS', 'INVITATION_ACCEPTED', 'MEMBER_REMOVED']) {
      expect(types).toContain(type);
    }
    const acceptance = trail.find((entry) => entry.document.type === 'INVITATION_ACCEPTED');
    const bundle = await (ledger as Ledger<LedgerDatabase>).evidence(acceptance?.receipt as never);
    const verified = await verifyLedgerdbReceipt(bundle.subject as never, bundle.evidence);
    expect(verified.ok).toBe(true);
    const reopened = await FabricGovernance.open(await FabricNetwork.open(dir), {
      ledger: ledger as Ledger<LedgerDatabase>,
    });
    expect(reopened.members().map((member) => [member.name, member.status])).toEqual([
      ['Org1', 'ACTIVE'],
      ['Org2', 'REMOVED'],
      ['Org3', 'ACTIVE'],
    ]);
  });
});
