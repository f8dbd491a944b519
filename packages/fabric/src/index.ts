export { type Checkpointer, fileCheckpointer, memoryCheckpointer } from './checkpointer.js';
export { type ConnectFabricOptions, connectFabric, type FabricDeadlines, type FabricIdentityFiles } from './connect.js';
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
  type FabricBlockSource,
  type FabricTransactionInput,
  type QsccBlockSourceOptions,
  qsccBlockSource,
  type VerifyFabricReceiptOptions,
  verifyFabricReceipt,
  verifyFabricTransaction,
} from './verify-receipt.js';
