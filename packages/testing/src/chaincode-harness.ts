import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '@ledgerkit/core';
import type { Context, Contract } from 'fabric-contract-api';
import type { ChaincodeResponse } from 'fabric-shim-api';
import { HarnessClientIdentity } from './client-identity.js';
import { ChaincodeHarnessError } from './harness-error.js';
import { type Marshall, marshallFor, type TransactionMetadata } from './internal/contract-library.js';
import { type CollectionRules, HarnessStub, type StubHost } from './internal/harness-stub.js';
import type { TransactionRecord } from './internal/transaction.js';
import { sameVersion, type Version, WorldState } from './internal/world-state.js';
import { createTestIdentity, type TestIdentity, type TestIdentityOptions } from './test-identity.js';

/** A fabric-contract-api contract class, as a chaincode's `contracts` export lists them. */
export type ContractClass = new () => Contract;

/**
 * A private data collection with the access rules of its definition. The peer checks them
 * against the transaction's creator: `memberOnlyRead` guards `getPrivateData` and private
 * range queries (not `getPrivateDataHash`), `memberOnlyWrite` guards put, delete and purge.
 */
export interface PrivateCollection {
  name: string;
  /** MSP ids of the member organizations (the collection policy); by default every caller is a member. */
  members?: readonly string[];
  /** Only members may read it through chaincode (default false). */
  memberOnlyRead?: boolean;
  /** Only members may write it through chaincode (default false). */
  memberOnlyWrite?: boolean;
}

/** Options of a chaincode deployment. */
export interface DeployOptions {
  /**
   * Private data collections the chaincode may use, by name or with access rules; any other
   * collection name fails like on a peer.
   */
  collections?: readonly (string | PrivateCollection)[];
}

/** Options of a harness. */
export interface ChaincodeHarnessOptions {
  /** Channel id `getChannelID()` returns; defaults to `mychannel`. */
  channel?: string;
  /** Timestamp of the first transaction; defaults to 2025-01-01T00:00:00Z. */
  startTime?: Date | string | number;
  /** How far the clock moves after each proposal, in milliseconds; defaults to 1000. 0 freezes it. */
  tickMs?: number;
  /**
   * What `ctx.stub.getMspID()` returns: the MSP id of the peer running the chaincode, which
   * fabric-shim reads from the chaincode process's `CORE_PEER_LOCALMSPID`. Defaults to that
   * environment variable; when neither is set, `getMspID()` throws as it does on a
   * chaincode server started without it.
   */
  peerMspId?: string;
}

/** One transaction proposal. */
export interface TransactionCall {
  /** The caller. */
  as: TestIdentity;
  /** Chaincode name; may be omitted when one chaincode is deployed. */
  chaincode?: string;
  /** `Function` (default contract) or `contractName:Function`. */
  transaction: string;
  args?: readonly string[];
  /** Transient data (`ctx.stub.getTransient()`); never stored on the ledger. */
  transient?: Readonly<Record<string, string | Uint8Array>>;
}

/** A chaincode event as a client would receive it. */
export interface HarnessChaincodeEvent {
  chaincode: string;
  name: string;
  payload: Uint8Array;
  txId: string;
  blockNumber: number;
}

/** Fabric's transaction validation codes that the harness produces. */
export type ValidationCode = 'VALID' | 'MVCC_READ_CONFLICT' | 'PHANTOM_READ_CONFLICT' | 'DUPLICATE_TXID';

/** A simulated (endorsed) transaction: its result and read/write set, not yet committed. */
export interface Endorsement {
  readonly txId: string;
  readonly chaincode: string;
  readonly transaction: string;
  readonly timestamp: Date;
  /** The bytes the transaction function returned, serialized as fabric-contract-api does. */
  readonly payload: Uint8Array;
  /** The payload as UTF-8 text. */
  readonly text: string;
  /** The event the transaction set (the last `setEvent` wins), if any. */
  readonly event: { name: string; payload: Uint8Array } | undefined;
  /** Parses the payload as JSON. @throws {SyntaxError} when it is not JSON. */
  json<T = unknown>(): T;
}

/** The outcome of committing an endorsement. */
export interface CommitResult {
  txId: string;
  blockNumber: number;
  validationCode: ValidationCode;
}

