import { partiqlLexer, Semicolon } from './lexer.js';

/** One statement of a script, with the line it starts on (1-based) in the script. */
export interface ScriptStatement {
  text: string;
  line: number;
}

/**
 * Splits PartiQL text into statements at the `;` tokens between them, found by the PartiQL
 * lexer: a `;` inside a string, a quoted name, an Ion literal or a comment does not split.
 * Text the lexer cannot read stays in one piece, for the parser to report where.
 *
 * @param text - statements, each ended by `;` (the last one may omit it)
 * @returns the statements, without their `;`, in order; blank ones left out
 */
export function splitStatements(text: string): ScriptStatement[] {
  const lexed = partiqlLexer.tokenize(text);
  const cuts = lexed.errors.length > 0 ? [] : lexed.tokens.filter((token) => token.tokenType === Semicolon);
  const statements: ScriptStatement[] = [];
  let start = 0;
  for (const end of [...cuts.map((token) => token.startOffset), text.length]) {
    if (lexed.errors.length > 0) {
      const piece = text.slice(start, end);
      const leading = piece.length - piece.trimStart().length;
      if (piece.trim().length > 0) statements.push({ text: piece.trim(), line: lineAt(text, start + leading) });
    } else {
      // From its first token to its last: comments around a statement are not part of it.
      const tokens = lexed.tokens.filter((token) => token.startOffset >= start && token.startOffset < end);
      const first = tokens[0];
      const last = tokens.at(-1);
      if (first && last) {
        statements.push({
          text: text.slice(first.startOffset, (last.endOffset ?? last.startOffset) + 1),
          line: first.startLine ?? lineAt(text, first.startOffset),
        });
      }
    }
    start = end + 1;
  }
  return statements;
}

/**
 * Whether an interactive input is a whole statement: its last token is `;` (a `;` in an
 * unterminated string does not count; the input goes on).
 *
 * @param text - the lines typed so far
 * @returns true when the text ends with a `;` token
 */
export function endsStatement(text: string): boolean {
  const lexed = partiqlLexer.tokenize(text);
  if (lexed.errors.length > 0) {
    // An unterminated string or literal continues on the next line; other bad characters
    // end the statement, so the parser can say what is wrong.
    return !lexed.errors.some((error) => /^['"`]/.test(text.slice(error.offset, error.offset + 1)));
  }
  return lexed.tokens.at(-1)?.tokenType === Semicolon;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
