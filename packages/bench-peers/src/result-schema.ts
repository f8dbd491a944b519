/**
 * The JSON document `npm run bench:peers` writes (stdout's last line, or `--out <file>`).
 * The report generator reads it; a change to these types is a change of `version`.
 */

/** Summary of repeated measurements of one quantity (one sample per round). */
export interface Spread {
  /** Middle value (mean of the two middle ones for an even count). */
  median: number;
  min: number;
  max: number;
  /** First and third quartile (linear interpolation, like numpy's default). */
  q1: number;
  q3: number;
  /** Number of samples. */
  n: number;
  /** Every sample, in round order. */
  samples: number[];
}

/** Latency percentiles of one round, in milliseconds. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

/** What one system did in one round of one workload. */
export interface RoundMeasurement {
  /** 0-based round number; rounds of different systems with one number ran back to back. */
  round: number;
  /** Position of this system in the round (0 = ran first): rounds rotate the order. */
  order: number;
  /** Operations completed (documents, reads, proofs... the workload's `unit`). */
  operations: number;
  /** Operations that failed (counted, not thrown). */
  failures: number;
  /** Wall-clock time of the round. */
  seconds: number;
  /** operations / seconds. */
  throughput: number;
  /** Requests sent per second (Caliper's send rate), when it differs from throughput. */
  sendRate?: number;
  /**
   * CPU time per operation in milliseconds, when measured: `client` is the benchmark process
   * (which embeds the system for in-process systems), `server` the system's server process.
   */
  cpuMsPerOperation?: { client: number; server?: number };
  /** Per-operation latency, when the workload times single operations. */
  latencyMs?: LatencySummary;
}

/** One system's rounds of one workload and their summary. */
export interface SystemMeasurement {
  /** Operations per second, one sample per round. */
  throughput: Spread;
  /** Per-round p50 / p99 latency, when measured. */
  latencyP50Ms?: Spread;
  latencyP99Ms?: Spread;
  /** Per-round send rate, when measured. */
  sendRate?: Spread;
  /** Per-round CPU milliseconds per operation, when measured (see {@link RoundMeasurement}). */
  cpuMsPerOperation?: { client: Spread; server?: Spread };
  /** Totals over every round. */
  operations: number;
  failures: number;
  rounds: RoundMeasurement[];
}

/** Ratio of two systems' throughput, from rounds that ran back to back (paired by round number). */
export interface RatioResult {
  /** Numerator system id (e.g. `ledgerdb-embedded`). */
  of: string;
  /** Denominator system id (e.g. `immudb`). */
  to: string;
  /** Per-round ratios of throughput (of / to); > 1 means `of` is faster. */
  ratio: Spread;
}

/** One workload, every compared system, and the ratios. */
export interface WorkloadResult {
  /** Stable id, e.g. `write-1-client`. */
  id: string;
  /** Short human title. */
  title: string;
  /** What one operation is and how it is done, precisely enough to reproduce. */
  description: string;
  /** What `operations` counts, e.g. `documents`, `verified reads`. Throughput is this per second. */
  unit: string;
  /** Measurements by system id (keys of {@link SuiteResult.systems}). */
  systems: Record<string, SystemMeasurement>;
  ratios: RatioResult[];
  /** Anything a reader must know to interpret the numbers. */
  notes?: string[];
}

/** A compared system as it ran. */
export interface SystemInfo {
  /** Stable id used as key in {@link WorkloadResult.systems}, e.g. `immudb`, `ledgerdb-embedded`. */
  id: string;
  /** Human label, e.g. `immudb 1.9.5 (gRPC, synced)`. */
  label: string;
  version?: string;
  /** Settings that matter for the comparison (durability, transport, ...). */
  settings?: Record<string, string | number | boolean>;
}

/** One suite (immudb vs ledgerdb, Fabric, Ethereum): its systems and workloads. */
export interface SuiteResult {
  /** Stable id, e.g. `immudb`, `fabric`, `ethereum`. */
  id: string;
  title: string;
  systems: SystemInfo[];
  workloads: WorkloadResult[];
  notes?: string[];
  /** Set when the suite could not run to the end; the workloads measured before are kept. */
  error?: { message: string; code?: string };
  seconds: number;
}

/** Facts about the machine the run measured on. */
export interface MachineFacts {
  /** `os.availableParallelism()`. */
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  platform: string;
  arch: string;
  kernel: string;
  node: string;
  /** 1, 5 and 15 minute load averages when the run started. */
  loadAverage: number[];
  /** 4 KiB write + fdatasync per second in the run's temporary directory, one sample per round. */
  fsyncPerSecond: Spread;
  /** One-shot SHA-256 of 65 bytes per second on one thread (digest as bytes), one sample per round. */
  sha256PerSecond: Spread;
  /** The filesystem directory fsync was measured in (where the systems keep their data). */
  tmpDir: string;
}

/** The whole document. */
export interface PeerBenchResult {
  format: 'ledgerkit.bench-peers';
  version: 1;
  startedAt: string;
  finishedAt: string;
  /** The options the run used (rounds, quick, suites). */
  options: { rounds: number; quick: boolean; suites: string[] };
  git?: { commit: string; dirty: boolean };
  /** Measured at the start and at the end of the run. */
  machine: MachineFacts;
  machineAfter?: MachineFacts;
  suites: SuiteResult[];
}
