export {
  type EnsureBinariesOptions,
  ensureFabricBinaries,
  type FabricBinaries,
  type FabricBinaryName,
  fabricBinaryNames,
  fabricRelease,
  ledgerkitHome,
} from './binaries.js';
export {
  type EnsureCaBinariesOptions,
  ensureFabricCaBinaries,
  type FabricCaBinaries,
  fabricCaBinaryNames,
  fabricCaRelease,
} from './ca/ca-binaries.js';
export type {
  CertificateAuthority,
  EnrolledIdentity,
  IdentityType,
  RegisterOptions,
} from './ca/certificate-authority.js';
export { type CertificateInfo, certificateInfo, crlSerialNumbers } from './ca/certificates.js';
export type { CaAdminCredentials } from './ca/credentials.js';
export type { PrivateDataCollection } from './collections.js';
export { FabricNetworkError, type FabricNetworkReason, fabricNetworkReasons } from './errors.js';
export {
  type AddedPeer,
  type AddOrganizationOptions,
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
export type { NodeHealth, NodeMetrics } from './health.js';
export type { IssuedIdentity, IssueIdentityOptions } from './identities.js';
export { claimNetworkDir, networkOwnerFile, stopLeftoverNetworks } from './leftover-networks.js';
export { processesOfNetwork } from './leftovers.js';