/** A committed transaction: its endorsement plus where it landed. */
export interface SubmitResult extends Endorsement {
  readonly blockNumber: number;
  readonly validationCode: 'VALID';
}

interface Deployment {
  /** Each contract instance with its transactions, read once at deploy. */
  contracts: Map<string, { contract: Contract; transactions: Map<string, TransactionMetadata>; marshall: Marshall }>;
  defaultContract: string;
  collections: ReadonlyMap<string, CollectionRules>;
}

interface EndorsementInternals {
  record: TransactionRecord;
  event: { name: string; payload: Uint8Array } | undefined;
}

const internals = new WeakMap<Endorsement, EndorsementInternals>();

// Contract base-class members are never transactions, as in fabric-shim.
const notTransactions = new Set([
  'constructor',
  'beforeTransaction',
  'afterTransaction',
  'aroundTransaction',
  'unknownTransaction',
  'createContext',
  'getName',
]);

// The transactions fabric-shim would list, with the metadata it converts arguments by: the
// decorated ones (their parameter types recorded by TypeScript), or else every own method of
// the contract's class, where one declaring parameters after `ctx` takes exactly that many
// strings.
function transactionsOf(contract: Contract): Map<string, TransactionMetadata> {
  const reflect = Reflect as unknown as { getMetadata?: (key: string, target: object) => unknown };
  const declared = reflect.getMetadata?.('fabric:transactions', contract) as TransactionMetadata[] | undefined;
  const transactions = new Map<string, TransactionMetadata>();
  if (declared && declared.length > 0) {
    for (const transaction of declared) transactions.set(transaction.name, transaction);
    return transactions;
  }
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(contract))) {
    const value = (contract as unknown as Record<string, unknown>)[name];
    if (typeof value === 'function' && !name.startsWith('_') && !notTransactions.has(name)) {
      const parameters = Array.from({ length: Math.max(value.length - 1, 0) }, (_, index) => ({
        name: `arg${index}`,
        schema: { type: 'string' },
      }));
      transactions.set(name, parameters.length > 0 ? { name, parameters } : { name });
    }
  }
  return transactions;
}

// The `@Object()` schemas every chaincode process sees (fabric-contract-api keeps them on the global object).
function objectSchemas(): Record<string, unknown> {
  const reflect = Reflect as unknown as { getMetadata?: (key: string, target: object) => unknown };
  return (reflect.getMetadata?.('fabric:objects', globalThis) as Record<string, unknown> | undefined) ?? {};
}

// fabric-shim's split of `contract:function`: the contract is everything before the first
// colon; no colon, or nothing before it, means the default contract.
function splitTransactionName(qualified: string): { contract: string | undefined; name: string } {
  const colon = qualified.indexOf(':');
  if (colon === -1) return { contract: undefined, name: qualified };
  const contract = qualified.slice(0, colon);
  return { contract: contract.trim() === '' ? undefined : contract, name: qualified.slice(colon + 1) };
}

// A chaincode receives its arguments as bytes: a client sends strings as UTF-8, so a lone
// surrogate arrives as U+FFFD.
const overTheWire = (text: string): string => Buffer.from(text, 'utf8').toString('utf8');

/**
 * Runs fabric-contract-api chaincode in memory with Fabric's endorse-then-commit semantics:
 * each proposal is simulated against the committed world state (reads never see the
 * transaction's own writes), and commit validates the read set (MVCC) and range reads
 * (phantoms) before applying writes, history and the event.
 * @example
 * const harness = new ChaincodeHarness();
 * harness.deploy('assets', [AssetContract]);
 * const alice = harness.identity({ mspId: 'Org1MSP', name: 'alice', attributes: { role: 'admin' } });
 * await harness.submit({ as: alice, transaction: 'CreateAsset', args: ['a1', 'blue'] });
 * const asset = (await harness.evaluate({ as: alice, transaction: 'ReadAsset', args: ['a1'] })).json();
 */
export class ChaincodeHarness {
  readonly #state = new WorldState();
  readonly #deployments = new Map<string, Deployment>();
  readonly #committedTxIds = new Set<string>();
  readonly #events: HarnessChaincodeEvent[] = [];
  readonly #channel: string;
  readonly #tickMs: number;
  readonly #peerMspId: string | undefined;
  #now: number;
  #proposals = 0;
  #blockHeight = 0;

