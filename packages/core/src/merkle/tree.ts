import { InvalidArgumentError } from '../errors.js';
import { emptyRoot, hashChildren, hashLeaf, hashSize } from './hasher.js';
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
  /**
   * Level `l` holds the hashes of the complete perfect subtrees `(l, 0), (l, 1), ...`
   * back to back in one growable buffer (level 0: leaf hashes). One allocation per
   * level instead of one object per node keeps large trees cheap for the GC.
   */
  readonly #levels: Level[] = [];

  /** Number of leaves. */
  get size(): number {
    return this.#levels[0]?.count ?? 0;
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
   * @throws InvalidArgumentError when `leafHash` is not 32 bytes
   */
  appendLeafHash(leafHash: Uint8Array): number {
    if (leafHash.length !== hashSize) {
      throw new InvalidArgumentError('leafHash', `leaf hash must be ${hashSize} bytes, got ${leafHash.length}`);
    }
    const index = this.size;
    let hash = leafHash;
    let position = index;
    for (let level = 0; ; level++) {
      const row = this.#levels[level] ?? newLevel();
      this.#levels[level] = push(row, hash);
      // A right child completes its parent's perfect subtree.
      if (position % 2 === 0) break;
      hash = hashChildren(nodeAt(this.#levels[level] as Level, position - 1), hash);
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
    const level = this.#levels[node.level];
    if (level === undefined || !Number.isInteger(node.index) || node.index < 0 || node.index >= level.count) {
      throw new InvalidArgumentError(
        'node',
        `no subtree (${node.level}, ${node.index}) in a tree of size ${this.size}`,
        {
          ...node,
          size: this.size,
        },
      );
    }
    return nodeAt(level, node.index);
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

interface Level {
  bytes: Uint8Array;
  count: number;
}

function newLevel(): Level {
  return { bytes: new Uint8Array(hashSize * 16), count: 0 };
}

function push(level: Level, hash: Uint8Array): Level {
  if ((level.count + 1) * hashSize > level.bytes.length) {
    const grown = new Uint8Array(level.bytes.length * 2);
    grown.set(level.bytes);
    level.bytes = grown;
  }
  level.bytes.set(hash, level.count * hashSize);
  level.count++;
  return level;
}

/** A copy, so callers cannot alter the tree through the returned hash. */
function nodeAt(level: Level, index: number): Uint8Array {
  return level.bytes.slice(index * hashSize, (index + 1) * hashSize);
}
