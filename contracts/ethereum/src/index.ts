export { supplyChainAbi, supplyChainArtifact, supplyChainBytecode } from './generated/supply-chain.ts';
export { custodianSlot, supplyChainRoles } from './storage-layout.ts';
