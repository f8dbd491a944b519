// The scenario on a real two-organization Fabric network (1 Raft orderer, 1 peer per
// organization, native processes, started by @ledgerkit/testing's fixture), with the
// supply-chain chaincode of contracts/fabric deployed as a chaincode server and endorsed by
// both organizations. Each identity is a certificate signed by its organization's CA with a
// `role` attribute, and connects through its own organization's gateway peer.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrustAnchor } from '@ledgerkit/core';
import { connectFabric, type FabricLedger } from '@ledgerkit/fabric';
import type { FabricNetwork } from '@ledgerkit/fabric-network';
import { type FabricNetworkFixture, startFabricNetwork } from '@ledgerkit/testing/fabric-network';
import { fabricSupplyChain, type ProvenanceStep, type SupplyChain } from '../src/index.ts';
import { type Parties, type StartBackend, supplyChainScenario } from './scenario.ts';

const chaincodePath = fileURLToPath(new URL('../../../contracts/fabric', import.meta.url));
const channel = 'supplychain';
const writes = new Set(['register', 'offerCustody', 'acceptCustody', 'recordCheckpoint', 'receive']);

const startFabric: StartBackend = async () => {
  let fixture: FabricNetworkFixture | undefined;
  const ledgers: FabricLedger[] = [];
  const stop = async () => {
    for (const ledger of ledgers) await ledger.close();
    await fixture?.close();
  };
  try {
    fixture = await startFabricNetwork({ orgs: 2, peersPerOrg: 1, orderers: 1, channel });
    const { network } = fixture;
    const deployed = await network.deployChaincode({ name: 'supplychain', path: chaincodePath });
    if (deployed.policy !== "OutOf(2,'Org1MSP.peer','Org2MSP.peer')") {
      throw new Error(`expected both organizations to endorse, got ${deployed.policy}`);
    }
    const connectAs = async (org: 'Org1' | 'Org2', name: string, role: string): Promise<SupplyChain> => {
      const identity = await network.issueIdentity({ org, name, attributes: { role } });
      const ledger = await connectFabric({
        connectionProfile: network.organization(org).connectionProfilePath,
        identity: {
          certificatePath: identity.certificatePath,
          privateKeyPath: identity.privateKeyPath,
          mspId: identity.mspId,
        },
        channel,
        chaincode: 'supplychain',
        deadlines: { evaluateMs: 30_000, endorseMs: 60_000, submitMs: 30_000, commitStatusMs: 120_000 },
      });
      ledgers.push(ledger);
      return fabricSupplyChain(ledger, await readFile(identity.certificatePath, 'utf8'));
    };
    const parties: Parties = {
      manufacturer: await connectAs('Org1', 'maker', 'manufacturer'),
      carrier: await connectAs('Org2', 'carrier', 'carrier'),
      retailer: await connectAs('Org1', 'shop', 'retailer'),
      auditor: await connectAs('Org2', 'audit', 'auditor'),
    };
    for (const key of Object.keys(parties) as Array<keyof Parties>) parties[key] = inStep(parties[key], ledgers);
    const anchor: TrustAnchor = { type: 'fabric-msp-roots', roots: await mspRoots(network) };
    return { parties, stop, pinAnchor: async () => anchor };
  } catch (error) {
    await stop();
    throw error;
  }
};

/**
 * The auditor's anchor, taken from the organizations' crypto material instead of a peer: the
 * root CA certificates of each application organization and of the orderer organization.
 */
async function mspRoots(network: FabricNetwork): Promise<Record<string, string[]>> {
  const pems = async (dir: string) => {
    const names = (await readdir(dir)).filter((name) => name.endsWith('.pem')).sort();
    return Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')));
  };
  const roots: Record<string, string[]> = {};
  for (const mspId of network.mspIds)
    roots[mspId] = await pems(join(network.organization(mspId).user.mspDir, 'cacerts'));
  const ordererOrgs = join(network.dir, 'crypto', 'ordererOrganizations');
  for (const domain of await readdir(ordererOrgs))
    roots.OrdererMSP = await pems(join(ordererOrgs, domain, 'msp', 'cacerts'));
  return roots;
}

/**
 * A submit's commit status comes from the caller's gateway peer only; the next call may go
 * through the other organization's peer. After each write, wait until every gateway peer has
 * the block, as an application that hands work between organizations would.
 */
function inStep(party: SupplyChain, ledgers: readonly FabricLedger[]): SupplyChain {
  return new Proxy(party, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      // Methods run on the target itself: its private fields are not the proxy's.
      if (typeof property !== 'string' || !writes.has(property)) return value.bind(target);
      return async (...args: unknown[]) => {
        const step = (await value.apply(target, args)) as ProvenanceStep;
        await Promise.all(ledgers.map((ledger) => hasBlock(ledger, step.receipt.position.block)));
        return step;
      };
    },
  });
}

async function hasBlock(ledger: FabricLedger, block: number): Promise<void> {
  const events = await ledger.native.network.getFilteredBlockEvents({ startBlock: BigInt(block) });
  const timer = setTimeout(() => events.close(), 60_000);
  try {
    for await (const _ of events) return;
    throw new Error(`peer of ${ledger.mspId} never delivered block ${block}`);
  } finally {
    clearTimeout(timer);
    events.close();
  }
}

supplyChainScenario('fabric', startFabric);
