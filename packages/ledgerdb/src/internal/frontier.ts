import { hashChildren, hashSize } from '@ledgerkit/core';

/**
 * The right edge of an append-only RFC 9162 tree: for each level, the complete perfect
 * subtree still waiting for a right sibling (exactly the set bits of the tree size).
 * Appending needs nothing else, so an append costs O(1) amortised hashes and no reads.
 */
export class Frontier {
  #size: number;
  readonly #waiting: (Uint8Array | undefined)[];

  /**
   * @param size - current tree size
   * @param waiting - hash of the waiting subtree at each level whose bit is set in `size`
   */
  constructor(size: number, waiting: (Uint8Array | undefined)[]) {
    this.#size = size;
    this.#waiting = waiting;
  }

  get size(): number {
    return this.#size;
  }

  clone(): Frontier {
    return new Frontier(this.#size, [...this.#waiting]);
  }

  /**
   * Appends a leaf hash.
   *
   * @returns the hashes of every subtree this leaf completes, level 0 first, back to back
   */
  append(leafHash: Uint8Array): Uint8Array {
    let position = this.#size;
    let hash = leafHash;
    let level = 0;
    const completed: Uint8Array[] = [leafHash];
    while (position % 2 === 1) {
      const left = this.#waiting[level] as Uint8Array;
      this.#waiting[level] = undefined;
      hash = hashChildren(left, hash);
      completed.push(hash);
      level++;
      position = (position - 1) / 2;
    }
    this.#waiting[level] = hash;
    this.#size++;
    const out = new Uint8Array(completed.length * hashSize);
    for (let i = 0; i < completed.length; i++) out.set(completed[i] as Uint8Array, i * hashSize);
    return out;
  }

  /** Root hash of the current tree (undefined when empty). */
  root(): Uint8Array | undefined {
    let root: Uint8Array | undefined;
    for (const hash of this.#waiting) {
      if (hash === undefined) continue;
      root = root === undefined ? hash : hashChildren(hash, root);
    }
    return root;
  }
}
