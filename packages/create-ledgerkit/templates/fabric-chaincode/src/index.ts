import { AssetContract } from './asset-contract.js';

export type { Asset } from './asset.js';
export { AssetContract } from './asset-contract.js';

/** What fabric-chaincode-node loads: the contracts of this chaincode, default first. */
export const contracts = [AssetContract];
