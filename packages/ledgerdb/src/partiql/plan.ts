import { indexPathPattern } from '../internal/paths.js';
import type { Expr, FromItem, Statement } from './ast.js';

/** How one FROM item is read. */
export type Access =
  /** One document by id (`BY id = …`, or `metadata.id = …` of the committed view). */
  | { kind: 'id'; id: Expr }
  /**
   * Documents with equal values at paths, through `Transaction.find`: an index lookup when
   * `index` names an indexed path among them, a scan with a filter otherwise.
   */
  | { kind: 'equal'; where: { path: string; expr: Expr }[]; index: string | undefined }
  /** One index lookup per value of an `IN` list on an indexed path. */
  | { kind: 'in'; path: string; list: Expr; index: string }
  /** Every document of the table. */
  | { kind: 'scan' }
  /** `history(…)`, for one document when `id` is given. */
  | { kind: 'history'; id: Expr | undefined }
  | { kind: 'catalog' }
  | { kind: 'unnest' };

export interface SourcePlan {
  item: FromItem;
  access: Access;
}

/** Statement plus the access path of each FROM item. */
export interface Plan {
  sources: SourcePlan[];
}

/** Tables' indexed paths, as the planner sees them. */
export type IndexMap = ReadonlyMap<string, readonly string[]>;

/** The conditions ANDed in WHERE and in the ON of every join. */
export function conjuncts(where: Expr | undefined, from: readonly FromItem[]): Expr[] {
  const out: Expr[] = [];
  const visit = (expr: Expr | undefined) => {
    if (!expr) return;
    if (expr.kind === 'binary' && expr.op === 'AND') {
      visit(expr.left);
      visit(expr.right);
    } else out.push(expr);
  };
  visit(where);
  for (const item of from) visit(item.on);
  return out;
}

function namesOf(item: FromItem): string[] {
  return [item.alias, item.at, item.by].filter((name): name is string => name !== undefined);
}

/** Whether an expression only uses variables of the given names (and literals, parameters). */
function boundBy(expr: Expr, names: ReadonlySet<string>): boolean {
  switch (expr.kind) {
    case 'literal':
    case 'missing':
    case 'param':
      return true;
    case 'var':
      return names.has(expr.name);
    case 'path':
      return (
        boundBy(expr.base, names) && expr.steps.every((step) => step.kind === 'field' || boundBy(step.expr, names))
      );
    case 'call':
      return expr.args.every((arg) => arg.kind === 'var' || boundBy(arg, names));
    case 'countStar':
      return false;
    case 'cast':
    case 'extract':
      return boundBy(expr.expr, names);
    case 'trim':
      return boundBy(expr.expr, names) && (expr.chars === undefined || boundBy(expr.chars, names));
    case 'unary':
      return boundBy(expr.expr, names);
    case 'binary':
      return boundBy(expr.left, names) && boundBy(expr.right, names);
    case 'is':
      return boundBy(expr.expr, names);
    case 'in':
      return boundBy(expr.expr, names) && boundBy(expr.list, names);
    case 'between':
      return boundBy(expr.expr, names) && boundBy(expr.low, names) && boundBy(expr.high, names);
    case 'like':
      return (
        boundBy(expr.expr, names) &&
        boundBy(expr.pattern, names) &&
        (expr.escape === undefined || boundBy(expr.escape, names))
      );
    case 'struct':
      return expr.fields.every((field) => boundBy(field.key, names) && boundBy(field.value, names));
    case 'list':
    case 'bag':
      return expr.items.every((item) => boundBy(item, names));
  }
}

/**
 * The document path an expression names in item `index`'s rows: `alias.a.b`, or `a.b` when
 * the statement has one FROM item and `a` is no variable.
 */
function columnOf(expr: Expr, from: readonly FromItem[], index: number): string[] | undefined {
  const item = from[index] as FromItem;
  let base: Expr = expr;
  const fields: string[] = [];
  if (expr.kind === 'path') {
    base = expr.base;
    for (const step of expr.steps) {
      if (step.kind === 'field') fields.push(step.name);
      else if (step.expr.kind === 'literal' && typeof step.expr.value === 'string') fields.push(step.expr.value);
      else return undefined;
    }
  }
  if (base.kind !== 'var' || base.at) return undefined;
  if (base.name === item.alias) return fields;
  const isVariable = from.some((other) => namesOf(other).includes(base.name));
  if (!isVariable && from.length === 1) return [base.name, ...fields];
  return undefined;
}

/** Equality conditions of item `index`: `column = value` with `value` known before the item is read. */
function equalities(
  all: readonly Expr[],
  from: readonly FromItem[],
  index: number,
): { column: string[] | 'id'; value: Expr; in: boolean }[] {
  const item = from[index] as FromItem;
  const earlier = new Set(from.slice(0, index).flatMap(namesOf));
  const found: { column: string[] | 'id'; value: Expr; in: boolean }[] = [];
  const columnOrId = (expr: Expr): string[] | 'id' | undefined =>
    item.by !== undefined && expr.kind === 'var' && !expr.at && expr.name === item.by
      ? 'id'
      : columnOf(expr, from, index);
  for (const condition of all) {
    if (condition.kind === 'binary' && condition.op === '=') {
      for (const [side, other] of [
        [condition.left, condition.right],
        [condition.right, condition.left],
      ] as const) {
        const column = columnOrId(side);
        if (column && boundBy(other, earlier)) {
          found.push({ column, value: other, in: false });
          break;
        }
      }
    } else if (condition.kind === 'in' && !condition.not) {
      const column = columnOrId(condition.expr);
      if (column && boundBy(condition.list, earlier)) found.push({ column, value: condition.list, in: true });
    }
  }
  return found;
}

