// The input checks: a receipt shaped like a Fabric receipt, and blocks given as bytes. They run
// first; input that fails them gets that one failed check and nothing else is checked.
import type { Receipt, VerificationCheck } from '@ledgerkit/core';
import type { FabricTransactionInput } from '../transaction-input.js';
import { failed } from './check-text.js';

/**
 * Why `receipt` is not shaped like a Fabric receipt, or undefined when it is. A malformed
 * receipt fails the `receipt-format` check; a well-formed receipt that disagrees with the
 * ledger fails the check of what disagrees.
 *
 * @param receipt - anything
 * @returns the field at fault and why, or undefined
 */
export function fabricReceiptProblem(receipt: unknown): { field: string; reason: string } | undefined {
  const bad = (field: string, reason: string) => ({ field: `receipt${field === '' ? '' : `.${field}`}`, reason });
  if (typeof receipt !== 'object' || receipt === null) return bad('', 'the receipt is not an object');
  const candidate = receipt as Partial<Receipt>;
  if (candidate.backend !== 'fabric') return bad('backend', `backend is ${String(candidate.backend)}, not fabric`);
  if (typeof candidate.ledger !== 'string' || candidate.ledger === '') return bad('ledger', 'no channel name');
  if (typeof candidate.txId !== 'string' || candidate.txId === '') return bad('txId', 'no transaction id');
  const { position } = candidate;
  if (
    typeof position !== 'object' ||
    position === null ||
    !Number.isSafeInteger(position.block) ||
    position.block < 0
  ) {
    return bad('position.block', 'the block number is not a non-negative integer');
  }
  if (!Number.isSafeInteger(position.index) || position.index < -1) {
    return bad('position.index', 'the index is not an integer of at least -1');
  }
  // A time without a zone would be read in the verifying machine's zone: the verdict must not depend on it.
  if (
    typeof candidate.timestamp !== 'string' ||
    !/(?:Z|[+-]\d{2}:?\d{2})$/i.test(candidate.timestamp) ||
    Number.isNaN(Date.parse(candidate.timestamp))
  ) {
    return bad('timestamp', 'the timestamp is not an ISO 8601 time with a zone (Z or an offset)');
  }
  if (candidate.version !== undefined && candidate.version !== 1) {
    return bad('version', `receipt format version ${String(candidate.version)} is unknown (this verifier reads 1)`);
  }
  const proof = candidate.proof;
  if (proof !== undefined && (typeof proof !== 'object' || proof === null || Array.isArray(proof))) {
    return bad('proof', 'proof is not an object');
  }
  for (const field of ['chaincode', 'transaction', 'mspId', 'validationCode'] as const) {
    if (proof?.[field] !== undefined && typeof proof[field] !== 'string') return bad(`proof.${field}`, 'not a string');
  }
  return undefined;
}

/**
 * The failed `receipt-format` or `input-format` check of malformed input, or undefined.
 *
 * @param input - what the caller passed
 * @returns the failed check, or undefined when the input is well-formed
 */
export function inputProblem(input: FabricTransactionInput): VerificationCheck | undefined {
  if (typeof input !== 'object' || input === null) return failed('input-format', 'the input is not an object');
  const { txId, receipt } = input;
  if (receipt !== undefined) {
    const problem = fabricReceiptProblem(receipt);
    if (problem) return failed('receipt-format', `not a Fabric receipt: ${problem.field}: ${problem.reason}`);
  }
  if (typeof txId !== 'string' || txId === '') return failed('input-format', 'txId must be a non-empty string');
  if (receipt && receipt.txId !== txId) {
    return failed('input-format', `txId ${txId} is not the receipt's transaction id ${receipt.txId}`);
  }
  const blocks: Array<[string, unknown]> = [
    ['block', input.block],
    ['configBlock', input.configBlock],
    ...(input.previousBlock === undefined ? [] : [['previousBlock', input.previousBlock] as [string, unknown]]),
    ...(input.witnessBlocks ?? []).map((copy, index): [string, unknown] => [`witnessBlocks[${index}]`, copy]),
  ];
  const notBytes = blocks.find(([, value]) => !(value instanceof Uint8Array));
  return notBytes ? failed('input-format', `${notBytes[0]} must be the serialized block as a Uint8Array`) : undefined;
}
