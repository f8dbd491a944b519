import { InvalidArgumentError, isLedgerError, type JsonObject, type JsonValue, LedgerError } from '@ledgerkit/core';
import { ledgerdbError } from '../errors.js';
import type { HistoryWindow } from '../ledger-database.js';
import type { TableSchema } from '../storage/driver.js';
import type { DocumentEntry, Transaction } from '../transaction.js';
import type { DocumentRevision } from '../types.js';
import type { DmlOp, Expr, FromItem, PathStep, Projection, Statement } from './ast.js';
import {
  compare,
  type EvalContext,
  evaluate,
  isStruct,
  type PartiqlValue,
  type Scope,
  type PartiqlValue as Value,
} from './evaluate.js';
import { aggregateNames, timestampMs } from './functions.js';
import type { parseStatement } from './parser.js';
import { describePlan, type IndexMap, type Plan, planFrom, type SourcePlan, tablesOf } from './plan.js';

/** Where DROP TABLE keeps table status: a journaled table, so drops are verifiable like any change. */
export const tableStatusTable = '_ql_tables';
const reservedPrefix = '_ql_';

/** What statements need of a ledger besides the transaction: its catalog, history and committed view. */
export interface PartiqlCatalog {
  /** Ledger name, shown as the strand of block addresses. */
  readonly name: string;
  tables(): Promise<TableSchema[]>;
  createTable(name: string): Promise<void>;
  createIndex(table: string, path: string): Promise<void>;
  history(table: string, id?: string, window?: HistoryWindow): Promise<DocumentRevision[]>;
  revision(table: string, id: string): Promise<DocumentRevision>;
}

/** A transaction that can also read a whole table (the embedded ledger's transactions can). */
export interface ScanningTransaction extends Transaction {
  scan(table: string): Promise<DocumentEntry[]>;
}

/** Everything one statement runs against. */
export interface StatementTarget {
  catalog: PartiqlCatalog;
  tx: ScanningTransaction;
  /** The catalog's tables as last read; `refresh` reads them again. */
  schema(): Promise<readonly TableSchema[]>;
  refresh(): Promise<readonly TableSchema[]>;
}

interface Row {
  vars: Map<string, Value>;
  /** Id of the first FROM item's document (the one DML changes). */
  docId: string | undefined;
}

function unsupported(message: string, details: Record<string, unknown> = {}): LedgerError {
  return new LedgerError('UNSUPPORTED', message, { details });
}

const indexMaps = new WeakMap<readonly TableSchema[], IndexMap>();

function indexMap(schema: readonly TableSchema[]): IndexMap {
  let map = indexMaps.get(schema);
  if (!map) {
    map = new Map(schema.map((table) => [table.name, table.indexes]));
    indexMaps.set(schema, map);
  }
  return map;
}

/**
 * Runs one parsed statement in a transaction: a pure function of the target, the statement
 * and its parameters, so a server can run it as the embedded driver does.
 *
 * @param target - the transaction and the ledger catalog to run against
 * @param statement - from {@link parseStatement}
 * @param params - one value per `?`, in order (`undefined` is MISSING)
 * @param options - `now`, the time UTCNOW() answers (default: the clock when asked)
 * @returns the result rows as JSON values (DML: `{ documentId }` per document)
 * @throws `NOT_FOUND` for an unknown or dropped table, `INVALID_ARGUMENT` for bad values,
 * `LIMIT_EXCEEDED` past the ledger's limits, `UNSUPPORTED` for what ledgerdb does not do
 */
