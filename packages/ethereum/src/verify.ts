// The browser-safe entry `@ledgerkit/ethereum/verify`: the pure verifier and its types, with
// nothing that imports a Node built-in or performs I/O.
export { ethereumBlockHash } from './ethereum-block-hash.js';
export type { EthereumEvidence, EthereumReceiptProof, RpcObject } from './ethereum-evidence.js';
export { verifyEthereumReceipt } from './verify-receipt.js';
export { type StateProof, verifyStateProof } from './verify-state-proof.js';
