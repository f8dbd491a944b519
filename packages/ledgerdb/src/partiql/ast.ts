import type { JsonValue } from '@ledgerkit/core';

/** One step of a path: `.field`, `['field']` or `[index]`. */
export type PathStep = { kind: 'field'; name: string } | { kind: 'index'; expr: Expr };

/** An expression of QLDB's PartiQL dialect. */
export type Expr =
  | { kind: 'literal'; value: JsonValue }
  | { kind: 'missing' }
  | { kind: 'param'; index: number }
  /** `name` (or `@name` with `at`): a variable, or a field of the single source. */
  | { kind: 'var'; name: string; at: boolean }
  | { kind: 'path'; base: Expr; steps: PathStep[] }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'countStar' }
  | { kind: 'cast'; expr: Expr; type: string }
  | { kind: 'extract'; part: string; expr: Expr }
  | { kind: 'trim'; spec: 'LEADING' | 'TRAILING' | 'BOTH'; chars: Expr | undefined; expr: Expr }
  | { kind: 'unary'; op: '-' | '+' | 'NOT'; expr: Expr }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  | { kind: 'is'; expr: Expr; test: 'NULL' | 'MISSING'; not: boolean }
  | { kind: 'in'; expr: Expr; list: Expr; not: boolean }
  | { kind: 'between'; expr: Expr; low: Expr; high: Expr; not: boolean }
  | { kind: 'like'; expr: Expr; pattern: Expr; escape: Expr | undefined; not: boolean }
  | { kind: 'struct'; fields: { key: Expr; value: Expr }[] }
  | { kind: 'list'; items: Expr[] }
  | { kind: 'bag'; items: Expr[] };

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '||' | '=' | '<>' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR';

/** A FROM source: a table, the committed view, `history(…)`, the catalog, or an unnested path. */
export type FromSource =
  | { kind: 'table'; table: string }
  | { kind: 'committed'; table: string }
  | { kind: 'history'; table: string; args: Expr[] }
  | { kind: 'userTables' }
  | { kind: 'unnest'; expr: Expr };

/** One FROM item with its variables: `src [AS alias] [AT i] [BY id]`, joined to the ones before it. */
export interface FromItem {
  source: FromSource;
  alias: string;
  at: string | undefined;
  by: string | undefined;
  /** `ON` condition of an `INNER JOIN`; comma joins have none. */
  on: Expr | undefined;
}

export type Projection =
  | { kind: 'star' }
  | { kind: 'value'; expr: Expr }
  | { kind: 'items'; items: { expr: Expr; alias: string | undefined }[] };

/** A change of a nested DML statement or of UPDATE. */
export type DmlOp =
  | { kind: 'set'; target: Expr; value: Expr }
  | { kind: 'remove'; target: Expr }
  | { kind: 'insertInto'; target: Expr; value: Expr; at: Expr | undefined };

/** A parsed statement. */
export type Statement =
  | { kind: 'select'; projection: Projection; from: FromItem[]; where: Expr | undefined }
  | { kind: 'createTable'; table: string }
  | { kind: 'createIndex'; table: string; path: string }
  | { kind: 'dropTable'; table: string }
  | { kind: 'undropTable'; table: string }
  | { kind: 'insert'; table: string; value: Expr }
  /** UPDATE, DELETE and the `FROM … SET/REMOVE/INSERT INTO` forms. */
  | { kind: 'dml'; from: FromItem[]; where: Expr | undefined; ops: DmlOp[]; delete: boolean }
  | { kind: 'exec'; procedure: string; args: Expr[] }
  | { kind: 'explain'; statement: Statement };
