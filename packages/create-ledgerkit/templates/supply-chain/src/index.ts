export type {
  Batch,
  BatchStatus,
  NewBatch,
  NewCheckpoint,
  PartyId,
  ProvenanceStep,
  Role,
  RuleReason,
  StepDetail,
} from './domain.ts';
export { ruleReasons } from './domain.ts';
export { type EdrParty, type EdrSupplyChain, startEdrSupplyChain } from './edr-supply-chain.ts';
export { ruleReasonOf, ruleViolation } from './errors.ts';
export { deploySupplyChainContract } from './ethereum-deploy.ts';
export {
  type EthereumSupplyChainOptions,
  ethereumSupplyChain,
  supplyChainContractName,
} from './ethereum-supply-chain.ts';
export {
  batchesTable,
  type LedgerdbSupplyChainOptions,
  LedgerdbSupplyChainService,
  supplyChainRules,
} from './ledgerdb-supply-chain.ts';
export type { SupplyChain, VerifiedStep } from './port.ts';
export { applyStep, type BatchDocument, type StepRecord } from './rules.ts';
