// A new organization joins a running channel (1 Raft orderer, Org1 with one peer, native
// processes): addOrganization creates its Fabric CA, MSP and peer; a channel config update
// signed by Org1's admin (made with the governance module's ChannelConfigurator) adds its
// organizationDefinition; joinChannel joins and catches up its peer and approves the deployed
// chaincode for it; a chaincode whose policy needs Org2 is then endorsed by Org2's peer; a second
// Org2 peer, from its CA, joins and catches up. Torn down in afterAll.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureFabricBinaries } from '../src/binaries.js';
import { applicationGroup, ChannelConfigurator } from '../src/governance/channel-config.js';
import { FabricNetwork, type OrganizationAccess } from '../src/index.js';
import { claimNetworkDir } from '../src/testing.js';
import { gatewayFor, whenDiscovered } from './gateway-client.js';

const chaincodePath = fileURLToPath(new URL('./fixtures/whoami', import.meta.url));
const decoder = new TextDecoder();

describe('a new organization joins the channel', () => {
  let dir: string;
  let network: FabricNetwork;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgerkit-fabric-join-'));
    await claimNetworkDir(dir);
    network = await FabricNetwork.up({ dir, orgs: 1, peersPerOrg: 1, orderers: 1, channel: 'joining' });
    await network.deployChaincode({ name: 'whoami', path: chaincodePath, policy: 'any' });
  });

  afterAll(async () => {
    await network?.down({ purge: true }).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  async function call(
    access: OrganizationAccess,
    chaincode: string,
    submit: boolean,
    name: string,
    ...args: string[]
  ): Promise<string> {
    const connection = await gatewayFor(access);
    try {
      const contract = connection.gateway.getNetwork('joining').getContract(chaincode);
      return decoder.decode(
        await whenDiscovered(() =>
          submit ? contract.submitTransaction(name, ...args) : contract.evaluateTransaction(name, ...args),
        ),
      );
    } finally {
      connection.close();
    }
  }

  test('after the config update it joins, catches up, and its CA-issued peer endorses', async () => {
    await network.addOrganization({ name: 'Org2', admin: { name: 'admin', password: 'Passw0rd1' } });
    const definition = await network.organizationDefinition('Org2');
    const configurator = new ChannelConfigurator(dir, await ensureFabricBinaries());
    await configurator.update(
      (config) => {
        applicationGroup(config).groups.Org2MSP = definition as never;
      },
      ['Org1'],
      'add Org2MSP',
    );

    const org2 = await network.joinChannel('Org2');
    expect(org2.inChannel).toBe(true);
    expect(network.mspIds).toEqual(['Org1MSP', 'Org2MSP']);
    const heights = (await network.nodeHealth()).map((node) => [node.id, node.metrics.ledgerHeight]);
    const ordererHeight = heights.find(([id]) => id === 'orderer0')?.[1];
    expect(heights.find(([id]) => id === 'peer0.org2')?.[1]).toBe(ordererHeight);

    // Org2 approved the chaincode deployed before it joined, so its peer runs it.
    const seen = JSON.parse(await call(org2, 'whoami', false, 'WhoAmI'));
    expect(seen).toMatchObject({ mspId: 'Org2MSP', enrollmentId: 'user1-org2' });
    // A chaincode whose policy only Org2 can satisfy: Org2's peer endorses the user's transaction.
    await network.deployChaincode({ name: 'org2-only', path: chaincodePath, policy: "OR('Org2MSP.peer')" });
    const caller = await call(org2, 'org2-only', true, 'Record', 'from-org2');
    expect(caller).toContain('CN=user1-org2');
    const org2Root = new X509Certificate(await readFile(join(org2.mspDir, 'cacerts', 'ca.pem')));
    expect(caller).toContain(org2Root.subject.split('\n').find((part) => part.startsWith('CN=')) as string);
    const endorsements = (await network.nodeHealth()).find((node) => node.id === 'peer0.org2')?.metrics;
    expect(endorsements?.successfulEndorsements).toBeGreaterThan(0);

    const added = await network.addPeer('Org2');
    expect(added).toMatchObject({ id: 'peer1.org2', joined: true });
    const health = await network.nodeHealth();
    expect(health.find((node) => node.id === 'peer1.org2')).toMatchObject({ healthy: true });
    expect(health.find((node) => node.id === 'peer1.org2')?.metrics.ledgerHeight).toBeGreaterThanOrEqual(
      added.height as number,
    );
    // Every peer of both organizations knows the two others through gossip (anchor peers from the definition).
    expect(health.filter((node) => node.kind === 'peer').map((node) => node.metrics.peersKnown)).toEqual([2, 2, 2]);
  });
});
