import type { SystemInfo } from './result-schema.ts';

/**
 * One system of the immudb suite, doing each workload's operation its own way. Every
 * method is one measured operation unless it says "setup"; a failed verification throws.
 */
export interface PeerSystem {
  info: SystemInfo;
  /** The pid of the system's server process, when it has one (for CPU accounting). */
  serverPid?: number;
  /** Setup: opens `count` independent clients (connections) for the concurrent workload. */
  openClients(count: number): Promise<void>;
  /** One durable transaction writing one document, from client `client`. */
  writeOne(client: number, sequence: number): Promise<void>;
  /** One durable transaction writing `size` documents. */
  writeBatch(sequence: number, size: number): Promise<void>;
  /** Setup: writes `count` documents readable by number, then takes the state the reader trusts. */
  preloadReads(count: number): Promise<void>;
  /** Reads document `index` of the preload with an inclusion proof and verifies it against the trusted state. */
  verifiedRead(index: number): Promise<void>;
  /** Setup: one document with `revisions` revisions (each its own transaction). */
  prepareHistory(revisions: number): Promise<void>;
  /** Reads the whole history of that document; returns how many revisions came back. */
  history(): Promise<number>;
  /** Setup: remembers the current state as the client's old trusted state. */
  markOldState(): Promise<void>;
  /** Fetches the current state and proves it extends the old one, verifying the proof. */
  consistencyCheck(): Promise<void>;
  close(): Promise<void>;
}

/** The document every write stores (about 40 bytes of JSON). */
export function benchDocument(n: number): { n: number; sku: string; qty: number } {
  return { n, sku: 'A-1', qty: 5 };
}

/**
 * Documents per transaction when preloading the documents of the verified reads: small, as
 * documents usually arrive, because an immudb inclusion proof covers the entry's whole
 * transaction (its server hashes every entry of it for each proof).
 */
export const preloadBatch = 10;
