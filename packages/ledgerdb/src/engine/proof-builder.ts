import {
  consistencyProofRanges,
  emptyRoot,
  hashChildren,
  hashLeaf,
  InvalidArgumentError,
  inclusionProofRanges,
  LedgerError,
  type NodeId,
  rangeNodes,
  toHex,
} from '@ledgerkit/core';
import { ledgerdbError } from '../errors.js';
import { NodeMirror } from '../internal/node-mirror.js';
import type { LeafRow, StorageReader } from '../storage/driver.js';
import { parseRevision } from '../transaction.js';
import type { BlockBody, BlockProof, ConsistencyProof, Digest, RevisionProof } from '../types.js';
import type { LedgerState } from './ledger-state.js';

/** The part of an inclusion proof every leaf has. */
type LeafProof = Omit<RevisionProof, 'revision'>;

/**
 * Builds inclusion and consistency proofs from stored Merkle nodes. Three caches keep
 * storage reads off the hot path: the nodes appended since opening (a mirror of what
 * commits wrote), the immutable upper levels read before, and the hashes of composite
 * ranges along the right edge, which every proof against the same digest shares.
 */
export class ProofBuilder {
  readonly #storage: StorageReader;
  readonly #state: LedgerState;
  readonly #mirror: NodeMirror;
  readonly #nodeCache = new Map<number, Uint8Array>();
  readonly #rangeCache = new Map<string, Uint8Array>();

  /**
   * @param proofCacheBytes - memory for the nodes appended since opening
   */
  constructor(storage: StorageReader, state: LedgerState, proofCacheBytes: number) {
    this.#storage = storage;
    this.#state = state;
    this.#mirror = new NodeMirror(proofCacheBytes);
  }

  /** Keeps the nodes of committed leaves for later proofs. */
  remember(leaves: readonly LeafRow[]): void {
    for (const leaf of leaves) this.#mirror.add(leaf.leaf, leaf.nodes);
  }

  /**
   * Root hash of the journal as it was at `treeSize` leaves.
   *
   * @throws `INVALID_ARGUMENT` when `treeSize` is negative or beyond the journal
   */
  async rootHashAt(ledger: string, treeSize: number): Promise<string> {
    await this.checkDigestSize({ ledger, treeSize, rootHash: '', tip: null });
    if (treeSize === 0) return toHex(emptyRoot());
    const [root] = await this.#hashRanges([[0, treeSize]]);
    return toHex(root as Uint8Array);
  }