/**
 * Chooses how each FROM item is read: by id, through an index for `=` and `IN` on an
 * indexed path, or by scanning. Every condition is still checked on the rows read.
 */
export function planFrom(from: readonly FromItem[], where: Expr | undefined, indexes: IndexMap): Plan {
  const all = conjuncts(where, from);
  const sources = from.map((item, index): SourcePlan => {
    const source = item.source;
    if (source.kind === 'unnest') return { item, access: { kind: 'unnest' } };
    if (source.kind === 'userTables') return { item, access: { kind: 'catalog' } };
    const found = equalities(all, from, index);
    if (source.kind === 'history') {
      const id = found.find((eq) => !eq.in && Array.isArray(eq.column) && eq.column.join('.') === 'metadata.id');
      return { item, access: { kind: 'history', id: id?.value } };
    }
    // In the committed view, document fields sit under `data` and the id at `metadata.id`.
    const committed = source.kind === 'committed';
    const fieldPath = (column: string[] | 'id'): string | 'id' | undefined => {
      if (column === 'id') return committed ? undefined : 'id';
      if (committed) {
        if (column.join('.') === 'metadata.id') return 'id';
        return column[0] === 'data' && column.length > 1 ? column.slice(1).join('.') : undefined;
      }
      return column.join('.');
    };
    const usable = found
      .map((eq) => ({ ...eq, path: fieldPath(eq.column) }))
      .filter((eq) => eq.path === 'id' || (eq.path !== undefined && indexPathPattern.test(eq.path)));
    const byId = usable.find((eq) => eq.path === 'id' && !eq.in);
    if (byId) return { item, access: { kind: 'id', id: byId.value } };
    const tableIndexes = indexes.get(source.table) ?? [];
    const equal = usable.filter((eq) => !eq.in && eq.path !== 'id');
    const where = equal.map((eq) => ({ path: eq.path as string, expr: eq.value }));
    const indexedEqual = where.find((eq) => tableIndexes.includes(eq.path));
    if (indexedEqual) return { item, access: { kind: 'equal', where, index: indexedEqual.path } };
    const indexedIn = usable.find((eq) => eq.in && eq.path !== 'id' && tableIndexes.includes(eq.path as string));
    if (indexedIn) {
      return {
        item,
        access: { kind: 'in', path: indexedIn.path as string, list: indexedIn.value, index: indexedIn.path as string },
      };
    }
    if (where.length > 0) return { item, access: { kind: 'equal', where, index: undefined } };
    return { item, access: { kind: 'scan' } };
  });
  return { sources };
}

/** Tables a statement reads or writes, for checking they exist and are active. */
export function tablesOf(statement: Statement): string[] {
  switch (statement.kind) {
    case 'select':
    case 'dml':
      return statement.from.flatMap((item) =>
        item.source.kind === 'table' || item.source.kind === 'committed' ? [item.source.table] : [],
      );
    case 'insert':
      return [statement.table];
    case 'explain':
      return tablesOf(statement.statement);
    default:
      return [];
  }
}

/** What `EXPLAIN` answers: one row per FROM item. */
export function describePlan(statement: Statement, plan: Plan | undefined): Record<string, string | number>[] {
  if (!plan) return [{ statement: statement.kind, access: statement.kind === 'insert' ? 'insert' : 'none' }];
  return plan.sources.map((source, position) => {
    const item = source.item;
    const row: Record<string, string | number> = {
      statement: statement.kind === 'dml' ? (statement.delete ? 'delete' : 'update') : statement.kind,
      position,
      alias: item.alias,
      source:
        item.source.kind === 'table' || item.source.kind === 'committed' || item.source.kind === 'history'
          ? item.source.table
          : item.source.kind === 'userTables'
            ? 'information_schema.user_tables'
            : 'unnest',
      view: item.source.kind === 'committed' ? 'committed' : item.source.kind === 'history' ? 'history' : 'user',
    };
    const access = source.access;
    switch (access.kind) {
      case 'id':
        return { ...row, access: 'id lookup' };
      case 'equal':
        return access.index
          ? { ...row, access: 'index lookup', index: access.index }
          : { ...row, access: 'scan', filter: access.where.map((eq) => eq.path).join(', ') };
      case 'in':
        return { ...row, access: 'index lookup (IN)', index: access.index };
      case 'history':
        return { ...row, access: access.id ? 'history of one document' : 'history scan' };
      case 'catalog':
        return { ...row, access: 'catalog' };
      case 'unnest':
        return { ...row, access: 'unnest' };
      default:
        return { ...row, access: 'scan' };
    }
  });
}
