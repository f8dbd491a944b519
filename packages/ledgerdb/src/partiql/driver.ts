import { InvalidArgumentError, isLedgerError, type JsonValue, LedgerError, retry } from '@ledgerkit/core';
import type { dom } from 'ion-js';
import { ionJs, ionJsIfLoaded } from '../internal/ion-module.js';
import type { LedgerDatabase } from '../ledger-database.js';
import type { TableSchema } from '../storage/driver.js';
import type { Transaction } from '../transaction.js';
import type { CommitSummary } from '../types.js';
import type { Statement } from './ast.js';
import type { PartiqlValue as Value } from './evaluate.js';
import { executeStatement, type ScanningTransaction, type StatementTarget } from './executor.js';
import { ionToJson } from './ion.js';
import { parseStatement } from './parser.js';

/** Options of {@link LedgerDriver}. */
export interface LedgerDriverOptions {
  /** Retries of a lambda after an OCC conflict (default: the ledger's policy, 4 unless it was opened with another). */
  retryLimit?: number;
  /** Parsed statements kept for reuse, by text (default 500; 0 turns the cache off). */
  statementCacheSize?: number;
}

/** Options of {@link LedgerDriver.executeLambda}. */
export interface ExecuteLambdaOptions {
  /** Overrides the driver's `retryLimit` for this lambda. */
  retryLimit?: number;
}

/**
 * A PartiQL transaction held open by a server (`ledgerdb serve`): statements run there, one
 * by one, in one ledger transaction, until `commit` or `abort`.
 */
export interface RemotePartiqlTransaction {
  /**
   * Runs one statement in the transaction.
   *
   * @param statement - PartiQL text
   * @param parameters - one JSON value per `?` (`undefined` is MISSING)
   * @returns the result rows
   */
  execute(statement: string, parameters: readonly (JsonValue | undefined)[]): Promise<JsonValue[]>;
  /**
   * Commits the transaction.
   *
   * @returns what was committed; null when it wrote nothing
   * @throws `OCC_CONFLICT` when a read changed before the commit (nothing is committed)
   */
  commit(): Promise<CommitSummary | null>;
  /** Abandons the transaction; nothing it wrote is committed. */
  abort(): Promise<void>;
}

/**
 * A server that runs PartiQL (`LedgerdbClient` of `@ledgerkit/ledgerdb/client` is one): what a
 * {@link LedgerDriver} needs to run its lambdas there.
 */
export interface PartiqlServer {
  /** Starts a transaction on the server. */
  startPartiqlTransaction(): Promise<RemotePartiqlTransaction>;
}

/**
 * A statement's result rows. Iterating gives plain JavaScript values (JSON);
 * {@link Result.getResultList} gives `ion-js` values, as QLDB's driver did.
 */
export class Result implements Iterable<JsonValue> {
  readonly #rows: readonly JsonValue[];

  /** @param rows - the rows as plain JavaScript values */
  constructor(rows: readonly JsonValue[]) {
    this.#rows = rows;
  }

  /** The rows as plain JavaScript values. */
  get rows(): readonly JsonValue[] {
    return this.#rows;
  }

  [Symbol.iterator](): Iterator<JsonValue> {
    return this.#rows[Symbol.iterator]();
  }

  /**
   * The rows as Ion values (`ion-js` `dom.Value`), like QLDB's `Result.getResultList()`.
   *
   * @returns one Ion value per row
   */
  getResultList(): dom.Value[] {
    const { dom } = ionJs();
    return this.#rows.map((row) => dom.Value.from(row as never));
  }
}

interface Prepared {
  statement: Statement;
  params: number;
}

/**
 * Runs PartiQL statements inside one ledger transaction; handed to the lambda of
 * {@link LedgerDriver.executeLambda}, like QLDB's `TransactionExecutor`.
 */
export interface TransactionExecutor {
  /**
   * Runs one statement.
   *
   * @param statement - PartiQL text; `?` are positional parameters
   * @param params - one value per `?`: JSON values, `Date`s, `ion-js` values
   * @returns the result rows (`{ documentId }` per document for INSERT, UPDATE, DELETE)
   * @throws PartiqlSyntaxError (`INVALID_ARGUMENT`) with line, column and expected tokens;
   * `INVALID_ARGUMENT` for a wrong parameter count or value; `NOT_FOUND` for an unknown or
   * dropped table; `LIMIT_EXCEEDED`; `UNSUPPORTED`; `OCC_CONFLICT` (the lambda is retried)
   */
  execute(statement: string, ...params: unknown[]): Promise<Result>;
  /**
   * Abandons the transaction: nothing it wrote is committed and the lambda is not retried.
   *
   * @throws always `ABORTED`
   */
  abort(): never;
}

class Executor implements TransactionExecutor {
  readonly #prepare: (text: string) => Prepared;
  readonly #target: StatementTarget;
  #now: string | undefined;

