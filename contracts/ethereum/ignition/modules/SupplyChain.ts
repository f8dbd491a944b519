import { buildModule } from '@nomicfoundation/hardhat-ignition/modules';

/**
 * Deploys SupplyChain. Parameter `admin` (default: the deploying account) receives
 * DEFAULT_ADMIN_ROLE and grants the supply-chain roles afterwards.
 *
 * @example
 * ```sh
 * npx hardhat ignition deploy ignition/modules/SupplyChain.ts --network sepolia \
 *   --parameters '{"SupplyChainModule":{"admin":"0x..."}}'
 * ```
 */
export default buildModule('SupplyChainModule', (m) => {
  const admin = m.getParameter('admin', m.getAccount(0));
  const supplyChain = m.contract('SupplyChain', [admin]);
  return { supplyChain };
});
