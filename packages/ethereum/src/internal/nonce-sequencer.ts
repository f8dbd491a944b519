/**
 * Hands out nonces for one account and sends under one lock, so concurrent submits reach
 * the node in nonce order (automining nodes reject a nonce from the future) and a failed
 * send never leaves a gap: the nonce is only consumed when the node accepted the
 * transaction, and any failure makes the next send re-read the node's pending nonce.
 */
export class NonceSequencer {
  #next: number | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  readonly #pendingNonce: () => Promise<number>;

  constructor(pendingNonce: () => Promise<number>) {
    this.#pendingNonce = pendingNonce;
  }

  /** Runs `send` with the next nonce; sends never overlap. */
  send<T>(send: (nonce: number) => Promise<T>): Promise<T> {
    const result = this.#tail.then(async () => {
      this.#next ??= await this.#pendingNonce();
      const nonce = this.#next;
      try {
        const value = await send(nonce);
        this.#next = nonce + 1;
        return value;
      } catch (error) {
        // The node may or may not have taken it (a timeout); ask again next time.
        this.#next = undefined;
        throw error;
      }
    });
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Forgets the local nonce; the next send reads it from the node. */
  reset(): void {
    this.#next = undefined;
  }
}
