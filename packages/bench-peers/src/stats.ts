import type {
  LatencySummary,
  RatioResult,
  RoundMeasurement,
  Spread,
  SystemMeasurement,
  WorkloadResult,
} from './result-schema.ts';

/**
 * The q-quantile of sorted values with linear interpolation between closest ranks
 * (numpy's default), so the median of an even count is the mean of the two middle values.
 *
 * @param sorted - values in ascending order
 * @param q - between 0 and 1
 * @returns the quantile, NaN for no values
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (position - low);
}

/**
 * Median, quartiles, min and max of samples.
 *
 * @param samples - one value per round, in round order (kept as given)
 * @returns the spread; every statistic is NaN when there are no samples
 */
export function spread(samples: readonly number[]): Spread {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    min: sorted.length ? (sorted[0] as number) : Number.NaN,
    max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    n: sorted.length,
    samples: [...samples],
  };
}

/**
 * Percentiles of per-operation latencies.
 *
 * @param latenciesMs - one value per operation, any order (sorted in place)
 * @returns p50/p90/p99, mean and max; undefined for no values
 */
export function latencySummary(latenciesMs: number[]): LatencySummary | undefined {
  if (latenciesMs.length === 0) return undefined;
  latenciesMs.sort((a, b) => a - b);
  let total = 0;
  for (const value of latenciesMs) total += value;
  return {
    p50: quantile(latenciesMs, 0.5),
    p90: quantile(latenciesMs, 0.9),
    p99: quantile(latenciesMs, 0.99),
    mean: total / latenciesMs.length,
    max: latenciesMs[latenciesMs.length - 1] as number,
  };
}

/** Options of {@link timedLoop}. */
export interface LoopOptions {
  /** Concurrent workers, each running operations one after another (default 1). */
  concurrency?: number;
  /** Stop starting operations after this many seconds (at least one of seconds/operations). */
  seconds?: number;
  /** Stop after this many operation calls in total. */
  operations?: number;
  /** How many units one call counts for (e.g. 1,000 documents per batch; default 1). */
  unitsPerCall?: number;
  /** Record the latency of every call (default true). */
  latency?: boolean;
  /** Count a thrown call as a failure and go on, instead of rethrowing (default false). */
  countFailures?: boolean;
}

/** A round's numbers without its position (filled in by {@link alternate}). */
export type Measured = Omit<RoundMeasurement, 'round' | 'order'>;

/**
 * Runs `operation` from `concurrency` workers until the time or count budget is used and
 * measures throughput (units per second of wall-clock time) and per-call latency.
 *
 * @param operation - one call; gets the worker number and the call's sequence number
 * @param options - budget, concurrency, units per call
 * @returns the round's measurement
 * @throws whatever an operation throws, unless `countFailures`
 */
export async function timedLoop(
  operation: (worker: number, sequence: number) => Promise<unknown>,
  options: LoopOptions,
): Promise<Measured> {
  const concurrency = options.concurrency ?? 1;
  const units = options.unitsPerCall ?? 1;
  const record = options.latency ?? true;
  if (options.seconds === undefined && options.operations === undefined) {
    throw new TypeError('timedLoop needs seconds or operations');
  }
  const latencies: number[] = [];
  let started = 0;
  let completed = 0;
  let failures = 0;
  const begin = performance.now();
  const deadline = options.seconds === undefined ? Number.POSITIVE_INFINITY : begin + options.seconds * 1000;
  const limit = options.operations ?? Number.POSITIVE_INFINITY;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (started < limit && performance.now() < deadline) {
        const sequence = started++;
        const t0 = performance.now();
        try {
          await operation(worker, sequence);
          completed++;
        } catch (error) {
          if (!options.countFailures) throw error;
          failures++;
          continue;
        }
        if (record) latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - begin) / 1000;
  const measured: Measured = {
    operations: completed * units,
    failures,
    seconds,
    throughput: (completed * units) / seconds,
  };
  const latencyMs = latencySummary(latencies);
  if (latencyMs) measured.latencyMs = latencyMs;
  return measured;
}

/** One compared system in {@link alternate}. */
export interface Contender {
  /** System id, the key in the workload's `systems`. */
  id: string;
  /** Runs one round and measures it. */
  round: (round: number) => Promise<Measured>;
}

