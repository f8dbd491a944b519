// LedgerdbClient: the core `Ledger` interface over a `ledgerdb serve` server, verifying
// everything it receives against a digest it trusts. Its parts: server-api.ts (HTTP calls
// and retries), trusted-digests.ts, verification.ts, event-stream.ts, partiql-transaction.ts.
import { randomUUID } from 'node:crypto';
import {
  type CallOptions,
  type EventsOptions,
  type HistoryOptions,
  InvalidArgumentError,
  isLedgerError,
  type JsonObject,
  type JsonValue,
  type Ledger,
  type LedgerCall,
  type LedgerEvent,
  type Receipt,
  type RetryOptions,
  type Revision,
  throwIfAborted,
  type Verification,
  type VerificationBundle,
  type VerifyOptions,
} from '@ledgerkit/core';
import { fileDigestStore } from '../digest-store.js';
import { canonicalize } from '../internal/canonical-json.js';
import { type EvidenceSource, ledgerdbBundle, verifyWithSource } from '../internal/evidence.js';
import { callStatements, evaluateCall, splitKey, unifiedRevision } from '../internal/ledger-calls.js';
import { commitReceipt } from '../internal/receipt.js';
import type { PartiqlServer, RemotePartiqlTransaction } from '../partiql/driver.js';
import type { BlockProof, CommitSummary, ConsistencyProof, Digest, DocumentRevision, RevisionProof } from '../types.js';
import { type DigestStore, DigestTracker, type KeyInput } from '../verifier.js';
import { ledgerEvents } from './event-stream.js';
import { startPartiqlTransaction } from './partiql-transaction.js';
import { ServerApi, segment as seg } from './server-api.js';
import type { ClientTlsOptions } from './transport.js';
import { TrustedDigests } from './trusted-digests.js';
import { ResponseVerifier, verificationFailed } from './verification.js';

/** One statement of {@link LedgerdbClient.transaction}. */
export type ClientStatement =
  | { op: 'insert'; table: string; data: JsonObject; id?: string }
  | { op: 'update'; table: string; id: string; data: JsonObject; expectedVersion?: number }
  | { op: 'delete'; table: string; id: string; expectedVersion?: number }
  | { op: 'get'; table: string; id: string; expectedVersion?: number };

/** What a statement produced. */
export type ClientStatementResult =
  | { op: 'insert' | 'update' | 'delete'; id: string; version: number }
  | { op: 'get'; id: string; version: number; data?: JsonObject };

/** Answer of {@link LedgerdbClient.transaction}. */
export interface ClientTransactionResult {
  results: ClientStatementResult[];
  commit: CommitSummary | null;
  /** True when the server answered from an earlier commit under the same idempotency key. */
  replayed: boolean;
}

/** Options of {@link LedgerdbClient}. */
export interface LedgerdbClientOptions {
  /** Base URL of the server, e.g. `https://ledger.example.com:8443`. */
  url: string;
  /** Bearer token (`ledgerdb token create`). */
  token: string;
  /** TLS trust and client certificate (mTLS); uses node:https instead of fetch. */
  tls?: ClientTlsOptions;
  /** Where the last trusted digest is kept (default: memory only). */
  digestStore?: DigestStore;
  /** Shorthand for `digestStore: fileDigestStore(path)`. */
  trustedDigestFile?: string;
  /** Require every digest to be signed by the ledger owner's Ed25519 key. */
  publicKey?: KeyInput;
  /** Verify every revision and commit received (default true). */
  verify?: boolean;
  /** Retries on network errors and 502/503/504 (default: 8 retries, 50 ms doubling to 2 s, jittered). */
  retry?: RetryOptions;
  /** Deadline of one HTTP request in ms (default 30,000; event streams have none). */
  timeoutMs?: number;
}

/**
 * The unified `Ledger` over a remote ledgerdb server. Every revision it returns has been
 * checked with an inclusion proof against a digest, and every digest against the last
 * trusted one with a consistency proof: a server that rewrites history, or shows this
 * client a different history than before, makes calls fail with `DIGEST_INCONSISTENT`
 * or `VERIFICATION_FAILED`. Writes carry an idempotency key and are retried with it,
 * so a server restart mid-request never commits twice.
 */