export async function executeStatement(
  target: StatementTarget,
  statement: Statement,
  params: readonly PartiqlValue[],
  options: { now?: () => string } = {},
): Promise<JsonValue[]> {
  const evalContext: EvalContext = { params, now: options.now ?? (() => new Date().toISOString()) };
  switch (statement.kind) {
    case 'createTable': {
      checkUserTable(statement.table);
      if (await isDropped(target, statement.table)) {
        throw ledgerdbError('ALREADY_EXISTS', `table ${statement.table} exists but is dropped; UNDROP TABLE it`, {
          table: statement.table,
        });
      }
      await target.catalog.createTable(statement.table);
      await target.refresh();
      return [{ tableId: statement.table }];
    }
    case 'createIndex': {
      checkUserTable(statement.table);
      await checkActive(target, [statement.table]);
      await target.catalog.createIndex(statement.table, statement.path);
      await target.refresh();
      return [{ tableId: statement.table }];
    }
    case 'dropTable':
    case 'undropTable':
      return setTableStatus(target, statement.table, statement.kind === 'dropTable' ? 'INACTIVE' : 'ACTIVE');
    case 'exec':
      if (statement.procedure.toLowerCase() === 'redact_revision') {
        const args = statement.args.map((arg) => evaluate(arg, { vars: new Map(), rows: [] }, evalContext));
        return redactRevision(target, args);
      }
      throw new InvalidArgumentError('statement', `unknown procedure ${statement.procedure}`, {
        procedure: statement.procedure,
      });
    case 'explain': {
      const schema = await target.refresh();
      const inner = statement.statement;
      const innerPlan = inner.kind === 'select' || inner.kind === 'dml' ? plan(inner, indexMap(schema)) : undefined;
      return describePlan(inner, innerPlan);
    }
    case 'insert': {
      checkUserTable(statement.table);
      await checkActive(target, [statement.table]);
      const value = evaluate(statement.value, { vars: new Map(), rows: [] }, evalContext);
      const documents = Array.isArray(value) ? value : [value];
      if (documents.length === 0) {
        throw new InvalidArgumentError('statement', 'INSERT needs at least one document');
      }
      for (const [i, document] of documents.entries()) {
        if (!isStruct(document as Value)) {
          throw new InvalidArgumentError(
            'statement',
            `INSERT takes structs; value ${i + 1} is ${describeType(document)}`,
            {
              position: i,
            },
          );
        }
      }
      const rows: JsonValue[] = [];
      for (const document of documents) {
        rows.push({ documentId: await target.tx.insert(statement.table, document as JsonObject) });
      }
      return rows;
    }
    case 'select': {
      const tables = tablesOf(statement);
      await checkActive(target, tables);
      const rows = await fromRows(target, statement, evalContext, plan(statement, indexMap(await target.schema())));
      return project(statement.projection, statement.from, rows, evalContext);
    }
    case 'dml': {
      const first = statement.from[0] as FromItem;
      if (first.source.kind !== 'table') {
        throw new InvalidArgumentError('statement', 'UPDATE, DELETE and FROM … SET change documents of a table', {
          source: first.source.kind,
        });
      }
      const table = first.source.table;
      checkUserTable(table);
      const tables = tablesOf(statement);
      await checkActive(target, tables);
      const rows = await fromRows(target, statement, evalContext, plan(statement, indexMap(await target.schema())));
      return applyDml(target.tx, table, first, statement, rows, evalContext);
    }
  }
}

/**
 * QLDB's `EXEC redact_revision blockAddress, tableId, documentId`: the revision of the document
 * committed in that block (`{ strandId, sequenceNo }`; the table id is the table's name).
 */
async function redactRevision(target: StatementTarget, args: PartiqlValue[]): Promise<JsonValue[]> {
  const [address, table, id] = args;
  if (args.length !== 3 || !isStruct(address) || typeof table !== 'string' || typeof id !== 'string') {
    throw new InvalidArgumentError(
      'statement',
      'EXEC redact_revision takes a block address { strandId, sequenceNo }, a table id and a document id',
    );
  }
  const sequenceNo = address.sequenceNo;
  if (typeof sequenceNo !== 'number' || !Number.isSafeInteger(sequenceNo)) {
    throw new InvalidArgumentError('statement', 'the block address needs an integer sequenceNo');
  }
  if (address.strandId !== undefined && address.strandId !== target.catalog.name) {
    throw ledgerdbError(
      'NOT_FOUND',
      `strand ${String(address.strandId)} is not this ledger's (${target.catalog.name})`,
      {
        strandId: address.strandId,
      },
    );
  }
  checkUserTable(table);
  const revision = (await target.catalog.history(table, id)).find((entry) => entry.blockAddress.seq === sequenceNo);
  if (!revision) {
    throw ledgerdbError('NOT_FOUND', `document ${table}/${id} has no revision in block ${sequenceNo}`, {
      table,
      id,
      sequenceNo,
    });
  }
  await target.tx.redact(table, id, revision.metadata.version);
  return [{ tableId: table, documentId: id, version: revision.metadata.version }];
}

/** Plans by statement object: a statement parsed once (the driver caches them) is planned once per schema. */
const plans = new WeakMap<Statement, { indexes: IndexMap; plan: Plan }>();