/**
 * Runs `rounds` rounds in which every contender runs once, back to back, rotating who goes
 * first, so slow drift of the machine (disk, CPU shared with others) hits every system alike
 * and ratios can be taken per round.
 *
 * @param contenders - the systems, in the order of round 0
 * @param rounds - how many rounds
 * @returns each system's measurements by id
 */
export async function alternate(
  contenders: readonly Contender[],
  rounds: number,
): Promise<Record<string, RoundMeasurement[]>> {
  const results: Record<string, RoundMeasurement[]> = {};
  for (const contender of contenders) results[contender.id] = [];
  for (let round = 0; round < rounds; round++) {
    for (let order = 0; order < contenders.length; order++) {
      const contender = contenders[(round + order) % contenders.length] as Contender;
      const measured = await contender.round(round);
      results[contender.id]?.push({ round, order, ...measured });
    }
  }
  return results;
}

/**
 * Summarises one system's rounds.
 *
 * @param rounds - its measurements
 * @returns spreads of throughput (and latency/send rate when present) and totals
 */
export function summarizeSystem(rounds: readonly RoundMeasurement[]): SystemMeasurement {
  const summary: SystemMeasurement = {
    throughput: spread(rounds.map((r) => r.throughput)),
    operations: rounds.reduce((sum, r) => sum + r.operations, 0),
    failures: rounds.reduce((sum, r) => sum + r.failures, 0),
    rounds: [...rounds],
  };
  const withLatency = rounds.filter((r) => r.latencyMs);
  if (withLatency.length > 0) {
    summary.latencyP50Ms = spread(withLatency.map((r) => r.latencyMs?.p50 as number));
    summary.latencyP99Ms = spread(withLatency.map((r) => r.latencyMs?.p99 as number));
  }
  const withSendRate = rounds.filter((r) => r.sendRate !== undefined);
  if (withSendRate.length > 0) summary.sendRate = spread(withSendRate.map((r) => r.sendRate as number));
  const withCpu = rounds.flatMap((r) => (r.cpuMsPerOperation ? [r.cpuMsPerOperation] : []));
  if (withCpu.length > 0) {
    summary.cpuMsPerOperation = { client: spread(withCpu.map((c) => c.client)) };
    const servers = withCpu.flatMap((c) => (c.server === undefined ? [] : [c.server]));
    if (servers.length > 0) summary.cpuMsPerOperation.server = spread(servers);
  }
  return summary;
}

/**
 * Per-round throughput ratios of two systems, paired by round number.
 *
 * @param of - numerator rounds
 * @param to - denominator rounds
 * @returns the spread of `of.throughput / to.throughput` over rounds both ran
 */
export function pairedRatio(of: readonly RoundMeasurement[], to: readonly RoundMeasurement[]): Spread {
  const byRound = new Map(to.map((r) => [r.round, r.throughput]));
  const ratios: number[] = [];
  for (const r of of) {
    const other = byRound.get(r.round);
    if (other !== undefined && other > 0) ratios.push(r.throughput / other);
  }
  return spread(ratios);
}

/** What {@link workloadResult} needs besides the measurements. */
export interface WorkloadInfo {
  id: string;
  title: string;
  description: string;
  unit: string;
  notes?: string[];
}

/**
 * Builds a workload's result from alternated rounds.
 *
 * @param info - id, title, description, unit
 * @param rounds - from {@link alternate}
 * @param ratios - `[of, to]` system id pairs to report ratios for
 * @returns the workload result
 */
export function workloadResult(
  info: WorkloadInfo,
  rounds: Record<string, RoundMeasurement[]>,
  ratios: readonly (readonly [string, string])[],
): WorkloadResult {
  const systems: Record<string, SystemMeasurement> = {};
  for (const [id, measured] of Object.entries(rounds)) systems[id] = summarizeSystem(measured);
  const result: WorkloadResult = {
    id: info.id,
    title: info.title,
    description: info.description,
    unit: info.unit,
    systems,
    ratios: ratios.map(([of, to]): RatioResult => ({ of, to, ratio: pairedRatio(rounds[of] ?? [], rounds[to] ?? []) })),
  };
  if (info.notes) result.notes = info.notes;
  return result;
}
