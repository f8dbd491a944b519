// `@ledgerkit/ledgerdb/client`: a verifying client of `ledgerdb serve` (no node:sqlite).
export {
  type ClientStatement,
  type ClientStatementResult,
  type ClientTransactionResult,
  LedgerdbClient,
  type LedgerdbClientOptions,
} from './client/client.js';
export { connectDriver } from './client/connect-driver.js';
export type { ClientTlsOptions } from './client/transport.js';
export { LedgerClient, type LedgerClientOptions } from './client-deprecated.js';
export { fileDigestStore } from './digest-store.js';
export type { DigestStore } from './verifier.js';
