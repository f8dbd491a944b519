// The digests a LedgerdbClient trusts: each fetched digest is accepted only with a consistency
// proof from the one trusted before it, and every answer is checked against a digest fetched
// after the answer arrived (a logical clock orders the two).
import type { ConsistencyProof, Digest } from '../types.js';
import type { DigestTracker } from '../verifier.js';

/** Where {@link TrustedDigests} gets digests and the proofs between them. */
export interface DigestSource {
  digest(): Promise<Digest>;
  consistencyProof(from: number, to: number): Promise<ConsistencyProof>;
}

/** A client's trusted digest, refreshed one fetch at a time. */
export class TrustedDigests {
  readonly #tracker: DigestTracker;
  readonly #source: DigestSource;
  #clock = 0;
  #latest: { startedAt: number; digest: Digest } | undefined;
  #refreshing: { startedAt: number; promise: Promise<Digest> } | undefined;
  #refreshTail: Promise<void> = Promise.resolve();

  constructor(tracker: DigestTracker, source: DigestSource) {
    this.#tracker = tracker;
    this.#source = source;
  }

  /** The last digest verified and trusted. */
  get trusted(): Digest | undefined {
    return this.#tracker.trusted;
  }

  /** A mark of the present: a digest fetched after it covers everything received before it. */
  tick(): number {
    return ++this.#clock;
  }

  /** A trusted digest fetched after `mark`, so it covers everything received before it. */
  async after(mark: number): Promise<Digest> {
    if (this.#latest && this.#latest.startedAt > mark) return this.#latest.digest;
    if (this.#refreshing && this.#refreshing.startedAt > mark) return this.#refreshing.promise;
    return this.refresh();
  }

  /**
   * Fetches the server's digest and accepts it only if it extends the trusted one.
   *
   * @throws `DIGEST_INCONSISTENT` when it does not
   */
  refresh(): Promise<Digest> {
    const startedAt = this.tick();
    const previous = this.#refreshTail;
    const promise = (async () => {
      // One refresh at a time, each after the last: a digest is fetched, proven against the
      // digest trusted at that moment and accepted before the next one is fetched, so
      // concurrent calls never prove against a trusted digest that moved under them.
      await previous;
      await this.#tracker.load();
      const digest = await this.#source.digest();
      const trusted = this.#tracker.trusted;
      let proof: ConsistencyProof | undefined;
      if (trusted && digest.treeSize > trusted.treeSize) {
        proof = await this.#source.consistencyProof(trusted.treeSize, digest.treeSize);
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
}
