// @ledgerkit/fabric/verify: the browser-safe verifier. Bundled for a browser (the `browser`
// condition of package.json `imports`), nothing it imports uses Node built-ins, Buffer or
// process; on Node, `#verify-native` checks signatures and hashes with node:crypto.
export { fabricConfigBlockHash } from './verify/config-block-hash.js';
export { type FabricEvidence, fabricBlockHash, verifyFabricReceipt } from './verify/fabric-receipt.js';
export { type FabricTransactionInput, verifyFabricTransaction } from './verify/transaction.js';