function plan(statement: Statement, indexes: IndexMap): Plan {
  if (statement.kind !== 'select' && statement.kind !== 'dml') return { sources: [] };
  const cached = plans.get(statement);
  if (cached?.indexes === indexes) return cached.plan;
  const planned = planFrom(statement.from, statement.where, indexes);
  plans.set(statement, { indexes, plan: planned });
  return planned;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

function checkUserTable(table: string): void {
  if (table.startsWith(reservedPrefix)) {
    throw new InvalidArgumentError('table', `table names starting with ${reservedPrefix} are reserved`, { table });
  }
}

async function isDropped(target: StatementTarget, table: string): Promise<boolean> {
  const schema = await target.schema();
  if (!schema.some((entry) => entry.name === tableStatusTable)) return false;
  const status = await target.tx.get(tableStatusTable, table);
  return status?.status === 'INACTIVE';
}

/** Tables must exist (re-reading the catalog once for one not seen yet) and not be dropped. */
async function checkActive(target: StatementTarget, tables: readonly string[]): Promise<void> {
  if (tables.length === 0) return;
  let schema = await target.schema();
  if (tables.some((table) => !schema.some((entry) => entry.name === table))) schema = await target.refresh();
  for (const table of tables) {
    if (!schema.some((entry) => entry.name === table)) {
      throw ledgerdbError('NOT_FOUND', `table ${table} does not exist`, { table });
    }
    if (await isDropped(target, table)) {
      throw ledgerdbError('NOT_FOUND', `table ${table} is dropped (inactive); UNDROP TABLE restores it`, { table });
    }
  }
}

async function setTableStatus(
  target: StatementTarget,
  table: string,
  status: 'ACTIVE' | 'INACTIVE',
): Promise<JsonValue[]> {
  checkUserTable(table);
  let schema = await target.schema();
  if (!schema.some((entry) => entry.name === table)) schema = await target.refresh();
  if (!schema.some((entry) => entry.name === table)) {
    throw ledgerdbError('NOT_FOUND', `table ${table} does not exist`, { table });
  }
  if (!schema.some((entry) => entry.name === tableStatusTable)) {
    try {
      await target.catalog.createTable(tableStatusTable);
    } catch (error) {
      if (!isLedgerError(error, 'ALREADY_EXISTS')) throw error;
    }
    await target.refresh();
  }
  const current = await target.tx.get(tableStatusTable, table);
  const was = current?.status === 'INACTIVE' ? 'INACTIVE' : 'ACTIVE';
  if (was === status) {
    throw new InvalidArgumentError(
      'table',
      status === 'INACTIVE' ? `table ${table} is already dropped` : `table ${table} is not dropped`,
      { table },
    );
  }
  if (current) await target.tx.update(tableStatusTable, table, { name: table, status });
  else await target.tx.insert(tableStatusTable, { name: table, status }, { id: table });
  return [{ tableId: table }];
}

/** The rows FROM and WHERE produce: nested loops over the items, each read by its plan. */
async function fromRows(
  target: StatementTarget,
  statement: { from: readonly FromItem[]; where: Expr | undefined },
  context: EvalContext,
  plan: Plan,
): Promise<Row[]> {
  const { from, where } = statement;
  const rowNames = from.map((item) => item.alias);
  let rows: Row[] = [{ vars: new Map(), docId: undefined }];
  for (const [position, source] of plan.sources.entries()) {
    const next: Row[] = [];
    for (const row of rows) {
      const scope: Scope = { vars: row.vars, rows: rowNames };
      for (const read of await readSource(target, source, scope, context)) {
        const vars = new Map(row.vars);
        vars.set(source.item.alias, read.value);
        if (source.item.at !== undefined) vars.set(source.item.at, read.at);
        if (source.item.by !== undefined) vars.set(source.item.by, read.id);
        const joined: Row = { vars, docId: position === 0 ? read.id : row.docId };
        if (source.item.on && evaluate(source.item.on, { vars, rows: rowNames }, context) !== true) continue;
        next.push(joined);
      }
    }
    rows = next;
  }
  if (!where) return rows;
  return rows.filter((row) => evaluate(where, { vars: row.vars, rows: rowNames }, context) === true);
}

interface SourceRow {
  value: Value;
  id?: string;
  at?: Value;
}

async function readSource(
  target: StatementTarget,
  plan: SourcePlan,
  scope: Scope,
  context: EvalContext,
): Promise<SourceRow[]> {
  const source = plan.item.source;
  const access = plan.access;
  switch (source.kind) {
    case 'unnest': {
      const value = evaluate(source.expr, scope, context);
      if (value === undefined || value === null) return [];
      if (Array.isArray(value)) return value.map((element, at) => ({ value: element, at }));
      return [{ value }];
    }
    case 'userTables':
      return (await userTables(target)).map((value) => ({ value }));
    case 'history': {
      const [start, end] = source.args.map((arg) => evaluate(arg, scope, context));
      const window: HistoryWindow = {};
      if (start !== undefined) window.from = windowDate(start, 'start');
      if (end !== undefined) window.to = windowDate(end, 'end');
      let id: string | undefined;
      if (access.kind === 'history' && access.id) {
        const value = evaluate(access.id, scope, context);
        if (typeof value !== 'string') return [];
        id = value;
      }
      const revisions = await target.catalog.history(source.table, id, window);
      return revisions.map((revision) => ({
        value: committedView(target.catalog.name, revision),
        id: revision.metadata.id,
      }));
    }
    case 'table':
    case 'committed': {
      const documents = await readDocuments(target.tx, source.table, access, scope, context);
      if (source.kind === 'table') return documents.map((doc) => ({ value: doc.data, id: doc.id }));
      const rows: SourceRow[] = [];
      for (const doc of documents) {
        let revision: DocumentRevision;
        try {
          revision = await target.catalog.revision(source.table, doc.id);
        } catch (error) {
          // Inserted by this transaction: not committed yet.
          if (isLedgerError(error, 'NOT_FOUND')) continue;
          throw error;
        }
        if (revision.data !== undefined) rows.push({ value: committedView(target.catalog.name, revision), id: doc.id });
      }
      return rows;
    }
  }
}

function windowDate(value: Value, which: string): Date {
  const ms = timestampMs(value);
  if (ms === undefined) {
    throw new InvalidArgumentError('statement', `the ${which} time of history() must be a timestamp`, { value });
  }
  return new Date(ms);
}

async function readDocuments(
  tx: ScanningTransaction,
  table: string,
  access: SourcePlan['access'],
  scope: Scope,
  context: EvalContext,
): Promise<DocumentEntry[]> {
  switch (access.kind) {
    case 'id': {
      const id = evaluate(access.id, scope, context);
      if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(id)) return [];
      const data = await tx.get(table, id);
      return data ? [{ id, data }] : [];
    }
    case 'equal': {
      const where: Record<string, JsonValue> = {};
      for (const eq of access.where) {
        const value = evaluate(eq.expr, scope, context);
        if (value === undefined || value === null) return [];
        if (Object.hasOwn(where, eq.path) && JSON.stringify(where[eq.path]) !== JSON.stringify(value)) return [];
        where[eq.path] = value;
      }
      return tx.find(table, where);
    }
    case 'in': {
      const list = evaluate(access.list, scope, context);
      if (!Array.isArray(list)) return [];
      const found = new Map<string, DocumentEntry>();
      const seen = new Set<string>();
      for (const value of list) {
        if (value === null) continue;
        const key = JSON.stringify(value);
        if (seen.has(key)) continue;
        seen.add(key);
        for (const doc of await tx.find(table, { [access.path]: value })) found.set(doc.id, doc);
      }
      return [...found.values()];
    }
    default:
      return tx.scan(table);
  }
}

