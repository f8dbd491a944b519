import { type Receipt, receiptFormatVersion } from '@ledgerkit/core';
import type { CommitSummary } from '../types.js';

/**
 * The receipt of a commit: its block, its revisions, and the inclusion proof of the block in
 * the tree the commit ended, so a later trusted digest and a consistency proof verify it.
 *
 * @param ledger - the ledger's name
 * @param commit - what the commit wrote
 * @returns a receipt of the current format version
 */
export function commitReceipt(ledger: string, commit: CommitSummary): Receipt {
  return {
    version: receiptFormatVersion,
    backend: 'ledgerdb',
    ledger,
    txId: commit.txId,
    position: { block: commit.seq, index: 0 },
    timestamp: commit.txTime,
    proof: {
      blockHash: commit.blockHash,
      blockLeafIndex: commit.blockLeafIndex,
      ...(commit.auditPath === undefined ? {} : { treeSize: commit.treeSize ?? commit.blockLeafIndex + 1 }),
      ...(commit.auditPath === undefined ? {} : { auditPath: [...commit.auditPath] }),
      revisions: commit.revisions.map((revision) => ({ ...revision })),
      ...(commit.redactions === undefined ? {} : { redactions: commit.redactions.map((entry) => ({ ...entry })) }),
    },
  };
}
