import type { TestIdentity } from '../test-identity.js';
import type { Version } from './world-state.js';

/** A range query's read as the peer records it: the keys it read and whether it reached the end. */
export interface RangeRead {
  namespace: string;
  startKey: string;
  endKey: string;
  results: Array<{ key: string; version: Version }>;
  exhausted: boolean;
}

/** Everything one transaction proposal reads and writes, across the chaincodes it calls. */
export interface TransactionRecord {
  txId: string;
  channelId: string;
  timestamp: Date;
  creator: TestIdentity;
  transient: Map<string, Uint8Array>;
  /** namespace -> key -> committed version read (null: the key did not exist). */
  reads: Map<string, Map<string, Version | null>>;
  rangeReads: RangeRead[];
  /** namespace -> key -> value written (null: deleted). */
  writes: Map<string, Map<string, Buffer | null>>;
  /** `namespace\0collection` -> key -> version read. */
  privateReads: Map<string, Map<string, Version | null>>;
  /** `namespace\0collection` -> key -> value written (null: deleted). */
  privateWrites: Map<string, Map<string, Buffer | null>>;
  purges: Map<string, Set<string>>;
  /** Fabric's simulator flags: a write forbids later paginated and private-range queries, and they forbid later writes. */
  writePerformed: boolean;
  paginatedQueryPerformed: boolean;
  privateQueryPerformed: boolean;
}

export function innerMap<V>(outer: Map<string, Map<string, V>>, id: string): Map<string, V> {
  let inner = outer.get(id);
  if (!inner) {
    inner = new Map();
    outer.set(id, inner);
  }
  return inner;
}
