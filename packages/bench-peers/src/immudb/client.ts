import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** immudb's proto messages as @grpc/proto-loader decodes them (uint64 as number, bytes as Buffer). */
export interface TxHeaderMessage {
  id: number;
  prevAlh: Buffer;
  ts: number;
  nentries: number;
  eH: Buffer;
  blTxId: number;
  blRoot: Buffer;
  version: number;
  metadata: { truncatedTxID: number; extra: Buffer } | null;
}

export interface DualProofMessage {
  sourceTxHeader: TxHeaderMessage | null;
  targetTxHeader: TxHeaderMessage | null;
  inclusionProof: Buffer[];
  consistencyProof: Buffer[];
  targetBlTxAlh: Buffer;
  lastInclusionProof: Buffer[];
  linearProof: { sourceTxId: number; TargetTxId: number; terms: Buffer[] } | null;
  LinearAdvanceProof: { linearProofTerms: Buffer[]; inclusionProofs: { terms: Buffer[] }[] } | null;
}

export interface EntryMessage {
  tx: number;
  key: Buffer;
  value: Buffer;
  referencedBy: unknown;
  metadata: { deleted: boolean; expiration: unknown; nonIndexable: boolean } | null;
  expired: boolean;
  revision: number;
}

export interface VerifiableEntryMessage {
  entry: EntryMessage;
  verifiableTx: { tx: { header: TxHeaderMessage }; dualProof: DualProofMessage };
  inclusionProof: { leaf: number; width: number; terms: Buffer[] };
}

export interface VerifiableTxMessage {
  tx: { header: TxHeaderMessage };
  dualProof: DualProofMessage;
}

/** A client's trusted state: the newest transaction it verified and its accumulated hash. */
export interface ImmudbState {
  txId: number;
  txHash: Buffer;
}

type Callback<T> = (error: grpc.ServiceError | null, value?: T) => void;
type Method = (request: unknown, metadata: grpc.Metadata, callback: Callback<unknown>) => void;

const loaded = new Map<string, grpc.GrpcObject>();

function loadSchema(protoDir: string): grpc.GrpcObject {
  let schema = loaded.get(protoDir);
  if (!schema) {
    const definition = protoLoader.loadSync(join(protoDir, 'schema.proto'), {
      includeDirs: [protoDir],
      longs: Number,
      defaults: true,
      oneofs: true,
    });
    schema = grpc.loadPackageDefinition(definition);
    loaded.set(protoDir, schema);
  }
  return schema;
}

/** Options of {@link ImmudbClient.connect}. */
export interface ImmudbConnectOptions {
  /** `host:port` of the gRPC API. */
  address: string;
  /** Include directory of immudb's schema.proto (binary.ts copies it into the cache). */
  protoDir: string;
  user?: string;
  password?: string;
  database?: string;
  /**
   * Create the database first (if it does not exist) with these settings, e.g.
   * `{ maxConcurrency: { value: 128 } }` (DatabaseNullableSettings of schema.proto).
   */
  createWith?: Record<string, unknown>;
}

/**
 * immudb's gRPC API through @grpc/grpc-js and the schema.proto of the release (the
 * official Node SDK pins @grpc/grpc-js 1.2.0 from 2020 and ships ts-node as a runtime
 * dependency). One client is one HTTP/2 connection with one session token.
 */
export class ImmudbClient {
  readonly #client: grpc.Client & Record<string, Method>;
  readonly #metadata: grpc.Metadata;

  private constructor(client: grpc.Client & Record<string, Method>, metadata: grpc.Metadata) {
    this.#client = client;
    this.#metadata = metadata;
  }

  /**
   * Connects, logs in and selects the database.
   *
   * @param options - address, proto directory, credentials
   * @returns a client ready for calls
   * @throws the gRPC error of the login
   */
  static async connect(options: ImmudbConnectOptions): Promise<ImmudbClient> {
    const schema = loadSchema(options.protoDir) as unknown as {
      immudb: { schema: { ImmuService: grpc.ServiceClientConstructor } };
    };
    const client = new schema.immudb.schema.ImmuService(options.address, grpc.credentials.createInsecure(), {
      // A new connection per client, as separate processes would have.
      'grpc.use_local_subchannel_pool': 1,
    }) as unknown as grpc.Client & Record<string, Method>;
    const empty = new grpc.Metadata();
    const call = <T>(method: string, request: unknown, metadata: grpc.Metadata) =>
      new Promise<T>((resolve, reject) => {
        (client[method] as Method).call(client, request, metadata, (error, value) =>
          error ? reject(error) : resolve(value as T),
        );
      });
    try {
      const login = await call<{ token: string }>(
        'Login',
        { user: Buffer.from(options.user ?? 'immudb'), password: Buffer.from(options.password ?? 'immudb') },
        empty,
      );
      const withLogin = new grpc.Metadata();
      withLogin.set('authorization', `Bearer ${login.token}`);
      if (options.createWith) {
        await call(
          'CreateDatabaseV2',
          { name: options.database ?? 'defaultdb', settings: options.createWith, ifNotExists: true },
          withLogin,
        );
      }
      const use = await call<{ token: string }>(
        'UseDatabase',
        { databaseName: options.database ?? 'defaultdb' },
        withLogin,
      );
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${use.token}`);
      return new ImmudbClient(client, metadata);
    } catch (error) {
      client.close();
      throw error;
    }
  }

  #call<T>(method: string, request: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      (this.#client[method] as Method).call(this.#client, request, this.#metadata, (error, value) =>
        error ? reject(error) : resolve(value as T),
      );
    });
  }

  /** Writes key/value pairs in one transaction; resolves when it is committed (synced). */
  set(entries: { key: Buffer; value: Buffer }[]): Promise<TxHeaderMessage> {
    return this.#call('Set', { KVs: entries });
  }

  /** The key's latest entry with the proofs linking it to the transaction `proveSinceTx`. */
  verifiableGet(key: Buffer, proveSinceTx: number): Promise<VerifiableEntryMessage> {
    return this.#call('VerifiableGet', { keyRequest: { key }, proveSinceTx });
  }

  /** Transaction `tx` (entries excluded) with the dual proof linking it to `proveSinceTx`. */
  verifiableTxById(tx: number, proveSinceTx: number): Promise<VerifiableTxMessage> {
    return this.#call('VerifiableTxById', {
      tx,
      proveSinceTx,
      entriesSpec: { kvEntriesSpec: { action: 'EXCLUDE' } },
    });
  }

  /** Up to `limit` entries of a key's history, oldest first. */
  async history(key: Buffer, limit: number): Promise<EntryMessage[]> {
    const { entries } = await this.#call<{ entries: EntryMessage[] }>('History', { key, limit });
    return entries;
  }

  /** The server's current state (unverified: a client checks it with a dual proof). */
  currentState(): Promise<ImmudbState> {
    return this.#call('CurrentState', {});
  }

  close(): void {
    this.#client.close();
  }
}
