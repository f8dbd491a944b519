// The application's port: what the supply-chain app needs from a ledger, whatever backs it.
// Each implementation maps these operations to its backend and its trust model; the
// domain types and error codes are the same everywhere.
import type { CallOptions, LedgerKind, TrustModel, Verification, VerifyOptions } from '@ledgerkit/core';
import type { Batch, NewBatch, NewCheckpoint, PartyId, ProvenanceStep, Role } from './domain.ts';

/** A provenance step with the verification of its receipt. */
export type VerifiedStep = ProvenanceStep & { verification: Verification };

/**
 * The supply-chain operations, acting as one identity of one backend.
 *
 * Errors are `LedgerError`s: `CONTRACT_REVERTED` with `details.reasonCode` (a `RuleReason`:
 * `NOT_CUSTODIAN`, `BATCH_RECEIVED`, …) when a business rule refuses; `PERMISSION_DENIED` when the
 * identity's role may not act; `NOT_FOUND` for an unknown batch; `INVALID_ARGUMENT` for malformed
 * input; and the backend's own codes (`UNAVAILABLE`, `TIMEOUT`, …).
 */
export interface SupplyChain {
  /** Backend kind. */
  readonly backend: LedgerKind;
  /** Who enforces the rules: the operator (`centralized`) or the consortium (`decentralized`). */
  readonly trustModel: TrustModel;
  /** The identity this instance acts as. */
  readonly identity: PartyId;
  /** Its role, as the backend knows it. */
  readonly role: Role;

  /**
   * Registers a batch with this identity (a manufacturer) as its first custodian.
   *
   * @param batch - id, product, document hash and temperature limit
   * @param options - abort signal
   * @returns the step as committed, with its receipt
   * @throws LedgerError `PERMISSION_DENIED` (not a manufacturer), `CONTRACT_REVERTED`
   *   `ALREADY_REGISTERED`, `INVALID_ARGUMENT`
   */
  register(batch: NewBatch, options?: CallOptions): Promise<ProvenanceStep>;

  /**
   * Offers custody of a batch this identity holds to another participant.
   *
   * @param id - the batch
   * @param to - the receiver (on Fabric, its organization receives the offer)
   * @param options - abort signal
   * @returns the step with its receipt
   * @throws LedgerError `CONTRACT_REVERTED` `NOT_CUSTODIAN`, `BATCH_RECEIVED`, `INVALID_RECEIVER`,
   *   `OFFER_PENDING` (Fabric); `NOT_FOUND`
   */
  offerCustody(id: string, to: PartyId, options?: CallOptions): Promise<ProvenanceStep>;

  /**
   * Accepts custody offered to this identity.
   *
   * @param id - the batch
   * @param options - abort signal
   * @returns the step with its receipt
   * @throws LedgerError `CONTRACT_REVERTED` `NO_PENDING_OFFER`, `NOT_OFFERED_TO`, `OFFER_EXPIRED`,
   *   `BATCH_RECEIVED`; `NOT_FOUND`
   */
  acceptCustody(id: string, options?: CallOptions): Promise<ProvenanceStep>;

  /**
   * Records a checkpoint of a batch this identity holds; above the limit, the batch is flagged.
   *
   * @param id - the batch
   * @param checkpoint - location, temperature, document hash
   * @param options - abort signal
   * @returns the step with its receipt (`excursion` tells whether it flagged the batch)
   * @throws LedgerError `CONTRACT_REVERTED` `NOT_CUSTODIAN`, `BATCH_RECEIVED`; `NOT_FOUND`,
   *   `INVALID_ARGUMENT`
   */
  recordCheckpoint(id: string, checkpoint: NewCheckpoint, options?: CallOptions): Promise<ProvenanceStep>;

  /**
   * Takes final delivery of a batch this identity (a retailer) holds; the batch is then final.
   *
   * @param id - the batch
   * @param options - abort signal
   * @returns the step with its receipt
   * @throws LedgerError `PERMISSION_DENIED` (not a retailer), `CONTRACT_REVERTED` `NOT_CUSTODIAN`,
   *   `BATCH_RECEIVED`; `NOT_FOUND`
   */
  receive(id: string, options?: CallOptions): Promise<ProvenanceStep>;

  /**
   * A batch's current state.
   *
   * @param id - the batch
   * @param options - abort signal
   * @returns custodian, status, flag and the registered data
   * @throws LedgerError `NOT_FOUND`
   */
  batch(id: string, options?: CallOptions): Promise<Batch>;

  /**
   * A batch's provenance, oldest first, each step with its receipt.
   *
   * @param id - the batch
   * @param options - abort signal
   * @returns the steps
   * @throws LedgerError `NOT_FOUND`
   */
  history(id: string, options?: CallOptions): Promise<ProvenanceStep[]>;

  /**
   * Verifies every receipt of a batch's provenance (or of the steps given) with the backend's
   * verifier, against `options.anchor` when the auditor chose one.
   *
   * @param subject - a batch id, or steps from {@link history} (e.g. read from an exported file)
   * @param options - trust anchor and abort signal
   * @returns each step with its verification; a tampered step fails a named check, never throws
   * @throws LedgerError `NOT_FOUND` for an unknown batch id
   */
  verify(subject: string | readonly ProvenanceStep[], options?: VerifyOptions): Promise<VerifiedStep[]>;

  /** Releases this identity's connection. */
  close(): Promise<void>;
}
