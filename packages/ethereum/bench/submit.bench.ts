// Throughput of submit through the SDK against raw ethers on the same node, in the same run,
// with the same confirmations: rounds alternate between the two so drift hits both. Then
// verifications per second of receipts with a storage proof. Prints one JSON line last.
//   npm run bench -w @ledgerkit/ethereum            (anvil child process; BENCH_NODE=edr for in-process)
//   BENCH_SUBMITS=400 BENCH_ROUNDS=4 ...
import { custodianSlot, supplyChainAbi, supplyChainArtifact, supplyChainRoles } from '@ledgerkit/contracts-ethereum';
import {
  BrowserProvider,
  Contract,
  type Eip1193Provider,
  id,
  type JsonRpcApiProvider,
  JsonRpcProvider,
  Network,
  Wallet,
} from 'ethers';
import { createHardhatRuntimeEnvironment } from 'hardhat/hre';
import { connectEthereum, type EthereumLedger } from '../dist/index.js';
import { startAnvil } from '../dist/testing.js';

const submitsPerRound = Number(process.env.BENCH_SUBMITS ?? 200);
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
const verifications = Number(process.env.BENCH_VERIFICATIONS ?? 100);
const nodeKind = process.env.BENCH_NODE === 'edr' ? 'edr' : 'anvil';
const confirmations = 1;
const keys = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
] as const;
type Hex = `0x${string}`;

let stopNode: () => Promise<void>;
let sdk: EthereumLedger;
let rawProvider: JsonRpcApiProvider;
let nodeOptions: { url: string } | { provider: Eip1193Provider };
if (nodeKind === 'anvil') {
  const anvil = await startAnvil();
  stopNode = anvil.stop;
  nodeOptions = { url: anvil.url };
  sdk = await connectEthereum({ ...nodeOptions, account: keys[0], confirmations });
  // The SDK's provider settings (static network, no request batching), for a like-for-like baseline.
  rawProvider = new JsonRpcProvider(anvil.url, Network.from(31337n), {
    staticNetwork: true,
    batchMaxCount: 1,
    cacheTimeout: -1,
  });
} else {
  const hre = await createHardhatRuntimeEnvironment({});
  const connection = await hre.network.create();
  stopNode = () => connection.close();
  const eip1193 = connection.provider as unknown as Eip1193Provider;
  nodeOptions = { provider: eip1193 };
  sdk = await connectEthereum({ ...nodeOptions, account: keys[0], confirmations });
  rawProvider = new BrowserProvider(eip1193, Network.from(31337n), { staticNetwork: true, cacheTimeout: -1 });
}

const stats = new Map<string, number[]>();
if (process.env.BENCH_DEBUG) {
  const provider = sdk.native.provider;
  const original = provider.send.bind(provider);
  provider.send = async (method: string, params: unknown[] | Record<string, unknown>) => {
    const started = performance.now();
    try {
      return await original(method, params);
    } finally {
      stats.set(method, [...(stats.get(method) ?? []), performance.now() - started]);
    }
  };
}

try {
  const { contract } = await sdk.deploy(supplyChainArtifact, [sdk.account as Hex], { name: 'SupplyChain' });
  const rawWallet = new Wallet(keys[1], rawProvider);
  await contract.submit('grantRole', [supplyChainRoles.manufacturer, sdk.account as Hex]);
  await contract.submit('grantRole', [supplyChainRoles.manufacturer, rawWallet.address as Hex]);
  const raw = new Contract(contract.address, supplyChainAbi, rawWallet);
  const registerRaw = raw.getFunction('registerAsset');
  let serial = 0;
  const nextId = () => id(`bench-${serial++}`) as Hex;
  const product = id('product') as Hex;
  const documentHash = id('document') as Hex;

  const runSdk = async (count: number) => {
    const started = performance.now();
    for (let index = 0; index < count; index++)
      await contract.submit('registerAsset', [nextId(), product, documentHash]);
    return performance.now() - started;
  };
  const runRaw = async (count: number) => {
    const started = performance.now();
    for (let index = 0; index < count; index++) {
      const tx = await registerRaw(nextId(), product, documentHash);
      await waitRaw(tx.hash);
    }
    return performance.now() - started;
  };

  // ethers' tx.wait() waits for the next block event when the receipt is not there on its
  // first look, and an automining node mines no next block: the baseline polls
  // getTransactionReceipt with the same ramp as the SDK instead.
  const waitRaw = async (hash: string) => {
    for (let attempt = 0; ; attempt++) {
      const receipt = await rawProvider.getTransactionReceipt(hash);
      if (receipt && (await receipt.confirmations()) >= confirmations) return receipt;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, 2 ** attempt)));
    }
  };

  await runSdk(20);
  await runRaw(20);
  let sdkMs = 0;
  let rawMs = 0;
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      sdkMs += await runSdk(submitsPerRound);
      rawMs += await runRaw(submitsPerRound);
    } else {
      rawMs += await runRaw(submitsPerRound);
      sdkMs += await runSdk(submitsPerRound);
    }
  }
  const total = submitsPerRound * rounds;
  const sdkPerSecond = (total / sdkMs) * 1000;
  const rawPerSecond = (total / rawMs) * 1000;

  const proven = await connectEthereum({
    ...nodeOptions,
    account: keys[0],
    contracts: { SupplyChain: { address: contract.address, abi: supplyChainAbi } },
    stateProofs: (call) => [custodianSlot(call.args?.[0] as string)],
  });
  const receipts = [];
  for (let index = 0; index < verifications; index++) {
    receipts.push(
      await proven.submit({
        contract: 'SupplyChain',
        method: 'registerAsset',
        args: [nextId(), product, documentHash],
      }),
    );
  }
  const verifyStarted = performance.now();
  for (const receipt of receipts) {
    const result = await proven.verify(receipt);
    if (!result.ok) throw new Error(`verification failed: ${JSON.stringify(result.checks)}`);
  }
  const verificationsPerSecond = (verifications / (performance.now() - verifyStarted)) * 1000;
  await proven.close();

  for (const [method, times] of stats) {
    console.log(
      method,
      times.length,
      (times.reduce((a, b) => a + b, 0) / times.length).toFixed(2),
      Math.max(...times).toFixed(1),
    );
  }
  const round2 = (value: number) => Math.round(value * 100) / 100;
  console.log(
    `node ${nodeKind}, ${total} sequential submits each side (${rounds} alternating rounds), ${confirmations} confirmation(s)`,
  );
  console.log(
    JSON.stringify({
      node: nodeKind,
      submits: total,
      confirmations,
      sdk_submits_per_s: round2(sdkPerSecond),
      raw_submits_per_s: round2(rawPerSecond),
      ratio: round2(sdkPerSecond / rawPerSecond),
      verifications_per_s: round2(verificationsPerSecond),
    }),
  );
} finally {
  await sdk.close();
  rawProvider.destroy();
  await stopNode();
}
