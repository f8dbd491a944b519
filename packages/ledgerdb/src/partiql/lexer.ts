import { createToken, Lexer, type TokenType } from 'chevrotain';

// Every word a field name may be after a dot, keywords included (`r.value` is a field).
export const Name = createToken({ name: 'Name', pattern: Lexer.NA, label: 'a name' });
export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_$][A-Za-z0-9_$]*/,
  label: 'an identifier',
  categories: [Name],
});

/** The PartiQL keywords, upper case (matched case-insensitively); the grammar fuzz test draws from them. */
export const keywordNames = [
  'SELECT',
  'VALUE',
  'FROM',
  'AS',
  'AT',
  'BY',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'IS',
  'NULL',
  'MISSING',
  'TRUE',
  'FALSE',
  'IN',
  'BETWEEN',
  'LIKE',
  'ESCAPE',
  'INNER',
  'CROSS',
  'LEFT',
  'RIGHT',
  'OUTER',
  'JOIN',
  'ON',
  'ORDER',
  'GROUP',
  'LIMIT',
  'INSERT',
  'INTO',
  'UPDATE',
  'SET',
  'REMOVE',
  'DELETE',
  'CREATE',
  'TABLE',
  'INDEX',
  'DROP',
  'UNDROP',
  'EXEC',
  'EXPLAIN',
  'COUNT',
  'CAST',
  'EXTRACT',
  'TRIM',
  'LEADING',
  'TRAILING',
  'BOTH',
] as const;

type KeywordName = (typeof keywordNames)[number];

/** Keyword tokens, case-insensitive; an identifier that merely starts with one stays an identifier. */
export const Keyword = Object.fromEntries(
  keywordNames.map((word) => [
    word,
    createToken({
      name: word,
      pattern: new RegExp(word, 'i'),
      label: `'${word}'`,
      categories: [Name],
      longer_alt: Identifier,
    }),
  ]),
) as Record<KeywordName, TokenType>;

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /--[^\n\r]*/, group: Lexer.SKIPPED });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED });
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /'(?:[^']|'')*'/, label: 'a string' });
export const QuotedIdentifier = createToken({
  name: 'QuotedIdentifier',
  pattern: /"(?:[^"]|"")*"/,
  label: 'a quoted identifier',
  categories: [Name],
});
export const IonLiteral = createToken({ name: 'IonLiteral', pattern: /`[^`]*`/, label: 'an Ion literal' });
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/,
  label: 'a number',
});
export const Param = createToken({ name: 'Param', pattern: /\?/, label: "'?'" });
export const BagOpen = createToken({ name: 'BagOpen', pattern: /<</, label: "'<<'" });
export const BagClose = createToken({ name: 'BagClose', pattern: />>/, label: "'>>'" });
export const LessEq = createToken({ name: 'LessEq', pattern: /<=/, label: "'<='" });
export const GreaterEq = createToken({ name: 'GreaterEq', pattern: />=/, label: "'>='" });
export const NotEq = createToken({ name: 'NotEq', pattern: /<>|!=/, label: "'<>'" });
export const Less = createToken({ name: 'Less', pattern: /</, label: "'<'" });
export const Greater = createToken({ name: 'Greater', pattern: />/, label: "'>'" });
export const Equals = createToken({ name: 'Equals', pattern: /=/, label: "'='" });
export const Concat = createToken({ name: 'Concat', pattern: /\|\|/, label: "'||'" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: /]/, label: "']'" });
export const LBrace = createToken({ name: 'LBrace', pattern: /\{/, label: "'{'" });
export const RBrace = createToken({ name: 'RBrace', pattern: /}/, label: "'}'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Colon = createToken({ name: 'Colon', pattern: /:/, label: "':'" });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/, label: "';'" });
export const Dot = createToken({ name: 'Dot', pattern: /\./, label: "'.'" });
export const Star = createToken({ name: 'Star', pattern: /\*/, label: "'*'" });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, label: "'+'" });
export const Minus = createToken({ name: 'Minus', pattern: /-/, label: "'-'" });
export const Slash = createToken({ name: 'Slash', pattern: /\//, label: "'/'" });
export const Percent = createToken({ name: 'Percent', pattern: /%/, label: "'%'" });
export const AtSign = createToken({ name: 'AtSign', pattern: /@/, label: "'@'" });

/** Every token, in the order the lexer tries them. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  StringLiteral,
  QuotedIdentifier,
  IonLiteral,
  NumberLiteral,
  Param,
  BagOpen,
  BagClose,
  LessEq,
  GreaterEq,
  NotEq,
  Less,
  Greater,
  Equals,
  Concat,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Semicolon,
  Dot,
  Star,
  Plus,
  Minus,
  Slash,
  Percent,
  AtSign,
  // Longest first: `INNER` must be tried before `IN`.
  ...Object.values(Keyword).sort((a, b) => String(b.PATTERN).length - String(a.PATTERN).length),
  Identifier,
  Name,
];

export const partiqlLexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: true });
