// Fabric on a real two-organization network (one Raft orderer, one peer per organization,
// native processes), one network for the whole file. The ledger writes as an Org1 identity
// whose certificate, issued by Org1's CA (fabric-network's issueIdentity, as Fabric CA would),
// carries the `ledgerkit.writer=true` attribute the
// conformance chaincode (fixtures/conformance-kv) requires; Org1's cryptogen user lacks it
// and is refused with PERMISSION_DENIED. Restart stops every process (chaincode servers,
// peers, orderer) and starts them again on the same ledgers.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonObject, LedgerEvent, Receipt } from '@ledgerkit/core';
import { type ConnectFabricOptions, connectFabric, type FabricLedger } from '@ledgerkit/fabric';
import { fabricBlockHash } from '@ledgerkit/fabric/verify';
import { FabricNetwork } from '@ledgerkit/fabric-network';
import type { ConformanceBackend, ConformanceFactory, ConformanceWorkload } from '../../src/conformance/types.js';
import { runLedgerConformance } from '../../src/conformance.js';
import { type FabricNetworkFixture, startFabricNetwork } from '../../src/fabric-network.js';

const chaincodePath = fileURLToPath(new URL('../fixtures/conformance-kv', import.meta.url));
const chaincode = 'conformance';
const channel = 'conformance';
const spec = { orgs: 2, peersPerOrg: 1, orderers: 1 } as const;

const workload: ConformanceWorkload = {
  write: (key, value) => ({ method: 'Put', args: [key, value] }),
  read: (key) => ({ method: 'Get', args: [key] }),
  readValue: (result) => result as JsonObject,
  historyKey: (key) => key,
  revisionValue: (revision) => revision.value as JsonObject,
  eventKey: (event: LedgerEvent) =>
    event.name === 'Put' ? ((event.payload as { key?: string } | null)?.key ?? undefined) : undefined,
  rejectedWrite: (key) => ({ method: 'Put', args: [key, { key, quantity: -1 }] }),
};

/** An Org1 client identity whose certificate carries the attribute the chaincode requires to write. */
async function issueWriter(network: FabricNetwork): Promise<{ certificatePath: string; privateKeyPath: string }> {
  const writer = await network.issueIdentity({
    org: 'Org1',
    name: 'writer',
    attributes: { 'ledgerkit.writer': 'true' },
  });
  return { certificatePath: writer.certificatePath, privateKeyPath: writer.privateKeyPath };
}

/** A started network with the conformance chaincode and a writer identity of Org1. */
interface Started {
  fixture: FabricNetworkFixture;
  network: FabricNetwork;
  writer: { certificatePath: string; privateKeyPath: string };
}

async function startNetwork(channelName: string, orgs: number): Promise<Started> {
  const fixture = await startFabricNetwork({ ...spec, orgs, channel: channelName });
  try {
    await fixture.network.deployChaincode({ name: chaincode, path: chaincodePath });
    return { fixture, network: fixture.network, writer: await issueWriter(fixture.network) };
  } catch (error) {
    await fixture.close();
    throw error;
  }
}

async function connect(started: Started, options: Partial<ConnectFabricOptions> = {}): Promise<FabricLedger> {
  return connectFabric({
    connectionProfile: started.network.organization('Org1').connectionProfilePath,
    chaincode,
    identity: { ...started.writer, mspId: 'Org1MSP' },
    ...options,
  });
}

/** Connects, and waits until the peers know the chaincode (discovery learns it through gossip). */
async function connectReady(started: Started, probeKey: string): Promise<FabricLedger> {
  const ledger = await connect(started, { retry: { retries: 60, baseDelayMs: 250, maxDelayMs: 1_000 } });
  await ledger.submit(workload.write(probeKey, { key: probeKey, ready: true }, false));
  await ledger.close();
  return connect(started);
}

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let main: Started | undefined;
let last: FabricLedger | undefined;
const extra: FabricLedger[] = [];

const started = () => main as Started;
const backendOf = (ledger: FabricLedger): ConformanceBackend => {
  last = ledger;
  return { ledger, workload };
};

const factory: ConformanceFactory = {
  open: async () => {
    main = await startNetwork(channel, spec.orgs);
    return backendOf(await connectReady(started(), 'warm-up'));
  },
  reopen: async (backend) => {
    await backend.ledger.close();
    return backendOf(await connect(started()));
  },
  restart: async (backend) => {
    await backend.ledger.close();
    const { network } = started();
    await network.down();
    // The same directory: crypto material, channel ledgers, chaincode servers.
    started().network = await FabricNetwork.up({ ...spec, channel, dir: network.dir });
    return backendOf(await connectReady(started(), `after-restart-${Date.now()}`));
  },
  // A gateway endpoint nobody listens on, with the network's real TLS root and credentials.
  unreachable: async () => {
    const ledger = await connect(started(), {
      endpoint: `127.0.0.1:${await unusedPort()}`,
      retry: { retries: 1, baseDelayMs: 10, maxDelayMs: 20 },
    });
    return { ledger, workload };
  },
  // Org1's cryptogen user: a member of the channel, without the writer attribute.
  unauthorized: async () => {
    const ledger = await connectFabric({
      connectionProfile: started().network.organization('Org1').connectionProfilePath,
      chaincode,
      identity: 'user',
    });
    return { ledger, workload };
  },
  // A receipt from another network, on another channel, with the same chaincode.
  foreignReceipt: async (): Promise<Receipt> => {
    const other = await startNetwork('foreign', 1);
    try {
      const ledger = await connectReady(other, 'foreign-warm-up');
      extra.push(ledger);
      return await ledger.submit(workload.write('foreign', { key: 'foreign', from: 'another network' }, false));
    } finally {
      for (const ledger of extra.splice(0)) await ledger.close();
      await other.fixture.close();
    }
  },
  // Pinned out of band: the channel's genesis (config) block as configtxgen wrote it to disk.
  anchor: async () => ({
    type: 'fabric-config-block',
    hash: fabricBlockHash(await readFile(join(started().network.dir, 'config', `${channel}.block`))),
  }),
  close: async () => {
    await last?.close();
    if (!main) return;
    await (await FabricNetwork.open(main.network.dir).catch(() => undefined))?.down({ purge: true }).catch(() => {});
    await main.fixture.close();
  },
};

runLedgerConformance('fabric', factory);
