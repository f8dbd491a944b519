// Governance changes beyond membership, on one real network (1 Raft orderer, Org1 and Org2 with
// one peer each, native processes, the asset-transfer chaincode, a ledgerdb audit ledger):
// a chaincode's endorsement policy changed through a proposal (a voted-down proposal leaves
// Fabric's definition alone; an approved one commits the next definition, after which an
// endorsement the old policy accepted fails validation); redeploying a chaincode on its port;
// a failed acceptance (addOrganization failing half-way) leaves no crypto material, process,
// network.json entry or config change, and the retry works; a removed member leaves the
// network's channel organizations and its nodes stop. Torn down even on failure.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLedgerError, type Ledger } from '@ledgerkit/core';
import { asLedger, type LedgerDatabase, openLedgerDatabase } from '@ledgerkit/ledgerdb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FabricGovernance } from '../src/governance/fabric-governance.js';
import { FabricNetwork } from '../src/index.js';
import { claimNetworkDir, processesOfNetwork } from '../src/testing.js';
import { gatewayFor, whenDiscovered } from './gateway-client.js';

const chaincodePath = fileURLToPath(new URL('./fixtures/asset-transfer', import.meta.url));
const channel = 'changes';
const caAdmin = { name: 'admin', password: 'Passw0rd1' };
const bothOrgs = "AND('Org1MSP.peer','Org2MSP.peer')";

async function refusal(run: () => Promise<unknown>): Promise<{ code: string; reason: unknown }> {
  try {
    await run();
  } catch (error) {
    if (!isLedgerError(error)) throw error;
    return { code: error.code, reason: error.details.reason };
  }
  throw new Error('expected a refusal');
}

const exists = async (path: string) => (await stat(path).catch(() => undefined)) !== undefined;

