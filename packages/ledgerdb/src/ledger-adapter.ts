import {
  type CallOptions,
  type EventsOptions,
  type HistoryOptions,
  InvalidArgumentError,
  isLedgerError,
  type JsonObject,
  type Ledger,
  type LedgerCall,
  LedgerError,
  type LedgerEvent,
  type Receipt,
  type Revision,
  raceSignal,
  throwIfAborted,
  type Verification,
  type VerificationBundle,
  type VerifyOptions,
} from '@ledgerkit/core';
import { type EvidenceSource, ledgerdbBundle, verifyWithSource } from './internal/evidence.js';
import {
  callStatements,
  evaluateCall,
  splitKey,
  unifiedRevision,
  type WriteStatement,
} from './internal/ledger-calls.js';
import { commitReceipt } from './internal/receipt.js';
import type { LedgerDatabase } from './ledger-database.js';
import type { Transaction } from './transaction.js';
import type { CommitSummary, Digest } from './types.js';

/** One statement of a `submit({ method: 'execute', args: [statements] })` call. */
export type Statement = WriteStatement;

/** A write a {@link TableRule} is asked about, before it is made. */
export interface RuleChange {
  /** What the statement does. */
  op: 'insert' | 'update' | 'delete';
  /** The table written. */
  table: string;
  /** The document id; absent for an insert that lets ledgerdb choose it. */
  id?: string;
  /** The new data (insert, update). */
  data?: JsonObject;
}

/** What a {@link TableRule} may consult: the transaction the write runs in. */
export interface RuleContext {
  /** Reads here are part of the transaction, so the rule's premises are checked at commit (OCC). */
  tx: Transaction;
}

/**
 * A rule of one table, run inside the transaction before each write to that table. It refuses
 * the write by throwing: a `LedgerError` passes through as it is, any other error becomes
 * `CONTRACT_REVERTED` with the error's message as `details.reason`, and nothing of the call is
 * committed.
 */
export type TableRule = (change: RuleChange, context: RuleContext) => void | Promise<void>;

/** Options of {@link asLedger}. */
export interface LedgerdbLedgerOptions {
  /**
   * Rules per table name, enforced on every `submit` through this ledger: the centralized model's
   * "the service enforces the rules", as a contract or chaincode does on the other backends.
   */
  rules?: Readonly<Record<string, TableRule>>;
}

/**
 * The unified `Ledger` view of a database: submit, evaluate, history, events, verify and
 * evidence, with the database itself as `native`.
 *
 * Calls: `submit` takes `insert [table, data, { id }?]`, `update [table, id, data]`,
 * `delete [table, id]` or `execute [statements]` (atomic); `evaluate` takes
 * `get [table, id]`, `find [table, where]`, `revision [table, id, version?]`, `digest []`.
 * Keys of `history` are `table/id`.
 *
 * @param database - the open database; `close()` of the view closes it
 * @param options - per-table rules that every `submit` enforces
 * @returns the `Ledger`
 * @throws InvalidArgumentError when a rule is not a function
 *
 * @example
 * ```ts
 * const ledger = asLedger(await openLedgerDatabase({ path: 'orders.ledger' }), {
 *   rules: { orders: (change) => { if (change.data?.qty === 0) throw new Error('empty order') } },
 * })
 * const receipt = await ledger.submit({ method: 'insert', args: ['orders', { sku: 'A-1', qty: 5 }] })
 * ```
 */
export function asLedger(database: LedgerDatabase, options: LedgerdbLedgerOptions = {}): Ledger<LedgerDatabase> {
  return new LedgerdbLedger(database, options);
}

/**
 * The unified `Ledger` over a {@link LedgerDatabase}: what {@link asLedger} returns.
 *
 * @deprecated Since 0.2.0: call {@link asLedger} (`asLedger(database, { rules })`) and type the
 * result as `Ledger<LedgerDatabase>`; the class stops being exported in 0.3.0.
 */
export class LedgerdbLedger implements Ledger<LedgerDatabase> {
  readonly kind = 'ledgerdb' as const;
  readonly trustModel = 'centralized' as const;
  readonly native: LedgerDatabase;
  readonly #rules: Readonly<Record<string, TableRule>>;

  /**
   * @param database - the open database
   * @param options - per-table rules that every `submit` enforces
   * @throws InvalidArgumentError when a rule is not a function
   */
  constructor(database: LedgerDatabase, options: LedgerdbLedgerOptions = {}) {
    this.native = database;
    const rules = options.rules ?? {};
    for (const [table, rule] of Object.entries(rules)) {
      if (typeof rule !== 'function') {
        throw new InvalidArgumentError(`rules.${table}`, `the rule of table ${table} must be a function`);
      }
    }
    this.#rules = { ...rules };
  }

  get id(): string {
    return this.native.name;
  }

  /**
   * Commits the call's statements as one transaction, after the table rules accept each.
   *
   * @param call - `insert`, `update`, `delete` or `execute`
   * @param options - an abort signal: `TIMEOUT` for a deadline, `ABORTED` otherwise; an abort
   * after the commit started may still let it land
   * @returns the receipt
   * @throws LedgerError `CONTRACT_REVERTED` when a rule refuses, `NOT_FOUND`, `ALREADY_EXISTS`,
   * `INVALID_ARGUMENT`, `TIMEOUT`, `ABORTED`
   */
  async submit(call: LedgerCall, options: CallOptions = {}): Promise<Receipt> {
    const { signal } = options;
    throwIfAborted(signal);
    const statements = callStatements<Statement>(call) as Statement[];
    const rules = this.#rules;
    const { commit } = await raceSignal(
      this.native.transaction(
        async (tx) => {
          for (const statement of statements) {
            await enforce(rules, tx, statement);
            await apply(tx, statement);
          }
        },
        signal ? { retry: { signal } } : {},
      ),
      signal,
    );
    if (!commit) throw new InvalidArgumentError('call', 'the call wrote nothing');
    return this.#receipt(commit);
  }

