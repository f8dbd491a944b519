export { type Checkpointer, fileCheckpointer, memoryCheckpointer } from './checkpointer.js';
export { connectFabric } from './connect.js';
export type { ConnectFabricOptions, FabricDeadlines, FabricIdentityFiles } from './connect-options.js';
export {
  type FabricBlockSource,
  type FetchFabricEvidenceOptions,
  fetchFabricEvidence,
  type QsccBlockSourceOptions,
  qsccBlockSource,
} from './evidence.js';
export type {
  FabricBlockEvent,
  FabricBlockEventsOptions,
  FabricBlockTransaction,
  FabricCallOptions,
  FabricEventsOptions,
  FabricLedger,
  FabricNative,
  FabricReceiptProof,
  FabricSubmitResult,
  FabricTransactionOptions,
} from './fabric-ledger.js';
export {
  type FabricEvidence,
  type FabricTransactionInput,
  fabricBlockHash,
  verifyFabricReceipt,
  verifyFabricTransaction,
} from './verify.js';
