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
export type { PrivateDataCollection } from './chaincode/collections.js';
// Deprecated since 0.2.0: these moved to @ledgerkit/fabric-network/testing.
export { claimNetworkDir, networkOwnerFile, processesOfNetwork, stopLeftoverNetworks } from './deprecated.js';
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
export type { AuditEntry } from './governance/audit-trail.js';
export type { ChannelConfigJson, ConfigUpdateResult } from './governance/channel-config.js';
export {
  type AcceptInvitationOptions,
  type ChaincodeDefinitionChange,
  FabricGovernance,
  type GovernanceOptions,
  type GovernanceResult,
  type GovernedNetwork,
} from './governance/fabric-governance.js';
export { GovernanceError, type GovernanceReason, governanceReasons } from './governance/governance-error.js';
export type {
  GovernanceEvent,
  Invitation,
  Member,
  Proposal,
  ProposalAction,
  Vote,
} from './governance/governance-state.js';
export {
  type ProposalStatus,
  requiredYesVotes,
  type VotingPolicy,
} from './governance/voting-policy.js';
export type { IssuedIdentity, IssueIdentityOptions } from './identities.js';
export type { NodeHealth, NodeMetrics } from './readiness/health.js';
