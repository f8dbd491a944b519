export {
  type ConformanceOptions,
  runLedgerConformance,
} from './conformance/run-ledger-conformance.js';
export type {
  ConformanceBackend,
  ConformanceFactory,
  ConformanceWorkload,
} from './conformance/types.js';
