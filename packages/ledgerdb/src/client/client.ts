// LedgerClient: the core `Ledger` interface over a `ledgerdb serve` server, verifying
// everything it receives against a digest it trusts.
import { randomUUID } from 'node:crypto';
import {
  type CallOptions,
  type ErrorCode,
  type EventsOptions,
  errorCodes,
  type HistoryOptions,
  InvalidArgumentError,
  isLedgerError,
  type JsonObject,
  type JsonValue,
  type Ledger,
  type LedgerCall,
  LedgerError,
  type LedgerEvent,
  type Receipt,
  type RetryOptions,
  retry,
  throwIfAborted,
  type Revision as UnifiedRevision,
  type Verification,
  type VerificationBundle,
  type VerifyOptions,
  verifyInclusion,
} from '@ledgerkit/core';
import { fileDigestStore } from '../digest-store.js';
import { canonicalize } from '../internal/canonical-json.js';
import { type EvidenceSource, ledgerdbBundle, verifyWithSource } from '../internal/evidence.js';
import { callStatements, evaluateCall, splitKey, unifiedRevision } from '../internal/ledger-calls.js';
import { commitReceipt } from '../internal/receipt.js';
import type { PartiqlServer, RemotePartiqlTransaction } from '../partiql/driver.js';
import { PartiqlSyntaxError } from '../partiql/errors.js';
import type { BlockProof, CommitSummary, ConsistencyProof, Digest, Revision, RevisionProof } from '../types.js';
import { type DigestStore, DigestTracker, type KeyInput, leafHashOf, verifyRevisionProof } from '../verifier.js';
import { readEvents } from './sse.js';
import { type ClientTlsOptions, type HttpResponse, send } from './transport.js';

/** One statement of {@link LedgerClient.transaction}. */
export type ClientStatement =
  | { op: 'insert'; table: string; data: JsonObject; id?: string }
  | { op: 'update'; table: string; id: string; data: JsonObject; expectedVersion?: number }
  | { op: 'delete'; table: string; id: string; expectedVersion?: number }
  | { op: 'get'; table: string; id: string; expectedVersion?: number };

/** What a statement produced. */
export type ClientStatementResult =
  | { op: 'insert' | 'update' | 'delete'; id: string; version: number }
  | { op: 'get'; id: string; version: number; data?: JsonObject };

/** Answer of {@link LedgerClient.transaction}. */
export interface ClientTransactionResult {
  results: ClientStatementResult[];
  commit: CommitSummary | null;
  /** True when the server answered from an earlier commit under the same idempotency key. */
  replayed: boolean;
}

/** Options of {@link LedgerClient}. */
export interface LedgerClientOptions {
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

const retryableStatus = new Set([502, 503, 504]);

/**
 * The unified `Ledger` over a remote ledgerdb server. Every revision it returns has been
 * checked with an inclusion proof against a digest, and every digest against the last
 * trusted one with a consistency proof: a server that rewrites history, or shows this
 * client a different history than before, makes calls fail with `DIGEST_INCONSISTENT`
 * or `VERIFICATION_FAILED`. Writes carry an idempotency key and are retried with it,
 * so a server restart mid-request never commits twice.
 */
export class LedgerClient implements Ledger<LedgerClient>, PartiqlServer {
  readonly kind = 'ledgerdb' as const;
  readonly trustModel = 'centralized' as const;
  readonly #base: URL;
  readonly #options: LedgerClientOptions;
  readonly #tracker: DigestTracker;
  readonly #verify: boolean;
  readonly #retry: RetryOptions;
  readonly #closed = new AbortController();
  #clock = 0;
  #latest: { startedAt: number; digest: Digest } | undefined;
  #refreshing: { startedAt: number; promise: Promise<Digest> } | undefined;
  #refreshTail: Promise<void> = Promise.resolve();

