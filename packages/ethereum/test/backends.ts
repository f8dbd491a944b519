// The two nodes the integration tests run against: Hardhat 3's in-process EDR network and
// an anvil child process (from @foundry-rs/anvil) that the tests start and stop.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Eip1193Provider, JsonRpcProvider } from 'ethers';
import { createHardhatRuntimeEnvironment } from 'hardhat/hre';
import { type ConnectOptions, connectEthereum, type EthereumLedger } from '../src/index.js';
import { type AnvilNode, startAnvil } from '../src/testing.js';

/** Well-known development keys of accounts 0, 1 and 2 on both Hardhat and anvil. */
export const developmentKeys = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
] as const;

export interface Node {
  readonly name: 'edr' | 'anvil';
  /** An EIP-1193 view of the node, for fault injection and raw requests. */
  readonly eip1193: Eip1193Provider;
  connect(options?: Omit<ConnectOptions, 'url' | 'provider'>): Promise<EthereumLedger>;
  mine(blocks?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startEdr(): Promise<Node> {
  const hre = await createHardhatRuntimeEnvironment({});
  const connection = await hre.network.create();
  const eip1193 = connection.provider as unknown as Eip1193Provider;
  return {
    name: 'edr',
    eip1193,
    connect: (options = {}) => connectEthereum({ ...options, provider: eip1193 }),
    mine: async (blocks = 1) => {
      await eip1193.request({ method: 'hardhat_mine', params: [`0x${blocks.toString(16)}`] });
    },
    stop: () => connection.close(),
  };
}

export interface AnvilTestNode extends Node {
  readonly url: string;
  /** Stops anvil (dumping its chain) and starts it again on the same port and state. */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Stops anvil without restarting it. */
  kill(): Promise<void>;
  /** Starts it again after kill(). */
  revive(): Promise<void>;
}

export async function startAnvilNode(): Promise<AnvilTestNode> {
  const directory = mkdtempSync(join(tmpdir(), 'ledgerkit-anvil-'));
  const stateFile = join(directory, 'state.json');
  let anvil: AnvilNode = await startAnvil({ stateFile });
  const port = anvil.port;
  const url = anvil.url;
  const rpc = new JsonRpcProvider(url, undefined, { staticNetwork: true, batchMaxCount: 1 });
  const eip1193: Eip1193Provider = {
    request: ({ method, params }) => rpc.send(method, (params as unknown[]) ?? []),
  };
  return {
    name: 'anvil',
    url,
    eip1193,
    connect: (options = {}) => connectEthereum({ ...options, url }),
    mine: async (blocks = 1) => {
      await rpc.send('anvil_mine', [`0x${blocks.toString(16)}`]);
    },
    kill: () => anvil.stop(),
    revive: async () => {
      anvil = await startAnvil({ stateFile, port });
    },
    restart: async ({ downMs = 0 } = {}) => {
      await anvil.stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      anvil = await startAnvil({ stateFile, port });
    },
    stop: async () => {
      rpc.destroy();
      await anvil.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
