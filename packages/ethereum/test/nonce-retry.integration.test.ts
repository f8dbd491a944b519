// A node's refusal of a transaction's nonce ("nonce too low/high") when another client used
// the account, or the chain went back, between two submits: the ledger re-reads the
// account's nonce and sends again, on Hardhat's in-process EDR network and on anvil alike.

import { supplyChainArtifact, supplyChainRoles } from '@ledgerkit/contracts-ethereum';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EthereumLedger } from '../src/index.js';
import { developmentKeys, type Node, startAnvilNode, startEdr } from './backends.js';

type Hex = `0x${string}`;

const grant = (ledger: EthereumLedger, index: number) =>
  ledger.submit({
    contract: 'SupplyChain',
    method: 'grantRole',
    args: [supplyChainRoles.carrier, `0x${index.toString(16).padStart(40, '0')}`],
  });

async function minedCount(node: Node, account: string): Promise<number> {
  const count = await node.eip1193.request({ method: 'eth_getTransactionCount', params: [account, 'latest'] });
  return Number(BigInt(count as string));
}

// Signed here (a private key) and signed by the node (an unlocked account index): the two
// send paths answer a refused nonce through different RPC methods.
const signers: readonly [string, string | number][] = [
  ['signed by the ledger', developmentKeys[0]],
  ['signed by the node', 0],
];

describe.each([
  ['edr', startEdr],
  ['anvil', startAnvilNode],
] as const)('on %s', (name, start) => {
  let node: Node;

  beforeAll(async () => {
    node = await start();
  }, 60_000);

  afterAll(async () => {
    await node?.stop();
  });

  describe.each(signers)('%s', (_signer, account) => {
    let first: EthereumLedger;
    let second: EthereumLedger;

    beforeAll(async () => {
      first = await node.connect({ account });
      const { contract } = await first.deploy(supplyChainArtifact, [first.account as Hex], { name: 'SupplyChain' });
      second = await node.connect({
        account,
        contracts: { SupplyChain: { address: contract.address, abi: supplyChainArtifact.abi } },
      });
    }, 60_000);

    afterAll(async () => {
      await second?.close();
      await first?.close();
    });

    test('a submit after another client used the same account sends again with the next nonce', async () => {
      const before = await minedCount(node, first.account);
      // `first` holds its next nonce from its deployment; `second` takes that nonce, so
      // `first`'s send is refused as "nonce too low" and must be sent again, not reported.
      const taken = await grant(second, 1);
      const retried = await grant(first, 2);
      expect(retried.position.block).toBeGreaterThan(taken.position.block);
      // The other way round: now `second` is behind.
      await grant(second, 3);
      // Three transactions, each mined once: no gap, no second copy.
      expect(await minedCount(node, first.account)).toBe(before + 3);
    }, 60_000);

    // anvil queues a transaction whose nonce is ahead instead of refusing it, so "nonce too
    // high" is a refusal only on EDR (which cannot queue while automining).
    if (name === 'edr') {
      test('a submit after the chain went back to an earlier state sends again with the node nonce', async () => {
        const snapshot = await node.eip1193.request({ method: 'evm_snapshot', params: [] });
        await grant(first, 4);
        const before = await minedCount(node, first.account);
        await node.eip1193.request({ method: 'evm_revert', params: [snapshot] });
        expect(await minedCount(node, first.account)).toBe(before - 1);
        // `first` still holds the nonce after the reverted transaction: "Nonce too high".
        await grant(first, 5);
        expect(await minedCount(node, first.account)).toBe(before);
      }, 60_000);
    }
  });
});
