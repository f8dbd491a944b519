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
export type { DeployOptions, EthereumLedger, EthereumNative, StateProofSelector } from './ethereum-ledger.js';
export {
  type EthereumReceiptProof,
  type JsonRpcClient,
  type StateProof,
  verifyEthereumReceipt,
  verifyStateProof,
} from './verify-receipt.js';
