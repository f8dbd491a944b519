// Test helper: a real two-organization Fabric network (1 Raft orderer, 1 peer per
// organization, native processes from @ledgerkit/fabric-network) with the tests'
// key-value chaincode deployed, in a temporary directory global-setup.ts cleans up after
// a killed run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FabricNetwork } from '@ledgerkit/fabric-network';
import { type ConnectFabricOptions, connectFabric, type FabricLedger } from '../src/index.js';
import { claimNetworkDir, networkDirPrefix } from './global-setup.js';

export const chaincodePath = fileURLToPath(new URL('./fixtures/ledger-chaincode', import.meta.url));
export const chaincodeName = 'ledger';

export interface TestNetwork {
  dir: string;
  network: FabricNetwork;
  channel: string;
  /** Connects as an organization's user through its connection profile. */
  connect(org?: string, options?: Partial<ConnectFabricOptions>): Promise<FabricLedger>;
  /** Stops every process and deletes the directory. */
  teardown(): Promise<void>;
}

export async function startTestNetwork(channel: string): Promise<TestNetwork> {
  const dir = await mkdtemp(join(tmpdir(), networkDirPrefix));
  await claimNetworkDir(dir);
  const opened: FabricLedger[] = [];
  let network: FabricNetwork | undefined;
  const teardown = async () => {
    await Promise.all(opened.map((ledger) => ledger.close()));
    await network?.down({ purge: true }).catch(() => {});
    await (await FabricNetwork.open(dir).catch(() => undefined))?.down({ purge: true }).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  try {
    network = await FabricNetwork.up({ dir, orgs: 2, peersPerOrg: 1, orderers: 1, channel });
    await network.deployChaincode({ name: chaincodeName, path: chaincodePath });
  } catch (error) {
    await teardown();
    throw error;
  }
  const started = network;
  const connect = async (org = 'Org1', options: Partial<ConnectFabricOptions> = {}) => {
    const ledger = await connectFabric({
      connectionProfile: started.organization(org).connectionProfilePath,
      chaincode: chaincodeName,
      ...options,
    });
    opened.push(ledger);
    return ledger;
  };
  // Discovery learns the just-deployed chaincode through gossip within seconds.
  const probe = await connect('Org1', { retry: { retries: 40, baseDelayMs: 250, maxDelayMs: 500 } });
  await probe.submit({ method: 'Put', args: ['warm-up', true] });
  return { dir, network: started, channel, connect, teardown };
}
