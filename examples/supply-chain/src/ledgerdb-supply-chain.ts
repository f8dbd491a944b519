// The centralized model: the logistics operator runs ledgerdb, and its service enforces the
// rules. Every step is one ledgerdb transaction whose table rule re-runs the rules against the
// batch as the transaction reads it, so OCC refuses a step whose premise changed concurrently.
import { isDeepStrictEqual } from 'node:util';
import {
  type CallOptions,
  isLedgerError,
  type Ledger,
  type LedgerCall,
  LedgerError,
  type Revision,
  type VerifyOptions,
} from '@ledgerkit/core';
import { asLedger, type LedgerDatabase, type RuleChange, type RuleContext, type TableRule } from '@ledgerkit/ledgerdb';
import type { Batch, NewBatch, NewCheckpoint, PartyId, ProvenanceStep, Role } from './domain.ts';
import type { SupplyChain, VerifiedStep } from './port.ts';
import { applyStep, type BatchDocument, type StepRecord } from './rules.ts';
import { checkBatchId, checkNewBatch, checkNewCheckpoint } from './validate.ts';
import { verifySteps } from './verify-steps.ts';

/** The table that holds one document per batch; its revisions are the provenance. */
export const batchesTable = 'batches';
const table = batchesTable;
/**
 * Steps whose premise changed between the service's read and the commit are prepared again;
 * each round of concurrent steps on one batch commits at least one, so this bounds the wait of
 * the last of that many concurrent steps.
 */
const maxAttempts = 32;

/**
 * The supply-chain rules as ledgerdb table rules: what the embedded service attaches to its
 * ledger (`asLedger(database, { rules })`), and what an operator passes as `rules` to
 * `createServer` of `@ledgerkit/ledgerdb/server` so that the server enforces them for a remote
 * service.
 *
 * @param participants - the operator's directory of identities and roles
 * @returns rules for the `batches` table
 * @throws LedgerError `INVALID_ARGUMENT` for an unknown role
 */
export function supplyChainRules(participants: Readonly<Record<PartyId, Role>>): Record<string, TableRule> {
  const directory = directoryOf(participants);
  const roleOf = (party: PartyId) => directory.get(party);
  return { [table]: (change, context) => enforce(change, context, roleOf) };
}

function directoryOf(participants: Readonly<Record<PartyId, Role>>): Map<PartyId, Role> {
  const directory = new Map<PartyId, Role>();
  for (const [party, role] of Object.entries(participants)) {
    if (!['manufacturer', 'carrier', 'retailer', 'auditor'].includes(role)) {
      throw new LedgerError('INVALID_ARGUMENT', `participant ${party} has an unknown role`, {
        details: { argument: `participants.${party}`, role },
      });
    }
    directory.set(party, role);
  }
  return directory;
}

/** Options of {@link LedgerdbSupplyChainService.open} and {@link LedgerdbSupplyChainService.connect}. */
export interface LedgerdbSupplyChainOptions {
  /**
   * The operator's directory: every identity the service authenticates (a user of the
   * operator's app, a token of `ledgerdb serve`), with its role.
   */
  participants: Readonly<Record<PartyId, Role>>;
}

/**
 * The operator's supply-chain service over a ledgerdb database: the rules run in the service,
 * inside the transaction of each step, as a table rule of the ledger it writes through
 * (`asLedger(database, { rules })`).
 *
 * @example
 * ```ts
 * const service = await LedgerdbSupplyChainService.open(await openLedgerDatabase({ path: 'chain.db' }), {
 *   participants: { acme: 'manufacturer', haulage: 'carrier', shop: 'retailer', audit: 'auditor' },
 * })
 * const acme = service.as('acme') // the authenticated caller
 * await acme.register({ id: 'lot-7', product: 'vaccine', documentHash, maxTemperature: 8 })
 * ```
 */
export class LedgerdbSupplyChainService {
  /** The ledger every step is written through: with the rules attached, or a client of a server that enforces them. */
  readonly ledger: Ledger;
  readonly #participants: ReadonlyMap<PartyId, Role>;

  private constructor(ledger: Ledger, participants: ReadonlyMap<PartyId, Role>) {
    this.ledger = ledger;
    this.#participants = participants;
  }

