import { isLedgerError } from '@ledgerkit/core';

/** The ledgerkit error code a promise rejects with, or undefined when it resolves. */
export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    if (isLedgerError(error)) return error.code;
    throw error;
  }
  return undefined;
}
