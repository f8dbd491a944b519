import { InvalidArgumentError, type JsonValue, LedgerError } from '@ledgerkit/core';
import {
  EmbeddedActionsParser,
  type IOrAlt,
  type IParserErrorMessageProvider,
  type IToken,
  type TokenType,
} from 'chevrotain';
import type { dom } from 'ion-js';
import { ionJs } from '../internal/ion-module.js';
import type { BinaryOp, DmlOp, Expr, FromItem, FromSource, PathStep, Projection, Statement } from './ast.js';
import { PartiqlSyntaxError } from './errors.js';
import { ionToJson } from './ion.js';
import {
  AtSign,
  allTokens,
  BagClose,
  BagOpen,
  Colon,
  Comma,
  Concat,
  Dot,
  Equals,
  Greater,
  GreaterEq,
  Identifier,
  IonLiteral,
  Keyword as K,
  LBrace,
  LBracket,
  Less,
  LessEq,
  LParen,
  Minus,
  Name,
  NotEq,
  NumberLiteral,
  Param,
  Percent,
  Plus,
  partiqlLexer,
  QuotedIdentifier,
  RBrace,
  RBracket,
  RParen,
  Semicolon,
  Slash,
  Star,
  StringLiteral,
} from './lexer.js';

/** QLDB's limit on a statement's length, in characters. */
export const maxStatementLength = 100_000;

/** Expected tokens of each error message the provider built, read back when the error surfaces. */
const expectedByMessage = new Map<string, string[]>();

function labelOf(type: TokenType): string {
  return type.LABEL ?? type.name;
}

function describe(token: IToken | undefined): string {
  if (!token || token.tokenType.name === 'EOF') return 'the end of the statement';
  return `'${token.image}'`;
}

function remember(expected: string[], found: IToken | undefined): string {
  const unique = [...new Set(expected)];
  const message = `expected ${unique.length === 1 ? unique[0] : `one of ${unique.join(', ')}`} but found ${describe(found)}`;
  expectedByMessage.set(message, unique);
  return message;
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) => remember([labelOf(expected)], actual),
  buildNotAllInputParsedMessage: ({ firstRedundant }) => remember(['the end of the statement'], firstRedundant),
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual }) =>
    remember(
      expectedPathsPerAlt.flatMap((paths) =>
        paths.map((path) => (path[0] ? labelOf(path[0]) : 'the end of the statement')),
      ),
      actual[0],
    ),
  buildEarlyExitMessage: ({ expectedIterationPaths, actual }) =>
    remember(
      expectedIterationPaths.map((path) => (path[0] ? labelOf(path[0]) : 'the end of the statement')),
      actual[0],
    ),
};

function unquote(image: string, quote: string): string {
  return image.slice(1, -1).replaceAll(quote + quote, quote);
}

/** An Ion value written in backticks, as the JSON value ledgerdb stores (timestamps become ISO 8601 strings). */
function ionLiteral(token: IToken): JsonValue {
  const text = token.image.slice(1, -1);
  let value: dom.Value | null;
  try {
    value = ionJs().load(text);
  } catch {
    throw new PartiqlSyntaxError(`invalid Ion literal at line ${token.startLine}, column ${token.startColumn}`, {
      line: token.startLine ?? 1,
      column: token.startColumn ?? 1,
      found: token.image,
      expected: ['an Ion value'],
    });
  }
  if (value === null) return null;
  try {
    return ionToJson(value, 'Ion literal');
  } catch (error) {
    throw new PartiqlSyntaxError(
      `${(error as Error).message.split(' [')[0]} at line ${token.startLine}, column ${token.startColumn}`,
      {
        line: token.startLine ?? 1,
        column: token.startColumn ?? 1,
        found: token.image,
        expected: ['an Ion value with a JSON form'],
      },
    );
  }
}

const comparisonOps = new Map<string, BinaryOp>([
  ['Equals', '='],
  ['NotEq', '<>'],
  ['Less', '<'],
  ['LessEq', '<='],
  ['Greater', '>'],
  ['GreaterEq', '>='],
]);

class PartiqlParser extends EmbeddedActionsParser {
  params = 0;