  /**
   * Creates the `batches` table when missing and attaches the rules.
   *
   * @param database - an open ledgerdb database, owned by the service from now on
   * @param options - the operator's directory of identities and roles
   * @returns the service
   * @throws InvalidArgumentError for an unknown role
   */
  static async open(
    database: LedgerDatabase,
    options: LedgerdbSupplyChainOptions,
  ): Promise<LedgerdbSupplyChainService> {
    const participants = directoryOf(options.participants);
    try {
      await database.createTable(table);
    } catch (error) {
      if (!isLedgerError(error, 'ALREADY_EXISTS')) throw error;
    }
    const ledger = asLedger(database, { rules: supplyChainRules(options.participants) });
    return new LedgerdbSupplyChainService(ledger, participants);
  }

  /**
   * The service over a remote ledger: a `LedgerdbClient` of a `ledgerdb serve` whose `batches`
   * table carries {@link supplyChainRules} with the same directory, so the server re-checks every
   * step inside its transaction. The client's token is the service's; the service authenticates
   * its own callers ({@link LedgerdbSupplyChainService.as}).
   *
   * @param ledger - a `LedgerdbClient` (or any ledgerdb `Ledger` that enforces the rules)
   * @param options - the operator's directory of identities and roles
   * @returns the service
   * @throws LedgerError `INVALID_ARGUMENT` for an unknown role or a ledger of another kind
   */
  static connect(ledger: Ledger, options: LedgerdbSupplyChainOptions): LedgerdbSupplyChainService {
    if (ledger.kind !== 'ledgerdb') {
      throw new LedgerError('INVALID_ARGUMENT', `a ledgerdb ledger is needed, not ${ledger.kind}`, {
        details: { argument: 'ledger', kind: ledger.kind },
      });
    }
    return new LedgerdbSupplyChainService(ledger, directoryOf(options.participants));
  }

  /**
   * The port acting as an identity the service has authenticated.
   *
   * @param identity - a participant of the directory
   * @returns the supply chain as that identity
   * @throws LedgerError `UNAUTHENTICATED` for an identity the directory does not know
   */
  as(identity: PartyId): SupplyChain {
    const role = this.#participants.get(identity);
    if (role === undefined) {
      throw new LedgerError('UNAUTHENTICATED', `the service knows no identity ${identity}`, { details: { identity } });
    }
    return new LedgerdbSupplyChain(this.ledger, identity, role, this.#participants);
  }

  /** Closes the ledger (the database, or the client's connection). */
  async close(): Promise<void> {
    await this.ledger.close();
  }
}

/** The table rule: the stored document must be exactly what the rules make of the step. */
async function enforce(change: RuleChange, { tx }: RuleContext, roleOf: (party: PartyId) => Role | undefined) {
  if (change.op === 'delete' || change.id === undefined || change.data === undefined) {
    throw new LedgerError('PERMISSION_DENIED', 'batches are written step by step and never deleted', {
      details: { op: change.op },
    });
  }
  const current = (await tx.get(table, change.id)) as BatchDocument | undefined;
  const written = change.data as unknown as BatchDocument;
  const expected = applyStep(change.id, current, written.step, roleOf);
  if (!isDeepStrictEqual(expected, written)) {
    // The batch changed after the service prepared the step; the service prepares it again.
    throw new LedgerError('OCC_CONFLICT', 'the batch changed while the step was prepared', {
      details: { batch: change.id },
    });
  }
}

class LedgerdbSupplyChain implements SupplyChain {
  readonly backend = 'ledgerdb' as const;
  readonly trustModel = 'centralized' as const;
  readonly identity: PartyId;
  readonly role: Role;
  readonly #ledger: Ledger;
  readonly #participants: ReadonlyMap<PartyId, Role>;

  constructor(ledger: Ledger, identity: PartyId, role: Role, participants: ReadonlyMap<PartyId, Role>) {
    this.#ledger = ledger;
    this.identity = identity;
    this.role = role;
    this.#participants = participants;
  }

  async register(batch: NewBatch, options: CallOptions = {}): Promise<ProvenanceStep> {
    checkNewBatch(batch);
    const { product, documentHash, maxTemperature } = batch;
    return this.#step(
      batch.id,
      () => ({ kind: 'registered', by: this.identity, product, documentHash, maxTemperature }),
      options,
    );
  }