  constructor(prepare: (text: string) => Prepared, target: StatementTarget) {
    this.#prepare = prepare;
    this.#target = target;
  }

  async execute(statement: string, ...params: unknown[]): Promise<Result> {
    const prepared = this.#prepare(statement);
    if (params.length !== prepared.params) {
      throw new InvalidArgumentError(
        'params',
        `the statement has ${prepared.params} parameters but got ${params.length} values`,
        { expected: prepared.params, got: params.length },
      );
    }
    const values = params.map((param, i) => toValue(param, `params[${i}]`));
    const rows = await executeStatement(this.#target, prepared.statement, values, { now: this.#timestamp });
    return new Result(rows);
  }

  /** The transaction's time for UTCNOW(): the same for every statement of one attempt. */
  readonly #timestamp = (): string => {
    this.#now ??= new Date().toISOString();
    return this.#now;
  };

  abort(): never {
    throw aborted();
  }
}

/** Statements of a lambda sent to a server's transaction; parameters are converted here, as embedded. */
class RemoteExecutor implements TransactionExecutor {
  readonly #remote: RemotePartiqlTransaction;

  constructor(remote: RemotePartiqlTransaction) {
    this.#remote = remote;
  }

  async execute(statement: string, ...params: unknown[]): Promise<Result> {
    if (typeof statement !== 'string') throw new InvalidArgumentError('statement', 'a statement must be a string');
    const values = params.map((param, i) => toValue(param, `params[${i}]`));
    return new Result(await this.#remote.execute(statement, values));
  }

  abort(): never {
    throw aborted();
  }
}

function aborted(): LedgerError {
  return new LedgerError('ABORTED', 'the transaction was aborted by its lambda');
}

/**
 * A QLDB-style driver over an embedded ledger or a `ledgerdb serve` server: `executeLambda`
 * runs a function of PartiQL statements as one ledger transaction, retrying it on OCC
 * conflicts (so it must be idempotent) and never on other errors. Against a server (a
 * `LedgerdbClient`, or `connectDriver` of `@ledgerkit/ledgerdb/client`) every statement runs
 * server-side, in one server transaction per attempt, committed when the lambda returns.
 *
 * @example
 * ```ts
 * const driver = new LedgerDriver(await openLedgerDatabase({ path: 'dmv.ledger' }))
 * const owners = await driver.executeLambda(async (txn) => {
 *   const result = await txn.execute('SELECT * FROM Person WHERE GovId = ?', 'LEWISR261LL')
 *   return [...result]
 * })
 * ```
 */
export class LedgerDriver {
  readonly #ledger: LedgerDatabase | undefined;
  readonly #server: PartiqlServer | undefined;
  readonly #retryLimit: number | undefined;
  readonly #cacheSize: number;
  readonly #statements = new Map<string, Prepared>();
  #schema: readonly TableSchema[] | undefined;

  /**
   * @param ledger - an open ledger, or a server's client (`LedgerdbClient`)
   * @param options - retry limit and statement cache size (the cache is the embedded ledger's)
   * @throws `INVALID_ARGUMENT` for a negative or fractional option
   */
  constructor(ledger: LedgerDatabase | PartiqlServer, options: LedgerDriverOptions = {}) {
    if (typeof (ledger as Partial<PartiqlServer>).startPartiqlTransaction === 'function') {
      this.#server = ledger as PartiqlServer;
    } else {
      this.#ledger = ledger as LedgerDatabase;
    }
    this.#retryLimit = options.retryLimit === undefined ? undefined : checkCount(options.retryLimit, 'retryLimit');
    this.#cacheSize = checkCount(options.statementCacheSize ?? 500, 'statementCacheSize');
  }

