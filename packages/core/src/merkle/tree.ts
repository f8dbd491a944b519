import { InvalidArgumentError } from '../errors.js';
import { emptyRoot, hashChildren, hashLeaf } from './hasher.js';
import { consistencyProofRanges, hashRange, inclusionProofRanges, type NodeId } from './layout.js';

/**
 * An append-only RFC 9162 Merkle tree held in memory. It stores every perfect subtree
 * hash, so an append costs O(1) amortised hashes and any root or proof, for the current
 * or any earlier size, costs O(log n).
 *
 * @example
 * ```ts
 * const tree = new MerkleTree()
 * tree.append('entry one')
 * const proof = tree.inclusionProof(0)
 * verifyInclusion({ leafHash: tree.leafHash(0), leafIndex: 0, treeSize: tree.size, auditPath: proof, rootHash: tree.root() })
 * ```
 */
export class MerkleTree {
  /** `#levels[l][i]` is the hash of the perfect subtree `(l, i)`; level 0 holds leaf hashes. */
  readonly #levels: Uint8Array[][] = [[]];

  /** Number of leaves. */
  get size(): number {
    return (this.#levels[0] as Uint8Array[]).length;
  }

  /**
   * Appends an entry, hashing it as a leaf.
   *
   * @param entry - the entry's bytes (strings are UTF-8)
   * @returns the new leaf's index
   */
  append(entry: Uint8Array | string): number {
    return this.appendLeafHash(hashLeaf(entry));
  }

  /**
   * Appends an already computed leaf hash.
   *
   * @param leafHash - `SHA-256(0x00 || entry)`
   * @returns the new leaf's index
   */
  appendLeafHash(leafHash: Uint8Array): number {
    const index = this.size;
    let hash = leafHash;
    let position = index;
    for (let level = 0; ; level++) {
      const row = this.#levels[level] ?? [];
      this.#levels[level] = row;
      row.push(hash);
      // A right child completes its parent's perfect subtree.
      if (position % 2 === 0) break;
      hash = hashChildren(row[position - 1] as Uint8Array, hash);
      position = (position - 1) / 2;
    }
    return index;
  }

  /**
   * Hash of leaf `index`.
   *
   * @throws InvalidArgumentError when no such leaf exists
   */
  leafHash(index: number): Uint8Array {
    return this.#node({ level: 0, index });
  }

  /**
   * Root hash of the tree as it was at `size` leaves.
   *
   * @param size - a size up to the current one (default: current)
   * @returns the root, or the empty-tree root for size 0
   */
  root(size: number = this.size): Uint8Array {
    this.#checkSize(size);
    return size === 0 ? emptyRoot() : hashRange([0, size], (node) => this.#node(node));
  }

  /**
   * Inclusion proof of leaf `index` in the tree of `size` leaves.
   *
   * @returns the audit path, from the leaf upwards
   */
  inclusionProof(index: number, size: number = this.size): Uint8Array[] {
    this.#checkSize(size);
    return inclusionProofRanges(index, size).map((range) => hashRange(range, (node) => this.#node(node)));
  }

  /**
   * Consistency proof from the tree of `oldSize` leaves to the one of `newSize`.
   *
   * @returns the consistency path
   */
  consistencyProof(oldSize: number, newSize: number = this.size): Uint8Array[] {
    this.#checkSize(newSize);
    return consistencyProofRanges(oldSize, newSize).map((range) => hashRange(range, (node) => this.#node(node)));
  }

  #node(node: NodeId): Uint8Array {
    const hash = this.#levels[node.level]?.[node.index];
    if (hash === undefined) {
      throw new InvalidArgumentError(
        'node',
        `no subtree (${node.level}, ${node.index}) in a tree of size ${this.size}`,
        {
          ...node,
          size: this.size,
        },
      );
    }
    return hash;
  }

  #checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.size) {
      throw new InvalidArgumentError('size', `tree size ${size} is outside 0..${this.size}`, {
        size,
        current: this.size,
      });
    }
  }
}
