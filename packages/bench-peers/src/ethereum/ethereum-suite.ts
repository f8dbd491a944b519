import { custodianSlot, supplyChainAbi, supplyChainArtifact, supplyChainRoles } from '@ledgerkit/contracts-ethereum';
import type { Receipt, TrustAnchor } from '@ledgerkit/core';
import {
  connectEthereum,
  type EthereumLedger,
  fetchEthereumEvidence,
  verifyEthereumReceipt,
} from '@ledgerkit/ethereum';
import { startAnvil } from '@ledgerkit/ethereum/testing';
import {
  BrowserProvider,
  Contract,
  type Eip1193Provider,
  id,
  type JsonRpcApiProvider,
  JsonRpcProvider,
  Network,
  toQuantity,
  Wallet,
} from 'ethers';
import { createHardhatRuntimeEnvironment } from 'hardhat/hre';
import { stopOnce } from '../fabric/stop-once.ts';
import { alternate, quantile, timedLoop, workloadResult } from '../stats.ts';
import type { Suite, SuiteContext } from '../suite.ts';
import { countRequests, type RequestCounter } from './count-requests.ts';

type Hex = `0x${string}`;
type NodeKind = 'edr' | 'anvil';
// The node's first two funded development accounts: one signs for ledgerkit, one for ethers.
const keys = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
] as const;
const confirmations = 1;
// Receipts the read workload cycles through; the anchor is the head after the last of them.
const readReceipts = 16;
const ledgerkit = 'ledgerkit';
const baseline = 'ethers';
const nodeNames: Record<NodeKind, string> = { edr: 'EDR (in-process)', anvil: 'anvil (child process)' };

/**
 * Ethereum: submits and verified reads through `@ledgerkit/ethereum` against raw ethers v6,
 * on Hardhat 3's in-process EDR and on anvil (a child process from `@foundry-rs/anvil`), one
 * client, one confirmation, the supply-chain contract's `registerAsset`. Rounds alternate the
 * two. Every node started is stopped, also when a workload fails or the run is interrupted.
 */
export const ethereumSuite: Suite = {
  id: 'ethereum',
  title: 'Ethereum: @ledgerkit/ethereum vs raw ethers v6',
  async run(context) {
    context.record.systems.push(
      {
        id: ledgerkit,
        label: '@ledgerkit/ethereum (EthereumLedger.submit / verify)',
        settings: { confirmations, nonces: 'managed by the ledger', account: 'dev account 0 (private key)' },
      },
      {
        id: baseline,
        label: 'ethers 6.17 (Contract method + receipt poll; eth_getTransactionReceipt + eth_getProof)',
        settings: { confirmations, nonces: 'ethers Wallet (asks the node)', account: 'dev account 1 (private key)' },
      },
    );
    context.record.notes.push(
      'ethers’ tx.wait() waits for a next block that an automining node never mines when the receipt ' +
        'is not there at its first look: the baseline polls eth_getTransactionReceipt with the ledger’s ' +
        'ramp (1, 2, 4 … 100 ms) instead, so both sides wait the same way.',
    );
    for (const node of ['edr', 'anvil'] as const) await onNode(node, context);
  },
};