/** QLDB's committed view of a revision: block address, hash, data and metadata. */
function committedView(ledger: string, revision: DocumentRevision): JsonObject {
  const view: JsonObject = {
    blockAddress: { strandId: ledger, sequenceNo: revision.blockAddress.seq },
    hash: revision.hash,
  };
  if (revision.data !== undefined) view.data = revision.data;
  view.metadata = {
    id: revision.metadata.id,
    version: revision.metadata.version,
    txTime: revision.metadata.txTime,
    txId: revision.metadata.txId,
  };
  return view;
}

async function userTables(target: StatementTarget): Promise<JsonObject[]> {
  const schema = await target.refresh();
  const statuses = new Map<string, string>();
  if (schema.some((entry) => entry.name === tableStatusTable)) {
    for (const doc of await target.tx.scan(tableStatusTable)) statuses.set(doc.id, String(doc.data.status));
  }
  return schema
    .filter((entry) => !entry.name.startsWith(reservedPrefix))
    .map((entry) => ({
      name: entry.name,
      tableId: entry.name,
      status: statuses.get(entry.name) ?? 'ACTIVE',
      indexes: entry.indexes.map((path) => ({ indexId: path, expr: `[${path}]`, status: 'ONLINE' })),
    }));
}

function fieldName(expr: Expr, position: number): string {
  if (expr.kind === 'var') return expr.name;
  if (expr.kind === 'path') {
    const last = expr.steps.at(-1);
    if (last?.kind === 'field') return last.name;
  }
  return `_${position + 1}`;
}

