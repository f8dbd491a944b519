import { createHash } from 'node:crypto';
import type {
  ChaincodeResponse,
  ChaincodeStub,
  Iterators,
  SerializedIdentity,
  StateQueryResponse,
} from 'fabric-shim-api';
import Long from 'long';
import { compositeKeyNamespace, emptyKeySubstitute, maxUnicodeRune } from './keys.js';
import { innerMap, type RangeRead, type TransactionRecord } from './transaction.js';
import type { WorldState } from './world-state.js';

/** The access rules of a declared private data collection. */
export interface CollectionRules {
  /** Member MSP ids; `undefined`: everyone is a member. */
  members: ReadonlySet<string> | undefined;
  memberOnlyRead: boolean;
  memberOnlyWrite: boolean;
}

/** What a stub needs from the harness that created it. */
export interface StubHost {
  state: WorldState;
  /** The `getMspID()` answer, if the harness was given one. */
  peerMspId: string | undefined;
  collections(namespace: string): ReadonlyMap<string, CollectionRules> | undefined;
  invoke(record: TransactionRecord, chaincode: string, args: string[]): Promise<ChaincodeResponse>;
}

type Iterable<T> = Promise<Iterators.CommonIterator<T>> & AsyncIterable<T>;
type PagedIterable<T> = Promise<StateQueryResponse<Iterators.CommonIterator<T>>> & AsyncIterable<T>;

class ListIterator<T> implements Iterators.CommonIterator<T> {
  readonly #items: T[];
  readonly #onNext: ((index: number) => void) | undefined;
  #position = 0;

  /** `onNext` is told the index of each item before the chaincode receives it. */
  constructor(items: T[], onNext?: (index: number) => void) {
    this.#items = items;
    this.#onNext = onNext;
  }

  async next(): Promise<Iterators.NextResult<T>> {
    const item = this.#items[this.#position];
    if (this.#position >= this.#items.length || item === undefined) {
      return { done: true } as Iterators.NextResult<T>;
    }
    this.#onNext?.(this.#position);
    this.#position++;
    return { value: item, done: false };
  }

  async close(): Promise<void> {}
}

// fabric-shim returns a promise that is also async-iterable; chaincode uses both forms.
function iterable<T, R extends Iterators.CommonIterator<T> | StateQueryResponse<Iterators.CommonIterator<T>>>(
  promise: Promise<R>,
): Promise<R> & AsyncIterable<T> {
  const result = promise as Promise<R> & AsyncIterable<T>;
  result[Symbol.asyncIterator] = () => {
    let iterator: Iterators.CommonIterator<T> | undefined;
    return {
      next: async () => {
        if (!iterator) {
          const resolved = await promise;
          iterator = 'iterator' in resolved ? resolved.iterator : resolved;
        }
        const next = await iterator.next();
        if (next.done) await iterator.close();
        return next as IteratorResult<T>;
      },
      return: async () => {
        await iterator?.close();
        return { done: true, value: undefined };
      },
    };
  };
  return result;
}

function validateSimpleKeys(...keys: string[]): void {
  for (const key of keys) {
    if (key && typeof key === 'string' && key.charAt(0) === compositeKeyNamespace) {
      throw new Error(`first character of the key [${key}] contains a null character which is not allowed`);
    }
  }
}

function validateCompositeKeyAttribute(attribute: unknown): void {
  if (!attribute || typeof attribute !== 'string' || attribute.length === 0) {
    throw new Error('object type or attribute not a non-zero length string');
  }
}

/** Results per response of a non-paginated range query (Fabric's QueryResponseGenerator.MaxResultLimit). */
const peerQueryBatch = 100;

/** The peer's chaincode message types, which prefix the errors the peer sends back to the shim. */
type PeerOperation =
  | 'GET_STATE'
  | 'PUT_STATE'
  | 'DEL_STATE'
  | 'GET_STATE_BY_RANGE'
  | 'GET_PRIVATE_DATA_HASH'
  | 'PURGE_PRIVATE_DATA';

// fabric-shim hands back a plain rejected promise for arguments it refuses; marking it
// handled keeps a chaincode that never awaits it from failing the test run with an
// unhandled rejection (fabric-shim logs those instead).
function refuse<T>(error: unknown): T {
  const rejected = Promise.reject(error);
  rejected.catch(() => {});
  return rejected as T;
}

function validateCollection(collection: unknown, key: unknown): void {
  if (!collection || typeof collection !== 'string') throw new Error('collection must be a valid string');
  if (!key || typeof key !== 'string') throw new Error('key must be a valid string');
}

