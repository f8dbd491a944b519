/** Where the command line writes; the bin passes process streams, tests pass collectors. */
export interface CliOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Process exit codes of the `ledgerdb` command; documented in its --help. */
export const exitCodes = {
  ok: 0,
  /** Something failed that is not the caller's input (storage, an unexpected error). */
  failure: 1,
  /**
   * Unknown command or option, missing or malformed argument, or a library error with
   * code INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS or LIMIT_EXCEEDED.
   */
  badInput: 2,
  /** verify-proof or audit found something that does not verify. */
  verificationFailed: 3,
} as const;

/**
 * Writes one JSON document, indented, followed by a newline.
 *
 * @param output - where to write
 * @param value - what to write
 */
export function printJson(output: CliOutput, value: unknown): void {
  output.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Writes one JSON Lines record: compact JSON followed by a newline.
 *
 * @param output - where to write
 * @param value - what to write
 */
export function printJsonLine(output: CliOutput, value: unknown): void {
  output.stdout(`${JSON.stringify(value)}\n`);
}
