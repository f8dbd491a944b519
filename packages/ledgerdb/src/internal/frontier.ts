import { hash } from 'node:crypto';
import { hashSize } from '@ledgerkit/core';

// Hashes travel as 32-character latin1 strings here: Node's one-shot hash returns those
// at a third of the cost of a Buffer, and the append path hashes once or twice a leaf.
const nodeInput = Buffer.alloc(1 + 2 * hashSize);
nodeInput[0] = 0x01;

function nodeHash(left: string, right: string): string {
  nodeInput.write(left, 1, hashSize, 'latin1');
  nodeInput.write(right, 1 + hashSize, hashSize, 'latin1');
  return hash('sha256', nodeInput, 'binary');
}

/** 0x00 then a leaf body's UTF-8: reused, grown for large bodies. */
let leafInput = Buffer.allocUnsafeSlow(16 * 1024);

/**
 * RFC 9162 leaf hash of a body, as a latin1 string. The body is written into a reused
 * buffer rather than hashed as `'\0' + body`: bodies are built by concatenation, and
 * writing flattens the body string itself, once, so storing it afterwards copies nothing
 * more (hashing the prefixed string flattened a copy, and storing flattened the body again).
 */
export function leafHashBinary(body: string): string {
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  if (1 + body.length * 3 > leafInput.length) {
    leafInput = Buffer.allocUnsafeSlow(Math.max(1 + body.length * 3, leafInput.length * 2));
  }
  leafInput[0] = 0x00;
  const end = 1 + leafInput.write(body, 1, 'utf8');
  return hash('sha256', leafInput.subarray(0, end), 'binary');
}

const toBinary = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/**
 * The right edge of an append-only RFC 9162 tree: for each level, the complete perfect
 * subtree still waiting for a right sibling (exactly the set bits of the tree size).
 * Appending needs nothing else, so an append costs O(1) amortised hashes and no reads.
 */
export class Frontier {
  #size: number;
  readonly #waiting: (string | undefined)[];

  /**
   * @param size - current tree size
   * @param waiting - hash of the waiting subtree at each level whose bit is set in `size`
   */
  constructor(size: number, waiting: readonly (Uint8Array | undefined)[]) {
    this.#size = size;
    // Array.from, not map: a waiting array loaded from storage has holes, and an array with
    // holes would make every append and root() here run on a second elements kind.
    this.#waiting = Array.from(waiting, (hash) => (hash === undefined ? undefined : toBinary(hash)));
  }

  get size(): number {
    return this.#size;
  }

  clone(): Frontier {
    const copy = new Frontier(this.#size, []);
    copy.#waiting.push(...this.#waiting);
    return copy;
  }

  /**
   * Appends a leaf hash.
   *
   * @returns the hashes of every subtree this leaf completes, level 0 first, back to back
   */
  append(leafHash: Uint8Array): Uint8Array {
    return this.appendBinary(toBinary(leafHash));
  }

  /** {@link append} with the leaf hash as a latin1 string. */
  appendBinary(leafHash: string): Buffer {
    let position = this.#size;
    let levels = 1;
    while (position % 2 === 1) {
      levels++;
      position = (position - 1) / 2;
    }
    // A pooled Buffer: cheap for the few dozen bytes a leaf completes.
    const out = Buffer.allocUnsafe(levels * hashSize);
    out.write(leafHash, 0, hashSize, 'latin1');
    let hash = leafHash;
    for (let level = 0; level < levels - 1; level++) {
      hash = nodeHash(this.#waiting[level] as string, hash);
      this.#waiting[level] = undefined;
      out.write(hash, (level + 1) * hashSize, hashSize, 'latin1');
    }
    this.#waiting[levels - 1] = hash;
    this.#size++;
    return out;
  }

  /**
   * RFC 9162 audit path, lowercase hex, of the next leaf appended, in the tree that leaf
   * ends: exactly the waiting subtrees, lowest level first. A commit hands it out with its
   * block, so a receipt proves its own inclusion in the tree of its commit.
   */
  nextLeafPath(): string[] {
    const path: string[] = [];
    for (const hash of this.#waiting) {
      if (hash !== undefined) path.push(Buffer.from(hash, 'latin1').toString('hex'));
    }
    return path;
  }

  /** Root hash of the current tree (undefined when empty). */
  root(): Uint8Array | undefined {
    let root: string | undefined;
    for (const hash of this.#waiting) {
      if (hash === undefined) continue;
      root = root === undefined ? hash : nodeHash(hash, root);
    }
    return root === undefined ? undefined : Buffer.from(root, 'latin1');
  }
}
