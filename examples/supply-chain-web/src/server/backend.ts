// What the API server needs from one backend: the identities whose keys it holds, the
// SupplyChain port as each of them, and the untrusted evidence an auditor verifies elsewhere.
import {
  LedgerError,
  type LedgerKind,
  type TrustAnchor,
  type TrustModel,
  type VerificationBundle,
} from '@ledgerkit/core';
import type { PartyId, Role, SupplyChain } from '@ledgerkit/example-supply-chain';

/** A participant whose key (token, account, certificate) the server holds. */
export interface Participant {
  /** Stable handle the page uses (`acme`). */
  name: string;
  /** What the page shows (`Acme Pharma`). */
  label: string;
  role: Role;
  /** Who it is on the backend: a service identity, an Ethereum address, `MSPID:name` on Fabric. */
  party: PartyId;
}

/** One running backend. */
export interface Backend {
  readonly kind: LedgerKind;
  readonly trustModel: TrustModel;
  /** One line saying who enforces the rules and what an auditor must trust. */
  readonly description: string;
  readonly participants: readonly Participant[];
  /** The port as a participant. */
  as(name: string): SupplyChain;
  /** The batch ids this ledger holds, oldest first. */
  batchIds(): Promise<string[]>;
  /** Remembers a batch registered through the server (backends that cannot list their batches). */
  registered(id: string): void;
  /**
   * Every revision of a batch with its evidence, as a verifier outside the server needs it.
   *
   * @param id - the batch
   * @param anchor - the anchor the auditor will verify against: ledgerdb evidence must lead to its digest
   */
  bundles(id: string, anchor?: TrustAnchor): Promise<VerificationBundle[]>;
  /** The anchor the operator serves now (to pin, or to compare with one from elsewhere). */
  currentAnchor(): Promise<TrustAnchor>;
  close(): Promise<void>;
}

/** The identities of the app; Fabric has one carrier (an offer there goes to an organization). */
export const people: ReadonlyArray<Omit<Participant, 'party'>> = [
  { name: 'acme', label: 'Acme Pharma', role: 'manufacturer' },
  { name: 'haulage', label: 'North Haulage', role: 'carrier' },
  { name: 'coldtrans', label: 'ColdTrans', role: 'carrier' },
  { name: 'shop', label: 'City Pharmacy', role: 'retailer' },
  { name: 'audit', label: 'Audit & Co', role: 'auditor' },
];

/**
 * The port of a participant.
 *
 * @param ports - the ports by participant name
 * @param name - the participant the page acts as
 * @returns its port
 * @throws LedgerError `UNAUTHENTICATED` for a name the server holds no key of
 */
export function portOf(ports: ReadonlyMap<string, SupplyChain>, name: string): SupplyChain {
  const port = ports.get(name);
  if (port) return port;
  throw new LedgerError('UNAUTHENTICATED', `the server holds no key of ${JSON.stringify(name)}`, {
    details: { identity: name },
  });
}
