import type { Receipt } from '@ledgerkit/core';
import type { EthereumLedger } from '@ledgerkit/ethereum';
import { supplyChainAbi, supplyChainArtifact, supplyChainRoles } from './contracts/index.ts';
import type { Role } from './domain.ts';
import { supplyChainContractName } from './ethereum-supply-chain.ts';

type Hex = `0x${string}`;

/**
 * Deploys SupplyChain.sol with the admin's account as its admin, grants each participant its
 * role, and registers the contract in the admin's ledger as `SupplyChain`.
 *
 * @param admin - the ledger of the deploying (admin) account
 * @param participants - role per account address
 * @returns the contract's address and ABI (to register in the other accounts' ledgers) and the deployment receipt
 * @throws LedgerError from the deployment or a grant
 */
export async function deploySupplyChainContract(
  admin: EthereumLedger,
  participants: Readonly<Record<string, Role>>,
): Promise<{ address: string; abi: typeof supplyChainAbi; receipt: Receipt }> {
  const { contract, receipt } = await admin.deploy(supplyChainArtifact, [admin.account as Hex], {
    name: supplyChainContractName,
  });
  for (const [account, role] of Object.entries(participants)) {
    await contract.submit('grantRole', [supplyChainRoles[role], account as Hex]);
  }
  return { address: contract.address, abi: supplyChainAbi, receipt };
}
