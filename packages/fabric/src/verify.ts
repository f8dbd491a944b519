// @ledgerkit/fabric/verify: the browser-safe verifier. Nothing here, nor anything it imports,
// uses Node built-ins, Buffer or process.
export { fabricConfigBlockHash } from './verify/config-block-hash.js';
export { type FabricEvidence, fabricBlockHash, verifyFabricReceipt } from './verify/fabric-receipt.js';
export { type FabricTransactionInput, verifyFabricTransaction } from './verify/transaction.js';
