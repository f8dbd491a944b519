export type { MachineFactsOptions } from './machine.ts';
export { machineFacts, measureFsync, measureSha256 } from './machine.ts';
export type { ProcessSpec, StartedProcess } from './processes.ts';
export {
  claimRunDir,
  killRunProcesses,
  pidAlive,
  processesOfRun,
  runDirPrefix,
  startProcess,
  sweepLeftovers,
} from './processes.ts';
export type {
  LatencySummary,
  MachineFacts,
  PeerBenchResult,
  RatioResult,
  RoundMeasurement,
  Spread,
  SuiteResult,
  SystemInfo,
  SystemMeasurement,
  WorkloadResult,
} from './result-schema.ts';
export type { Contender, LoopOptions, Measured, WorkloadInfo } from './stats.ts';
export {
  alternate,
  latencySummary,
  pairedRatio,
  quantile,
  spread,
  summarizeSystem,
  timedLoop,
  workloadResult,
} from './stats.ts';
export type { Suite, SuiteContext, SuiteEntry, SuiteRecord } from './suite.ts';
export { suiteEntries } from './workloads.ts';