describe('endorsement policy proposals, redeploys, a failed acceptance and a removal on a real network', () => {
  let dir: string;
  let network: FabricNetwork | undefined;
  let ledger: Ledger<LedgerDatabase> | undefined;

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

  test('a policy change by vote, redeploys on the same port, a rolled-back acceptance, a removal', async () => {
    network = await FabricNetwork.up({ dir, orgs: 2, channel });
    const net = network;
    const first = await net.deployChaincode({ name: 'assets', path: chaincodePath, policy: 'any' });
    const governance = await FabricGovernance.create(net, {
      // 50 % GREATER_THAN of 2 members: both must vote YES.
      policy: { thresholdPercentage: 50, comparator: 'GREATER_THAN', proposalDurationHours: 24 },
      ledger: ledger as Ledger<LedgerDatabase>,
    });
    const org1 = await gatewayFor(net.organization('Org1'));
    try {
      const contract = org1.gateway.getNetwork(channel).getContract('assets');
      const endorseBy = (id: string, orgs: string[]) =>
        whenDiscovered(
          () =>
            contract
              .newProposal('CreateAsset', { arguments: [id, 'Org1', '1'], endorsingOrganizations: orgs })
              .endorse(),
          60_000,
        );

      // Bad input: an unknown chaincode, a policy naming a non-member.
      expect(
        await refusal(() =>
          governance.propose('Org1', { type: 'UPDATE_ENDORSEMENT_POLICY', chaincode: 'nosuch', policy: 'all' }),
        ),
      ).toEqual({ code: 'NOT_FOUND', reason: 'UNKNOWN_CHAINCODE' });
      expect(
        await refusal(() =>
          governance.propose('Org1', {
            type: 'UPDATE_ENDORSEMENT_POLICY',
            chaincode: 'assets',
            policy: "AND('Org9MSP.peer')",
          }),
        ),
      ).toEqual({ code: 'INVALID_ARGUMENT', reason: 'BAD_ENDORSEMENT_POLICY' });

      // Voted down: Fabric's definition stays at sequence 1 with OR, so Org1 alone still endorses.
      const { result: down } = await governance.propose('Org1', {
        type: 'UPDATE_ENDORSEMENT_POLICY',
        chaincode: 'assets',
        policy: 'all',
      });
      expect(down.action).toEqual({ type: 'UPDATE_ENDORSEMENT_POLICY', chaincode: 'assets', policy: bothOrgs });
      const rejected = await governance.vote(down.id, 'Org2', 'NO');
      expect(rejected.result.status).toBe('REJECTED');
      expect(rejected.chaincodeDefinition).toBeUndefined();
      expect(net.chaincodes()).toMatchObject([{ name: 'assets', sequence: 1, policy: first.policy }]);
      expect((await (await (await endorseBy('org1-alone', ['Org1MSP'])).submit()).getStatus()).successful).toBe(true);

      // Endorsed by Org1 alone under the old policy, submitted after the change: refused by validation.
      const oldEndorsement = await endorseBy('org1-before', ['Org1MSP']);
      const { result: change } = await governance.propose('Org1', {
        type: 'UPDATE_ENDORSEMENT_POLICY',
        chaincode: 'assets',
        policy: 'all',
      });
      expect((await governance.vote(change.id, 'Org1', 'YES')).result.status).toBe('IN_PROGRESS');
      expect(net.chaincodes()[0]?.sequence).toBe(1);
      const approved = await governance.vote(change.id, 'Org2', 'YES');
      expect(approved.result.status).toBe('APPROVED');
      expect(approved.chaincodeDefinition).toEqual({
        chaincode: 'assets',
        sequence: 2,
        policy: bothOrgs,
        approvers: ['Org1MSP', 'Org2MSP'],
      });
      expect(net.chaincodes()).toMatchObject([{ name: 'assets', sequence: 2, policy: bothOrgs }]);
      const stale = await (await oldEndorsement.submit()).getStatus();
      expect(stale.successful).toBe(false);
      expect(stale.code).toBe(10); // ENDORSEMENT_POLICY_FAILURE
      // Endorsed by both, as the new policy asks: valid.
      const both = await endorseBy('both-after', ['Org1MSP', 'Org2MSP']);
      expect((await (await both.submit()).getStatus()).successful).toBe(true);
      const trail = (await governance.auditTrail()).map((entry) => entry.document);
      expect(trail).toContainEqual(
        expect.objectContaining({ type: 'CHAINCODE_DEFINITION_COMMITTED', chaincode: 'assets', sequence: 2 }),
      );

      // Redeploying stops the server and starts the next one on the same port, twice in a row.
      for (const sequence of [3, 4]) {
        const redeployed = await net.deployChaincode({ name: 'assets', path: chaincodePath, policy: 'any' });
        expect(redeployed).toMatchObject({ sequence, address: first.address });
        const id = `redeployed-${sequence}`;
        expect((await (await (await endorseBy(id, ['Org1MSP'])).submit()).getStatus()).successful).toBe(true);
      }
    } finally {
      org1.close();
    }

    // Bad input to addOrganization: refused before anything is written.
    const specBefore = await readFile(join(dir, 'network.json'), 'utf8');
    const cryptoBefore = await readdir(join(dir, 'crypto', 'peerOrganizations'));
    expect(await refusal(() => net.addOrganization({ name: 'org1', admin: caAdmin }))).toEqual({
      code: 'ALREADY_EXISTS',
      reason: 'ALREADY_EXISTS',
    });
    expect(
      await refusal(() => net.addOrganization({ name: 'Org3', admin: { name: 'admin', password: 'short' } })),
    ).toEqual({ code: 'INVALID_ARGUMENT', reason: 'BAD_CREDENTIALS' });
    expect(await readFile(join(dir, 'network.json'), 'utf8')).toBe(specBefore);
    expect(await readdir(join(dir, 'crypto', 'peerOrganizations'))).toEqual(cryptoBefore);

    // An approved invitation whose acceptance fails half-way (the CA is up, the MSP folder cannot
    // be written): no process, file, network.json entry or config change of Org3 stays.
    const { result: invite } = await governance.propose('Org1', { type: 'INVITE', organization: 'Org3' });
    await governance.vote(invite.id, 'Org1', 'YES');
    await governance.vote(invite.id, 'Org2', 'YES');
    const configBefore = await governance.channelConfig();
    const processesBefore = (await processesOfNetwork(dir)).length;
    const obstacle = join(dir, 'crypto', 'peerOrganizations', 'org3.example.com');
    await writeFile(obstacle, 'not a directory');
    await expect(governance.acceptInvitation('Org3', { admin: caAdmin })).rejects.toThrow(
      /ENOTDIR|EEXIST|not a directory/,
    );
    expect(await exists(obstacle)).toBe(false);
    expect(await exists(join(dir, 'ca', 'org3'))).toBe(false);
    expect(await exists(join(dir, 'organizations', 'Org3'))).toBe(false);
    expect(await readdir(join(dir, 'crypto', 'peerOrganizations'))).toEqual(cryptoBefore);
    expect(
      JSON.parse(await readFile(join(dir, 'network.json'), 'utf8')).orgs.map((org: { name: string }) => org.name),
    ).toEqual(['Org1', 'Org2']);
    expect((await processesOfNetwork(dir)).length).toBe(processesBefore);
    expect((await governance.channelConfig()).sequence).toBe(configBefore.sequence);
    expect(governance.invitations('Org3')).toMatchObject([{ status: 'OPEN' }]);
    // Nothing half-made is in the way of the retry.
    const accepted = await governance.acceptInvitation('Org3', { admin: caAdmin });
    expect(accepted.result).toMatchObject({ name: 'Org3', status: 'ACTIVE' });
    expect(accepted.configUpdate?.sequence).toBe(configBefore.sequence + 1);

    // Removing Org2 (2 of 3 YES): the network stops naming it and stops its nodes.
    const org2Peer = net.organization('Org2').peers[0]?.id as string;
    const { result: removal } = await governance.propose('Org1', { type: 'REMOVE', member: 'Org2' });
    await governance.vote(removal.id, 'Org1', 'YES');
    expect((await governance.vote(removal.id, 'Org3', 'YES')).result.status).toBe('APPROVED');
    expect(net.mspIds).toEqual(['Org1MSP', 'Org3MSP']);
    expect(net.organization('Org2').inChannel).toBe(false);
    const reopened = await FabricNetwork.open(dir);
    expect(reopened.mspIds).toEqual(['Org1MSP', 'Org3MSP']);
    expect(reopened.organization('Org2').inChannel).toBe(false);
    expect(reopened.components()).not.toContain(org2Peer);
    expect((await reopened.nodeHealth()).map((node) => node.mspId)).not.toContain('Org2MSP');
    const status = await reopened.status();
    expect(status.healthy).toBe(true);
    // Chaincode lifecycle after the removal: approvals and the policy name only the members left.
    const afterRemoval = await net.deployChaincode({ name: 'assets', path: chaincodePath, policy: 'all' });
    expect(afterRemoval).toMatchObject({ sequence: 5, policy: "AND('Org1MSP.peer','Org3MSP.peer')" });
  });
});