  /**
   * Answers a read: `get [table, id]` (`NOT_FOUND` when the document does not exist),
   * `find [table, where]`, `revision [table, id, version?]`, `digest []`.
   *
   * @param call - the read
   * @param options - an abort signal
   * @returns the answer
   * @throws LedgerError `NOT_FOUND`, `INVALID_ARGUMENT`, `TIMEOUT`, `ABORTED`
   */
  async evaluate(call: LedgerCall, options: CallOptions = {}): Promise<unknown> {
    throwIfAborted(options.signal);
    const ledger = this.native;
    return raceSignal(
      evaluateCall(call, {
        get: (table, id) => ledger.get(table, id),
        find: (table, where) => ledger.find(table, where),
        revision: (table, id, version) => ledger.revision(table, id, version),
        digest: () => ledger.digest(),
      }),
      options.signal,
    );
  }

  async history(key: string, options: HistoryOptions = {}): Promise<Revision[]> {
    throwIfAborted(options.signal);
    const { table, id } = splitKey(key);
    const window = { ...(options.from ? { from: options.from } : {}), ...(options.to ? { to: options.to } : {}) };
    const revisions = await this.native.history(table, id, window);
    return revisions.map((revision) => unifiedRevision(key, this.native.name, revision));
  }

  events(options: EventsOptions = {}): AsyncIterable<LedgerEvent> {
    return this.native.events({
      ...(options.from ? { from: options.from } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /**
   * Verifies a receipt or revision: fetches the evidence (at the anchor's size when one is
   * given) and runs {@link verifyLedgerdbReceipt}.
   *
   * @param subject - a receipt or revision of this ledger
   * @param options - a `ledgerdb-digest` anchor the verifier trusts; without one, the current digest
   * @returns every check made; a tampered or foreign subject fails a named check
   */
  async verify(subject: Receipt | Revision, options: VerifyOptions = {}): Promise<Verification> {
    throwIfAborted(options.signal);
    return raceSignal(verifyWithSource(this.#source, subject, options.anchor), options.signal);
  }

  /**
   * The subject with the evidence that verifies it offline (`verifyLedgerdbReceipt`).
   *
   * @param subject - a receipt or revision of this ledger
   * @param options - an abort signal
   * @returns the bundle
   * @throws LedgerError `NOT_FOUND` when the subject's block or revision is not in this ledger
   */
  async evidence(subject: Receipt | Revision, options: CallOptions = {}): Promise<VerificationBundle> {
    throwIfAborted(options.signal);
    return raceSignal(ledgerdbBundle(this.#source, subject), options.signal);
  }

  /** The database as an evidence source. */
  get #source(): EvidenceSource {
    const db = this.native;
    // Proofs read only a digest's size; its root is not needed to build them.
    const at = (treeSize: number): Digest => ({ ledger: db.name, treeSize, rootHash: '', tip: null });
    return {
      digest: () => db.digest(),
      rootHashAt: (treeSize) => db.rootHashAt(treeSize),
      blockProof: (seq, treeSize) => db.blockProof(seq, at(treeSize)),
      revisionProof: (table, id, version, treeSize) => db.proof(table, id, version, at(treeSize)),
      consistencyProof: (from, to) => db.consistencyProof(at(from), at(to)),
    };
  }

  async close(): Promise<void> {
    await this.native.close();
  }

  #receipt(commit: CommitSummary): Receipt {
    return commitReceipt(this.native.name, commit);
  }
}

/** Runs the rule of the statement's table, turning a refusal into `CONTRACT_REVERTED`. */
export async function enforce(
  rules: Readonly<Record<string, TableRule>>,
  tx: Transaction,
  statement: Statement,
): Promise<void> {
  const rule =
    typeof statement?.table === 'string' && Object.hasOwn(rules, statement.table) ? rules[statement.table] : undefined;
  if (!rule) return;
  const change: RuleChange = { op: statement.op, table: statement.table };
  if (statement.op !== 'insert' || statement.id !== undefined) change.id = statement.id as string;
  if (statement.op !== 'delete') change.data = statement.data;
  try {
    await rule(change, { tx });
  } catch (error) {
    if (isLedgerError(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new LedgerError('CONTRACT_REVERTED', `the rule of table ${statement.table} refused the ${statement.op}`, {
      details: {
        reason,
        table: statement.table,
        op: statement.op,
        ...(change.id === undefined ? {} : { id: change.id }),
      },
      cause: error,
    });
  }
}

async function apply(tx: Transaction, statement: Statement): Promise<void> {
  switch (statement?.op) {
    case 'insert':
      await tx.insert(statement.table, statement.data, statement.id === undefined ? {} : { id: statement.id });
      return;
    case 'update':
      await tx.update(statement.table, statement.id, statement.data);
      return;
    case 'delete':
      await tx.delete(statement.table, statement.id);
      return;
    default:
      throw new InvalidArgumentError(
        'statement.op',
        `unknown statement ${JSON.stringify((statement as { op?: unknown })?.op)}`,
      );
  }
}
