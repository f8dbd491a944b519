export {
  ChaincodeHarness,
  type ChaincodeHarnessOptions,
  type CommitResult,
  type ContractClass,
  type DeployOptions,
  type Endorsement,
  type HarnessChaincodeEvent,
  type PrivateCollection,
  type SubmitResult,
  type TransactionCall,
  type ValidationCode,
} from './chaincode-harness.js';
export { HarnessClientIdentity } from './client-identity.js';
export { ChaincodeHarnessError } from './harness-error.js';
export {
  createTestIdentity,
  fabricAttributesOid,
  type TestIdentity,
  type TestIdentityOptions,
} from './test-identity.js';
