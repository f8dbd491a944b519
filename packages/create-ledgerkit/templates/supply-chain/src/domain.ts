// The supply-chain business, written once: what a batch is, what happens to it, and the
// rule violations every backend reports with the same reason code.
import type { Receipt } from '@ledgerkit/core';

/** What an identity may do. Roles come from the backend's identities, never from call arguments. */
export type Role = 'manufacturer' | 'carrier' | 'retailer' | 'auditor';

/**
 * Who someone is on a backend: a ledgerdb service identity (`carrier-1`), an Ethereum address
 * (`0xAbc…`), or a Fabric identity as `MSPID:commonName` (`Org2MSP:carrier`). Offers on Fabric
 * are addressed to the organization (the part before the colon).
 */
export type PartyId = string;

/** `active` while in the supply chain; `received` once a retailer took delivery, which is final. */
export type BatchStatus = 'active' | 'received';

/** What a manufacturer registers. */
export interface NewBatch {
  /** 1-31 characters of `[A-Za-z0-9._-]` (the longest id every backend can hold). */
  id: string;
  /** What is shipped, 1-31 characters. */
  product: string;
  /** SHA-256 (64 lowercase hex) of the certificate of analysis or another document. */
  documentHash: string;
  /** Highest allowed temperature in °C; a checkpoint above it flags the batch. */
  maxTemperature: number;
}

/** What a custodian records on the way. */
export interface NewCheckpoint {
  /** Location code, 2-16 of `[A-Z0-9-]` (e.g. a UN/LOCODE such as `DE-HAM`). */
  location: string;
  /** Measured temperature in °C, in [-100, 100], two decimals at most. */
  temperature: number;
  /** SHA-256 (64 lowercase hex) of the shipping document. */
  documentHash: string;
}

/** A batch's current state. */
export interface Batch {
  id: string;
  product: string;
  documentHash: string;
  maxTemperature: number;
  custodian: PartyId;
  /** Whom custody is offered to (an organization on Fabric), or `null`. */
  pendingOffer: PartyId | null;
  status: BatchStatus;
  /** Set for good by the first checkpoint above `maxTemperature`. */
  flagged: boolean;
  /** Checkpoints recorded so far. */
  checkpoints: number;
}

/** One step of a batch's provenance, as the business sees it. */
export type StepDetail =
  | { kind: 'registered'; product: string; documentHash: string; maxTemperature: number }
  | { kind: 'custody-offered'; to: PartyId }
  | { kind: 'custody-accepted'; from: PartyId }
  | {
      kind: 'checkpoint';
      sequence: number;
      location: string;
      temperature: number;
      documentHash: string;
      /** Whether this reading was above the batch's limit. */
      excursion: boolean;
    }
  | { kind: 'received' };

/** One committed step with who did it, when, and the backend's receipt for it. */
export type ProvenanceStep = StepDetail & {
  /** Who acted. */
  by: PartyId;
  /** Commit time, ISO 8601 UTC, from the receipt. */
  at: string;
  /** Proof of the write, verifiable by anyone with `Ledger.verify` or `ledgerkit verify`. */
  receipt: Receipt;
};

/**
 * Why the rules refused an operation: `details.reasonCode` of a `CONTRACT_REVERTED`
 * LedgerError, the same on every backend.
 */
export const ruleReasons = [
  'NOT_CUSTODIAN',
  'NOT_OFFERED_TO',
  'NO_PENDING_OFFER',
  'BATCH_RECEIVED',
  'ALREADY_REGISTERED',
  'INVALID_RECEIVER',
  'OFFER_PENDING',
  'OFFER_EXPIRED',
] as const;

/** A reason code of {@link ruleReasons}. */
export type RuleReason = (typeof ruleReasons)[number];