function isAggregate(expr: Expr): boolean {
  return expr.kind === 'countStar' || (expr.kind === 'call' && aggregateNames.has(expr.name));
}

function project(projection: Projection, from: readonly FromItem[], rows: Row[], context: EvalContext): JsonValue[] {
  const rowNames = from.map((item) => item.alias);
  switch (projection.kind) {
    case 'star':
      return rows.map((row) => {
        if (from.length === 1) return (row.vars.get(rowNames[0] as string) ?? null) as JsonValue;
        const merged: JsonObject = {};
        for (const [position, name] of rowNames.entries()) {
          const value = row.vars.get(name);
          if (isStruct(value)) Object.assign(merged, value);
          else if (value !== undefined) merged[`_${position + 1}`] = value;
        }
        return merged;
      });
    case 'value':
      if (isAggregate(projection.expr)) return [aggregate(projection.expr, rows, rowNames, context) ?? null];
      return rows.map((row) => evaluate(projection.expr, { vars: row.vars, rows: rowNames }, context) ?? null);
    case 'items': {
      const aggregated = projection.items.some((item) => isAggregate(item.expr));
      if (aggregated) {
        const result: JsonObject = {};
        for (const [position, item] of projection.items.entries()) {
          if (!isAggregate(item.expr)) {
            throw new InvalidArgumentError(
              'statement',
              'a SELECT list with an aggregate may hold only aggregates (QLDB has no GROUP BY)',
            );
          }
          const value = aggregate(item.expr, rows, rowNames, context);
          if (value !== undefined) result[item.alias ?? `_${position + 1}`] = value;
        }
        return [result];
      }
      return rows.map((row) => {
        const result: JsonObject = {};
        for (const [position, item] of projection.items.entries()) {
          const value = evaluate(item.expr, { vars: row.vars, rows: rowNames }, context);
          if (value !== undefined) result[item.alias ?? fieldName(item.expr, position)] = value;
        }
        return result;
      });
    }
  }
}

function aggregate(expr: Expr, rows: Row[], rowNames: string[], context: EvalContext): Value {
  if (expr.kind === 'countStar') return rows.length;
  if (expr.kind !== 'call' || expr.args.length !== 1) {
    throw new InvalidArgumentError('statement', 'an aggregate takes one argument');
  }
  const values = rows
    .map((row) => evaluate(expr.args[0] as Expr, { vars: row.vars, rows: rowNames }, context))
    .filter((value) => value !== undefined && value !== null);
  switch (expr.name) {
    case 'COUNT':
      return values.length;
    case 'SUM':
    case 'AVG': {
      const numbers = values.filter((value): value is number => typeof value === 'number');
      if (numbers.length === 0) return null;
      const sum = numbers.reduce((a, b) => a + b, 0);
      return expr.name === 'SUM' ? sum : sum / numbers.length;
    }
    default: {
      const comparable = values.filter((value) => typeof value === 'number' || typeof value === 'string');
      if (comparable.length === 0) return null;
      let best = comparable[0] as Value;
      for (const value of comparable) {
        const order = compare(value, best);
        if (order !== null && (expr.name === 'MIN' ? order < 0 : order > 0)) best = value;
      }
      return best;
    }
  }
}

async function applyDml(
  tx: Transaction,
  table: string,
  first: FromItem,
  statement: Extract<Statement, { kind: 'dml' }>,
  rows: Row[],
  context: EvalContext,
): Promise<JsonValue[]> {
  const rowNames = statement.from.map((item) => item.alias);
  const done = new Set<string>();
  const result: JsonValue[] = [];
  for (const row of rows) {
    const id = row.docId as string;
    if (done.has(id)) continue;
    done.add(id);
    if (statement.delete) {
      await tx.delete(table, id);
      result.push({ documentId: id });
      continue;
    }
    let document = structuredClone(row.vars.get(first.alias)) as JsonObject;
    const scope: Scope = { vars: row.vars, rows: rowNames };
    for (const op of statement.ops) document = applyOp(document, op, first, statement.from, scope, context);
    await tx.update(table, id, document);
    result.push({ documentId: id });
  }
  return result;
}

type Key = string | number;