  constructor() {
    super(allTokens, { errorMessageProvider: messages, recoveryEnabled: false, maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  statement = this.RULE('statement', (): Statement => {
    const explain = this.OPTION(() => this.CONSUME(K.EXPLAIN));
    const statement = this.SUBRULE(this.innerStatement);
    this.OPTION2(() => this.CONSUME(Semicolon));
    return explain ? { kind: 'explain', statement } : statement;
  });

  innerStatement = this.RULE(
    'innerStatement',
    (): Statement =>
      this.OR([
        { ALT: () => this.SUBRULE(this.select) },
        { ALT: () => this.SUBRULE(this.create) },
        { ALT: () => this.SUBRULE(this.drop) },
        { ALT: () => this.SUBRULE(this.undrop) },
        { ALT: () => this.SUBRULE(this.insert) },
        { ALT: () => this.SUBRULE(this.update) },
        { ALT: () => this.SUBRULE(this.deleteStatement) },
        { ALT: () => this.SUBRULE(this.fromDml) },
        { ALT: () => this.SUBRULE(this.exec) },
      ]),
  );

  select = this.RULE('select', (): Statement => {
    this.CONSUME(K.SELECT);
    const projection = this.SUBRULE(this.projection);
    this.CONSUME(K.FROM);
    const from = this.SUBRULE(this.fromList);
    const where = this.OPTION(() => {
      this.CONSUME(K.WHERE);
      return this.SUBRULE(this.expr);
    });
    return { kind: 'select', projection, from, where };
  });

  projection = this.RULE(
    'projection',
    (): Projection =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(Star);
            return { kind: 'star' } as const;
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.VALUE);
            return { kind: 'value', expr: this.SUBRULE(this.expr) } as const;
          },
        },
        {
          ALT: () => {
            const items: { expr: Expr; alias: string | undefined }[] = [];
            this.AT_LEAST_ONE_SEP({
              SEP: Comma,
              DEF: () => {
                const expr = this.SUBRULE2(this.expr);
                const alias = this.OPTION(() => {
                  this.CONSUME(K.AS);
                  return this.SUBRULE(this.name);
                });
                items.push({ expr, alias });
              },
            });
            return { kind: 'items', items } as const;
          },
        },
      ]),
  );

  fromList = this.RULE('fromList', (): FromItem[] => {
    const items: FromItem[] = [];
    items.push(this.SUBRULE(this.fromItem, { ARGS: [items, undefined] }));
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(Comma);
            items.push(this.SUBRULE2(this.fromItem, { ARGS: [items, undefined] }));
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.CROSS);
            this.CONSUME(K.JOIN);
            items.push(this.SUBRULE3(this.fromItem, { ARGS: [items, undefined] }));
          },
        },
        {
          ALT: () => {
            this.OPTION(() => this.CONSUME(K.INNER));
            this.CONSUME2(K.JOIN);
            const item = this.SUBRULE4(this.fromItem, { ARGS: [items, undefined] });
            this.CONSUME(K.ON);
            const on = this.SUBRULE(this.expr);
            items.push(this.ACTION(() => ({ ...item, on })));
          },
        },
      ]);
    });
    return items;
  });

  fromItem = this.RULE('fromItem', (before: FromItem[], _unused: undefined): FromItem => {
    const start = this.LA(1);
    const expr = this.SUBRULE(this.postfix);
    const alias = this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(K.AS);
            return this.SUBRULE(this.name);
          },
        },
        { ALT: () => this.SUBRULE2(this.name) },
      ]),
    );
    let at: string | undefined;
    let by: string | undefined;
    this.MANY(() => {
      this.OR2([
        {
          ALT: () => {
            this.CONSUME(K.AT);
            at = this.SUBRULE3(this.name);
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.BY);
            by = this.SUBRULE4(this.name);
          },
        },
      ]);
    });
    return this.ACTION(() => {
      const source = classifySource(expr, before, start);
      return { source, alias: alias ?? defaultAlias(source), at, by, on: undefined };
    });
  });

  insert = this.RULE('insert', (): Statement => {
    this.CONSUME(K.INSERT);
    this.CONSUME(K.INTO);
    const table = this.SUBRULE(this.name);
    const value = this.OR([
      {
        ALT: () => {
          this.CONSUME(K.VALUE);
          return this.SUBRULE(this.expr);
        },
      },
      { ALT: () => this.SUBRULE2(this.expr) },
    ]);
    return { kind: 'insert', table, value };
  });

  update = this.RULE('update', (): Statement => {
    this.CONSUME(K.UPDATE);
    const item = this.SUBRULE(this.fromItem, { ARGS: [[], undefined] });
    const ops = this.SUBRULE(this.dmlOps);
    const where = this.OPTION(() => {
      this.CONSUME(K.WHERE);
      return this.SUBRULE(this.expr);
    });
    return { kind: 'dml', from: [item], where, ops, delete: false };
  });

  deleteStatement = this.RULE('deleteStatement', (): Statement => {
    this.CONSUME(K.DELETE);
    this.CONSUME(K.FROM);
    const item = this.SUBRULE(this.fromItem, { ARGS: [[], undefined] });
    const where = this.OPTION(() => {
      this.CONSUME(K.WHERE);
      return this.SUBRULE(this.expr);
    });
    return { kind: 'dml', from: [item], where, ops: [], delete: true };
  });

  fromDml = this.RULE('fromDml', (): Statement => {
    this.CONSUME(K.FROM);
    const from = this.SUBRULE(this.fromList);
    const where = this.OPTION(() => {
      this.CONSUME(K.WHERE);
      return this.SUBRULE(this.expr);
    });
    const ops = this.SUBRULE(this.dmlOps);
    return { kind: 'dml', from, where, ops, delete: false };
  });

  dmlOps = this.RULE('dmlOps', (): DmlOp[] => {
    const ops: DmlOp[] = [];
    this.AT_LEAST_ONE(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(K.SET);
            this.AT_LEAST_ONE_SEP({
              SEP: Comma,
              DEF: () => {
                const target = this.SUBRULE(this.postfix);
                this.CONSUME(Equals);
                const value = this.SUBRULE(this.expr);
                ops.push({ kind: 'set', target, value });
              },
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.REMOVE);
            ops.push({ kind: 'remove', target: this.SUBRULE2(this.postfix) });
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.INSERT);
            this.CONSUME(K.INTO);
            const target = this.SUBRULE3(this.postfix);
            this.CONSUME(K.VALUE);
            const value = this.SUBRULE2(this.expr);
            const at = this.OPTION(() => {
              this.CONSUME(K.AT);
              return this.SUBRULE3(this.expr);
            });
            ops.push({ kind: 'insertInto', target, value, at });
          },
        },
      ]);
    });
    return ops;
  });

  create = this.RULE('create', (): Statement => {
    this.CONSUME(K.CREATE);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.TABLE);
          return { kind: 'createTable', table: this.SUBRULE(this.name) } as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.INDEX);
          this.CONSUME(K.ON);
          const table = this.SUBRULE2(this.name);
          this.CONSUME(LParen);
          const fields = [this.SUBRULE3(this.name)];
          this.MANY(() => {
            this.CONSUME(Dot);
            fields.push(this.SUBRULE4(this.name));
          });
          this.CONSUME(RParen);
          return { kind: 'createIndex', table, path: fields.join('.') } as const;
        },
      },
    ]);
  });

  drop = this.RULE('drop', (): Statement => {
    this.CONSUME(K.DROP);
    this.CONSUME(K.TABLE);
    return { kind: 'dropTable', table: this.SUBRULE(this.name) };
  });

  undrop = this.RULE('undrop', (): Statement => {
    this.CONSUME(K.UNDROP);
    this.CONSUME(K.TABLE);
    return { kind: 'undropTable', table: this.SUBRULE(this.name) };
  });

  exec = this.RULE('exec', (): Statement => {
    this.CONSUME(K.EXEC);
    const procedure = this.SUBRULE(this.name);
    const args: Expr[] = [];
    this.MANY_SEP({ SEP: Comma, DEF: () => args.push(this.SUBRULE(this.expr)) });
    return { kind: 'exec', procedure, args };
  });

  /** An identifier or a quoted identifier (case kept). */
  name = this.RULE('name', (): string =>
    this.OR([
      { ALT: () => this.CONSUME(Identifier).image },
      {
        ALT: () => {
          const token = this.CONSUME(QuotedIdentifier);
          return this.ACTION(() => unquote(token.image, '"'));
        },
      },
    ]),
  );

  expr = this.RULE('expr', (): Expr => {
    let left = this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(K.OR);
      const right = this.SUBRULE2(this.andExpr);
      left = { kind: 'binary', op: 'OR', left, right };
    });
    return left;
  });

  andExpr = this.RULE('andExpr', (): Expr => {
    let left = this.SUBRULE(this.notExpr);
    this.MANY(() => {
      this.CONSUME(K.AND);
      const right = this.SUBRULE2(this.notExpr);
      left = { kind: 'binary', op: 'AND', left, right };
    });
    return left;
  });

  notExpr = this.RULE(
    'notExpr',
    (): Expr =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(K.NOT);
            return { kind: 'unary', op: 'NOT', expr: this.SUBRULE(this.notExpr) } as const;
          },
        },
        { ALT: () => this.SUBRULE(this.predicate) },
      ]),
  );

  predicate = this.RULE('predicate', (): Expr => {
    const left = this.SUBRULE(this.additive);
    const result = this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            const op = this.OR2([
              { ALT: () => this.CONSUME(Equals) },
              { ALT: () => this.CONSUME(NotEq) },
              { ALT: () => this.CONSUME(Less) },
              { ALT: () => this.CONSUME(LessEq) },
              { ALT: () => this.CONSUME(Greater) },
              { ALT: () => this.CONSUME(GreaterEq) },
            ]);
            const right = this.SUBRULE2(this.additive);
            return this.ACTION(
              (): Expr => ({
                kind: 'binary',
                op: comparisonOps.get(op.tokenType.name) as BinaryOp,
                left,
                right,
              }),
            );
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.IS);
            const not = this.OPTION2(() => this.CONSUME(K.NOT)) !== undefined;
            const test = this.OR3([
              {
                ALT: () => {
                  this.CONSUME(K.NULL);
                  return 'NULL' as const;
                },
              },
              {
                ALT: () => {
                  this.CONSUME(K.MISSING);
                  return 'MISSING' as const;
                },
              },
            ]);
            return { kind: 'is', expr: left, test, not } as const;
          },
        },
        {
          ALT: () => {
            const not = this.OPTION3(() => this.CONSUME2(K.NOT)) !== undefined;
            return this.OR4([
              {
                ALT: (): Expr => {
                  this.CONSUME(K.IN);
                  return { kind: 'in', expr: left, list: this.SUBRULE3(this.additive), not };
                },
              },
              {
                ALT: (): Expr => {
                  this.CONSUME(K.BETWEEN);
                  const low = this.SUBRULE4(this.additive);
                  this.CONSUME(K.AND);
                  const high = this.SUBRULE5(this.additive);
                  return { kind: 'between', expr: left, low, high, not };
                },
              },
              {
                ALT: (): Expr => {
                  this.CONSUME(K.LIKE);
                  const pattern = this.SUBRULE6(this.additive);
                  const escapeChar = this.OPTION4(() => {
                    this.CONSUME(K.ESCAPE);
                    return this.SUBRULE7(this.additive);
                  });
                  return { kind: 'like', expr: left, pattern, escape: escapeChar, not };
                },
              },
            ]);
          },
        },
      ]),
    );
    return result ?? left;
  });

  additive = this.RULE('additive', (): Expr => {
    let left = this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      const op = this.OR([
        {
          ALT: () => {
            this.CONSUME(Plus);
            return '+' as const;
          },
        },
        {
          ALT: () => {
            this.CONSUME(Minus);
            return '-' as const;
          },
        },
        {
          ALT: () => {
            this.CONSUME(Concat);
            return '||' as const;
          },
        },
      ]);
      const right = this.SUBRULE2(this.multiplicative);
      left = { kind: 'binary', op, left, right };
    });
    return left;
  });

  multiplicative = this.RULE('multiplicative', (): Expr => {
    let left = this.SUBRULE(this.unary);
    this.MANY(() => {
      const op = this.OR([
        {
          ALT: () => {
            this.CONSUME(Star);
            return '*' as const;
          },
        },
        {
          ALT: () => {
            this.CONSUME(Slash);
            return '/' as const;
          },
        },
        {
          ALT: () => {
            this.CONSUME(Percent);
            return '%' as const;
          },
        },
      ]);
      const right = this.SUBRULE2(this.unary);
      left = { kind: 'binary', op, left, right };
    });
    return left;
  });

  unary = this.RULE(
    'unary',
    (): Expr =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(Minus);
            return { kind: 'unary', op: '-', expr: this.SUBRULE(this.unary) } as const;
          },
        },
        {
          ALT: () => {
            this.CONSUME(Plus);
            return { kind: 'unary', op: '+', expr: this.SUBRULE2(this.unary) } as const;
          },
        },
        { ALT: () => this.SUBRULE(this.postfix) },
      ]),
  );

  postfix = this.RULE('postfix', (): Expr => {
    const base = this.SUBRULE(this.primary);
    const steps: PathStep[] = [];
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(Dot);
            const token = this.CONSUME(Name);
            this.ACTION(() =>
              steps.push({
                kind: 'field',
                name: token.tokenType === QuotedIdentifier ? unquote(token.image, '"') : token.image,
              }),
            );
          },
        },
        {
          ALT: () => {
            this.CONSUME(LBracket);
            const expr = this.SUBRULE(this.expr);
            this.CONSUME(RBracket);
            steps.push({ kind: 'index', expr });
          },
        },
      ]);
    });
    return steps.length === 0 ? base : { kind: 'path', base, steps };
  });

  /** The alternatives of `primary`, built once: a fresh array of closures per call costs more than the rest of parsing. */
  #primaryAlternatives: IOrAlt<Expr>[] | undefined;

  primary = this.RULE('primary', (): Expr => this.OR(this.#primaryAlternatives ?? this.#buildPrimary()));

  #buildPrimary(): IOrAlt<Expr>[] {
    this.#primaryAlternatives = [
      {
        ALT: () => {
          const token = this.CONSUME(StringLiteral);
          return this.ACTION((): Expr => ({ kind: 'literal', value: unquote(token.image, "'") }));
        },
      },
      {
        ALT: () => {
          const token = this.CONSUME(NumberLiteral);
          return this.ACTION((): Expr => ({ kind: 'literal', value: Number(token.image) }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.TRUE);
          return { kind: 'literal', value: true } as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.FALSE);
          return { kind: 'literal', value: false } as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.NULL);
          return { kind: 'literal', value: null } as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.MISSING);
          return { kind: 'missing' } as const;
        },
      },
      {
        ALT: () => {
          const token = this.CONSUME(IonLiteral);
          return this.ACTION((): Expr => ({ kind: 'literal', value: ionLiteral(token) }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(Param);
          return this.ACTION((): Expr => ({ kind: 'param', index: this.params++ }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(LParen);
          const items = [this.SUBRULE(this.expr)];
          this.MANY(() => {
            this.CONSUME(Comma);
            items.push(this.SUBRULE2(this.expr));
          });
          this.CONSUME(RParen);
          return this.ACTION((): Expr => (items.length === 1 ? (items[0] as Expr) : { kind: 'list', items }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(LBrace);
          const fields: { key: Expr; value: Expr }[] = [];
          this.MANY_SEP({
            SEP: Comma,
            DEF: () => {
              const key = this.SUBRULE(this.structKey);
              this.CONSUME(Colon);
              fields.push({ key, value: this.SUBRULE3(this.expr) });
            },
          });
          this.CONSUME(RBrace);
          return { kind: 'struct', fields } as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(LBracket);
          const items = this.SUBRULE(this.exprList);
          this.CONSUME(RBracket);
          return { kind: 'list', items } as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(BagOpen);
          const items = this.SUBRULE2(this.exprList);
          this.CONSUME(BagClose);
          return { kind: 'bag', items } as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.COUNT);
          this.CONSUME2(LParen);
          const result = this.OR2([
            {
              ALT: () => {
                this.CONSUME(Star);
                return { kind: 'countStar' } as const;
              },
            },
            { ALT: (): Expr => ({ kind: 'call', name: 'COUNT', args: [this.SUBRULE4(this.expr)] }) },
          ]);
          this.CONSUME2(RParen);
          return result;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.CAST);
          this.CONSUME3(LParen);
          const expr = this.SUBRULE5(this.expr);
          this.CONSUME(K.AS);
          const type = this.CONSUME(Identifier).image;
          this.CONSUME3(RParen);
          return this.ACTION((): Expr => ({ kind: 'cast', expr, type: type.toUpperCase() }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.EXTRACT);
          this.CONSUME4(LParen);
          const part = this.CONSUME2(Identifier).image;
          this.CONSUME(K.FROM);
          const expr = this.SUBRULE6(this.expr);
          this.CONSUME4(RParen);
          return this.ACTION((): Expr => ({ kind: 'extract', part: part.toLowerCase(), expr }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.TRIM);
          this.CONSUME5(LParen);
          const result = this.OR3([
            {
              ALT: (): Expr => {
                const spec = this.OR4([
                  {
                    ALT: () => {
                      this.CONSUME(K.LEADING);
                      return 'LEADING' as const;
                    },
                  },
                  {
                    ALT: () => {
                      this.CONSUME(K.TRAILING);
                      return 'TRAILING' as const;
                    },
                  },
                  {
                    ALT: () => {
                      this.CONSUME(K.BOTH);
                      return 'BOTH' as const;
                    },
                  },
                ]);
                const chars = this.OPTION(() => this.SUBRULE7(this.expr));
                this.CONSUME2(K.FROM);
                return { kind: 'trim', spec, chars, expr: this.SUBRULE8(this.expr) };
              },
            },
            {
              ALT: (): Expr => {
                const first = this.SUBRULE9(this.expr);
                const from = this.OPTION2(() => {
                  this.CONSUME3(K.FROM);
                  return this.SUBRULE(this.additive);
                });
                return from
                  ? { kind: 'trim', spec: 'BOTH', chars: first, expr: from }
                  : { kind: 'trim', spec: 'BOTH', chars: undefined, expr: first };
              },
            },
          ]);
          this.CONSUME5(RParen);
          return result;
        },
      },
      {
        ALT: () => {
          this.CONSUME(AtSign);
          return { kind: 'var', name: this.SUBRULE(this.name), at: true } as const;
        },
      },
      {
        ALT: () => {
          const token = this.CONSUME3(Identifier);
          const args = this.OPTION3(() => {
            this.CONSUME6(LParen);
            const list = this.SUBRULE3(this.exprList);
            this.CONSUME6(RParen);
            return list;
          });
          return this.ACTION(
            (): Expr =>
              args
                ? { kind: 'call', name: token.image.toUpperCase(), args }
                : { kind: 'var', name: token.image, at: false },
          );
        },
      },
      {
        ALT: () => {
          const token = this.CONSUME(QuotedIdentifier);
          return this.ACTION((): Expr => ({ kind: 'var', name: unquote(token.image, '"'), at: false }));
        },
      },
    ];
    return this.#primaryAlternatives;
  }

  structKey = this.RULE(
    'structKey',
    (): Expr =>
      this.OR([
        {
          ALT: () => {
            const token = this.CONSUME(StringLiteral);
            return this.ACTION((): Expr => ({ kind: 'literal', value: unquote(token.image, "'") }));
          },
        },
        {
          // A bare name is the field name itself, as in Ion text.
          ALT: (): Expr => ({ kind: 'literal', value: this.SUBRULE(this.name) }),
        },
        {
          ALT: () => {
            this.CONSUME(Param);
            return this.ACTION((): Expr => ({ kind: 'param', index: this.params++ }));
          },
        },
      ]),
  );

  exprList = this.RULE('exprList', (): Expr[] => {
    const items: Expr[] = [];
    this.MANY_SEP({ SEP: Comma, DEF: () => items.push(this.SUBRULE(this.expr)) });
    return items;
  });
}

/** Tells a FROM expression's kind: table, committed view, history, catalog or unnesting. */
function classifySource(expr: Expr, before: readonly FromItem[], start: IToken): FromSource {
  if (expr.kind === 'var' && !expr.at && !before.some((item) => [item.alias, item.at, item.by].includes(expr.name))) {
    if (expr.name.startsWith('_ql_committed_')) {
      return { kind: 'committed', table: expr.name.slice('_ql_committed_'.length) };
    }
    return { kind: 'table', table: expr.name };
  }
  if (expr.kind === 'call' && expr.name === 'HISTORY') {
    const [table, ...args] = expr.args;
    if (table?.kind === 'var' && !table.at) return { kind: 'history', table: table.name, args };
    if (table?.kind === 'literal' && typeof table.value === 'string')
      return { kind: 'history', table: table.value, args };
    throw new PartiqlSyntaxError(
      `history() needs a table name at line ${start.startLine}, column ${start.startColumn}`,
      {
        line: start.startLine ?? 1,
        column: start.startColumn ?? 1,
        found: start.image,
        expected: ['a table name'],
      },
    );
  }
  if (
    expr.kind === 'path' &&
    expr.base.kind === 'var' &&
    expr.base.name.toLowerCase() === 'information_schema' &&
    expr.steps.length === 1 &&
    expr.steps[0]?.kind === 'field' &&
    expr.steps[0].name.toLowerCase() === 'user_tables'
  ) {
    return { kind: 'userTables' };
  }
  return { kind: 'unnest', expr };
}

function defaultAlias(source: FromSource): string {
  switch (source.kind) {
    case 'table':
      return source.table;
    case 'committed':
      return `_ql_committed_${source.table}`;
    case 'history':
      return 'history';
    case 'userTables':
      return 'user_tables';
    case 'unnest': {
      const expr = source.expr;
      const last = expr.kind === 'path' ? expr.steps.at(-1) : undefined;
      return last?.kind === 'field' ? last.name : expr.kind === 'var' ? expr.name : '_1';
    }
  }
}

const parser = new PartiqlParser();

/** Words QLDB's dialect does not have, answered with UNSUPPORTED rather than a syntax error. */
const unsupportedWords = new Map<string, string>([
  ['ORDER', 'QLDB has no ORDER BY; sort the rows in your code'],
  ['GROUP', 'QLDB has no GROUP BY'],
  ['LIMIT', 'QLDB has no LIMIT'],
  ['LEFT', 'QLDB supports only inner joins'],
  ['RIGHT', 'QLDB supports only inner joins'],
  ['OUTER', 'QLDB supports only inner joins'],
]);

/**
 * Parses one statement of QLDB's PartiQL dialect.
 *
 * @param text - the statement; `?` are positional parameters
 * @returns the statement's syntax tree and how many parameters it takes
 * @throws PartiqlSyntaxError (`INVALID_ARGUMENT`) naming line, column and the expected tokens;
 * `UNSUPPORTED` for ORDER BY, GROUP BY, LIMIT and outer joins, which QLDB does not have;
 * `LIMIT_EXCEEDED` past QLDB's 100,000 characters
 */
export function parseStatement(text: string): { statement: Statement; params: number } {
  if (typeof text !== 'string') throw new InvalidArgumentError('statement', 'a statement must be a string');
  if (text.length > maxStatementLength) {
    throw new LedgerError('LIMIT_EXCEEDED', `a statement may have at most ${maxStatementLength} characters`, {
      details: { limit: 'statementLength', length: text.length, max: maxStatementLength },
    });
  }
  const lexed = partiqlLexer.tokenize(text);
  const lexError = lexed.errors[0];
  if (lexError) {
    const found = text.slice(lexError.offset, lexError.offset + Math.max(1, lexError.length));
    const quote = found[0] === "'" || found[0] === '"' || found[0] === '`' ? found[0] : undefined;
    const what = quote ? `unterminated ${quote}…${quote}` : `unexpected character ${JSON.stringify(found)}`;
    throw new PartiqlSyntaxError(`${what} at line ${lexError.line}, column ${lexError.column}`, {
      line: lexError.line ?? 1,
      column: lexError.column ?? 1,
      found,
      expected: [quote ? `a closing ${quote}` : 'a PartiQL token'],
    });
  }
  expectedByMessage.clear();
  parser.input = lexed.tokens;
  parser.params = 0;
  const statement = parser.statement();
  const error = parser.errors[0];
  if (error) {
    const token = error.token;
    const eof = token.tokenType.name === 'EOF';
    const last = lexed.tokens.at(-1);
    const line = eof ? (last?.endLine ?? 1) : (token.startLine ?? 1);
    const column = eof ? (last?.endColumn ?? 0) + 1 : (token.startColumn ?? 1);
    const unsupported = eof ? undefined : unsupportedWords.get(token.tokenType.name);
    if (unsupported) {
      throw new LedgerError('UNSUPPORTED', `${unsupported} (line ${line}, column ${column})`, {
        details: { line, column, found: token.image },
      });
    }
    throw new PartiqlSyntaxError(`${error.message} at line ${line}, column ${column}`, {
      line,
      column,
      found: eof ? '' : token.image,
      expected: expectedByMessage.get(error.message) ?? [],
    });
  }
  return { statement, params: parser.params };
}