  /**
   * Inclusion proof of a revision against `target`.
   *
   * @throws `NOT_FOUND` for an unknown revision; `INVALID_ARGUMENT` when the digest
   * predates the revision or is larger than the journal
   */
  async revisionProof(table: string, id: string, version: number, target: Digest): Promise<RevisionProof> {
    const stored = await this.#storage.revision(table, id, version);
    if (!stored) throw ledgerdbError('NOT_FOUND', `no revision ${version} of ${table}/${id}`, { table, id, version });
    return {
      revision: parseRevision(stored),
      ...(await this.#leafProof(stored.leaf, stored.body, target, `revision ${table}/${id}@${version}`)),
    };
  }

  /**
   * Inclusion proof of block `seq` against `target`.
   *
   * @throws `NOT_FOUND` for an unknown block
   */
  async blockProof(seq: number, target: Digest): Promise<BlockProof> {
    const [row] = Number.isSafeInteger(seq) && seq >= 0 ? await this.#storage.blocks(seq - 1, 1) : [];
    if (!row || row.seq !== seq) throw ledgerdbError('NOT_FOUND', `no block ${seq}`, { seq });
    const [leaf] = await this.#storage.leaves(row.leaf, row.leaf + 1);
    if (!leaf) throw new LedgerError('TAMPER_DETECTED', `block ${seq} has no journal leaf`);
    return {
      block: JSON.parse(leaf.body) as BlockBody,
      ...(await this.#leafProof(row.leaf, leaf.body, target, `block ${seq}`)),
    };
  }

  /**
   * RFC 9162 consistency proof that `target` extends `oldDigest`.
   *
   * @throws `INVALID_ARGUMENT` when the sizes are out of order or beyond the journal
   */
  async consistencyProof(oldDigest: Digest, target: Digest): Promise<ConsistencyProof> {
    await this.checkDigestSize(target);
    const ranges = consistencyProofRanges(oldDigest.treeSize, target.treeSize);
    return {
      oldSize: oldDigest.treeSize,
      newSize: target.treeSize,
      oldRoot: oldDigest.rootHash,
      newRoot: target.rootHash,
      proof: (await this.#hashRanges(ranges)).map(toHex),
    };
  }

  /**
   * @throws `INVALID_ARGUMENT` when the digest's tree size is not within the journal
   */
  async checkDigestSize(digest: Digest): Promise<void> {
    await this.#state.sync();
    const size = this.#state.journal?.frontier.size as number;
    if (!Number.isSafeInteger(digest.treeSize) || digest.treeSize < 0 || digest.treeSize > size) {
      throw new InvalidArgumentError(
        'digest',
        `digest tree size ${digest.treeSize} is outside this journal (0..${size})`,
        {
          treeSize: digest.treeSize,
          journalSize: size,
        },
      );
    }
  }

  /** Inclusion proof of a stored leaf; its hash is recomputed from the stored bytes. */
  async #leafProof(leaf: number, body: string, target: Digest, what: string): Promise<LeafProof> {
    await this.checkDigestSize(target);
    if (leaf >= target.treeSize) {
      throw new InvalidArgumentError('digest', `${what} is newer than the digest`, {
        leafIndex: leaf,
        treeSize: target.treeSize,
      });
    }
    const auditPath = (await this.#hashRanges(inclusionProofRanges(leaf, target.treeSize))).map(toHex);
    return {
      leafIndex: leaf,
      treeSize: target.treeSize,
      leafHash: toHex(hashLeaf(body)),
      auditPath,
      rootHash: target.rootHash,
    };
  }

  /** Hashes of proof ranges from stored perfect subtrees, with a cache of the immutable upper levels. */
  async #hashRanges(ranges: readonly (readonly [number, number])[]): Promise<Uint8Array[]> {
    // A range's hash never changes (the tree only grows): composite ranges along the right
    // edge are shared by every proof against the same digest, so they are remembered.
    const composite = ([begin, end]: readonly [number, number]) => ((end - begin) & (end - begin - 1)) !== 0;
    const cached = ranges.map((range) =>
      composite(range) ? this.#rangeCache.get(`${range[0]}:${range[1]}`) : undefined,
    );
    const perRange = ranges.map((range, r) => (cached[r] ? [] : rangeNodes(range)));
    const cacheKey = (node: NodeId) => node.index * 64 + node.level;
    const missing: NodeId[] = [];
    for (const nodes of perRange) {
      for (const node of nodes) {
        if (!this.#mirror.get(node) && !this.#nodeCache.has(cacheKey(node))) missing.push(node);
      }
    }
    const fetched = new Map<number, Uint8Array>();
    if (missing.length > 0) {
      const hashes = await this.#storage.nodes(missing);
      missing.forEach((node, i) => {
        const hash = hashes[i] as Uint8Array;
        fetched.set(cacheKey(node), hash);
        // Nodes of level >= 4 (1/8 as many as leaves) are immutable and in most proofs.
        if (node.level >= 4) {
          if (this.#nodeCache.size >= 2_000_000) this.#nodeCache.clear();
          this.#nodeCache.set(cacheKey(node), hash);
        }
      });
    }
    const lookup = (node: NodeId) =>
      (this.#mirror.get(node) ?? this.#nodeCache.get(cacheKey(node)) ?? fetched.get(cacheKey(node))) as Uint8Array;
    // RFC 9162 MTH of an aligned range: its perfect subtrees folded from the right.
    return perRange.map((nodes, r) => {
      const known = cached[r];
      if (known) return known;
      let hash = lookup(nodes[nodes.length - 1] as NodeId);
      for (let i = nodes.length - 2; i >= 0; i--) hash = hashChildren(lookup(nodes[i] as NodeId), hash);
      if (nodes.length > 1) {
        if (this.#rangeCache.size >= 65_536) this.#rangeCache.clear();
        const [begin, end] = ranges[r] as readonly [number, number];
        this.#rangeCache.set(`${begin}:${end}`, hash);
      }
      return hash;
    });
  }
}
