// The decentralized model on Fabric: a two-organization network (one Raft orderer, one peer
// per organization, native processes) with the supply-chain chaincode of contracts/fabric,
// endorsed by both organizations. Each participant is a certificate of its organization's CA
// with a `role` attribute; the server holds their keys.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrustAnchor } from '@ledgerkit/core';
import { fabricSupplyChain, type ProvenanceStep, type SupplyChain } from '@ledgerkit/example-supply-chain';
import { connectFabric, type FabricLedger } from '@ledgerkit/fabric';
import type { FabricNetwork } from '@ledgerkit/fabric-network';
import { type FabricNetworkFixture, startFabricNetwork } from '@ledgerkit/testing/fabric-network';
import { type Backend, type Participant, people, portOf } from './backend.ts';

const chaincodePath = fileURLToPath(new URL('../../../../contracts/fabric', import.meta.url));
const channel = 'supplychain';
const writes = new Set(['register', 'offerCustody', 'acceptCustody', 'recordCheckpoint', 'receive']);
/** Offers go to an organization, so the two carriers of the other backends are one here. */
const orgOf: Readonly<Record<string, 'Org1' | 'Org2'>> = { acme: 'Org1', haulage: 'Org2', shop: 'Org1', audit: 'Org2' };

/**
 * Starts a two-organization Fabric network in a temporary directory, deploys the supply-chain
 * chaincode and issues one identity per participant.
 *
 * @param onProgress - one line per stage (the first start on a machine builds the binaries)
 * @returns the backend; `close` stops the network and deletes its directory
 * @throws Error when the binaries cannot be built or the network does not start
 */
export async function startFabricBackend(onProgress: (line: string) => void = () => {}): Promise<Backend> {
  let fixture: FabricNetworkFixture | undefined;
  const ledgers: FabricLedger[] = [];
  const close = async () => {
    for (const ledger of ledgers) await ledger.close().catch(() => {});
    await fixture?.close();
  };
  try {
    onProgress('starting a two-organization Fabric network');
    fixture = await startFabricNetwork({ orgs: 2, peersPerOrg: 1, orderers: 1, channel });
    const { network } = fixture;
    onProgress('deploying the supply-chain chaincode');
    await network.deployChaincode({ name: 'supplychain', path: chaincodePath });
    const participants: Participant[] = [];
    const ports = new Map<string, SupplyChain>();
    for (const person of people) {
      const org = orgOf[person.name];
      if (!org) continue;
      const identity = await network.issueIdentity({ org, name: person.name, attributes: { role: person.role } });
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
      const port = fabricSupplyChain(ledger, await readFile(identity.certificatePath, 'utf8'));
      ports.set(person.name, inStep(port, ledgers));
      participants.push({ ...person, party: port.identity });
    }
    const reader = ledgers.at(-1) as FabricLedger;
    const anchor: TrustAnchor = { type: 'fabric-msp-roots', roots: await mspRoots(network) };
    const ids: string[] = [];
    onProgress('Fabric network ready');
    return {
      kind: 'fabric',
      trustModel: 'decentralized',
      description:
        'The chaincode enforces the rules, endorsed by both organizations; an auditor trusts the MSP root certificates.',
      participants,
      as: (name) => portOf(ports, name),
      batchIds: async () => [...ids],
      registered: (id) => {
        if (!ids.includes(id)) ids.push(id);
      },
      bundles: async (id) => {
        // Receipts, not revisions: the chaincode's History names the batch id, while the
        // transaction writes the asset under its own prefixed key, which `revision-value` compares.
        const revisions = await reader.history(id);
        return Promise.all(revisions.map((revision) => reader.evidence(revision.receipt)));
      },
      currentAnchor: async () => anchor,
      close,
    };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}

/** The root CA certificates of every organization, read from the crypto material. */
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
 * A submit's commit status comes from the caller's gateway peer only, and the next step may be
 * another organization's: after each write, wait until every gateway peer has the block.
 */
function inStep(party: SupplyChain, ledgers: readonly FabricLedger[]): SupplyChain {
  return new Proxy(party, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
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
    throw new Error(`the peer of ${ledger.mspId} never delivered block ${block}`);
  } finally {
    clearTimeout(timer);
    events.close();
  }
}
