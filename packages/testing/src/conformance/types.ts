import type { JsonObject, Ledger, LedgerCall, LedgerEvent, Receipt, Revision, TrustAnchor } from '@ledgerkit/core';

/**
 * How the conformance suite's key-value workload maps onto one backend: which calls write
 * and read a key, and how to read values back out of results, revisions and events. Keys
 * are short ASCII strings (`[a-z0-9-]{1,40}`) chosen by the suite; values are small JSON
 * objects.
 */
export interface ConformanceWorkload {
  /**
   * A call that writes `value` under `key`.
   *
   * @param exists - whether the suite wrote `key` before (ledgerdb inserts, then updates)
   */
  write(key: string, value: JsonObject, exists: boolean): LedgerCall;
  /** A call whose `evaluate` resolves with the value last written under `key`, or rejects with `NOT_FOUND`. */
  read(key: string): LedgerCall;
  /** The written value inside what `evaluate(read(key))` resolved with. */
  readValue(result: unknown): JsonObject;
  /** The key `Ledger.history` takes for `key`. */
  historyKey(key: string): string;
  /** The written value a revision of `historyKey(key)` carries. */
  revisionValue(revision: Revision): JsonObject;
  /** The workload key an event reports a write of, or undefined for an event that is not a workload write. */
  eventKey(event: LedgerEvent): string | undefined;
  /** A write of `key` that the backend's rules (contract, chaincode, service) refuse with `CONTRACT_REVERTED`. */
  rejectedWrite(key: string): LedgerCall;
}

/** An open ledger under test and its workload. */
export interface ConformanceBackend {
  /** The ledger under test. */
  ledger: Ledger;
  /** The workload's mapping onto it. */
  workload: ConformanceWorkload;
}

/**
 * What the conformance suite needs from a backend. Optional members are capabilities a
 * backend may lack (an embedded database has no separate process to restart, no network
 * to be unreachable); the suite registers no test for a missing capability, prints the
 * exception, and the backend's documentation must give the reason.
 */
export interface ConformanceFactory {
  /** Starts (or connects to) the backend and opens a ledger on it. Called once, before every test. */
  open(): Promise<ConformanceBackend>;
  /** Closes `backend.ledger` and opens the same ledger again: same data, new connection. */
  reopen(backend: ConformanceBackend): Promise<ConformanceBackend>;
  /**
   * Stops the backend's process (server, node, peer) and starts it again on the same data, then
   * connects again. Absent when the backend runs inside the test process.
   */
  restart?(backend: ConformanceBackend): Promise<ConformanceBackend>;
  /** A ledger of the same kind whose backend cannot be reached: its calls reject with `UNAVAILABLE`. The suite closes it. */
  unreachable?(): Promise<ConformanceBackend>;
  /**
   * A ledger on the same backend under an identity that may not write: `submit(write(...))`
   * rejects with `PERMISSION_DENIED`. Absent when the backend has no identities. The suite closes
   * its ledger (and only that).
   */
  unauthorized?(backend: ConformanceBackend): Promise<ConformanceBackend>;
  /** A valid receipt from another ledger, channel or chain of the same kind, which `backend.ledger.verify` must reject. */
  foreignReceipt(backend: ConformanceBackend): Promise<Receipt>;
  /**
   * A trust anchor obtained out of band (not from `backend.ledger`), at or after every receipt
   * written so far: a signed digest, a block hash read from another node, a pinned config block.
   */
  anchor(backend: ConformanceBackend): Promise<TrustAnchor>;
  /**
   * Stops everything `open` started, including the ledger `open`, `reopen` or `restart` returned
   * last (the suite does not close it). Called once, after every test.
   */
  close(): Promise<void>;
  /**
   * Why an optional capability is absent, for the line the suite prints instead of its test
   * (e.g. `{ unauthorized: 'embedded: no identities' }`). Without it the suite prints a generic reason.
   */
  missing?: { restart?: string; unreachable?: string; unauthorized?: string };
}
