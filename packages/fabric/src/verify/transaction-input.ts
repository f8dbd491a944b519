// What the offline verification of one transaction takes: the blocks, the receipt, extra trust.
import type { Receipt } from '@ledgerkit/core';
import type { Certificate } from './x509.js';

/** The blocks an auditor needs to verify one transaction offline. */
export interface FabricTransactionInput {
  /** The transaction to verify. */
  txId: string;
  /** Serialized `common.Block` holding the transaction. */
  block: Uint8Array;
  /**
   * Serialized block before it (`block - 1`); without it the `block-hash-chain` and
   * `commit-hash` checks are not made (and not listed). Not needed for block 0.
   */
  previousBlock?: Uint8Array;
  /** Serialized config block the block names as its last config (the MSP trust anchors). */
  configBlock: Uint8Array;
  /** The receipt to hold against the ledger: channel, position, timestamp and `proof`. */
  receipt?: Receipt;
  /**
   * Copies of `block` served by other peers, e.g. another organization's. The validation codes
   * and commit hash are written by each peer, not signed by the orderer; copies that agree make
   * the `peer-agreement` check, which a single lying peer cannot pass.
   */
  witnessBlocks?: readonly Uint8Array[];
}

/** Extra trust for the verification of a transaction. */
export interface TransactionTrust {
  /** Root certificates by MSP id that replace the config block's (a `fabric-msp-roots` anchor). */
  roots?: ReadonlyMap<string, Certificate[]>;
}
