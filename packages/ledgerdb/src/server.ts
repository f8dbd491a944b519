// `@ledgerkit/ledgerdb/server`: the multi-party HTTP server over a ledger.
export {
  createToken,
  grants,
  type Principal,
  parseRoles,
  readTokensFile,
  revokeToken,
  type StoredToken,
  type TableGrant,
  TokenRegistry,
  type TokenRights,
  type TokensFile,
  tokenHash,
  writeTokensFile,
} from './server/auth.js';
export { type ErrorBody, statusOfCode } from './server/errors.js';
export { type LogLevel, logLevels, type ServerLogOptions } from './server/logging.js';
export { createServer, type LedgerServer, type ServerOptions, type ServerTlsOptions } from './server/server.js';
export {
  idempotencyTable,
  type StatementInput,
  type StatementResult,
  type TransactionResponse,
} from './server/transactions.js';