  /**
   * @param options channel id, first timestamp and clock tick.
   * @throws {LedgerError} `INVALID_ARGUMENT` for an invalid start time or tick.
   */
  constructor(options: Readonly<ChaincodeHarnessOptions> = {}) {
    this.#channel = options.channel ?? 'mychannel';
    this.#now = new Date(options.startTime ?? '2025-01-01T00:00:00Z').getTime();
    this.#tickMs = options.tickMs ?? 1000;
    this.#peerMspId = options.peerMspId;
    if (Number.isNaN(this.#now)) throw new InvalidArgumentError('startTime', 'startTime is not a valid date');
    if (!Number.isFinite(this.#tickMs) || this.#tickMs < 0) {
      throw new InvalidArgumentError('tickMs', 'tickMs must be a non-negative number', { tickMs: this.#tickMs });
    }
  }

  /** The time the next proposal gets as its transaction timestamp. */
  get now(): Date {
    return new Date(this.#now);
  }

  /** Number of blocks committed so far (block numbers start at 1). */
  get blockHeight(): number {
    return this.#blockHeight;
  }

  /** Chaincode events of committed valid transactions, oldest first. */
  get events(): readonly HarnessChaincodeEvent[] {
    return this.#events;
  }

  /**
   * Sets the clock: the next proposal's timestamp.
   * @param time a Date, ISO string or epoch milliseconds.
   * @throws {LedgerError} `INVALID_ARGUMENT` when it is not a valid date.
   */
  setTime(time: Date | string | number): void {
    const milliseconds = new Date(time).getTime();
    if (Number.isNaN(milliseconds)) throw new InvalidArgumentError('time', 'time is not a valid date');
    this.#now = milliseconds;
  }

  /**
   * Moves the clock forward.
   * @param milliseconds how far; must be non-negative.
   * @throws {LedgerError} `INVALID_ARGUMENT` for a negative or non-finite amount.
   */
  advanceTime(milliseconds: number): void {
    if (!Number.isFinite(milliseconds) || milliseconds < 0) {
      throw new InvalidArgumentError('milliseconds', 'time only moves forward', { milliseconds });
    }
    this.#now += milliseconds;
  }

  /**
   * Creates a caller with a real X.509 certificate; see {@link createTestIdentity}.
   * @param options MSP id, name and certificate attributes.
   * @returns the identity.
   */
  identity(options: TestIdentityOptions): TestIdentity {
    return createTestIdentity(options);
  }

  /**
   * Deploys chaincode: its contract classes, the first being the default contract.
   * @param name the chaincode name other chaincode and calls use.
   * @param contracts the contract classes (a chaincode's `contracts` export).
   * @param options private data collections.
   * @throws {LedgerError} `ALREADY_EXISTS` for a name in use; `INVALID_ARGUMENT` for no contracts, duplicate
   *   contract names, or an unnamed or duplicate collection.
   */
  deploy(name: string, contracts: readonly ContractClass[], options: Readonly<DeployOptions> = {}): void {
    if (this.#deployments.has(name)) {
      throw new ChaincodeHarnessError('ALREADY_EXISTS', `chaincode ${name} is already deployed`, { chaincode: name });
    }
    if (contracts.length === 0) throw new InvalidArgumentError('contracts', 'a chaincode needs at least one contract');
    const instances: Deployment['contracts'] = new Map();
    for (const ContractType of contracts) {
      const contract = new ContractType();
      if (instances.has(contract.getName())) {
        throw new InvalidArgumentError('contracts', 'contract names must be unique', { contract: contract.getName() });
      }
      instances.set(contract.getName(), {
        contract,
        transactions: transactionsOf(contract),
        marshall: marshallFor(ContractType, objectSchemas()),
      });
    }
    const [defaultContract = ''] = instances.keys();
    const collections = new Map<string, CollectionRules>();
    for (const entry of options.collections ?? []) {
      const collection = typeof entry === 'string' ? { name: entry } : entry;
      if (typeof collection.name !== 'string' || collection.name === '' || collections.has(collection.name)) {
        throw new InvalidArgumentError('collections', 'collection names must be non-empty and unique', {
          collection: collection.name,
        });
      }
      collections.set(collection.name, {
        members: collection.members ? new Set(collection.members) : undefined,
        memberOnlyRead: collection.memberOnlyRead ?? false,
        memberOnlyWrite: collection.memberOnlyWrite ?? false,
      });
    }
    this.#deployments.set(name, { contracts: instances, defaultContract, collections });
  }

  /**
   * Simulates a transaction without committing it (Fabric's endorsement).
   * @param call the caller, chaincode, transaction and arguments.
   * @returns the endorsement, to pass to {@link commit} or {@link commitBlock}.
   * @throws {ChaincodeHarnessError} `CONTRACT_REVERTED` when the chaincode throws; `NOT_FOUND` for an unknown chaincode.
   */
  async endorse(call: Readonly<TransactionCall>): Promise<Endorsement> {
    const chaincode = this.#chaincodeName(call.chaincode);
    const sequence = ++this.#proposals;
    const txId = createHash('sha256')
      .update(`${this.#channel}:${sequence}:${call.as.mspId}:${call.as.name}`)
      .digest('hex');
    const transient = new Map<string, Uint8Array>();
    for (const [key, value] of Object.entries(call.transient ?? {})) {
      transient.set(key, typeof value === 'string' ? Buffer.from(value) : Buffer.from(value));
    }
    const record: TransactionRecord = {
      txId,
      channelId: this.#channel,
      timestamp: new Date(this.#now),
      creator: call.as,
      transient,
      reads: new Map(),
      rangeReads: [],
      writes: new Map(),
      privateReads: new Map(),
      privateWrites: new Map(),
      purges: new Map(),
      writePerformed: false,
      paginatedQueryPerformed: false,
      privateQueryPerformed: false,
    };
    this.#now += this.#tickMs;
    const args = [call.transaction, ...(call.args ?? [])].map(overTheWire);
    const { response, event } = await this.#run(record, chaincode, args);
    if (response.status >= 400) {
      throw new ChaincodeHarnessError(
        'CONTRACT_REVERTED',
        `chaincode ${chaincode} rejected ${call.transaction}: ${response.message}`,
        { chaincode, transaction: call.transaction, txId, message: response.message ?? '' },
      );
    }
    const payload = Buffer.from(response.payload ?? []);
    const endorsement: Endorsement = Object.freeze({
      txId,
      chaincode,
      transaction: call.transaction,
      timestamp: new Date(record.timestamp),
      payload,
      text: payload.toString('utf8'),
      event,
      json: <T>() => JSON.parse(payload.toString('utf8')) as T,
    });
    internals.set(endorsement, { record, event });
    return endorsement;
  }

  /**
   * Orders and validates one endorsement in a block of its own.
   * @param endorsement from {@link endorse}.
   * @returns the block number and `VALID`.
   * @throws {ChaincodeHarnessError} `MVCC_READ_CONFLICT` when a key it read changed since endorsement;
   *   `COMMIT_FAILED` (`details.validationCode` `PHANTOM_READ_CONFLICT` or `DUPLICATE_TXID`).
   */
  async commit(endorsement: Endorsement): Promise<CommitResult> {
    const [result] = await this.commitBlock([endorsement]);
    if (!result) throw new ChaincodeHarnessError('INTERNAL', 'block produced no result', {});
    if (result.validationCode !== 'VALID') {
      const code = result.validationCode === 'MVCC_READ_CONFLICT' ? 'MVCC_READ_CONFLICT' : 'COMMIT_FAILED';
      throw new ChaincodeHarnessError(code, `transaction ${result.txId} is invalid: ${result.validationCode}`, {
        ...result,
        chaincode: endorsement.chaincode,
        transaction: endorsement.transaction,
      });
    }
    return result;
  }

  /**
   * Orders several endorsements into one block and validates them in order, as a peer does:
   * a transaction is checked against the state left by the valid ones before it.
   * @param endorsements from {@link endorse}, in block order.
   * @returns one result per transaction; invalid ones leave no trace but their validation code.
   * @throws {LedgerError} `INVALID_ARGUMENT` for an object that did not come from this harness's `endorse`.
   */
  async commitBlock(endorsements: readonly Endorsement[]): Promise<CommitResult[]> {
    const blockNumber = ++this.#blockHeight;
    return endorsements.map((endorsement, index) => {
      const found = internals.get(endorsement);
      if (!found) throw new InvalidArgumentError('endorsement', 'not an endorsement from ChaincodeHarness.endorse');
      const validationCode = this.#validate(found.record);
      if (validationCode === 'VALID') this.#apply(found, { block: blockNumber, tx: index }, endorsement.chaincode);
      this.#committedTxIds.add(found.record.txId);
      return { txId: found.record.txId, blockNumber, validationCode };
    });
  }

  /**
   * Endorses and commits a transaction (a client's `submitTransaction`).
   * @param call the caller, chaincode, transaction and arguments.
   * @returns the result and the block it landed in.
   * @throws {ChaincodeHarnessError} see {@link endorse} and {@link commit}.
   */
  async submit(call: Readonly<TransactionCall>): Promise<SubmitResult> {
    const endorsement = await this.endorse(call);
    const { blockNumber } = await this.commit(endorsement);
    return Object.freeze({ ...endorsement, blockNumber, validationCode: 'VALID' as const });
  }

  /**
   * Runs a query (a client's `evaluateTransaction`): endorsed, never committed.
   * @param call the caller, chaincode, transaction and arguments.
   * @returns the result.
   * @throws {ChaincodeHarnessError} see {@link endorse}.
   */
  async evaluate(call: Readonly<TransactionCall>): Promise<Endorsement> {
    return this.endorse(call);
  }

  /**
   * Reads committed public state directly, bypassing chaincode.
   * @returns the value, or `undefined` when the key does not exist.
   */
  getState(chaincode: string, key: string): Uint8Array | undefined {
    const value = this.#state.space(chaincode).get(key)?.value;
    return value ? Buffer.from(value) : undefined;
  }

  /**
   * Reads committed private data directly, bypassing chaincode.
   * @returns the value, or `undefined` when the key does not exist or was purged.
   */
  getPrivateData(chaincode: string, collection: string, key: string): Uint8Array | undefined {
    const value = this.#state.space(chaincode, collection).get(key)?.value;
    return value ? Buffer.from(value) : undefined;
  }

  #chaincodeName(name: string | undefined): string {
    if (name !== undefined) {
      if (!this.#deployments.has(name)) {
        throw new ChaincodeHarnessError('NOT_FOUND', `chaincode ${name} is not deployed`, { chaincode: name });
      }
      return name;
    }
    const [only, ...others] = this.#deployments.keys();
    if (only === undefined || others.length > 0) {
      throw new InvalidArgumentError('chaincode', 'name the chaincode: the harness has zero or several deployed');
    }
    return only;
  }

  #host(): StubHost {
    return {
      state: this.#state,
      peerMspId: this.#peerMspId,
      collections: (namespace) => this.#deployments.get(namespace)?.collections,
      invoke: async (record, chaincode, args) => {
        // Chaincode-to-chaincode: same transaction, same read/write set; the callee's event is dropped.
        if (!this.#deployments.has(chaincode)) {
          throw new Error(
            `INVOKE_CHAINCODE failed: transaction ID: ${record.txId}: execute failed: invalid invocation: ` +
              `[channel ${record.channelId}] failed to get chaincode container info for ${chaincode}: chaincode ${chaincode} not found`,
          );
        }
        const { response } = await this.#run(record, chaincode, args);
        // What the calling chaincode decodes from the peer: a protobuf Response, empty fields included.
        return {
          status: response.status,
          message: response.message ?? '',
          payload: response.payload ?? Buffer.alloc(0),
        };
      },
    };
  }

  async #run(
    record: TransactionRecord,
    chaincode: string,
    args: string[],
  ): Promise<{ response: ChaincodeResponse; event: { name: string; payload: Uint8Array } | undefined }> {
    const deployment = this.#deployments.get(chaincode);
    if (!deployment)
      throw new ChaincodeHarnessError('NOT_FOUND', `chaincode ${chaincode} is not deployed`, { chaincode });
    const stub = new HarnessStub(this.#host(), record, chaincode, args);
    const [qualified = ''] = args;
    const split = splitTransactionName(qualified);
    const contractName = split.contract ?? deployment.defaultContract;
    const functionName = split.name;
    try {
      const deployed = deployment.contracts.get(contractName);
      if (!deployed) throw new Error(`Contract name is not known: ${contractName}`);
      const { contract, transactions, marshall } = deployed;
      const context: Context & {
        setChaincodeStub?(stub: unknown): void;
        setClientIdentity?(identity: unknown): void;
      } = contract.createContext();
      const identity = new HarnessClientIdentity(stub.getCreator());
      if (context.setChaincodeStub && context.setClientIdentity) {
        context.setChaincodeStub(stub);
        context.setClientIdentity(identity);
      } else {
        context.stub = stub;
        context.clientIdentity = identity;
      }
      const transaction = transactions.get(functionName);
      if (!transaction) {
        await contract.unknownTransaction(context);
        return { response: { status: 200, payload: Buffer.alloc(0) }, event: stub.event };
      }
      // Converted (and checked) by the parameter types the metadata records, as the peer's
      // chaincode process does with the chaincode's own fabric-shim and fabric-contract-api.
      const loggerPrefix = `[${record.channelId}-${record.txId.slice(0, 8)}]`;
      const parameters = marshall.handleParameters(
        transaction,
        args.slice(1).map((arg) => Buffer.from(arg, 'utf8')),
        loggerPrefix,
      );
      await contract.beforeTransaction(context);
      const result: unknown = await (
        contract.aroundTransaction as unknown as (ctx: Context, fn: string, parameters: unknown[]) => Promise<unknown>
      ).call(contract, context, functionName, parameters);
      await contract.afterTransaction(context, result);
      // The result as the chaincode's own fabric-contract-api serializes it, so a value that
      // fails or changes shape on a peer does the same here.
      const payload = marshall.toWireBuffer(result, transaction.returns?.schema, loggerPrefix) ?? Buffer.alloc(0);
      return { response: { status: 200, payload }, event: stub.event };
    } catch (error) {
      return {
        response: { status: 500, message: error instanceof Error ? error.message : String(error) },
        event: undefined,
      };
    }
  }

  #validate(record: TransactionRecord): ValidationCode {
    if (this.#committedTxIds.has(record.txId)) return 'DUPLICATE_TXID';
    for (const [namespace, reads] of record.reads) {
      const space = this.#state.space(namespace);
      for (const [key, version] of reads) {
        if (!sameVersion(space.get(key)?.version, version ?? undefined)) return 'MVCC_READ_CONFLICT';
      }
    }
    for (const [id, reads] of record.privateReads) {
      const [namespace = '', collection = ''] = id.split('\u0000');
      const space = this.#state.space(namespace, collection);
      for (const [key, version] of reads) {
        if (!sameVersion(space.get(key)?.version, version ?? undefined)) return 'MVCC_READ_CONFLICT';
      }
    }
    for (const rangeRead of record.rangeReads) {
      const now = this.#state.space(rangeRead.namespace).range(rangeRead.startKey, rangeRead.endKey);
      if (rangeRead.exhausted && now.length !== rangeRead.results.length) return 'PHANTOM_READ_CONFLICT';
      for (const [index, read] of rangeRead.results.entries()) {
        const current = now[index];
        if (!current || current[0] !== read.key || !sameVersion(current[1].version, read.version)) {
          return 'PHANTOM_READ_CONFLICT';
        }
      }
    }
    return 'VALID';
  }

  #apply(found: EndorsementInternals, version: Version, chaincode: string): void {
    const { record, event } = found;
    for (const [namespace, writes] of record.writes) {
      const space = this.#state.space(namespace);
      for (const [key, value] of writes) {
        if (value === null) space.entries.delete(key);
        else space.entries.set(key, { value, version });
        this.#state.appendHistory(namespace, key, {
          txId: record.txId,
          timestamp: record.timestamp,
          isDelete: value === null,
          value: value ?? Buffer.alloc(0),
        });
      }
    }
    for (const [id, writes] of record.privateWrites) {
      const [namespace = '', collection = ''] = id.split('\u0000');
      const space = this.#state.space(namespace, collection);
      for (const [key, value] of writes) {
        if (value === null) space.entries.delete(key);
        else space.entries.set(key, { value, version });
      }
    }
    for (const [id, keys] of record.purges) {
      const [namespace = '', collection = ''] = id.split('\u0000');
      for (const key of keys) this.#state.space(namespace, collection).entries.delete(key);
    }
    if (event) {
      this.#events.push({
        chaincode,
        name: event.name,
        payload: event.payload,
        txId: record.txId,
        blockNumber: version.block,
      });
    }
  }
}