/** A DML target as keys from the document root: `x.a[0].b` → `['a', 0, 'b']`. */
function targetKeys(
  target: Expr,
  first: FromItem,
  from: readonly FromItem[],
  scope: Scope,
  context: EvalContext,
): Key[] {
  let base: Expr = target;
  let steps: PathStep[] = [];
  if (target.kind === 'path') {
    base = target.base;
    steps = target.steps;
  }
  if (base.kind !== 'var') {
    throw new InvalidArgumentError('statement', 'a SET, REMOVE or INSERT INTO target must be a path');
  }
  const keys: Key[] = [];
  if (base.name !== first.alias) {
    if (base.at || from.some((item) => [item.alias, item.at, item.by].includes(base.name))) {
      throw unsupported('changing an unnested element is not supported; name it by a path from the document', {
        target: base.name,
      });
    }
    keys.push(base.name);
  }
  for (const step of steps) {
    if (step.kind === 'field') keys.push(step.name);
    else {
      const key = evaluate(step.expr, scope, context);
      if (typeof key !== 'string' && (typeof key !== 'number' || !Number.isInteger(key) || key < 0)) {
        throw new InvalidArgumentError('statement', 'a path index must be a non-negative integer or a string');
      }
      keys.push(key);
    }
  }
  return keys;
}

function child(container: JsonValue | undefined, key: Key): JsonValue | undefined {
  if (typeof key === 'number') return Array.isArray(container) ? container[key] : undefined;
  return isStruct(container) && Object.hasOwn(container, key) ? container[key] : undefined;
}

function applyOp(
  document: JsonObject,
  op: DmlOp,
  first: FromItem,
  from: readonly FromItem[],
  scope: Scope,
  context: EvalContext,
): JsonObject {
  const keys = targetKeys(op.target, first, from, scope, context);
  if (op.kind === 'set') {
    const value = evaluate(op.value, scope, context);
    if (keys.length === 0) {
      if (!isStruct(value)) throw new InvalidArgumentError('statement', 'a document can only be set to a struct');
      return value;
    }
    let container: JsonValue = document;
    for (const [i, key] of keys.slice(0, -1).entries()) {
      let next = child(container, key);
      if (next === undefined) {
        if (typeof key === 'number') throw new InvalidArgumentError('statement', `list index ${key} is out of range`);
        next = {};
        (container as JsonObject)[key] = next;
      }
      if (next === null || typeof next !== 'object') {
        throw new InvalidArgumentError(
          'statement',
          `cannot set a field inside ${keys.slice(0, i + 1).join('.')}, a scalar`,
        );
      }
      container = next;
    }
    assign(container, keys.at(-1) as Key, value);
    return document;
  }
  const parentKeys = op.kind === 'remove' ? keys.slice(0, -1) : keys;
  let container: JsonValue | undefined = document;
  for (const key of parentKeys) container = child(container, key);
  if (op.kind === 'remove') {
    if (keys.length === 0)
      throw new InvalidArgumentError('statement', 'REMOVE needs a path inside the document; use DELETE');
    const key = keys.at(-1) as Key;
    if (typeof key === 'number' && Array.isArray(container) && key < container.length) container.splice(key, 1);
    else if (typeof key === 'string' && isStruct(container)) delete container[key];
    return document;
  }
  const value = evaluate(op.value, scope, context);
  if (value === undefined) throw new InvalidArgumentError('statement', 'INSERT INTO needs a value, not MISSING');
  if (Array.isArray(container)) {
    container.push(value);
    return document;
  }
  if (isStruct(container)) {
    const at = op.at === undefined ? undefined : evaluate(op.at, scope, context);
    if (typeof at !== 'string') {
      throw new InvalidArgumentError('statement', 'INSERT INTO a struct needs AT with the new field name');
    }
    if (Object.hasOwn(container, at)) {
      throw ledgerdbError('ALREADY_EXISTS', `field ${at} already exists; use SET to change it`, { field: at });
    }
    container[at] = value;
    return document;
  }
  throw new InvalidArgumentError('statement', `INSERT INTO ${keys.join('.')}: no list or struct there`);
}

function assign(container: JsonValue, key: Key, value: Value): void {
  if (typeof key === 'number') {
    if (!Array.isArray(container) || key >= container.length) {
      throw new InvalidArgumentError('statement', `list index ${key} is out of range`);
    }
    if (value === undefined) container.splice(key, 1);
    else container[key] = value;
    return;
  }
  if (!isStruct(container)) throw new InvalidArgumentError('statement', `cannot set field ${key} of a list`);
  if (value === undefined) delete container[key];
  else container[key] = value;
}
