import type { StateProof } from './verify-state-proof.js';

/** A block, block header, transaction or receipt exactly as a JSON-RPC node returned it. */
export type RpcObject = Record<string, unknown>;

/**
 * The untrusted evidence {@link verifyEthereumReceipt} checks a receipt or revision with, as
 * plain JSON (what `EthereumLedger.evidence` puts in a verification bundle).
 */
export interface EthereumEvidence {
  /** The receipt's block with its full transactions (`eth_getBlockByNumber(n, true)`). */
  block: RpcObject;
  /** The receipts of every transaction of that block, in block order. */
  receipts: RpcObject[];
  /** `eth_getProof` of the called contract (and the receipt's storage slots) at that block. */
  stateProof: StateProof;
  /** `eth_getCode` of the called contract at that block. */
  code: string;
  /**
   * Headers of the blocks after the receipt's block, oldest first, up to the anchor block
   * (or the node's head when it was fetched without an anchor). Each links to the one
   * before by `parentHash`, so a trusted later block hash proves the receipt's block.
   */
  headers: RpcObject[];
  /** For a revision: the ABI fragment (JSON) of the event its value was decoded from. */
  event?: string;
  /**
   * For a receipt of a function call: the ABI fragments (JSON) of the called contract's
   * functions of the receipt's `method` name (several when overloaded); the one whose selector
   * starts the transaction's input binds the name. Absent in evidence written before them.
   */
  functions?: string[];
}

/** What an Ethereum receipt's `proof` holds. */
export interface EthereumReceiptProof {
  /** Contract the transaction called (or created). */
  contract: string;
  /** Function called (empty for a receipt rebuilt from a log). */
  method: string;
  /** Confirmations the submitter waited for. */
  confirmations: number;
  /** Storage slots (32-byte hex) of `contract` to prove at the receipt's block. */
  storageSlots: string[];
  /** For a revision's receipt: the event that carries the revision's value. */
  event?: string;
  /** For a revision's receipt: the log's index in its block. */
  logIndex?: number;
  /** Gas the transaction used, decimal (absent in a receipt rebuilt from a log). */
  gasUsed?: string;
}
