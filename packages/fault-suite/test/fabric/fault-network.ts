// A real Fabric network (native orderers and peers from @ledgerkit/fabric-network) with the
// scenarios' chaincode, in a temporary directory claimed by this process so a later run
// stops it if this one is killed; plus what the scenarios need to inject faults: the Raft
// leader, a component's pid, heights, and a ledger client through @ledgerkit/fabric.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ConnectFabricOptions, connectFabric, type FabricLedger } from '@ledgerkit/fabric';
import { ensureFabricBinaries, FabricNetwork, type UpOptions } from '@ledgerkit/fabric-network';
import { claimNetworkDir, stopLeftoverNetworks } from '@ledgerkit/fabric-network/testing';

export const chaincode = 'faultkv';
const chaincodePath = fileURLToPath(new URL('./fixtures/kv-chaincode', import.meta.url));
const prefix = 'ledgerkit-fault-fabric-';

export interface FaultNetwork {
  dir: string;
  network: FabricNetwork;
  channel: string;
  connect(org?: string, options?: Partial<ConnectFabricOptions>): Promise<FabricLedger>;
  /** The pid of a running component (`orderer1`, `peer0.org2`). */
  pid(component: string): Promise<number>;
  /** SIGKILLs a component and waits until it is gone. */
  kill(component: string): Promise<void>;
  /** Ids of the orderers that report themselves Raft leader of the channel (metrics). */
  raftLeaders(): Promise<string[]>;
  /** `up` again: starts whatever is not running, waits for health, leader and gossip. */
  restart(): Promise<void>;
  teardown(): Promise<void>;
}

export async function startFaultNetwork(
  channel: string,
  options: Pick<UpOptions, 'orderers'> & { policy?: string },
): Promise<FaultNetwork> {
  await ensureFabricBinaries();
  await stopLeftoverNetworks(prefix);
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await claimNetworkDir(dir);
  const opened: FabricLedger[] = [];
  let network: FabricNetwork | undefined;
  const teardown = async () => {
    await Promise.all(opened.map((ledger) => ledger.close()));
    await network?.down({ purge: true }).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  try {
    network = await FabricNetwork.up({ dir, orgs: 2, peersPerOrg: 1, channel, orderers: options.orderers ?? 1 });
    await network.deployChaincode({
      name: chaincode,
      path: chaincodePath,
      ...(options.policy ? { policy: options.policy } : {}),
    });
  } catch (error) {
    await teardown();
    throw error;
  }
  const started = network;
  const connect = async (org = 'Org1', extra: Partial<ConnectFabricOptions> = {}) => {
    const ledger = await connectFabric({
      connectionProfile: started.organization(org).connectionProfilePath,
      chaincode,
      ...extra,
    });
    opened.push(ledger);
    return ledger;
  };
  const component = async (id: string) => {
    const found = (await started.status()).components.find((candidate) => candidate.id === id);
    if (!found) throw new Error(`no component ${id}`);
    return found;
  };
  const pid = async (id: string) => {
    const found = await component(id);
    if (found.pid === undefined) throw new Error(`${id} is not running`);
    return found.pid;
  };
  const metricsPattern = new RegExp(`^consensus_etcdraft_is_leader\\{channel="${channel}"\\} 1$`, 'm');
  return {
    dir,
    network: started,
    channel,
    connect,
    pid,
    kill: async (id) => {
      const target = await pid(id);
      process.kill(target, 'SIGKILL');
      for (;;) {
        try {
          process.kill(target, 0);
        } catch {
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    raftLeaders: async () => {
      const status = await started.status();
      const leaders: string[] = [];
      for (const item of status.components.filter((candidate) => candidate.kind === 'orderer' && candidate.running)) {
        try {
          const response = await fetch(`http://127.0.0.1:${item.ports.operations}/metrics`, {
            signal: AbortSignal.timeout(2_000),
          });
          if (metricsPattern.test(await response.text())) leaders.push(item.id);
        } catch {
          // Not answering: not a leader we can use.
        }
      }
      return leaders;
    },
    restart: async () => {
      network = await FabricNetwork.up({ dir });
    },
    teardown,
  };
}

/** Polls `read` until `accept` holds or the time is up; returns the last value read. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
