import type { Receipt } from '@ledgerkit/core';
import type { Eip1193Provider } from 'ethers';
import { createHardhatRuntimeEnvironment } from 'hardhat/hre';
import type { ConformanceFactory } from '../../src/conformance/types.js';
import { runLedgerConformance } from '../../src/conformance.js';
import {
  deployKeyValue,
  keyValueBackend,
  latestBlockAnchor,
  strangerKey,
  workload,
} from '../fixtures/ethereum/ethereum-conformance.js';

// Ethereum on Hardhat's EDR, in this process: `network.create()` starts a chain inside the test
// process, so there is no separate process to restart (EDR keeps the chain in memory and has no
// way to persist it; restarting it would be a new chain, not the same data). Reopen closes the
// ledger and connects again to the same in-process chain.

type HardhatConnection = { provider: unknown; close(): Promise<void> };

let hre: Awaited<ReturnType<typeof createHardhatRuntimeEnvironment>> | undefined;
let main: HardhatConnection | undefined;
let deployed: { address: string; block: number } | undefined;
const others: HardhatConnection[] = [];

const provider = () => (main as HardhatConnection).provider as Eip1193Provider;
const endpoint = () => ({ provider: provider() });

async function network(): Promise<HardhatConnection> {
  hre ??= await createHardhatRuntimeEnvironment({});
  return (await hre.network.create()) as unknown as HardhatConnection;
}

const factory: ConformanceFactory = {
  open: async () => {
    main = await network();
    deployed = await deployKeyValue(endpoint());
    return keyValueBackend(endpoint(), deployed);
  },
  reopen: async (backend) => {
    await backend.ledger.close();
    return keyValueBackend(endpoint(), deployed as { address: string; block: number });
  },
  // A ledger whose in-process network was closed under it: the node is gone, not refusing.
  unreachable: async () => {
    const lost = await network();
    const address = await deployKeyValue({ provider: lost.provider as Eip1193Provider });
    const backend = await keyValueBackend({ provider: lost.provider as Eip1193Provider }, address, {
      retry: { retries: 2, baseDelayMs: 5 },
    });
    await lost.close();
    return backend;
  },
  unauthorized: async () =>
    keyValueBackend(endpoint(), deployed as { address: string; block: number }, { account: strangerKey }),
  // Another in-process chain: same chain id (31337), different blocks.
  foreignReceipt: async (): Promise<Receipt> => {
    const other = await network();
    others.push(other);
    const otherEndpoint = { provider: other.provider as Eip1193Provider };
    const backend = await keyValueBackend(otherEndpoint, await deployKeyValue(otherEndpoint));
    try {
      return await backend.ledger.submit(workload.write('foreign', { from: 'another chain' }, false));
    } finally {
      await backend.ledger.close();
    }
  },
  anchor: async () => latestBlockAnchor(provider()),
  close: async () => {
    for (const other of others.splice(0)) await other.close();
    await main?.close();
  },
  missing: {
    restart:
      'EDR runs inside the test process and keeps its chain only in memory: there is no node process to stop, and a new EDR network is a new chain',
  },
};

runLedgerConformance('ethereum-edr', factory);
