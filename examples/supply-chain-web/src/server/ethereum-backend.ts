// The decentralized model on Ethereum: SupplyChain.sol on Hardhat's in-process EDR chain.
// The server holds one account per participant (the page chooses which one signs); the
// contract's AccessControl roles, granted at deployment, are what the rules check.
import type { TrustAnchor } from '@ledgerkit/core';
import { connectEthereum, type EthereumLedger } from '@ledgerkit/ethereum';
import {
  deploySupplyChainContract,
  ethereumSupplyChain,
  type Role,
  type SupplyChain,
} from '@ledgerkit/example-supply-chain';
import { type Eip1193Provider, encodeBytes32String, getAddress } from 'ethers';
import { createHardhatRuntimeEnvironment } from 'hardhat/hre';
import { type Backend, type Participant, people, portOf } from './backend.ts';

/**
 * Starts an in-process EDR chain, deploys SupplyChain.sol and grants each participant's
 * account its role.
 *
 * @returns the backend
 * @throws LedgerError when the deployment fails
 */
export async function startEthereumBackend(): Promise<Backend> {
  const hre = await createHardhatRuntimeEnvironment({});
  const connection = await hre.network.create();
  const provider = connection.provider as unknown as Eip1193Provider;
  const accounts = (await provider.request({ method: 'eth_accounts', params: [] })) as string[];
  if (accounts.length <= people.length)
    throw new Error(`EDR has ${accounts.length} accounts, ${people.length + 1} needed`);
  const admin = await connectEthereum({ provider, account: 0 });
  const ledgers: EthereumLedger[] = [admin];
  try {
    const participants: Participant[] = people.map((person, index) => ({
      ...person,
      party: getAddress(accounts[index + 1] as string),
    }));
    const roles: Record<string, Role> = Object.fromEntries(participants.map(({ party, role }) => [party, role]));
    const { address, abi } = await deploySupplyChainContract(admin, roles);
    const ports = new Map<string, SupplyChain>();
    let auditor: EthereumLedger | undefined;
    for (const [index, participant] of participants.entries()) {
      const ledger = await connectEthereum({
        provider,
        account: index + 1,
        contracts: { SupplyChain: { address, abi } },
      });
      ledgers.push(ledger);
      if (participant.role === 'auditor') auditor = ledger;
      ports.set(participant.name, await ethereumSupplyChain(ledger));
    }
    const reader = auditor ?? admin;
    const ids: string[] = [];
    return {
      kind: 'ethereum',
      trustModel: 'decentralized',
      description: 'SupplyChain.sol enforces the rules on every node; an auditor trusts a block hash of the chain.',
      participants,
      as: (name) => portOf(ports, name),
      batchIds: async () => [...ids],
      registered: (id) => {
        if (!ids.includes(id)) ids.push(id);
      },
      bundles: async (id) => {
        // The headers reach the node's head, which is at or after any block the auditor pinned.
        const revisions = await reader.history(encodeBytes32String(id));
        return Promise.all(revisions.map((revision) => reader.evidence(revision)));
      },
      currentAnchor: async (): Promise<TrustAnchor> => {
        const head = (await provider.request({ method: 'eth_getBlockByNumber', params: ['latest', false] })) as {
          number: string;
          hash: string;
        };
        return { type: 'ethereum-block', number: Number(BigInt(head.number)), hash: head.hash };
      },
      close: async () => {
        for (const ledger of ledgers) await ledger.close();
        await connection.close();
      },
    };
  } catch (error) {
    for (const ledger of ledgers) await ledger.close().catch(() => {});
    await connection.close().catch(() => {});
    throw error;
  }
}
