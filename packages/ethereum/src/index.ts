export { type ConnectOptions, connectEthereum } from './connect.js';
export { connectHardhatNetwork, type HardhatNetworkOptions } from './connect-hardhat.js';
export type {
  ConstructorArgs,
  ContractArtifact,
  ContractConfig,
  EventArgs,
  FunctionArgs,
  FunctionResult,
  ReadFunctionName,
  TypedContract,
  WriteFunctionName,
} from './contract-types.js';
export { type DecodedRevert, decodeRevert } from './decode-revert.js';
export type { EthereumEvidence, EthereumReceiptProof, RpcObject } from './ethereum-evidence.js';
export type { DeployOptions, EthereumLedger, EthereumNative, StateProofSelector } from './ethereum-ledger.js';
export { type FetchEvidenceOptions, fetchEthereumEvidence, type JsonRpcClient } from './fetch-evidence.js';
export { verifyEthereumReceipt } from './verify-receipt.js';
export { type StateProof, verifyStateProof } from './verify-state-proof.js';
