// PartiQL transactions of `ledgerdb serve`, held open across requests as QLDB's sessions
// held them: start, then statements one by one (each answered with its rows), then commit
// or abort. Each is one ledger transaction whose reads are validated at commit; one left
// open past the timeout is aborted.
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, type JsonObject, type JsonValue, LedgerError } from '@ledgerkit/core';
import { enforce, type TableRule } from '../ledger-adapter.js';
import type { LedgerDatabase } from '../ledger-database.js';
import { type StatementAccess, statementAccess } from '../partiql/access.js';
import type { Statement } from '../partiql/ast.js';
import type { PartiqlValue } from '../partiql/evaluate.js';
import { executeStatement, type ScanningTransaction, type StatementTarget } from '../partiql/executor.js';
import { parseStatement } from '../partiql/parser.js';
import type { TableSchema } from '../storage/driver.js';
import type { CommitSummary, TransactionResult } from '../types.js';
import { grants, type Principal } from './auth.js';
import { reservedTablePrefix } from './transactions.js';

/** Options of {@link PartiqlTransactions}. */
export interface PartiqlTransactionOptions {
  /** Milliseconds an open transaction may live before it is aborted (default: the ledger's `transactionMs`, QLDB's 30 s). */
  timeoutMs?: number;
  /** Most transactions open at once; more are `LIMIT_EXCEEDED` (default 1,000). */
  maxOpen?: number;
}

/** What starting a transaction answers. */
export interface StartedTransaction {
  transactionId: string;
  /** When the server aborts it if it is still open (ISO 8601). */
  expiresAt: string;
}

interface OpenTransaction {
  id: string;
  principal: string;
  target: StatementTarget;
  /** Ends the ledger transaction's function: commit it or throw. */
  finish: (outcome: 'commit' | 'abort') => void;
  /** The ledger transaction's outcome, once `finish` was called. */
  outcome: Promise<TransactionResult<void>>;
  /** The statement running now: statements of one transaction run one at a time. */
  queue: Promise<unknown>;
  timer: NodeJS.Timeout;
  /** UTCNOW() of every statement of the transaction. */
  now: string;
}

interface Prepared {
  statement: Statement;
  params: number;
  access: StatementAccess;
}

const statementCacheSize = 500;
/** How many expired transaction ids are remembered, to answer "expired" rather than "unknown". */
const expiredMemory = 10_000;

/**
 * The open PartiQL transactions of one server. Every statement is checked against the
 * caller's token before it runs: the tables it reads need a read grant, the ones it writes a
 * write grant, catalog changes and procedures the admin role; the server's reserved tables
 * are never reachable. Writes go through the server's table rules, as `POST /v1/transactions`
 * does.
 */
export class PartiqlTransactions {
  readonly #ledger: LedgerDatabase;
  readonly #rules: Readonly<Record<string, TableRule>>;
  readonly #timeoutMs: number;
  readonly #maxOpen: number;
  readonly #open = new Map<string, OpenTransaction>();
  readonly #expired = new Set<string>();
  readonly #statements = new Map<string, Prepared>();
  #schema: readonly TableSchema[] | undefined;
  #closed = false;

  constructor(
    ledger: LedgerDatabase,
    rules: Readonly<Record<string, TableRule>> = {},
    options: PartiqlTransactionOptions = {},
  ) {
    this.#ledger = ledger;
    this.#rules = rules;
    this.#timeoutMs = options.timeoutMs ?? ledger.limits.transactionMs;
    this.#maxOpen = options.maxOpen ?? 1_000;
  }

  /** How many transactions are open. */
  get size(): number {
    return this.#open.size;
  }

