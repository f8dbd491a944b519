import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Receipt } from '@ledgerkit/core';
import { type AnvilNode, startAnvil } from '@ledgerkit/ethereum/testing';
import { type Eip1193Provider, JsonRpcProvider } from 'ethers';
import type { ConformanceFactory } from '../../src/conformance/types.js';
import { runLedgerConformance } from '../../src/conformance.js';
import {
  deployKeyValue,
  keyValueBackend,
  latestBlockAnchor,
  strangerKey,
  workload,
} from '../fixtures/ethereum/ethereum-conformance.js';

// Ethereum on anvil as a separate process. Restart stops it (SIGTERM: anvil dumps its chain to
// the --state file) and starts it again on the same port from that file, so blocks, receipts
// and contract state survive; the ledger then connects again.

let dir: string | undefined;
let anvil: AnvilNode | undefined;
let deployed: { address: string; block: number } | undefined;
let rpc: JsonRpcProvider | undefined;

const stateFile = () => join(dir as string, 'state.json');
const endpoint = () => ({ url: (anvil as AnvilNode).url });
const contract = () => deployed as { address: string; block: number };

async function withOtherAnvil<T>(run: (node: AnvilNode) => Promise<T>, chainId?: number): Promise<T> {
  const other = await startAnvil(chainId === undefined ? {} : { chainId });
  try {
    return await run(other);
  } finally {
    await other.stop();
  }
}

const factory: ConformanceFactory = {
  open: async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledgerkit-conformance-anvil-'));
    anvil = await startAnvil({ stateFile: stateFile() });
    rpc = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, batchMaxCount: 1 });
    deployed = await deployKeyValue(endpoint());
    return keyValueBackend(endpoint(), contract());
  },
  reopen: async (backend) => {
    await backend.ledger.close();
    return keyValueBackend(endpoint(), contract());
  },
  restart: async (backend) => {
    await backend.ledger.close();
    const port = (anvil as AnvilNode).port;
    await (anvil as AnvilNode).stop();
    anvil = await startAnvil({ stateFile: stateFile(), port });
    return keyValueBackend(endpoint(), contract());
  },
  // A ledger whose node stopped after it connected: every request is refused.
  unreachable: async () => {
    const gone = await startAnvil();
    const backend = await keyValueBackend({ url: gone.url }, await deployKeyValue({ url: gone.url }), {
      retry: { retries: 2, baseDelayMs: 5 },
    });
    await gone.stop();
    return backend;
  },
  unauthorized: async () => keyValueBackend(endpoint(), contract(), { account: strangerKey }),
  // Another anvil chain with its own chain id.
  foreignReceipt: async (): Promise<Receipt> =>
    withOtherAnvil(async (other) => {
      const backend = await keyValueBackend({ url: other.url }, await deployKeyValue({ url: other.url }));
      try {
        return await backend.ledger.submit(workload.write('foreign', { from: 'another chain' }, false));
      } finally {
        await backend.ledger.close();
      }
    }, 31_338),
  // Read over a JSON-RPC connection of its own, not through the ledger under test.
  anchor: async () =>
    latestBlockAnchor({
      request: ({ method, params }) => (rpc as JsonRpcProvider).send(method, (params as unknown[]) ?? []),
    } as Eip1193Provider),
  close: async () => {
    rpc?.destroy();
    await anvil?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
};

runLedgerConformance('ethereum-anvil', factory);
