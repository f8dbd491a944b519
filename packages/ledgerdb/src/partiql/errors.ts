import { LedgerError } from '@ledgerkit/core';

/**
 * A statement that is not valid PartiQL of QLDB's dialect. `details` carry the 1-based
 * `line` and `column` of the offending token, the token `found` and the `expected` ones.
 */
export class PartiqlSyntaxError extends LedgerError {
  /** 1-based line of the offending token. */
  readonly line: number;
  /** 1-based column of the offending token. */
  readonly column: number;
  /** What the parser would have accepted there (token labels such as `'FROM'`, `an identifier`). */
  readonly expected: readonly string[];

  /**
   * @param shortMessage - what was wrong, with its position
   * @param position - where, what was found and what was expected
   */
  constructor(
    shortMessage: string,
    position: { line: number; column: number; found: string; expected: readonly string[] },
  ) {
    super('INVALID_ARGUMENT', shortMessage, { details: { argument: 'statement', ...position } });
    this.name = 'PartiqlSyntaxError';
    this.line = position.line;
    this.column = position.column;
    this.expected = position.expected;
  }
}
