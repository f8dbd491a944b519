import type { Ledger, VerifyOptions } from '@ledgerkit/core';
import type { ProvenanceStep } from './domain.ts';
import type { VerifiedStep } from './port.ts';

/**
 * Verifies each step's receipt on the ledger that holds it, one after the other: the shared
 * body of every implementation's `SupplyChain.verify`.
 *
 * @param ledger - the ledger the steps were written to
 * @param steps - the steps, in the order to report them
 * @param options - passed to each `Ledger.verify` (anchor, signal)
 * @returns each step with its verification; a tampered step fails a named check
 * @throws LedgerError when the ledger cannot be reached (the verdicts themselves never throw)
 */
export async function verifySteps(
  ledger: Ledger,
  steps: readonly ProvenanceStep[],
  options: VerifyOptions,
): Promise<VerifiedStep[]> {
  const verified: VerifiedStep[] = [];
  for (const step of steps) verified.push({ ...step, verification: await ledger.verify(step.receipt, options) });
  return verified;
}
