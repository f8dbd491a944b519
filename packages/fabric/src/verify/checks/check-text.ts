// How the checks word their results: failed checks made directly, error text, short hashes.
import type { VerificationCheck } from '@ledgerkit/core';
import { toHex } from '../bytes.js';

/**
 * A failed check.
 *
 * @param name - the check's name
 * @param detail - what failed
 * @returns the check
 */
export function failed(name: string, detail: string): VerificationCheck {
  return { name, ok: false, detail };
}

/**
 * The message of anything thrown.
 *
 * @param error - what was thrown
 * @returns its message
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The first 8 bytes of a hash in hex, for details that name a hash without comparing it.
 *
 * @param bytes - the hash
 * @returns e.g. `0a1b2c3d4e5f6a7b…`, or `(empty)`
 */
export function shortHex(bytes: Uint8Array): string {
  return bytes.length === 0 ? '(empty)' : `${toHex(bytes).slice(0, 16)}…`;
}