async function onNode(node: NodeKind, context: SuiteContext): Promise<void> {
  const { log, quick, rounds } = context;
  const closers: (() => unknown)[] = [];
  const stopper = stopOnce(context, async () => {
    for (const close of closers.reverse())
      await Promise.resolve()
        .then(close)
        .catch(() => {});
  });
  try {
    log(`starting ${nodeNames[node]}`);
    let nodeOptions: { url: string } | { provider: Eip1193Provider };
    let rawProvider: JsonRpcApiProvider;
    if (node === 'anvil') {
      const anvil = await startAnvil();
      closers.push(() => anvil.stop());
      stopper.throwIfStopped();
      nodeOptions = { url: anvil.url };
      // The ledger's provider settings (static network, no request batching): like for like.
      rawProvider = new JsonRpcProvider(anvil.url, Network.from(31337n), {
        staticNetwork: true,
        batchMaxCount: 1,
        cacheTimeout: -1,
      });
    } else {
      const hre = await createHardhatRuntimeEnvironment({});
      const connection = await hre.network.create();
      closers.push(() => connection.close());
      const eip1193 = connection.provider as unknown as Eip1193Provider;
      nodeOptions = { provider: eip1193 };
      rawProvider = new BrowserProvider(eip1193, Network.from(31337n), { staticNetwork: true, cacheTimeout: -1 });
    }
    closers.push(() => rawProvider.destroy());
    const deployer = await connectEthereum({ ...nodeOptions, account: keys[0], confirmations });
    closers.push(() => deployer.close());
    const { contract: deployed } = await deployer.deploy(supplyChainArtifact, [deployer.account as Hex], {
      name: 'SupplyChain',
    });
    const rawWallet = new Wallet(keys[1], rawProvider);
    await deployed.submit('grantRole', [supplyChainRoles.manufacturer, deployer.account as Hex]);
    await deployed.submit('grantRole', [supplyChainRoles.manufacturer, rawWallet.address as Hex]);
    // The ledger as a user configures it for verified receipts: the asset's custodian slot proven.
    const ledger: EthereumLedger = await connectEthereum({
      ...nodeOptions,
      account: keys[0],
      confirmations,
      contracts: { SupplyChain: { address: deployed.address, abi: supplyChainAbi } },
      stateProofs: (call) => [custodianSlot(call.args?.[0] as string)],
    });
    closers.push(() => ledger.close());
    const registerRaw = new Contract(deployed.address, supplyChainAbi, rawWallet).getFunction('registerAsset');
    const product = id('product') as Hex;
    const documentHash = id('document') as Hex;
    const waitRaw = async (hash: string) => {
      for (let attempt = 0; ; attempt++) {
        const receipt = await rawProvider.getTransactionReceipt(hash);
        if (receipt && (await receipt.confirmations()) >= confirmations) return receipt;
        await new Promise((resolve) => setTimeout(resolve, Math.min(100, 2 ** attempt)));
      }
    };
    const submitLedger = (key: string) =>
      ledger.submit({ contract: 'SupplyChain', method: 'registerAsset', args: [id(key), product, documentHash] });
    const submitRaw = async (key: string) => waitRaw((await registerRaw(id(key), product, documentHash)).hash);
    for (let n = 0; n < 10; n++) {
      await submitLedger(`warm-ledger-${n}`);
      await submitRaw(`warm-raw-${n}`);
    }

    const submits = quick ? 10 : 100;
    const counters: Record<string, RequestCounter> = {
      [ledgerkit]: countRequests(ledger.native.provider),
      [baseline]: countRequests(rawProvider),
    };
    stopper.throwIfStopped();
    const submitRounds = await alternate(
      [
        {
          id: ledgerkit,
          round: (round) =>
            timedLoop((_, n) => submitLedger(`ledger-${round}-${n}`), { operations: submits, countFailures: true }),
        },
        {
          id: baseline,
          round: (round) =>
            timedLoop((_, n) => submitRaw(`raw-${round}-${n}`), { operations: submits, countFailures: true }),
        },
      ],
      rounds,
    );
    const requestNotes = Object.entries(counters).map(([system, counter]) => {
      counter.stop();
      const per = (count: number) => (count / (submits * rounds)).toFixed(2).replace(/\.?0+$/, '');
      return (
        `JSON-RPC requests per submit, ${system}: ${per(counter.total())} (` +
        `${counter
          .counts()
          .map(([method, count]) => `${method} ${per(count)}`)
          .join(', ')}).`
      );
    });
    context.record.workloads.push(
      workloadResult(
        {
          id: `submit-${node}`,
          title: `Submit on ${nodeNames[node]}`,
          description:
            `registerAsset of a new asset id, sent and waited for until mined with ${confirmations} confirmation ` +
            `(automine: a block per transaction), ${submits} per round from one client.`,
          unit: 'transactions',
          notes: requestNotes,
        },
        submitRounds,
        [[ledgerkit, baseline]],
      ),
    );
    log(`submit on ${node}: done`);

    const receipts: Receipt[] = [];
    for (let n = 0; n < readReceipts; n++) receipts.push(await submitLedger(`read-${n}`));
    const head = (await rawProvider.send('eth_getBlockByNumber', ['latest', false])) as {
      number: string;
      hash: string;
    };
    const anchor: TrustAnchor = { type: 'ethereum-block', number: Number(BigInt(head.number)), hash: head.hash };
    const reads = quick ? 8 : 48;
    let read = 0;
    const nextReceipt = () => receipts[read++ % receipts.length] as Receipt;
    stopper.throwIfStopped();
    const readRounds = await alternate(
      [
        {
          id: ledgerkit,
          round: () =>
            timedLoop(
              async () => {
                const result = await ledger.verify(nextReceipt(), { anchor });
                if (!result.ok) throw new Error(`verification failed: ${JSON.stringify(result.checks)}`);
              },
              { operations: reads, countFailures: true },
            ),
        },
        {
          id: baseline,
          round: () =>
            timedLoop(
              async () => {
                const receipt = nextReceipt();
                const proof = receipt.proof as { contract: string; storageSlots: string[] };
                await Promise.all([
                  rawProvider.send('eth_getTransactionReceipt', [receipt.txId]),
                  rawProvider.send('eth_getProof', [
                    proof.contract,
                    proof.storageSlots,
                    toQuantity(receipt.position.block),
                  ]),
                ]);
              },
              { operations: reads, countFailures: true },
            ),
        },
      ],
      rounds,
    );
    const split = await fetchAndVerifySplit(ledger, receipts, anchor);
    context.record.workloads.push(
      workloadResult(
        {
          id: `verified-read-${node}`,
          title: `Verified read on ${nodeNames[node]}`,
          description:
            `A receipt of one of the last ${readReceipts} submits checked against a block pinned after them. ` +
            'ledgerkit: EthereumLedger.verify(receipt, { anchor }) fetches the block with its transactions, every ' +
            'receipt of the block, the account/storage proof, the code and the headers up to the anchor, and ' +
            'verifies the receipts trie, the state proof and the header chain. Baseline (not the same work, and ' +
            'said so): eth_getTransactionReceipt and eth_getProof of the same slot, verified by nobody.',
          unit: 'reads',
          notes: [
            `ledgerkit's read split on the same receipts: fetching the evidence ${split.fetchMs.toFixed(2)} ms, ` +
              `verifying it (pure function) ${split.verifyMs.toFixed(2)} ms (medians); ` +
              `${split.headers.toFixed(1)} headers fetched per read on average.`,
          ],
        },
        readRounds,
        [[ledgerkit, baseline]],
      ),
    );
    log(`verified read on ${node}: done`);
  } finally {
    await stopper.stop();
  }
}