  /**
   * Runs `lambda` as one ledger transaction. On an OCC conflict the whole lambda runs
   * again after QLDB's backoff, up to `retryLimit` times; any other error ends it and
   * nothing is committed. DDL (CREATE TABLE, CREATE INDEX) takes effect at once, outside
   * the transaction.
   *
   * @param lambda - runs statements through the given executor
   * @param options - `retryLimit` for this call
   * @returns what the lambda returned, after the commit
   * @throws what the lambda or the commit threw; `OCC_CONFLICT` when retries run out
   */
  async executeLambda<T>(
    lambda: (txn: TransactionExecutor) => Promise<T>,
    options: ExecuteLambdaOptions = {},
  ): Promise<T> {
    const limit = options.retryLimit ?? this.#retryLimit;
    if (this.#server) return this.#remoteLambda(this.#server, lambda, limit);
    const ledger = this.#ledger as LedgerDatabase;
    const work = (tx: Transaction) => lambda(new Executor(this.#prepare, this.#target(tx)));
    // Without a limit of its own the ledger's policy applies (and its faster first attempt).
    const result = await (limit === undefined
      ? ledger.transaction(work)
      : ledger.transaction(work, { retry: { retries: checkCount(limit, 'retryLimit') } }));
    return result.value;
  }

  /**
   * One server transaction per attempt: started, the lambda's statements run in it, committed
   * when the lambda returns and aborted when it throws. Only OCC conflicts are retried, with
   * QLDB's backoff (4 retries unless a limit is given), as the embedded ledger does.
   */
  async #remoteLambda<T>(
    server: PartiqlServer,
    lambda: (txn: TransactionExecutor) => Promise<T>,
    limit: number | undefined,
  ): Promise<T> {
    return retry(
      async () => {
        const remote = await server.startPartiqlTransaction();
        let value: T;
        try {
          value = await lambda(new RemoteExecutor(remote));
        } catch (error) {
          // Ends the server's transaction now instead of at its timeout; an abort that fails
          // (the server is gone) changes nothing: uncommitted work is never committed.
          await remote.abort().catch(() => undefined);
          throw error;
        }
        await remote.commit();
        return value;
      },
      {
        retries: limit === undefined ? 4 : checkCount(limit, 'retryLimit'),
        shouldRetry: (error) => isLedgerError(error, 'OCC_CONFLICT'),
      },
    );
  }

  /**
   * Runs one statement in its own transaction (`executeLambda` of one `execute`).
   *
   * @returns the result rows
   */
  execute(statement: string, ...params: unknown[]): Promise<Result> {
    return this.executeLambda((txn) => txn.execute(statement, ...params));
  }

  /**
   * Names of the active user tables, like QLDB's `getTableNames()`.
   *
   * @returns table names
   */
  async getTableNames(): Promise<string[]> {
    const result = await this.execute("SELECT VALUE name FROM information_schema.user_tables WHERE status = 'ACTIVE'");
    return result.rows.filter((name): name is string => typeof name === 'string');
  }

  /** The parsed statement, from the cache when it was seen before. */
  readonly #prepare = (text: string): Prepared => {
    const cached = this.#statements.get(text);
    if (cached) return cached;
    const prepared: Prepared = parseStatement(text);
    if (this.#cacheSize > 0) {
      if (this.#statements.size >= this.#cacheSize) {
        this.#statements.delete(this.#statements.keys().next().value as string);
      }
      this.#statements.set(text, prepared);
    }
    return prepared;
  };

  #target(tx: Transaction): StatementTarget {
    const scanning = tx as Partial<ScanningTransaction>;
    if (typeof scanning.scan !== 'function') {
      throw new LedgerError('UNSUPPORTED', 'this transaction cannot scan tables, which PartiQL needs');
    }
    return {
      catalog: this.#ledger as LedgerDatabase,
      tx: tx as ScanningTransaction,
      schema: async () => this.#schema ?? this.#refresh(),
      refresh: () => this.#refresh(),
    };
  }

  async #refresh(): Promise<readonly TableSchema[]> {
    this.#schema = await (this.#ledger as LedgerDatabase).tables();
    return this.#schema;
  }
}

function checkCount(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(name, `${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}

/** A parameter as the JSON value statements work on. */
function toValue(param: unknown, where: string): Value {
  if (param === undefined) return undefined;
  if (param === null || typeof param === 'string' || typeof param === 'boolean') return param;
  if (typeof param === 'number') {
    if (!Number.isFinite(param)) throw new InvalidArgumentError(where, `${where} is ${param}, not a finite number`);
    return param;
  }
  if (typeof param === 'bigint') {
    if (param > BigInt(Number.MAX_SAFE_INTEGER) || param < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new InvalidArgumentError(where, `${where} does not fit a JSON number exactly`);
    }
    return Number(param);
  }
  if (param instanceof Date) {
    if (Number.isNaN(param.getTime())) throw new InvalidArgumentError(where, `${where} is an invalid Date`);
    return param.toISOString();
  }
  const ion = ionJsIfLoaded();
  if (ion) {
    if (param instanceof ion.Timestamp) return param.getDate().toISOString();
    if (param instanceof ion.Decimal) return param.numberValue();
    if (param instanceof ion.dom.Value) return ionToJson(param as unknown as dom.Value, where);
  }
  if (Array.isArray(param)) return param.map((item, i) => toValue(item, `${where}[${i}]`) ?? null);
  if (typeof param === 'object' && Object.getPrototypeOf(param) === Object.prototype) {
    const result: Record<string, JsonValue> = {};
    for (const [key, value] of Object.entries(param)) {
      const converted = toValue(value, `${where}.${key}`);
      if (converted !== undefined) result[key] = converted;
    }
    return result;
  }
  throw new InvalidArgumentError(where, `${where} is a ${typeof param} that PartiQL cannot take`);
}
