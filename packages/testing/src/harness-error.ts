import { type ErrorCode, LedgerError } from '@ledgerkit/core';

/**
 * An error from the chaincode harness. `code` is `CONTRACT_REVERTED` (the chaincode threw;
 * `details.message` is what a client would receive), `MVCC_READ_CONFLICT` or `COMMIT_FAILED`
 * (validation; `details.validationCode`), `NOT_FOUND` (unknown chaincode) or `INVALID_ARGUMENT`.
 */
export class ChaincodeHarnessError extends LedgerError {
  /**
   * @param code the error code.
   * @param shortMessage one line saying what went wrong.
   * @param details structured facts (chaincode, transaction, txId, validationCode, message).
   * @param cause the error the chaincode threw, if any.
   */
  constructor(code: ErrorCode, shortMessage: string, details: Readonly<Record<string, unknown>>, cause?: unknown) {
    super(code, shortMessage, cause === undefined ? { details } : { details, cause });
    this.name = 'ChaincodeHarnessError';
  }
}