// What fabric-shim's writes resolve to: the payload of the peer's response, which is empty.
// Typed `void` as in fabric-shim-api, but chaincode returning `ctx.stub.putState(…)` returns it.
const writeResponse = (): undefined => Buffer.alloc(0) as unknown as undefined;

const toBuffer = (value: Uint8Array | string): Buffer =>
  typeof value === 'string' ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);

/**
 * The `ctx.stub` chaincode sees in the harness: a transaction simulator over the committed
 * world state. Reads see committed state only (never this transaction's own writes) and are
 * recorded with their versions for MVCC validation at commit; writes go to the write set.
 */
export class HarnessStub implements ChaincodeStub {
  readonly #host: StubHost;
  readonly #record: TransactionRecord;
  readonly #namespace: string;
  readonly #args: string[];
  event: { name: string; payload: Buffer } | undefined;

  constructor(host: StubHost, record: TransactionRecord, namespace: string, args: string[]) {
    this.#host = host;
    this.#record = record;
    this.#namespace = namespace;
    this.#args = args;
  }

  getArgs(): string[] {
    return [...this.#args];
  }

  getStringArgs(): string[] {
    return [...this.#args];
  }

  getBufferArgs(): Buffer[] {
    return this.#args.map((arg) => Buffer.from(arg));
  }

  getFunctionAndParameters(): { params: string[]; fcn: string } {
    const [fcn = '', ...params] = this.#args;
    return { fcn, params };
  }

  getTxID(): string {
    return this.#record.txId;
  }

  getChannelID(): string {
    return this.#record.channelId;
  }

  getCreator(): SerializedIdentity {
    return { mspid: this.#record.creator.mspId, idBytes: Buffer.from(this.#record.creator.certificate) };
  }

  getMspID(): string {
    // fabric-shim reads the chaincode process's environment, not the proposal.
    const mspId = this.#host.peerMspId ?? process.env.CORE_PEER_LOCALMSPID;
    if (mspId === undefined) throw new Error('CORE_PEER_LOCALMSPID is unset in chaincode process');
    return mspId;
  }

  getTransient(): Map<string, Uint8Array> {
    return new Map(this.#record.transient);
  }

  getSignedProposal(): never {
    throw new Error('getSignedProposal is not supported by the ledgerkit harness');
  }

  getTxTimestamp(): { seconds: Long; nanos: number } {
    const milliseconds = this.#record.timestamp.getTime();
    return {
      seconds: Long.fromNumber(Math.floor(milliseconds / 1000), true),
      nanos: (milliseconds % 1000) * 1_000_000,
    };
  }

  getDateTimestamp(): Date {
    return new Date(this.#record.timestamp);
  }

  getBinding(): string {
    return createHash('sha256').update(`binding:${this.#record.txId}`).digest('hex');
  }

  async getState(key: string): Promise<Uint8Array> {
    const committed = this.#host.state.space(this.#namespace).get(key);
    const reads = innerMap(this.#record.reads, this.#namespace);
    if (!reads.has(key)) reads.set(key, committed?.version ?? null);
    return committed ? Buffer.from(committed.value) : Buffer.alloc(0);
  }

  // Neither fabric-shim nor a LevelDB peer rejects an empty key.
  async putState(key: string, value: Uint8Array): Promise<void> {
    this.#beforeWrite('PUT_STATE');
    // Fabric records an empty value as a delete (KVWrite.IsDelete = len(value) == 0).
    const bytes = toBuffer(value);
    innerMap(this.#record.writes, this.#namespace).set(key, bytes.length === 0 ? null : Buffer.from(bytes));
    return writeResponse();
  }

  async deleteState(key: string): Promise<void> {
    this.#beforeWrite('DEL_STATE');
    innerMap(this.#record.writes, this.#namespace).set(key, null);
    return writeResponse();
  }

  async setStateValidationParameter(): Promise<void> {
    throw new Error('key-level endorsement policies are not supported by the ledgerkit harness');
  }

  async getStateValidationParameter(): Promise<Uint8Array> {
    throw new Error('key-level endorsement policies are not supported by the ledgerkit harness');
  }

  // fabric-shim rejects invalid keys with a plain promise, not an async-iterable one, so
  // `for await` over it fails with a TypeError rather than the validation message.
  getStateByRange(startKey: string, endKey: string): Iterable<Iterators.KV> {
    const start = startKey || emptyKeySubstitute;
    try {
      validateSimpleKeys(start, endKey);
    } catch (error) {
      return refuse<Iterable<Iterators.KV>>(error);
    }
    return iterable((async () => this.#rangeIterator(start, endKey))());
  }

  getStateByRangeWithPagination(
    startKey: string,
    endKey: string,
    pageSize: number,
    bookmark?: string,
  ): PagedIterable<Iterators.KV> {
    const start = startKey || emptyKeySubstitute;
    try {
      validateSimpleKeys(start, endKey);
    } catch (error) {
      return refuse<PagedIterable<Iterators.KV>>(error);
    }
    return iterable((async () => this.#paginated(start, endKey, pageSize, bookmark ?? ''))());
  }

  // Like fabric-shim, an invalid object type or attribute throws synchronously here.
  getStateByPartialCompositeKey(objectType: string, attributes: string[]): Iterable<Iterators.KV> {
    const partialKey = this.createCompositeKey(objectType, attributes);
    return iterable((async () => this.#rangeIterator(partialKey, partialKey + maxUnicodeRune))());
  }

  getStateByPartialCompositeKeyWithPagination(
    objectType: string,
    attributes: string[],
    pageSize: number,
    bookmark?: string,
  ): PagedIterable<Iterators.KV> {
    const partialKey = this.createCompositeKey(objectType, attributes);
    return iterable((async () => this.#paginated(partialKey, partialKey + maxUnicodeRune, pageSize, bookmark ?? ''))());
  }

  getQueryResult(): Iterable<Iterators.KV> {
    return iterable(Promise.reject(new Error('rich queries need CouchDB; the ledgerkit harness models LevelDB')));
  }

  getQueryResultWithPagination(): PagedIterable<Iterators.KV> {
    return iterable(Promise.reject(new Error('rich queries need CouchDB; the ledgerkit harness models LevelDB')));
  }

  getHistoryForKey(key: string): Iterable<Iterators.KeyModification> {
    return iterable(
      (async () => {
        // Newest first, as Fabric 2.x returns history; history reads are not validated at commit.
        const entries = [...this.#host.state.history(this.#namespace, key)].reverse();
        return new ListIterator<Iterators.KeyModification>(
          entries.map((entry) => {
            const milliseconds = entry.timestamp.getTime();
            return {
              txId: entry.txId,
              isDelete: entry.isDelete,
              value: Buffer.from(entry.value),
              // A plain number, as fabric-shim hands the peer's history entries over (unlike
              // getTxTimestamp's Long): chaincode calling seconds.toNumber() fails here as on a peer.
              timestamp: {
                seconds: Math.floor(milliseconds / 1000) as unknown as Long,
                nanos: (milliseconds % 1000) * 1_000_000,
              },
            };
          }),
        );
      })(),
    );
  }

  async invokeChaincode(chaincodeName: string, args: string[], channel?: string): Promise<ChaincodeResponse> {
    if (channel && channel !== this.#record.channelId) {
      throw new Error(`the ledgerkit harness has a single channel (${this.#record.channelId}); got ${channel}`);
    }
    return this.#host.invoke(this.#record, chaincodeName, args);
  }

  setEvent(name: string, payload: Uint8Array): void {
    if (typeof name !== 'string' || name === '') throw new Error('Event name must be a non-empty string');
    this.event = { name, payload: Buffer.from(payload ?? []) };
  }

  createCompositeKey(objectType: string, attributes: string[]): string {
    validateCompositeKeyAttribute(objectType);
    if (!Array.isArray(attributes)) throw new Error('attributes must be an array');
    let compositeKey = compositeKeyNamespace + objectType + compositeKeyNamespace;
    for (const attribute of attributes) {
      validateCompositeKeyAttribute(attribute);
      compositeKey += attribute + compositeKeyNamespace;
    }
    return compositeKey;
  }

  splitCompositeKey(compositeKey: string): { objectType: string; attributes: string[] } {
    const result: { objectType: string | null; attributes: string[] } = { objectType: null, attributes: [] };
    if (compositeKey && compositeKey.length > 1 && compositeKey.charAt(0) === compositeKeyNamespace) {
      const parts = compositeKey.substring(1).split(compositeKeyNamespace);
      result.objectType = parts[0] ?? null;
      parts.pop();
      if (parts.length > 1) result.attributes = parts.slice(1);
    }
    // fabric-shim returns objectType null for a key that is not composite, despite its typings.
    return result as { objectType: string; attributes: string[] };
  }

  async getPrivateData(collection: string, key: string): Promise<Uint8Array> {
    validateCollection(collection, key);
    const committed = this.#privateSpace(collection, 'GET_STATE', 'read').get(key);
    const reads = innerMap(this.#record.privateReads, `${this.#namespace}\u0000${collection}`);
    if (!reads.has(key)) reads.set(key, committed?.version ?? null);
    return committed ? Buffer.from(committed.value) : Buffer.alloc(0);
  }

  async getPrivateDataHash(collection: string, key: string): Promise<Uint8Array> {
    validateCollection(collection, key);
    const committed = this.#privateSpace(collection, 'GET_PRIVATE_DATA_HASH', 'hash').get(key);
    const reads = innerMap(this.#record.privateReads, `${this.#namespace}\u0000${collection}`);
    if (!reads.has(key)) reads.set(key, committed?.version ?? null);
    return committed ? createHash('sha256').update(committed.value).digest() : Buffer.alloc(0);
  }

  async putPrivateData(collection: string, key: string, value: Uint8Array): Promise<void> {
    validateCollection(collection, key);
    if (!value) throw new Error('value must be valid');
    this.#privateSpace(collection, 'PUT_STATE', 'write');
    this.#beforeWrite('PUT_STATE');
    const bytes = toBuffer(value);
    innerMap(this.#record.privateWrites, `${this.#namespace}\u0000${collection}`).set(
      key,
      bytes.length === 0 ? null : Buffer.from(bytes),
    );
    return writeResponse();
  }

  async deletePrivateData(collection: string, key: string): Promise<void> {
    validateCollection(collection, key);
    this.#privateSpace(collection, 'DEL_STATE', 'write');
    this.#beforeWrite('DEL_STATE');
    innerMap(this.#record.privateWrites, `${this.#namespace}\u0000${collection}`).set(key, null);
    return writeResponse();
  }

  async purgePrivateData(collection: string, key: string): Promise<void> {
    validateCollection(collection, key);
    this.#privateSpace(collection, 'PURGE_PRIVATE_DATA', 'write');
    this.#beforeWrite('PURGE_PRIVATE_DATA');
    const id = `${this.#namespace}\u0000${collection}`;
    const purges = this.#record.purges.get(id) ?? new Set<string>();
    purges.add(key);
    this.#record.purges.set(id, purges);
    return writeResponse();
  }

  async setPrivateDataValidationParameter(): Promise<void> {
    throw new Error('key-level endorsement policies are not supported by the ledgerkit harness');
  }

  async getPrivateDataValidationParameter(): Promise<Uint8Array> {
    throw new Error('key-level endorsement policies are not supported by the ledgerkit harness');
  }

  // fabric-shim checks the collection name but, unlike getStateByRange, not the keys.
  getPrivateDataByRange(collection: string, startKey: string, endKey: string): Iterable<Iterators.KV> {
    if (!collection || typeof collection !== 'string') {
      return refuse<Iterable<Iterators.KV>>(new Error('collection must be a valid string'));
    }
    const start = startKey || emptyKeySubstitute;
    return iterable((async () => this.#privateRangeIterator(collection, start, endKey))());
  }

  getPrivateDataByPartialCompositeKey(
    collection: string,
    objectType: string,
    attributes: string[],
  ): Iterable<Iterators.KV> {
    const partialKey = this.createCompositeKey(objectType, attributes);
    return this.getPrivateDataByRange(collection, partialKey, partialKey + maxUnicodeRune);
  }

  getPrivateDataQueryResult(): Iterable<Iterators.KV> {
    return iterable(Promise.reject(new Error('rich queries need CouchDB; the ledgerkit harness models LevelDB')));
  }

  /** An error as the peer sends it back to the shim, which throws it in the chaincode. */
  #peerError(operation: PeerOperation, message: string): Error {
    return new Error(`${operation} failed: transaction ID: ${this.#record.txId}: ${message}`);
  }

  // Fabric's transaction simulator: paginated and private-data range queries only in
  // read-only transactions.
  #beforeWrite(operation: PeerOperation): void {
    const txid = `txid [${this.#record.txId}]: unsuppored transaction.`;
    if (this.#record.privateQueryPerformed) {
      throw this.#peerError(
        operation,
        `${txid} Transaction has already performed queries on pvt data. Writes are not allowed`,
      );
    }
    if (this.#record.paginatedQueryPerformed) {
      throw this.#peerError(
        operation,
        `${txid} Transaction has already performed a paginated query. Writes are not allowed`,
      );
    }
    this.#record.writePerformed = true;
  }

  #privateSpace(collection: string, operation: PeerOperation, access: 'read' | 'write' | 'hash') {
    const rules = this.#host.collections(this.#namespace)?.get(collection);
    if (!rules) {
      // The peer checks a hash read against the chaincode definition, everything else against its collection store.
      const message =
        operation === 'GET_PRIVATE_DATA_HASH'
          ? `collection [${collection}] not defined in the collection config for chaincode [${this.#namespace}]`
          : `collection ${this.#record.channelId}/${this.#namespace}/${collection} could not be found`;
      throw this.#peerError(operation, message);
    }
    const member = rules.members === undefined || rules.members.has(this.#record.creator.mspId);
    if (!member && ((access === 'read' && rules.memberOnlyRead) || (access === 'write' && rules.memberOnlyWrite))) {
      throw this.#peerError(
        operation,
        `tx creator does not have ${access} access permission on privatedata in chaincodeName:${this.#namespace} collectionName: ${collection}`,
      );
    }
    return this.#host.state.space(this.#namespace, collection);
  }

  /**
   * A range query as the peer runs it: the peer, not the chaincode, reads the state
   * database, in batches of 100 results (reading one more to know that more follow), and
   * records every key it read for phantom validation, consumed by the chaincode or not. A
   * range of up to 100 keys is therefore read, and validated, whole even when the chaincode
   * looks at its first key only.
   */
  #rangeIterator(startKey: string, endKey: string): ListIterator<Iterators.KV> {
    const rangeRead: RangeRead = { namespace: this.#namespace, startKey, endKey, results: [], exhausted: false };
    this.#record.rangeReads.push(rangeRead);
    const items = this.#host.state.space(this.#namespace).range(startKey, endKey);
    let read = 0;
    const readBatch = (batch: number) => {
      const batchEnd = (batch + 1) * peerQueryBatch;
      const upTo = items.length <= batchEnd ? items.length : batchEnd + 1;
      for (const [key, entry] of items.slice(read, upTo)) rangeRead.results.push({ key, version: entry.version });
      read = Math.max(read, upTo);
      if (items.length <= batchEnd) rangeRead.exhausted = true;
    };
    readBatch(0);
    return new ListIterator<Iterators.KV>(
      items.map(([key, entry]) => ({ namespace: this.#namespace, key, value: Buffer.from(entry.value) })),
      (index) => {
        // The shim asks the peer for the next batch when the chaincode moves past this one.
        if (index > 0 && index % peerQueryBatch === 0) readBatch(index / peerQueryBatch);
      },
    );
  }

  #privateRangeIterator(collection: string, startKey: string, endKey: string): ListIterator<Iterators.KV> {
    // The peer checks the collection and the creator's access before the simulator's rules.
    const space = this.#privateSpace(collection, 'GET_STATE_BY_RANGE', 'read');
    if (this.#record.writePerformed) {
      throw this.#peerError(
        'GET_STATE_BY_RANGE',
        `txid [${this.#record.txId}]: unsuppored transaction. Queries on pvt data is supported only in a read-only transaction`,
      );
    }
    this.#record.privateQueryPerformed = true;
    return new ListIterator<Iterators.KV>(
      space
        .range(startKey, endKey)
        .map(([key, entry]) => ({ namespace: this.#namespace, key, value: Buffer.from(entry.value) })),
    );
  }

  #paginated(
    startKey: string,
    endKey: string,
    pageSize: number,
    bookmark: string,
  ): StateQueryResponse<ListIterator<Iterators.KV>> {
    if (!Number.isInteger(pageSize) || pageSize < 0) throw new Error(`invalid page size ${pageSize}`);
    // Page size 0 without a bookmark encodes as empty query metadata: the peer runs a plain
    // range query, answers without metadata, and the transaction may still write.
    if (pageSize === 0 && bookmark === '') {
      return { iterator: this.#rangeIterator(startKey, endKey) } as StateQueryResponse<ListIterator<Iterators.KV>>;
    }
    if (this.#record.writePerformed) {
      throw this.#peerError(
        'GET_STATE_BY_RANGE',
        `txid [${this.#record.txId}]: unsuppored transaction. Paginated queries are supported only in a read-only transaction`,
      );
    }
    this.#record.paginatedQueryPerformed = true;
    const all = this.#host.state.space(this.#namespace).range(bookmark || startKey, endKey);
    const page = pageSize === 0 ? all : all.slice(0, pageSize);
    // The bookmark is the key the next page starts at; empty once the range is exhausted.
    const next = pageSize === 0 ? undefined : all[pageSize];
    const metadata = { fetchedRecordsCount: page.length, bookmark: next ? next[0] : '' };
    return {
      iterator: new ListIterator<Iterators.KV>(
        page.map(([key, entry]) => ({ namespace: this.#namespace, key, value: Buffer.from(entry.value) })),
      ),
      // fabric-shim drops metadata whose protobuf encoding is empty (no records, no bookmark).
      metadata: (metadata.fetchedRecordsCount === 0 && metadata.bookmark === ''
        ? undefined
        : metadata) as typeof metadata,
    };
  }
}
