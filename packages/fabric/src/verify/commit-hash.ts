// The commit hash a Fabric 2.x/3.x peer records in a block's COMMIT_HASH metadata
// (core/ledger/kvledger/kv_ledger.go addBlockCommitHash):
//   SHA-256( varint(len(filter)) || filter || updateBytes || previous commit hash )
// where `filter` is the TRANSACTIONS_FILTER (one validation code per transaction) and
// `updateBytes` the protobuf `txmgr.Updates` the peer builds from the valid transactions'
// writes (txmgr/update_batch_bytes.go): one `KVWrite` per key, namespaces sorted, public
// writes before collections' hashed writes, keys sorted bytewise, the last writer's value and
// version (block, transaction index), the namespace set only on a namespace's first entry and
// the collection only on a collection's first. The empty namespace (channel config) is left out.
// Recomputing it ties the validation codes to the block's contents: flipping a code changes
// both the filter and the set of writes applied.
import { compareBytes, concatBytes, equalBytes, fromHex, sha256, sha256Concat, utf8Bytes } from './bytes.js';
import type { DecodedWrite } from './decode.js';

const emptyHash = sha256(new Uint8Array());

/** The writes of one transaction the peer marked valid, with its index in the block. */
export interface ValidTransactionWrites {
  index: number;
  writes: readonly DecodedWrite[];
}

interface StateUpdate {
  namespace: string;
  collection: string;
  key: Uint8Array;
  value: Uint8Array | undefined;
  version: Uint8Array;
}

/**
 * Fabric's order-preserving varint (common/ledger/util): one byte holding how many bytes
 * follow, then the number's big-endian bytes without leading zeros.
 *
 * @param value - a non-negative integer below 2^64
 * @returns the encoding; `<00>` for 0
 */
export function orderPreservingVarUint64(value: number | bigint): Uint8Array {
  const number = BigInt(value);
  if (number === 0n) return Uint8Array.of(0);
  const hex = number.toString(16);
  const bytes = fromHex(hex.length % 2 === 0 ? hex : `0${hex}`);
  return concatBytes(Uint8Array.of(bytes.length), bytes);
}

/**
 * A protobuf base-128 varint.
 *
 * @param value - a non-negative safe integer
 * @returns the encoding
 */
export function protobufVarint(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}

function lengthDelimited(field: number, bytes: Uint8Array): Uint8Array[] {
  return [protobufVarint((field << 3) | 2), protobufVarint(bytes.length), bytes];
}

function encodeKvWrite(update: StateUpdate, withNamespace: boolean, withCollection: boolean): Uint8Array {
  const parts: Uint8Array[] = [];
  if (withNamespace && update.namespace !== '') parts.push(...lengthDelimited(1, utf8Bytes(update.namespace)));
  if (withCollection && update.collection !== '') parts.push(...lengthDelimited(2, utf8Bytes(update.collection)));
  if (update.key.length > 0) parts.push(...lengthDelimited(3, update.key));
  if (update.value === undefined) parts.push(Uint8Array.of((4 << 3) | 0, 1));
  else if (update.value.length > 0) parts.push(...lengthDelimited(5, update.value));
  parts.push(...lengthDelimited(6, update.version));
  return concatBytes(...parts);
}

function isDelete(write: DecodedWrite): boolean {
  if (write.isDelete || write.value.length === 0) return true;
  // A collection write whose value hash is the hash of nothing deletes too (rwsetutil).
  return write.collection !== '' && equalBytes(write.value, emptyHash);
}

/**
 * The deterministic update bytes the peer hashes for a block.
 *
 * @param blockNumber - the block's number (the versions' block part)
 * @param transactions - the valid transactions' writes, in block order
 * @returns the serialized `txmgr.Updates`
 */
export function updateBatchBytes(blockNumber: number, transactions: readonly ValidTransactionWrites[]): Uint8Array {
  const updates = new Map<string, StateUpdate>();
  for (const { index, writes } of transactions) {
    const version = concatBytes(orderPreservingVarUint64(blockNumber), orderPreservingVarUint64(index));
    for (const write of writes) {
      if (write.namespace === '') continue;
      const id = `${write.namespace}\u0000${write.collection}\u0000${String.fromCharCode(...write.key)}`;
      updates.set(id, {
        namespace: write.namespace,
        collection: write.collection,
        key: write.key,
        value: isDelete(write) ? undefined : write.value,
        version,
      });
    }
  }
  const byteOrder = (left: string, right: string) => compareBytes(utf8Bytes(left), utf8Bytes(right));
  const sorted = [...updates.values()].sort(
    (left, right) =>
      byteOrder(left.namespace, right.namespace) ||
      // Public writes (empty collection) sort first, then collections by name.
      byteOrder(left.collection, right.collection) ||
      compareBytes(left.key, right.key),
  );
  const parts: Uint8Array[] = [];
  let previous: StateUpdate | undefined;
  for (const update of sorted) {
    const newNamespace = previous?.namespace !== update.namespace;
    const newCollection = newNamespace || previous?.collection !== update.collection;
    parts.push(...lengthDelimited(1, encodeKvWrite(update, newNamespace, newCollection)));
    previous = update;
  }
  return concatBytes(...parts);
}

/**
 * Recomputes a block's commit hash.
 *
 * @param filter - the block's TRANSACTIONS_FILTER bytes
 * @param updateBytes - from {@link updateBatchBytes}
 * @param previousCommitHash - the previous block's commit hash; empty for block 1
 * @returns the commit hash
 */
export function commitHash(filter: Uint8Array, updateBytes: Uint8Array, previousCommitHash: Uint8Array): Uint8Array {
  return sha256Concat([protobufVarint(filter.length), filter, updateBytes, previousCommitHash]);
}
