export type { Asset, AssetStatus, Checkpoint, Party, TransferOffer } from './supply-chain-contract.ts';
export { SupplyChainContract } from './supply-chain-contract.ts';

import { SupplyChainContract } from './supply-chain-contract.ts';

/** What fabric-chaincode-node loads: the contracts of this chaincode, default first. */
export const contracts = [SupplyChainContract];
