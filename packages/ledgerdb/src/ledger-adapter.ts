import {
  type CallOptions,
  type EventsOptions,
  type HistoryOptions,
  InvalidArgumentError,
  isLedgerError,
  type Ledger,
  type LedgerCall,
  type LedgerEvent,
  type Receipt,
  type Revision as UnifiedRevision,
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

  constructor(database: LedgerDatabase) {
    this.native = database;
  }

  get id(): string {
    return this.native.name;
  }

  async submit(call: LedgerCall, _options?: CallOptions): Promise<Receipt> {
    const statements = callStatements<Statement>(call) as Statement[];
    const { commit } = await this.native.transaction(async (tx) => {
      for (const statement of statements) await apply(tx, statement);
    });
    if (!commit) throw new InvalidArgumentError('call', 'the call wrote nothing');
    return this.#receipt(commit);
  }

  async evaluate(call: LedgerCall, _options?: CallOptions): Promise<unknown> {
    const ledger = this.native;
    return evaluateCall(call, {
      get: (table, id) => ledger.get(table, id),
      find: (table, where) => ledger.find(table, where),
      revision: (table, id, version) => ledger.revision(table, id, version),
      digest: () => ledger.digest(),
    });
  }

  async history(key: string, options: HistoryOptions = {}): Promise<UnifiedRevision[]> {
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