  async offerCustody(id: string, to: PartyId, options: CallOptions = {}): Promise<ProvenanceStep> {
    checkBatchId(id);
    return this.#step(id, () => ({ kind: 'custody-offered', by: this.identity, to }), options);
  }

  async acceptCustody(id: string, options: CallOptions = {}): Promise<ProvenanceStep> {
    checkBatchId(id);
    return this.#step(
      id,
      (current) => ({ kind: 'custody-accepted', by: this.identity, from: current?.custodian ?? '' }),
      options,
    );
  }

  async recordCheckpoint(id: string, checkpoint: NewCheckpoint, options: CallOptions = {}): Promise<ProvenanceStep> {
    checkBatchId(id);
    checkNewCheckpoint(checkpoint);
    const { location, temperature, documentHash } = checkpoint;
    return this.#step(
      id,
      (current) => ({
        kind: 'checkpoint',
        by: this.identity,
        sequence: (current?.checkpoints ?? 0) + 1,
        location,
        temperature,
        documentHash,
        excursion: current !== undefined && temperature > current.maxTemperature,
      }),
      options,
    );
  }

  async receive(id: string, options: CallOptions = {}): Promise<ProvenanceStep> {
    checkBatchId(id);
    return this.#step(id, () => ({ kind: 'received', by: this.identity }), options);
  }

  async batch(id: string, options: CallOptions = {}): Promise<Batch> {
    checkBatchId(id);
    const document = await this.#read(id, options);
    if (!document) throw new LedgerError('NOT_FOUND', `no batch ${id}`, { details: { id } });
    const { step: _step, ...batch } = document;
    return batch;
  }

  async history(id: string, options: CallOptions = {}): Promise<ProvenanceStep[]> {
    checkBatchId(id);
    const revisions = await this.#ledger.history(`${table}/${id}`, options);
    if (revisions.length === 0) throw new LedgerError('NOT_FOUND', `no batch ${id}`, { details: { id } });
    return revisions.map(stepOf);
  }

  async verify(subject: string | readonly ProvenanceStep[], options: VerifyOptions = {}): Promise<VerifiedStep[]> {
    const steps = typeof subject === 'string' ? await this.history(subject, options) : subject;
    return verifySteps(this.#ledger, steps, options);
  }

  async close(): Promise<void> {
    // The service owns the database; an identity holds nothing to release.
  }

  async #read(id: string, options: CallOptions): Promise<BatchDocument | undefined> {
    try {
      return (await this.#ledger.evaluate({ method: 'get', args: [table, id] }, options)) as BatchDocument;
    } catch (error) {
      if (isLedgerError(error, 'NOT_FOUND')) return undefined;
      throw error;
    }
  }

  /** Prepares the step against the batch as read, refuses it early, and commits it under the table rule. */
  async #step(
    id: string,
    prepare: (current: BatchDocument | undefined) => StepRecord,
    options: CallOptions,
  ): Promise<ProvenanceStep> {
    const roleOf = (party: PartyId) => this.#participants.get(party);
    for (let attempt = 1; ; attempt++) {
      const current = await this.#read(id, options);
      const step = prepare(current);
      const next = applyStep(id, current, step, roleOf);
      const call: LedgerCall = current
        ? { method: 'update', args: [table, id, next] }
        : { method: 'insert', args: [table, next, { id }] };
      try {
        const receipt = await this.#ledger.submit(call, options);
        return { ...step, at: receipt.timestamp, receipt } as ProvenanceStep;
      } catch (error) {
        // A concurrent insert of the same id surfaces as ALREADY_EXISTS or a conflict: prepare again.
        const raced = isLedgerError(error, 'OCC_CONFLICT') || (!current && isLedgerError(error, 'ALREADY_EXISTS'));
        if (!raced || attempt >= maxAttempts) throw error;
      }
    }
  }
}

function stepOf(revision: Revision): ProvenanceStep {
  const { step } = revision.value as unknown as BatchDocument;
  return { ...step, at: revision.receipt.timestamp, receipt: revision.receipt } as ProvenanceStep;
}
