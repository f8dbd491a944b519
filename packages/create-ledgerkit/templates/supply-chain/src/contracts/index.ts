export { custodianSlot, supplyChainRoles } from './storage-layout.ts';
export { supplyChainAbi, supplyChainArtifact, supplyChainBytecode } from './supply-chain.ts';
