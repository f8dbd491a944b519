import {
  type CallOptions,
  type EventsOptions,
  type HistoryOptions,
  abortError,
  InvalidArgumentError,
  isLedgerError,
  type JsonObject,
  type Ledger,
  type LedgerCall,
  LedgerError,
  type LedgerEvent,
  type Receipt,
  type Revision as UnifiedRevision,
  throwIfAborted,
  type Verification,
  type VerificationCheck,
  verification,
  verifyInclusion,
} from '@ledgerkit/core';
import { canonicalize } from './internal/canonical-json.js';
import {
  callStatements,
  evaluateCall,
  splitKey,
  unifiedRevision,
  type WriteStatement,
} from './internal/ledger-calls.js';
import type { LedgerDatabase } from './ledger-database.js';
import type { Transaction } from './transaction.js';
import type { CommitSummary } from './types.js';
import { leafHashOf, verifyDigestSignature, verifyRevisionProof } from './verifier.js';

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

/** Options of {@link LedgerdbLedger}. */
export interface LedgerdbLedgerOptions {
  /**
   * Rules per table name, enforced on every `submit` through this ledger: the centralized model's
   * "the service enforces the rules", as a contract or chaincode does on the other backends.
   */
  rules?: Readonly<Record<string, TableRule>>;
}

/**
 * The unified `Ledger` over a {@link LedgerDatabase}.
 *
 * Calls: `submit` takes `insert [table, data, { id }?]`, `update [table, id, data]`,
 * `delete [table, id]` or `execute [statements]` (atomic); `evaluate` takes
 * `get [table, id]`, `find [table, where]`, `revision [table, id, version?]`, `digest []`.
 * Keys of `history` are `table/id`.
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
    const { commit } = await untilAborted(
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
    return untilAborted(
      evaluateCall(call, {
        get: (table, id) => ledger.get(table, id),
        find: (table, where) => ledger.find(table, where),
        revision: (table, id, version) => ledger.revision(table, id, version),
        digest: () => ledger.digest(),
      }),
      options.signal,
    );
  }

  async history(key: string, options: HistoryOptions = {}): Promise<UnifiedRevision[]> {
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

  async verify(subject: Receipt | UnifiedRevision): Promise<Verification> {
    const publicKey = this.native.publicKey;
    const digest = await this.native.digest();
    const checks: VerificationCheck[] = [];
    if ('key' in subject) {
      const { table, id } = splitKey(subject.key);
      const proof = await this.native.proof(table, id, subject.version, digest);
      const result = verifyRevisionProof(proof, digest, publicKey ? { publicKey } : {});
      checks.push(...result.checks);
      const sameData = canonicalize(proof.revision.data ?? null) === canonicalize(subject.value);
      checks.push({
        name: 'revision-data',
        ok: sameData && proof.revision.metadata.txId === subject.receipt.txId,
        detail: sameData ? 'the revision matches the journal' : 'the revision differs from the journal',
      });
      return verification(checks);
    }
    const blockLeafIndex = subject.proof?.blockLeafIndex;
    const blockHash = subject.proof?.blockHash;
    try {
      const proof = await this.native.blockProof(subject.position.block, digest);
      checks.push({
        name: 'block-hash',
        ok: leafHashOf(proof.block) === blockHash && proof.leafIndex === blockLeafIndex,
        detail: `block ${subject.position.block} hashes to ${proof.leafHash}; the receipt says ${String(blockHash)}`,
      });
      checks.push({
        name: 'transaction-id',
        ok: proof.block.txId === subject.txId,
        detail: `block ${subject.position.block} holds transaction ${proof.block.txId}`,
      });
      try {
        verifyInclusion({ ...proof, rootHash: digest.rootHash, treeSize: digest.treeSize });
        checks.push({
          name: 'inclusion-proof',
          ok: true,
          detail: `block leaf ${proof.leafIndex} folds to ${digest.rootHash}`,
        });
      } catch (error) {
        checks.push({
          name: 'inclusion-proof',
          ok: false,
          detail: isLedgerError(error) ? error.shortMessage : String(error),
        });
      }
    } catch (error) {
      checks.push({ name: 'block-hash', ok: false, detail: isLedgerError(error) ? error.shortMessage : String(error) });
    }
    if (publicKey) {
      const ok = verifyDigestSignature(digest, publicKey);
      checks.push({ name: 'digest-signature', ok, detail: ok ? 'signed by the ledger owner' : 'signature invalid' });
    }
    return verification(checks);
  }

  async close(): Promise<void> {
    await this.native.close();
  }

  #receipt(commit: CommitSummary): Receipt {
    return {
      backend: 'ledgerdb',
      ledger: this.native.name,
      txId: commit.txId,
      position: { block: commit.seq, index: 0 },
      timestamp: commit.txTime,
      proof: {
        blockHash: commit.blockHash,
        blockLeafIndex: commit.blockLeafIndex,
        revisions: commit.revisions.map((revision) => ({ ...revision })),
      },
    };
  }
}

/** Settles as `work` does, or rejects with the signal's typed error as soon as it aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Runs the rule of the statement's table, turning a refusal into `CONTRACT_REVERTED`. */
async function enforce(
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
