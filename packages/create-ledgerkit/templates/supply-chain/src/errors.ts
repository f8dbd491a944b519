import { isLedgerError, LedgerError } from '@ledgerkit/core';
import { type RuleReason, ruleReasons } from './domain.ts';

/**
 * The error every backend's mapping produces for a refused business rule.
 *
 * @param reason - the rule's reason code
 * @param message - one line naming what was refused
 * @param details - backend facts (batch, caller, the backend's own error name)
 * @param cause - the backend's error
 * @returns a `CONTRACT_REVERTED` LedgerError with `details.reasonCode`
 */
export function ruleViolation(
  reason: RuleReason,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): LedgerError {
  return new LedgerError('CONTRACT_REVERTED', message, {
    details: { ...details, reasonCode: reason },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * The rule a `CONTRACT_REVERTED` error names, if any.
 *
 * @param error - what an operation threw
 * @returns the reason code, or undefined for any other error
 */
export function ruleReasonOf(error: unknown): RuleReason | undefined {
  if (!isLedgerError(error, 'CONTRACT_REVERTED')) return undefined;
  const reason = error.details.reasonCode;
  return (ruleReasons as readonly unknown[]).includes(reason) ? (reason as RuleReason) : undefined;
}
