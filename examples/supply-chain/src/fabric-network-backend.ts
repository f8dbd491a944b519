// The supply-chain business on a real two-organization Fabric network (one Raft orderer, one
// peer per organization, native processes) with the supply-chain chaincode of contracts/fabric,
// endorsed by both organizations. Each identity is a certificate signed by its organization's
// CA with a `role` attribute, and connects through its own organization's gateway peer. The
// scenario's test, the demo and the web app all start their network through here.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrustAnchor } from '@ledgerkit/core';
import { connectFabric, type FabricLedger } from '@ledgerkit/fabric';
import type { DeployedChaincode, FabricNetwork } from '@ledgerkit/fabric-network';
import type { ProvenanceStep, Role } from './domain.ts';
import { fabricSupplyChain } from './fabric-supply-chain.ts';
import type { SupplyChain } from './port.ts';

const chaincodePath = fileURLToPath(new URL('../../../contracts/fabric', import.meta.url));
const channel = 'supplychain';
const chaincode = 'supplychain';
const writes = new Set(['register', 'offerCustody', 'acceptCustody', 'recordCheckpoint', 'receive']);

/** Options of {@link startFabricSupplyChainNetwork}. */
export interface FabricSupplyChainNetworkOptions {
  /**
   * Prefix of the network's temporary directory (default `ledgerkit-supply-chain-fabric-`):
   * `stopLeftoverNetworks(prefix)` finds the networks a killed run left behind by it.
   */
  dirPrefix?: string;
  /** One line per stage (starting the network, deploying the chaincode). */
  onProgress?: (line: string) => void;
  /** Receives the function that stops the network, before it starts (for Ctrl-C). */
  onStarting?: (stop: () => Promise<void>) => void;
}

/** One connected identity of {@link FabricSupplyChainNetwork.connectAs}. */
export interface FabricParty {
  /** The identity's own Ledger, through its organization's gateway peer. */
  ledger: FabricLedger;
  /** The port acting as this identity; each write returns once every connected gateway peer has its block. */
  supplyChain: SupplyChain;
}

/** A running network with the supply-chain chaincode deployed. */
export interface FabricSupplyChainNetwork {
  /** The network: organizations, crypto material, identities. */
  readonly network: FabricNetwork;
  /** The deployed chaincode, with the endorsement policy it got. */
  readonly chaincode: DeployedChaincode;
  /**
   * Issues an identity of `org`'s CA with a `role` attribute and connects it.
   *
   * @param org - the organization whose CA signs the certificate and whose peer is the gateway
   * @param name - the identity's name, unique in its organization
   * @param role - the `role` attribute the chaincode checks
   * @returns the identity's Ledger and port
   * @throws Error when the identity cannot be issued or connected
   */
  connectAs(org: 'Org1' | 'Org2', name: string, role: Role): Promise<FabricParty>;
  /**
   * The auditor's anchor, taken from the organizations' crypto material instead of a peer.
   *
   * @returns a `fabric-msp-roots` anchor: the root CA certificates of each application
   * organization and of the orderer organization
   */
  mspRootsAnchor(): Promise<TrustAnchor>;
  /** Closes every connected Ledger, stops the network and deletes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts a two-organization Fabric network in a fresh temporary directory and deploys the
 * supply-chain chaincode, endorsed by both organizations. The first start on a machine builds
 * the Fabric binaries (minutes); later ones reuse them.
 *
 * @param options - directory prefix, progress lines and the Ctrl-C hook
 * @returns the network; call `stop()` when done
 * @throws Error when the network does not start or the chaincode does not deploy (whatever
 * started is stopped and the directory removed then)
 */
export async function startFabricSupplyChainNetwork(
  options: FabricSupplyChainNetworkOptions = {},
): Promise<FabricSupplyChainNetwork> {
  const { onProgress = () => {}, onStarting = () => {} } = options;
  // Loaded here, not at the top: the other backends' users need not load Fabric.
  const { FabricNetwork: Network } = await import('@ledgerkit/fabric-network');
  const { claimNetworkDir } = await import('@ledgerkit/fabric-network/testing');
  const dir = await mkdtemp(join(tmpdir(), options.dirPrefix ?? 'ledgerkit-supply-chain-fabric-'));
  const ledgers: FabricLedger[] = [];
  let network: FabricNetwork | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const ledger of ledgers) await ledger.close().catch(() => {});
    // A start that failed half-way may have left processes running: stop them too.
    const started = network ?? (await Network.open(dir).catch(() => undefined));
    await started?.down({ purge: true }).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  onStarting(stop);
  try {
    // Who started it: a cleanup of leftover networks skips those of live processes.
    await claimNetworkDir(dir);
    onProgress('starting 1 orderer and 2 peers (Org1, Org2)');
    network = await Network.up({ dir, orgs: 2, peersPerOrg: 1, orderers: 1, channel });
    onProgress('deploying the supply-chain chaincode (endorsed by both organizations)');
    const deployed = await network.deployChaincode({ name: chaincode, path: chaincodePath });
    const up = network;
    return {
      network: up,
      chaincode: deployed,
      async connectAs(org, name, role) {
        const identity = await up.issueIdentity({ org, name, attributes: { role } });
        const ledger = await connectFabric({
          connectionProfile: up.organization(org).connectionProfilePath,
          identity: {
            certificatePath: identity.certificatePath,
            privateKeyPath: identity.privateKeyPath,
            mspId: identity.mspId,
          },
          channel,
          chaincode,
          deadlines: { evaluateMs: 30_000, endorseMs: 60_000, submitMs: 30_000, commitStatusMs: 120_000 },
        });
        ledgers.push(ledger);
        const party = fabricSupplyChain(ledger, await readFile(identity.certificatePath, 'utf8'));
        return { ledger, supplyChain: inStep(party, ledgers) };
      },
      mspRootsAnchor: async () => ({ type: 'fabric-msp-roots', roots: await mspRoots(up) }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Root CA certificates of each organization and of the orderer organization, from the crypto material. */
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
 * the block, as an application handing work between organizations would. `ledgers` is read at
 * each write, so identities connected later are waited for too.
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
    throw new Error(`the peer of ${ledger.mspId} never delivered block ${block}`);
  } finally {
    clearTimeout(timer);
    events.close();
  }
}