  constructor(options: LedgerClientOptions) {
    let base: URL;
    try {
      base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
    } catch (error) {
      throw new InvalidArgumentError('url', `server URL ${JSON.stringify(options.url)} is invalid`, {}, error);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new InvalidArgumentError('url', `server URL must be http or https, got ${base.protocol}`);
    }
    this.#base = base;
    this.#options = options;
    const store =
      options.digestStore ?? (options.trustedDigestFile ? fileDigestStore(options.trustedDigestFile) : undefined);
    this.#tracker = new DigestTracker({
      ...(store ? { store } : {}),
      ...(options.publicKey !== undefined ? { publicKey: options.publicKey } : {}),
    });
    this.#verify = options.verify ?? true;
    this.#retry = { retries: 8, baseDelayMs: 50, maxDelayMs: 2_000, ...options.retry };
  }

  /** Creates a client and checks the server's current digest against the trusted one. */
  static async connect(options: LedgerClientOptions): Promise<LedgerClient> {
    const client = new LedgerClient(options);
    await client.digest();
    return client;
  }

  /** The client itself: its methods are the server's API. */
  get native(): LedgerClient {
    return this;
  }

  /** Ledger name, from the trusted digest (empty before the first one). */
  get id(): string {
    return this.#tracker.trusted?.ledger ?? '';
  }

  /** The last digest this client verified and trusts. */
  get trustedDigest(): Digest | undefined {
    return this.#tracker.trusted;
  }

  // ---- the server's API, verified ---------------------------------------------

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
    const response = await this.#call('POST', 'v1/transactions', {
      body: { statements },
      headers: { 'idempotency-key': key },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const mark = this.#tick();
    const body = response.json as { results: ClientStatementResult[]; commit: CommitSummary | null };
    if (this.#verify) {
      if (body.commit) await this.#verifyCommit(body.commit, mark);
      for (const [i, result] of body.results.entries()) {
        const statement = statements[i];
        if (result.op !== 'get' || result.version < 0 || !statement) continue;
        const proof = await this.#verifiedProof(statement.table, result.id, result.version, mark);
        if (canonicalize(proof.revision.data ?? null) !== canonicalize(result.data ?? null)) {
          throw verificationFailed(`get of ${statement.table}/${result.id} returned data the journal does not hold`);
        }
      }
    }
    return { ...body, replayed: response.header('idempotent-replayed') === 'true' };
  }

  /** A document's latest revision (undefined if it never existed), verified. */
  async document(table: string, id: string, options: CallOptions = {}): Promise<Revision | undefined> {
    try {
      return await this.revision(table, id, undefined, options);
    } catch (error) {
      if (isLedgerError(error, 'NOT_FOUND')) return undefined;
      throw error;
    }
  }

  /** One revision (default: the latest), verified. */
  async revision(table: string, id: string, version?: number, options: CallOptions = {}): Promise<Revision> {
    const path =
      version === undefined
        ? `v1/tables/${seg(table)}/documents/${seg(id)}`
        : `v1/tables/${seg(table)}/documents/${seg(id)}/revisions/${version}`;
    const { json } = await this.#call('GET', path, options);
    const mark = this.#tick();
    const { revision } = json as { revision: Revision };
    await this.#verifyRevision(revision, mark);
    return revision;
  }

  /** Every revision of a document active in the window, oldest first, each verified. */
  async revisions(table: string, id: string, window: { from?: Date; to?: Date } = {}): Promise<Revision[]> {
    const query = new URLSearchParams();
    if (window.from) query.set('from', window.from.toISOString());
    if (window.to) query.set('to', window.to.toISOString());
    const suffix = query.size > 0 ? `?${query}` : '';
    const { json } = await this.#call('GET', `v1/tables/${seg(table)}/documents/${seg(id)}/history${suffix}`);
    const mark = this.#tick();
    const { revisions } = json as { revisions: Revision[] };
    for (const revision of revisions) await this.#verifyRevision(revision, mark);
    return revisions;
  }

  /** Latest revisions of the documents matching `{ path: value }`, each verified. */
  async find(table: string, where: Readonly<Record<string, JsonValue>>): Promise<Revision[]> {
    const { json } = await this.#call('POST', `v1/tables/${seg(table)}/find`, { body: { where } });
    const mark = this.#tick();
    const { revisions } = json as { revisions: Revision[] };
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
    return this.#refresh();
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
    return (await this.#call('GET', path, options)).json as RevisionProof;
  }

  /** Raw inclusion proof of a block (not verified here). */
  async blockProof(seq: number, treeSize?: number, options: CallOptions = {}): Promise<BlockProof> {
    const query = treeSize === undefined ? '' : `?treeSize=${treeSize}`;
    return (await this.#call('GET', `v1/blocks/${seq}/proof${query}`, options)).json as BlockProof;
  }

  /** Raw consistency proof between two journal sizes (not verified here). */
  async consistencyProof(from: number, to?: number, options: CallOptions = {}): Promise<ConsistencyProof> {
    const query = to === undefined ? `from=${from}` : `from=${from}&to=${to}`;
    return (await this.#call('GET', `v1/consistency?${query}`, options)).json as ConsistencyProof;
  }

  /** Creates a table (admin tokens). */
  async createTable(name: string, indexes: readonly string[] = []): Promise<void> {
    await this.#call('POST', 'v1/tables', { body: { name, indexes } });
  }

  /** Tables the token may use. */
  async tables(): Promise<{ name: string; indexes: string[] }[]> {
    return ((await this.#call('GET', 'v1/tables')).json as { tables: { name: string; indexes: string[] }[] }).tables;
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
    const { json } = await this.#call('POST', 'v1/partiql/transactions', { body: {} });
    const { transactionId } = json as { transactionId: string };
    const path = `v1/partiql/transactions/${seg(transactionId)}`;
    return {
      execute: async (statement, parameters) => {
        const missing: number[] = [];
        const values = parameters.map((value, i) => {
          if (value !== undefined) return value;
          missing.push(i);
          return null;
        });
        try {
          const { json: answer } = await this.#call('POST', `${path}/statements`, {
            body: { statement, parameters: values, ...(missing.length > 0 ? { missing } : {}) },
            once: true,
          });
          return (answer as { rows: JsonValue[] }).rows;
        } catch (error) {
          throw syntaxErrorOf(error);
        }
      },
      commit: async () => {
        const { json: answer } = await this.#call('POST', `${path}/commit`, { body: {}, once: true });
        const mark = this.#tick();
        const { commit } = answer as { commit: CommitSummary | null };
        if (commit && this.#verify) await this.#verifyCommit(commit, mark);
        return commit;
      },
      abort: async () => {
        await this.#call('POST', `${path}/abort`, { body: {} });
      },
    };
  }

  // ---- the Ledger interface -----------------------------------------------------

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

  async history(key: string, options: HistoryOptions = {}): Promise<UnifiedRevision[]> {
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
    return this.#events(options);
  }

  async *#events(options: EventsOptions & { tables?: readonly string[] }): AsyncIterable<LedgerEvent> {
    let last = options.from ? `${options.from.block}:${options.from.index}` : undefined;
    const signals = [this.#closed.signal, ...(options.signal ? [options.signal] : [])];
    const signal = AbortSignal.any(signals);
    let failures = 0;
    while (!signal.aborted) {
      const query = new URLSearchParams();
      if (options.tables) query.set('tables', options.tables.join(','));
      const url = new URL(`v1/events${query.size > 0 ? `?${query}` : ''}`, this.#base);
      let response: HttpResponse;
      try {
        response = await send(
          {
            method: 'GET',
            url,
            headers: {
              authorization: `Bearer ${this.#options.token}`,
              accept: 'text/event-stream',
              ...(last ? { 'last-event-id': last } : {}),
            },
            signal,
          },
          this.#options.tls,
        );
      } catch (error) {
        if (signal.aborted) return;
        if (!isLedgerError(error, 'UNAVAILABLE')) throw error;
        await this.#pause(++failures, signal);
        continue;
      }
      if (response.status !== 200) {
        const error = await errorOf(response);
        if (!retryableStatus.has(response.status)) throw error;
        await this.#pause(++failures, signal);
        continue;
      }
      try {
        for await (const message of readEvents(response.body)) {
          failures = 0;
          if (message.event === 'error') throw errorFromBody(JSON.parse(message.data), 500);
          if (message.event !== 'revision') continue;
          const event = JSON.parse(message.data) as LedgerEvent;
          const mark = this.#tick();
          await this.#verifyRevision(event.payload as unknown as Revision, mark);
          last = message.id ?? last;
          yield event;
        }
      } catch (error) {
        response.cancel();
        if (signal.aborted) return;
        if (!isLedgerError(error, 'UNAVAILABLE')) throw error;
      }
      if (signal.aborted) return;
      // The server ended the stream (shutdown) or the connection dropped: resume.
      await this.#pause(++failures, signal);
    }
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
  async verify(subject: Receipt | UnifiedRevision, options: VerifyOptions = {}): Promise<Verification> {
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
  async evidence(subject: Receipt | UnifiedRevision, options: CallOptions = {}): Promise<VerificationBundle> {
    throwIfAborted(options.signal);
    return ledgerdbBundle(this.#source(options.signal), subject);
  }

  /** The server as an evidence source; its digest is one this client trusts (consistency-checked). */
  #source(signal?: AbortSignal): EvidenceSource {
    const options = signal ? { signal } : {};
    return {
      digest: () => this.#digestAfter(this.#tick()),
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

  // ---- internals ---------------------------------------------------------------

  #tick(): number {
    return ++this.#clock;
  }

  #keyOption(): { publicKey?: KeyInput } {
    return this.#options.publicKey !== undefined ? { publicKey: this.#options.publicKey } : {};
  }

  /** A trusted digest fetched after `mark`, so it covers everything received before it. */
  async #digestAfter(mark: number): Promise<Digest> {
    if (this.#latest && this.#latest.startedAt > mark) return this.#latest.digest;
    if (this.#refreshing && this.#refreshing.startedAt > mark) return this.#refreshing.promise;
    return this.#refresh();
  }

  #refresh(): Promise<Digest> {
    const startedAt = this.#tick();
    const previous = this.#refreshTail;
    const promise = (async () => {
      // One refresh at a time, each after the last: a digest is fetched, proven against the
      // digest trusted at that moment and accepted before the next one is fetched, so
      // concurrent calls never prove against a trusted digest that moved under them.
      await previous;
      await this.#tracker.load();
      const digest = (await this.#call('GET', 'v1/digest')).json as Digest;
      const trusted = this.#tracker.trusted;
      let proof: ConsistencyProof | undefined;
      if (trusted && digest.treeSize > trusted.treeSize) {
        proof = await this.consistencyProof(trusted.treeSize, digest.treeSize);
      }
      await this.#tracker.accept(digest, proof);
      if (!this.#latest || this.#latest.startedAt < startedAt) this.#latest = { startedAt, digest };
      return digest;
    })();
    const entry = { startedAt, promise };
    this.#refreshing = entry;
    this.#refreshTail = promise.then(
      () => undefined,
      () => undefined,
    );
    void promise
      .finally(() => {
        if (this.#refreshing === entry) this.#refreshing = undefined;
      })
      .catch(() => undefined);
    return promise;
  }

  async #verifiedProof(table: string, id: string, version: number, mark: number): Promise<RevisionProof> {
    const digest = await this.#digestAfter(mark);
    const proof = await this.proof(table, id, version, digest.treeSize);
    const result = verifyRevisionProof(proof, digest, this.#keyOption());
    if (!result.ok) {
      const failed = result.checks.find((check) => !check.ok);
      throw verificationFailed(`revision ${table}/${id}@${version} does not verify: ${failed?.detail}`, {
        check: failed?.name,
      });
    }
    const { metadata } = proof.revision;
    if (metadata.table !== table || metadata.id !== id || metadata.version !== version) {
      throw verificationFailed(`the server proved ${metadata.table}/${metadata.id}@${metadata.version} instead`);
    }
    return proof;
  }

  async #verifyRevision(revision: Revision, mark: number): Promise<void> {
    if (!this.#verify) return;
    const { metadata } = revision;
    const proof = await this.#verifiedProof(metadata.table, metadata.id, metadata.version, mark);
    const { hash, ...body } = revision;
    if (proof.leafHash !== hash || canonicalize(proof.revision) !== canonicalize(body)) {
      throw verificationFailed(
        `revision ${metadata.table}/${metadata.id}@${metadata.version} differs from the one in the journal`,
      );
    }
  }

  async #verifyCommit(commit: CommitSummary, mark: number): Promise<void> {
    const digest = await this.#digestAfter(mark);
    if (commit.revisions.length === 0) {
      await this.#verifyRevisionlessCommit(commit, digest);
      return;
    }
    // The receipt the commit makes, verified as any receipt is, against the digest this
    // client trusts now (checked against every earlier one).
    const anchor = { type: 'ledgerdb-digest', digest: digest as unknown as JsonObject } as const;
    const source = { ...this.#source(), digest: async () => digest };
    const result = await verifyWithSource(source, commitReceipt(digest.ledger, commit), anchor);
    const failed = result.checks.find((check) => !check.ok);
    if (failed) {
      throw verificationFailed(`commit ${commit.txId} does not verify: ${failed.detail}`, { check: failed.name });
    }
  }

  /**
   * A commit that wrote no revision (a redaction, `EXEC redact_revision`) makes no receipt:
   * its block is checked instead, by its hash and its inclusion in the trusted digest.
   */
  async #verifyRevisionlessCommit(commit: CommitSummary, digest: Digest): Promise<void> {
    const proof = await this.blockProof(commit.seq, digest.treeSize);
    const { block } = proof;
    if (
      block.txId !== commit.txId ||
      leafHashOf(block) !== commit.blockHash ||
      proof.leafIndex !== commit.blockLeafIndex
    ) {
      throw verificationFailed(`commit ${commit.txId} does not verify: block ${commit.seq} is another block`, {
        check: 'block-hash',
      });
    }
    try {
      verifyInclusion({
        leafHash: commit.blockHash,
        leafIndex: commit.blockLeafIndex,
        treeSize: digest.treeSize,
        auditPath: proof.auditPath,
        rootHash: digest.rootHash,
      });
    } catch (error) {
      throw verificationFailed(`commit ${commit.txId} does not verify: its block is not in the trusted digest`, {
        check: 'inclusion',
        cause: error instanceof Error ? error.message : String(error),
      });
    }
  }

  async #pause(attempt: number, signal: AbortSignal): Promise<void> {
    const base = this.#retry.baseDelayMs ?? 50;
    const max = this.#retry.maxDelayMs ?? 2_000;
    const delay = Math.min(max, base * 2 ** Math.min(attempt, 16)) * (0.5 + Math.random() / 2);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** One API call with retries on network errors and 502/503/504; non-2xx become LedgerErrors. */
  async #call(
    method: 'GET' | 'POST',
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal; once?: boolean } = {},
  ): Promise<{ json: unknown; header(name: string): string | undefined }> {
    const url = new URL(path, this.#base);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    return retry(
      async () => {
        const signals = [AbortSignal.timeout(this.#options.timeoutMs ?? 30_000)];
        if (options.signal) signals.push(options.signal);
        const response = await send(
          {
            method,
            url,
            headers: {
              authorization: `Bearer ${this.#options.token}`,
              accept: 'application/json',
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
              ...options.headers,
            },
            ...(body === undefined ? {} : { body }),
            signal: AbortSignal.any(signals),
          },
          this.#options.tls,
        );
        if (response.status < 200 || response.status >= 300) throw await errorOf(response);
        const text = await response.text();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch (error) {
          throw new LedgerError('UNAVAILABLE', `${method} ${url.pathname} answered with malformed JSON`, {
            cause: error,
          });
        }
        return { json, header: (name: string) => response.header(name) };
      },
      {
        ...this.#retry,
        ...(options.once ? { retries: 0 } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        // Never past the caller's own signal: its deadline or abort is the answer.
        shouldRetry: (error) =>
          !options.signal?.aborted &&
          isLedgerError(error) &&
          (error.code === 'UNAVAILABLE' ||
            error.code === 'TIMEOUT' ||
            (error.code === 'ABORTED' && !options.signal?.aborted && error.details.status === undefined)),
      },
    );
  }
}

/** Builds the LedgerError an error answer stands for. */
async function errorOf(response: HttpResponse): Promise<LedgerError> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await response.text());
  } catch {
    parsed = undefined;
  }
  return errorFromBody(parsed, response.status);
}

function errorFromBody(parsed: unknown, status: number): LedgerError {
  const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  const code: ErrorCode =
    typeof error?.code === 'string' && error.code in errorCodes
      ? (error.code as ErrorCode)
      : retryableStatus.has(status)
        ? 'UNAVAILABLE'
        : 'INTERNAL';
  const message = typeof error?.message === 'string' ? error.message : `the server answered ${status}`;
  const details =
    error?.details !== null && typeof error?.details === 'object' ? (error.details as Record<string, unknown>) : {};
  return new LedgerError(code, message, {
    details: { ...details, status },
    ...(retryableStatus.has(status) ? { retryable: true } : {}),
  });
}

/** A PartiQL syntax error answered by the server, as the typed error the embedded driver throws. */
function syntaxErrorOf(error: unknown): unknown {
  if (!isLedgerError(error, 'INVALID_ARGUMENT')) return error;
  const { line, column, found, expected } = error.details;
  if (typeof line !== 'number' || typeof column !== 'number' || !Array.isArray(expected)) return error;
  return new PartiqlSyntaxError(error.shortMessage, {
    line,
    column,
    found: typeof found === 'string' ? found : '',
    expected: expected.map(String),
  });
}

function verificationFailed(message: string, details: Record<string, unknown> = {}): LedgerError {
  return new LedgerError('VERIFICATION_FAILED', message, { details });
}

function seg(value: string): string {
  return encodeURIComponent(value);
}
