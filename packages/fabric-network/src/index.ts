export {
  type EnsureBinariesOptions,
  ensureFabricBinaries,
  type FabricBinaries,
  type FabricBinaryName,
  fabricBinaryNames,
  fabricRelease,
  ledgerkitHome,
} from './binaries.js';
export type { PrivateDataCollection } from './collections.js';
export { FabricNetworkError, type FabricNetworkReason, fabricNetworkReasons } from './errors.js';
export {
  type ComponentStatus,
  type DeployChaincodeOptions,
  type DeployedChaincode,
  FabricNetwork,
  type IdentityFiles,
  type NetworkStatus,
  type OrganizationAccess,
  type ProgressEvent,
  type UpOptions,
} from './fabric-network.js';
export type { IssuedIdentity, IssueIdentityOptions } from './identities.js';
export { claimNetworkDir, networkOwnerFile, stopLeftoverNetworks } from './leftover-networks.js';
export { processesOfNetwork } from './leftovers.js';