  /**
   * Starts a transaction for the caller.
   *
   * @throws `LIMIT_EXCEEDED` (`limit: 'openTransactions'`) when the server holds its maximum
   */
  async start(principal: Principal): Promise<StartedTransaction> {
    if (this.#closed) throw new LedgerError('UNAVAILABLE', 'the server is shutting down');
    if (this.#open.size >= this.#maxOpen) {
      throw new LedgerError('LIMIT_EXCEEDED', `the server holds its maximum of ${this.#maxOpen} open transactions`, {
        details: { limit: 'openTransactions', max: this.#maxOpen },
      });
    }
    const id = randomUUID();
    let finish!: (outcome: 'commit' | 'abort') => void;
    const finished = new Promise<'commit' | 'abort'>((resolve) => {
      finish = resolve;
    });
    let started!: (tx: ScanningTransaction) => void;
    const ready = new Promise<ScanningTransaction>((resolve) => {
      started = resolve;
    });
    // No retries: a conflict is the client's to retry, by running its lambda again.
    const outcome = this.#ledger.transaction(
      async (tx) => {
        started(tx as ScanningTransaction);
        if ((await finished) === 'abort') throw new LedgerError('ABORTED', `transaction ${id} was aborted`);
      },
      { retry: { retries: 0 } },
    );
    // Aborted and expired transactions reject with nobody waiting: not an unhandled rejection.
    outcome.catch(() => undefined);
    const tx = await Promise.race([ready, outcome.then(() => undefined)]);
    if (tx === undefined) throw new LedgerError('INTERNAL', 'the ledger transaction ended before it started');
    const timer = setTimeout(() => this.#expire(id), this.#timeoutMs);
    timer.unref();
    this.#open.set(id, {
      id,
      principal: principal.name,
      target: this.#target(ruledTransaction(tx, this.#rules), principal),
      finish,
      outcome,
      queue: Promise.resolve(),
      timer,
      now: new Date().toISOString(),
    });
    return { transactionId: id, expiresAt: new Date(Date.now() + this.#timeoutMs).toISOString() };
  }

  /**
   * Runs one statement in an open transaction of the caller.
   *
   * @param parameters - one JSON value per `?`
   * @param missing - positions of parameters that are MISSING (JSON has no such value)
   * @returns the result rows
   * @throws PartiqlSyntaxError (`INVALID_ARGUMENT` with line and column); `PERMISSION_DENIED`
   * for a table outside the token's grants; `NOT_FOUND` for an unknown transaction;
   * `LIMIT_EXCEEDED` for an expired one; the statement's own errors
   */
  async execute(
    principal: Principal,
    id: string,
    text: string,
    parameters: readonly JsonValue[],
    missing: readonly number[] = [],
  ): Promise<JsonValue[]> {
    const open = this.#get(principal, id);
    const prepared = this.#prepare(text);
    if (parameters.length !== prepared.params) {
      throw new InvalidArgumentError(
        'params',
        `the statement has ${prepared.params} parameters but got ${parameters.length} values`,
        { expected: prepared.params, got: parameters.length },
      );
    }
    checkAccess(principal, prepared.access);
    const values: PartiqlValue[] = parameters.map((value, i) => checkDepth(value, `params[${i}]`, 0));
    for (const position of missing) {
      if (!Number.isInteger(position) || position < 0 || position >= values.length) {
        throw new InvalidArgumentError('missing', `missing names parameter ${position}, which the statement lacks`);
      }
      values[position] = undefined;
    }
    const run = open.queue.then(() => {
      this.#get(principal, id);
      return executeStatement(open.target, prepared.statement, values, { now: () => open.now });
    });
    open.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Commits an open transaction of the caller (after its running statement, if any).
   *
   * @returns what was committed; null when it wrote nothing
   * @throws `OCC_CONFLICT` when a read changed before the commit; then nothing is committed
   */
  async commit(principal: Principal, id: string): Promise<CommitSummary | null> {
    const open = this.#get(principal, id);
    await open.queue;
    this.#get(principal, id);
    this.#end(open);
    open.finish('commit');
    const { commit } = await open.outcome;
    return commit ?? null;
  }

  /** Aborts an open transaction of the caller: nothing it wrote is committed. */
  async abort(principal: Principal, id: string): Promise<void> {
    const open = this.#get(principal, id);
    this.#end(open);
    open.finish('abort');
    await open.outcome.catch(() => undefined);
  }

  /** Aborts every open transaction; starting new ones is refused from now on. */
  async close(): Promise<void> {
    this.#closed = true;
    const open = [...this.#open.values()];
    for (const transaction of open) {
      this.#end(transaction);
      transaction.finish('abort');
    }
    await Promise.all(open.map((transaction) => transaction.outcome.catch(() => undefined)));
  }

  #get(principal: Principal, id: string): OpenTransaction {
    const open = this.#open.get(id);
    // Another token's transaction is as unknown as one that never was.
    if (open && open.principal === principal.name) return open;
    if (!open && this.#expired.has(id)) {
      throw new LedgerError(
        'LIMIT_EXCEEDED',
        `transaction ${id} was open longer than ${this.#timeoutMs} ms and was aborted`,
        { details: { limit: 'transactionMs', max: this.#timeoutMs, transactionId: id } },
      );
    }
    throw new LedgerError('NOT_FOUND', `no open transaction ${id}`, { details: { transactionId: id } });
  }

  #end(open: OpenTransaction): void {
    clearTimeout(open.timer);
    this.#open.delete(open.id);
  }

  #expire(id: string): void {
    const open = this.#open.get(id);
    if (!open) return;
    this.#end(open);
    this.#expired.add(id);
    if (this.#expired.size > expiredMemory) this.#expired.delete(this.#expired.values().next().value as string);
    open.finish('abort');
  }

  #prepare(text: string): Prepared {
    const cached = this.#statements.get(text);
    if (cached) return cached;
    const { statement, params } = parseStatement(text);
    const prepared: Prepared = { statement, params, access: statementAccess(statement) };
    if (this.#statements.size >= statementCacheSize) {
      this.#statements.delete(this.#statements.keys().next().value as string);
    }
    this.#statements.set(text, prepared);
    return prepared;
  }

  /**
   * The statement target of one transaction. The catalog the statements see leaves out the
   * server's reserved tables, and `information_schema.user_tables` lists only the tables the
   * token may read or write (all of them for admins), as `GET /v1/tables` does.
   */
  #target(tx: ScanningTransaction, principal: Principal): StatementTarget {
    const refresh = async () => {
      this.#schema = (await this.#ledger.tables()).filter((table) => !table.name.startsWith(reservedTablePrefix));
      return this.#schema;
    };
    const visible = (schema: readonly TableSchema[]) =>
      principal.admin
        ? schema
        : schema.filter(
            (table) =>
              table.name.startsWith('_ql_') ||
              grants(principal.read, table.name) ||
              grants(principal.write, table.name),
          );
    return {
      catalog: this.#ledger,
      tx,
      schema: async () => this.#schema ?? refresh(),
      refresh: async () => visible(await refresh()),
    };
  }
}

/**
 * The caller's rights against what a statement touches: read grants for what it reads,
 * write grants for what it writes, admin for catalog changes and procedures; reserved tables
 * for nobody.
 */
function checkAccess(principal: Principal, access: StatementAccess): void {
  for (const table of [...access.read, ...access.write]) {
    if (table.startsWith(reservedTablePrefix)) {
      throw new LedgerError('PERMISSION_DENIED', `table ${table} is reserved for the server`, {
        details: { table },
      });
    }
  }
  if (access.admin && !principal.admin) {
    throw new LedgerError(
      'PERMISSION_DENIED',
      `token ${principal.name} may not change tables or run procedures (the admin role may)`,
    );
  }
  for (const table of access.read) {
    if (!grants(principal.read, table)) {
      throw new LedgerError('PERMISSION_DENIED', `token ${principal.name} may not read table ${table}`, {
        details: { table },
      });
    }
  }
  for (const table of access.write) {
    if (!grants(principal.write, table)) {
      throw new LedgerError('PERMISSION_DENIED', `token ${principal.name} may not write table ${table}`, {
        details: { table },
      });
    }
  }
}

/** Parameters nested deeper than documents may be are refused before anything recurses into them. */
function checkDepth(value: JsonValue, where: string, depth: number): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 100) throw new InvalidArgumentError(where, `${where} is nested more than 100 levels deep`);
  for (const inner of Array.isArray(value) ? value : Object.values(value)) checkDepth(inner, where, depth + 1);
  return value;
}

/** The transaction with the server's table rules run before each write, as `POST /v1/transactions` runs them. */
function ruledTransaction(tx: ScanningTransaction, rules: Readonly<Record<string, TableRule>>): ScanningTransaction {
  if (Object.keys(rules).length === 0) return tx;
  return {
    get: (table, id) => tx.get(table, id),
    find: (table, where) => tx.find(table, where),
    scan: (table) => tx.scan(table),
    redact: (table, id, version) => tx.redact(table, id, version),
    async insert(table: string, data: JsonObject, options?: { id?: string }) {
      await enforce(rules, tx, { op: 'insert', table, data, ...(options?.id === undefined ? {} : { id: options.id }) });
      return tx.insert(table, data, options);
    },
    async update(table: string, id: string, data: JsonObject) {
      await enforce(rules, tx, { op: 'update', table, id, data });
      return tx.update(table, id, data);
    },
    async delete(table: string, id: string) {
      await enforce(rules, tx, { op: 'delete', table, id });
      return tx.delete(table, id);
    },
  };
}
