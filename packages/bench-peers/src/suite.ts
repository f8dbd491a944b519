import type { SuiteResult, SystemInfo, WorkloadResult } from './result-schema.ts';

/** What the runner gives a suite. */
export interface SuiteContext {
  /** Rounds per workload (each compared system runs once per round). */
  rounds: number;
  /** Small counts and short rounds: for development and the smoke test, not for numbers. */
  quick: boolean;
  /** A directory of this run (removed at the end); make sub-directories in it. */
  dir: string;
  /** Progress to stderr. */
  log: (message: string) => void;
  /**
   * Registers a cleanup that also runs when the run is interrupted (SIGINT/SIGTERM) or
   * fails; returns a function that runs it now and unregisters it.
   */
  defer: (cleanup: () => void | Promise<void>) => () => Promise<void>;
  /** Where the suite records what it measured; kept even if the suite fails later. */
  record: SuiteRecord;
}

/** The parts of a {@link SuiteResult} a suite fills in as it goes. */
export interface SuiteRecord {
  systems: SystemInfo[];
  workloads: WorkloadResult[];
  notes: string[];
}

/** A benchmark suite: one set of compared systems and their workloads. */
export interface Suite {
  /** Stable id (`immudb`, `fabric`, `ethereum`), also the `--only` name. */
  id: string;
  title: string;
  /** Starts what it needs, measures, stops everything it started (also when it throws). */
  run: (context: SuiteContext) => Promise<void>;
}

/** An entry of the suite list: loaded only when selected, so unselected suites cost nothing. */
export interface SuiteEntry {
  id: string;
  load: () => Promise<Suite>;
}

export type { SuiteResult };
