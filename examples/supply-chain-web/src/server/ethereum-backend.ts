// The decentralized model on Ethereum: SupplyChain.sol on Hardhat's in-process EDR chain.
// The server holds one account per participant (the page chooses which one signs); the
// contract's AccessControl roles, granted at deployment, are what the rules check.
import type { EthereumLedger } from '@ledgerkit/ethereum';
import { type EdrParty, type SupplyChain, startEdrSupplyChain } from '@ledgerkit/example-supply-chain';
import { encodeBytes32String } from 'ethers';
import { type Backend, type Participant, people, portOf } from './backend.ts';

/**
 * Starts an in-process EDR chain, deploys SupplyChain.sol and grants each participant's
 * account its role.
 *
 * @returns the backend
 * @throws LedgerError when the deployment fails
 */
export async function startEthereumBackend(): Promise<Backend> {
  const chain = await startEdrSupplyChain(people.map((person) => person.role));
  try {
    const participants: Participant[] = [];
    const ports = new Map<string, SupplyChain>();
    let auditor: EthereumLedger | undefined;
    for (const [index, person] of people.entries()) {
      const { account, ledger, supplyChain } = chain.parties[index] as EdrParty;
      participants.push({ ...person, party: account });
      if (person.role === 'auditor') auditor = ledger;
      ports.set(person.name, supplyChain);
    }
    const reader = auditor ?? chain.parties[0]?.ledger;
    if (!reader) throw new Error('no participant to read the chain with');
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
      currentAnchor: chain.headAnchor,
      close: chain.stop,
    };
  } catch (error) {
    await chain.stop().catch(() => {});
    throw error;
  }
}
