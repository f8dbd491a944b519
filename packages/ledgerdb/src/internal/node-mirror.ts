import { hashSize, type NodeId } from '@ledgerkit/core';

interface Row {
  /** Index of the first node held at this level. */
  start: number;
  count: number;
  bytes: Uint8Array;
}

/**
 * In-memory copy of the perfect-subtree hashes appended since the ledger was opened,
 * within a memory budget, so proofs of recent revisions need no storage reads. Nodes
 * arrive in index order at every level (the tree is append-only), so each level is one
 * dense buffer. Over budget, the lowest levels are dropped first: they are the most
 * numerous and the cheapest to read back (one row holds a whole low-level path).
 */
export class NodeMirror {
  readonly #budget: number;
  readonly #rows: (Row | undefined)[] = [];
  #floor = 0;
  #used = 0;

  constructor(budgetBytes: number) {
    this.#budget = budgetBytes;
  }

  /** Records the nodes that appending `leaf` completed (levels 0..k back to back). */
  add(leaf: number, nodes: Uint8Array): void {
    const levels = nodes.length / hashSize;
    let index = Math.floor(leaf / 2 ** this.#floor);
    for (let level = this.#floor; level < levels; level++, index = Math.floor(index / 2)) {
      let row = this.#rows[level];
      if (!row || index !== row.start + row.count) {
        // First node at this level, or a gap: start the level afresh from here.
        this.#used -= row?.bytes.length ?? 0;
        row = { start: index, count: 0, bytes: new Uint8Array(hashSize * 64) };
        this.#used += row.bytes.length;
        this.#rows[level] = row;
      }
      if ((row.count + 1) * hashSize > row.bytes.length) {
        const grown = new Uint8Array(row.bytes.length * 2);
        grown.set(row.bytes);
        this.#used += grown.length - row.bytes.length;
        row.bytes = grown;
      }
      // A plain loop: no view object per node on this hot path.
      const target = row.bytes;
      const to = row.count * hashSize;
      const from = level * hashSize;
      for (let i = 0; i < hashSize; i++) target[to + i] = nodes[from + i] as number;
      row.count++;
    }
    while (this.#used > this.#budget && this.#floor < this.#rows.length) {
      this.#used -= this.#rows[this.#floor]?.bytes.length ?? 0;
      this.#rows[this.#floor] = undefined;
      this.#floor++;
    }
  }

  /** The node's hash, if held. */
  get(node: NodeId): Uint8Array | undefined {
    const row = this.#rows[node.level];
    if (!row) return undefined;
    const offset = node.index - row.start;
    if (offset < 0 || offset >= row.count) return undefined;
    return row.bytes.subarray(offset * hashSize, (offset + 1) * hashSize);
  }
}
