export type { BinaryOp, DmlOp, Expr, FromItem, FromSource, PathStep, Projection, Statement } from './partiql/ast.js';
export {
  type ExecuteLambdaOptions,
  LedgerDriver,
  type LedgerDriverOptions,
  type PartiqlServer,
  type RemotePartiqlTransaction,
  Result,
  type TransactionExecutor,
} from './partiql/driver.js';
export { PartiqlSyntaxError } from './partiql/errors.js';
export type { PartiqlValue } from './partiql/evaluate.js';
export {
  executeStatement,
  type PartiqlCatalog,
  type ScanningTransaction,
  type StatementTarget,
} from './partiql/executor.js';
export { supportedFunctions } from './partiql/functions.js';
export { maxStatementLength, parseStatement } from './partiql/parser.js';