export class LedgerdbClient implements Ledger<LedgerdbClient>, PartiqlServer {
  readonly kind = 'ledgerdb' as const;
  readonly trustModel = 'centralized' as const;
  readonly #api: ServerApi;
  readonly #digests: TrustedDigests;
  readonly #verifier: ResponseVerifier;
  readonly #verify: boolean;
  readonly #retry: RetryOptions;
  readonly #closed = new AbortController();

  constructor(options: LedgerdbClientOptions) {
    let base: URL;
    try {
      base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
    } catch (error) {
      throw new InvalidArgumentError('url', `server URL ${JSON.stringify(options.url)} is invalid`, {}, error);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new InvalidArgumentError('url', `server URL must be http or https, got ${base.protocol}`);
    }
    this.#verify = options.verify ?? true;
    this.#retry = { retries: 8, baseDelayMs: 50, maxDelayMs: 2_000, ...options.retry };
    this.#api = new ServerApi(base, {
      token: options.token,
      retry: this.#retry,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    const store =
      options.digestStore ?? (options.trustedDigestFile ? fileDigestStore(options.trustedDigestFile) : undefined);
    const tracker = new DigestTracker({
      ...(store ? { store } : {}),
      ...(options.publicKey !== undefined ? { publicKey: options.publicKey } : {}),
    });
    this.#digests = new TrustedDigests(tracker, {
      digest: async () => (await this.#api.call('GET', 'v1/digest')).json as Digest,
      consistencyProof: (from, to) => this.consistencyProof(from, to),
    });
    this.#verifier = new ResponseVerifier({
      digests: this.#digests,
      proof: (table, id, version, treeSize) => this.proof(table, id, version, treeSize),
      blockProof: (seq, treeSize) => this.blockProof(seq, treeSize),
      evidence: () => this.#source(),
      ...(options.publicKey !== undefined ? { publicKey: options.publicKey } : {}),
    });
  }

  /** Creates a client and checks the server's current digest against the trusted one. */
  static async connect(options: LedgerdbClientOptions): Promise<LedgerdbClient> {
    const client = new LedgerdbClient(options);
    await client.digest();
    return client;
  }

  /** The client itself: its methods are the server's API. */
  get native(): LedgerdbClient {
    return this;
  }

  /** Ledger name, from the trusted digest (empty before the first one). */
  get id(): string {
    return this.#digests.trusted?.ledger ?? '';
  }

  /** The last digest this client verified and trusts. */
  get trustedDigest(): Digest | undefined {
    return this.#digests.trusted;
  }

  /**
   * Commits statements atomically. The request carries an idempotency key (a fresh one
   * unless given) and is retried with it on network errors and 503, so it commits once.
   * The commit's block is verified against a trusted digest, and so is every get result.
   */
  async transaction(
    statements: readonly ClientStatement[],
    options: { idempotencyKey?: string; signal?: AbortSignal } = {},
  ): Promise<ClientTransactionResult> {
    const key = options.idempotencyKey ?? randomUUID();
    const response = await this.#api.call('POST', 'v1/transactions', {
      body: { statements },
      headers: { 'idempotency-key': key },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const mark = this.#digests.tick();
    const body = response.json as { results: ClientStatementResult[]; commit: CommitSummary | null };
    if (this.#verify) {
      if (body.commit) await this.#verifier.verifyCommit(body.commit, mark);
      for (const [i, result] of body.results.entries()) {
        const statement = statements[i];
        if (result.op !== 'get' || result.version < 0 || !statement) continue;
        const proof = await this.#verifier.verifiedProof(statement.table, result.id, result.version, mark);
        if (canonicalize(proof.revision.data ?? null) !== canonicalize(result.data ?? null)) {
          throw verificationFailed(`get of ${statement.table}/${result.id} returned data the journal does not hold`);
        }
      }
    }
    return { ...body, replayed: response.header('idempotent-replayed') === 'true' };
  }

  /** A document's latest revision (undefined if it never existed), verified. */
  async document(table: string, id: string, options: CallOptions = {}): Promise<DocumentRevision | undefined> {
    try {
      return await this.revision(table, id, undefined, options);
    } catch (error) {
      if (isLedgerError(error, 'NOT_FOUND')) return undefined;
      throw error;
    }
  }

  /** One revision (default: the latest), verified. */
  async revision(table: string, id: string, version?: number, options: CallOptions = {}): Promise<DocumentRevision> {
    const path =
      version === undefined
        ? `v1/tables/${seg(table)}/documents/${seg(id)}`
        : `v1/tables/${seg(table)}/documents/${seg(id)}/revisions/${version}`;
    const { json } = await this.#api.call('GET', path, options);
    const mark = this.#digests.tick();
    const { revision } = json as { revision: DocumentRevision };
    await this.#verifyRevision(revision, mark);
    return revision;
  }

  /** Every revision of a document active in the window, oldest first, each verified. */
  async revisions(table: string, id: string, window: { from?: Date; to?: Date } = {}): Promise<DocumentRevision[]> {
    const query = new URLSearchParams();
    if (window.from) query.set('from', window.from.toISOString());
    if (window.to) query.set('to', window.to.toISOString());
    const suffix = query.size > 0 ? `?${query}` : '';
    const { json } = await this.#api.call('GET', `v1/tables/${seg(table)}/documents/${seg(id)}/history${suffix}`);
    const mark = this.#digests.tick();
    const { revisions } = json as { revisions: DocumentRevision[] };
    for (const revision of revisions) await this.#verifyRevision(revision, mark);
    return revisions;
  }

  /** Latest revisions of the documents matching `{ path: value }`, each verified. */
  async find(table: string, where: Readonly<Record<string, JsonValue>>): Promise<DocumentRevision[]> {
    const { json } = await this.#api.call('POST', `v1/tables/${seg(table)}/find`, { body: { where } });
    const mark = this.#digests.tick();
    const { revisions } = json as { revisions: DocumentRevision[] };
    for (const revision of revisions) await this.#verifyRevision(revision, mark);
    return revisions;
  }

  /**
   * Fetches the server's digest and accepts it only if it extends the trusted one
   * (consistency proof); the first digest is trusted on first use unless a public key
   * pins the owner.
   *
   * @throws `DIGEST_INCONSISTENT` when the server's journal does not extend what this client saw
   */
  async digest(): Promise<Digest> {
    return this.#digests.refresh();
  }

  /** Raw inclusion proof of a revision (not verified here). */
  async proof(
    table: string,
    id: string,
    version: number,
    treeSize?: number,
    options: CallOptions = {},
  ): Promise<RevisionProof> {
    const query = treeSize === undefined ? '' : `?treeSize=${treeSize}`;
    const path = `v1/tables/${seg(table)}/documents/${seg(id)}/revisions/${version}/proof${query}`;
    return (await this.#api.call('GET', path, options)).json as RevisionProof;
  }

  /** Raw inclusion proof of a block (not verified here). */
  async blockProof(seq: number, treeSize?: number, options: CallOptions = {}): Promise<BlockProof> {
    const query = treeSize === undefined ? '' : `?treeSize=${treeSize}`;
    return (await this.#api.call('GET', `v1/blocks/${seq}/proof${query}`, options)).json as BlockProof;
  }

  /** Raw consistency proof between two journal sizes (not verified here). */
  async consistencyProof(from: number, to?: number, options: CallOptions = {}): Promise<ConsistencyProof> {
    const query = to === undefined ? `from=${from}` : `from=${from}&to=${to}`;
    return (await this.#api.call('GET', `v1/consistency?${query}`, options)).json as ConsistencyProof;
  }

  /** Creates a table (admin tokens). */
  async createTable(name: string, indexes: readonly string[] = []): Promise<void> {
    await this.#api.call('POST', 'v1/tables', { body: { name, indexes } });
  }

  /** Tables the token may use. */
  async tables(): Promise<{ name: string; indexes: string[] }[]> {
    return ((await this.#api.call('GET', 'v1/tables')).json as { tables: { name: string; indexes: string[] }[] })
      .tables;
  }

  /**
   * Starts a PartiQL transaction on the server, for `LedgerDriver` (`new LedgerDriver(client)`
   * of `@ledgerkit/ledgerdb/partiql`, or {@link connectDriver}). Statements and the commit are
   * sent once, never retried: a statement that reached the server has run. The commit is
   * verified like any other; the rows of a statement are query results, not verified.
   *
   * @returns the open transaction
   * @throws `LIMIT_EXCEEDED` when the server holds its maximum of open transactions
   */
  async startPartiqlTransaction(): Promise<RemotePartiqlTransaction> {
    return startPartiqlTransaction(this.#api, async (commit) => {
      const mark = this.#digests.tick();
      if (this.#verify) await this.#verifier.verifyCommit(commit, mark);
    });
  }

  async submit(call: LedgerCall, options: CallOptions = {}): Promise<Receipt> {
    const { commit } = await this.transaction(
      callStatements<ClientStatement>(call) as ClientStatement[],
      options.signal ? { signal: options.signal } : {},
    );
    if (!commit) throw new InvalidArgumentError('call', 'the call wrote nothing');
    return commitReceipt(this.id, commit);
  }

  async evaluate(call: LedgerCall, options: CallOptions = {}): Promise<unknown> {
    return evaluateCall(call, {
      get: async (table, id) => (await this.document(table, id, options))?.data,
      find: async (table, where) =>
        (await this.find(table, where)).map((revision) => ({
          id: revision.metadata.id,
          data: revision.data as JsonObject,
        })),
      revision: (table, id, version) => this.revision(table, id, version, options),
      digest: () => this.digest(),
    });
  }

  async history(key: string, options: HistoryOptions = {}): Promise<Revision[]> {
    const { table, id } = splitKey(key);
    const window = { ...(options.from ? { from: options.from } : {}), ...(options.to ? { to: options.to } : {}) };
    const revisions = await this.revisions(table, id, window);
    return revisions.map((revision) => unifiedRevision(key, this.id, revision));
  }

  /**
   * Committed revisions as events, verified, resumable from any delivered checkpoint.
   * Reconnects (with `Last-Event-ID`) when the connection drops or the server restarts.
   */
  events(options: EventsOptions & { tables?: readonly string[] } = {}): AsyncIterable<LedgerEvent> {
    return ledgerEvents(options, {
      api: this.#api,
      closed: this.#closed.signal,
      retry: this.#retry,
      verifyRevision: (revision) => this.#verifyRevision(revision, this.#digests.tick()),
    });
  }

  /**
   * Verifies a receipt or revision: fetches the evidence (at the anchor's size when one is
   * given, else at a digest this client trusts) and runs `verifyLedgerdbReceipt` (from the main entry).
   *
   * @param subject - a receipt or revision of this ledger
   * @param options - a `ledgerdb-digest` anchor the verifier trusts
   * @returns every check made; a tampered or foreign subject fails a named check
   * @throws LedgerError `UNAVAILABLE`, `TIMEOUT`, `ABORTED` when the evidence cannot be fetched
   */
  async verify(subject: Receipt | Revision, options: VerifyOptions = {}): Promise<Verification> {
    throwIfAborted(options.signal);
    return verifyWithSource(this.#source(options.signal), subject, options.anchor);
  }

  /**
   * The subject with the evidence that verifies it offline (`verifyLedgerdbReceipt`).
   *
   * @param subject - a receipt or revision of this ledger
   * @param options - an abort signal
   * @returns the bundle
   */
  async evidence(subject: Receipt | Revision, options: CallOptions = {}): Promise<VerificationBundle> {
    throwIfAborted(options.signal);
    return ledgerdbBundle(this.#source(options.signal), subject);
  }

  /** The server as an evidence source; its digest is one this client trusts (consistency-checked). */
  #source(signal?: AbortSignal): EvidenceSource {
    const options = signal ? { signal } : {};
    return {
      digest: () => this.#digests.after(this.#digests.tick()),
      rootHashAt: async (treeSize) => (await this.consistencyProof(treeSize, treeSize, options)).newRoot,
      blockProof: (seq, treeSize) => this.blockProof(seq, treeSize, options),
      revisionProof: (table, id, version, treeSize) => this.proof(table, id, version, treeSize, options),
      consistencyProof: (from, to) => this.consistencyProof(from, to, options),
    };
  }

  /** Ends event streams; the client holds no other resources. */
  async close(): Promise<void> {
    this.#closed.abort();
  }

  async #verifyRevision(revision: DocumentRevision, mark: number): Promise<void> {
    if (this.#verify) await this.#verifier.verifyRevision(revision, mark);
  }
}
