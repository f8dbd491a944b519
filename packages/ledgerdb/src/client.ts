// `@ledgerkit/ledgerdb/client`: a verifying client of `ledgerdb serve` (no node:sqlite).
export {
  type ClientStatement,
  type ClientStatementResult,
  type ClientTransactionResult,
  LedgerClient,
  type LedgerClientOptions,
} from './client/client.js';
export type { ClientTlsOptions } from './client/transport.js';
export { type DigestStore, fileDigestStore } from './verifier.js';