/** Medians of ledgerkit's two halves of a verified read: fetching the evidence and verifying it. */
async function fetchAndVerifySplit(ledger: EthereumLedger, receipts: readonly Receipt[], anchor: TrustAnchor) {
  const toBlock = anchor.type === 'ethereum-block' ? anchor.number : undefined;
  const fetchMs: number[] = [];
  const verifyMs: number[] = [];
  for (const receipt of receipts) {
    let begin = performance.now();
    const evidence = await fetchEthereumEvidence(ledger.native.provider, receipt, { ...(toBlock ? { toBlock } : {}) });
    fetchMs.push(performance.now() - begin);
    begin = performance.now();
    const verdict = await verifyEthereumReceipt(receipt, evidence, anchor);
    verifyMs.push(performance.now() - begin);
    if (!verdict.ok) throw new Error(`verification failed: ${JSON.stringify(verdict.checks)}`);
  }
  const sorted = (values: number[]) => values.sort((a, b) => a - b);
  const headers = receipts.reduce((total, receipt) => total + ((toBlock ?? 0) - receipt.position.block), 0);
  return {
    fetchMs: quantile(sorted(fetchMs), 0.5),
    verifyMs: quantile(sorted(verifyMs), 0.5),
    headers: headers / receipts.length,
  };
}
