/** An asset on the ledger, stored as JSON under its id. */
export interface Asset {
  id: string;
  /** Client identity id of the owner (`x509::<subject>::<issuer>`). */
  owner: string;
  description: string;
  /** Transaction time of the last change, ISO 8601. */
  updatedAt: string;
}
