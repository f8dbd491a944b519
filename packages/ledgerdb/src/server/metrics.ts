// Prometheus metrics of the ledger server, on prom-client: one registry per server (two
// servers in one process, as in tests, keep separate counts), read at GET /metrics.
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LedgerDatabase } from '../ledger-database.js';

/** Why a request failed authentication or authorization, as counted in `ledgerdb_auth_failures_total`. */
export type AuthFailureReason = 'missing_token' | 'invalid_token' | 'permission_denied';

/** The proofs whose latency is measured, label `kind` of `ledgerdb_proof_duration_seconds`. */
export type ProofKind = 'revision' | 'block' | 'consistency';

/** Latency buckets in seconds: from a cached read (sub-millisecond) to a commit waiting on a busy disk. */
const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The server's instruments; `registry.metrics()` is the text a scrape gets. */
export interface ServerMetrics {
  readonly registry: Registry;
  readonly commitFailures: Counter<'code'>;
  readonly proofDuration: Histogram<'kind'>;
  readonly authFailures: Counter<'reason'>;
  /** Transaction requests running or waiting for their (group) commit: `ledgerdb_commit_queue_depth`. */
  commitQueue: number;
  /**
   * Counts a committed transaction in `ledgerdb_commits_total` and its latency in
   * `ledgerdb_commit_duration_seconds` (the counter is the histogram's count).
   *
   * @param seconds - from running the transaction request to its durable commit
   */
  observeCommit(seconds: number): void;
  /**
   * Counts an answered request and its duration in the `ledgerdb_http_*` metrics (the
   * counter is the histogram's count) through the series of its (method, route, status),
   * made on its first request.
   *
   * @param method - the HTTP method
   * @param route - the route's template, never the raw path (one series per route, not per document)
   * @param status - the status code
   * @param elapsedMs - milliseconds from receiving the request to sending its answer
   */
  observeRequest(method: string, route: string, status: number, elapsedMs: number): void;
  /** Stops the event-loop delay monitor (when the server closes). */
  stop(): void;
}

/** The counts of one histogram series: per bucket (not cumulative; the last is +Inf), sum and count. */
class HistogramSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  readonly #bounds: readonly number[];

  constructor(bounds: readonly number[], labels: Readonly<Record<string, string>>) {
    this.#bounds = bounds;
    this.labels = labels;
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.#bounds;
    let bucket = 0;
    while (bucket < bounds.length && value > (bounds[bucket] as number)) bucket++;
    this.counts[bucket] = (this.counts[bucket] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

/** A value as prom-client's registry formats it (its `metricName` overrides the metric's name). */
interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/**
 * A histogram for the hot paths (every request, every commit), and the counter that is its
 * count, registered in a prom-client registry and formatted by it. An observation is a bucket
 * search and three additions on a series the caller keeps; prom-client's own histogram
 * validates, hashes and looks up the labels and converts the bucket's bound to a string at
 * each observation, label children included. The text is made at the scrape.
 */
class ScrapedHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  readonly #bounds: readonly number[];
  readonly #series: HistogramSeries[] = [];

  constructor(registry: Registry, name: string, help: string, bounds: readonly number[]) {
    this.name = name;
    this.help = help;
    this.#bounds = bounds;
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** A new series with these labels; keep it, observing through it is the cheap path. */
  series(labels: Readonly<Record<string, string>> = {}): HistogramSeries {
    const series = new HistogramSeries(this.#bounds, labels);
    this.#series.push(series);
    return series;
  }

  /** A counter named `name`, registered too, whose value per series is this histogram's count. */
  countAs(registry: Registry, name: string, help: string): void {
    const series = this.#series;
    registry.registerMetric({
      type: 'counter',
      aggregator: 'sum',
      name,
      help,
      get: async () => ({
        name,
        help,
        type: 'counter',
        aggregator: 'sum',
        values: series.map((one) => ({ value: one.count, labels: { ...one.labels } })),
      }),
      reset: () => {},
    } as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: MetricValue[] }> {
    const values: MetricValue[] = [];
    for (const one of this.#series) {
      let cumulative = 0;
      for (let bucket = 0; bucket <= this.#bounds.length; bucket++) {
        cumulative += one.counts[bucket] as number;
        const le = bucket < this.#bounds.length ? (this.#bounds[bucket] as number) : '+Inf';
        values.push({ value: cumulative, labels: { ...one.labels, le }, metricName: `${this.name}_bucket` });
      }
      values.push({ value: one.sum, labels: { ...one.labels }, metricName: `${this.name}_sum` });
      values.push({ value: one.count, labels: { ...one.labels }, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const one of this.#series) {
      one.counts.fill(0);
      one.sum = 0;
      one.count = 0;
    }
  }
}

/**
 * The process's own gauges (`process_*`, `nodejs_*`, under prom-client's default names), all
 * computed when a scrape asks for them: CPU seconds, resident memory, heap, open files,
 * start time, version, and the event loop's delay from Node's native histogram
 * (`monitorEventLoopDelay`, sampled in C++ without running JavaScript, read and reset at
 * each scrape). Written here instead of prom-client's `collectDefaultMetrics` because that
 * set also observes every garbage collection (a PerformanceObserver whose JavaScript
 * callback runs for each one, many a second under load) and keeps per-heap-space and
 * handle gauges; under load it was a measurable part of the metrics' cost per request
 * (docs/operations.md, "What observability costs").
 *
 * @returns a function that stops the event-loop delay monitor
 */
function registerProcessMetrics(registers: Registry[]): () => void {
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const seconds = (microseconds: number) => microseconds / 1e6;
  new Counter({
    name: 'process_cpu_user_seconds_total',
    help: 'User CPU time this process spent, in seconds',
    registers,
    collect() {
      this.reset();
      this.inc(seconds(process.cpuUsage().user));
    },
  });
  new Counter({
    name: 'process_cpu_system_seconds_total',
    help: 'System (kernel) CPU time this process spent, in seconds',
    registers,
    collect() {
      this.reset();
      this.inc(seconds(process.cpuUsage().system));
    },
  });
  new Counter({
    name: 'process_cpu_seconds_total',
    help: 'User and system CPU time this process spent, in seconds',
    registers,
    collect() {
      const usage = process.cpuUsage();
      this.reset();
      this.inc(seconds(usage.user + usage.system));
    },
  });
  new Gauge({
    name: 'process_start_time_seconds',
    help: 'When this process started, in seconds since the Unix epoch',
    registers,
  }).set(Math.round((Date.now() - process.uptime() * 1000) / 1000));
  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory of this process, in bytes',
    registers,
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  const memory = (name: string, help: string, field: 'heapUsed' | 'heapTotal' | 'external') =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(process.memoryUsage()[field]);
      },
    });
  memory('nodejs_heap_size_used_bytes', 'V8 heap in use, in bytes', 'heapUsed');
  memory('nodejs_heap_size_total_bytes', 'V8 heap allocated, in bytes', 'heapTotal');
  memory('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JavaScript objects, in bytes', 'external');
  if (process.platform === 'linux') {
    new Gauge({
      name: 'process_open_fds',
      help: 'Open file descriptors of this process',
      registers,
      collect() {
        try {
          // One entry is the descriptor of the listing itself.
          this.set(readdirSync('/proc/self/fd').length - 1);
        } catch {
          this.reset();
        }
      },
    });
  }
  new Gauge({
    name: 'nodejs_version_info',
    help: 'The Node.js version, in its labels',
    labelNames: ['version', 'major', 'minor', 'patch'] as const,
    registers,
  }).set(
    (() => {
      const [major = '', minor = '', patch = ''] = process.versions.node.split('.');
      return { version: process.version, major, minor, patch };
    })(),
    1,
  );
  // The event loop's delay since the previous scrape, in seconds.
  const lag = (name: string, help: string, read: () => number, last = false) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        // A histogram without samples (no 10 ms tick since the last scrape) reads as NaN or 0.
        const value = loopDelay.count === 0 ? 0 : read() / 1e9;
        this.set(Number.isFinite(value) ? value : 0);
        if (last) loopDelay.reset();
      },
    });
  lag('nodejs_eventloop_lag_min_seconds', 'Least event-loop delay since the last scrape', () => loopDelay.min);
  lag('nodejs_eventloop_lag_mean_seconds', 'Mean event-loop delay since the last scrape', () => loopDelay.mean);
  lag(
    'nodejs_eventloop_lag_stddev_seconds',
    'Standard deviation of event-loop delay since the last scrape',
    () => loopDelay.stddev,
  );
  lag('nodejs_eventloop_lag_p50_seconds', 'Median event-loop delay since the last scrape', () =>
    loopDelay.percentile(50),
  );
  lag('nodejs_eventloop_lag_p90_seconds', '90th percentile of event-loop delay since the last scrape', () =>
    loopDelay.percentile(90),
  );
  lag('nodejs_eventloop_lag_p99_seconds', '99th percentile of event-loop delay since the last scrape', () =>
    loopDelay.percentile(99),
  );
  lag('nodejs_eventloop_lag_max_seconds', 'Greatest event-loop delay since the last scrape', () => loopDelay.max, true);
  return () => loopDelay.disable();
}

/**
 * Creates the metrics of one server over `ledger`. The journal size is read from the
 * ledger's digest at each scrape, so it counts every commit to the storage, other
 * processes' on a shared PostgreSQL ledger included; the counters count this server's.
 *
 * @param ledger - the served ledger
 * @returns the registry and the instruments the server updates
 */
export function createServerMetrics(ledger: LedgerDatabase): ServerMetrics {
  const registry = new Registry();
  const registers = [registry];
  const stop = registerProcessMetrics(registers);
  // The metrics of every request and commit: plain additions at the time, text at the scrape.
  const commitDuration = new ScrapedHistogram(
    registry,
    'ledgerdb_commit_duration_seconds',
    'Time from running a transaction request to its durable commit, for committed transactions',
    latencyBuckets,
  );
  const committed = commitDuration.series();
  commitDuration.countAs(
    registry,
    'ledgerdb_commits_total',
    'Transactions this server committed (one journal block each); rate() of it is the commit rate',
  );
  const commitFailures = new Counter({
    name: 'ledgerdb_commit_failures_total',
    help: 'Transaction requests that reached the ledger and committed nothing, by error code',
    labelNames: ['code'] as const,
    registers,
  });
  new Gauge({
    name: 'ledgerdb_commit_queue_depth',
    help: 'Transaction requests running or waiting for their (group) commit',
    registers,
    collect() {
      this.set(instruments.commitQueue);
    },
  });
  const proofDuration = new Histogram({
    name: 'ledgerdb_proof_duration_seconds',
    help: 'Time to build an inclusion (revision, block) or consistency proof',
    labelNames: ['kind'] as const,
    buckets: latencyBuckets,
    registers,
  });
  const authFailures = new Counter({
    name: 'ledgerdb_auth_failures_total',
    help: 'Requests refused for a missing or invalid bearer token (401) or missing rights (403)',
    labelNames: ['reason'] as const,
    registers,
  });
  const httpDuration = new ScrapedHistogram(
    registry,
    'ledgerdb_http_request_duration_seconds',
    'Time from receiving a request to sending its answer, by method, route template and status',
    latencyBuckets,
  );
  httpDuration.countAs(
    registry,
    'ledgerdb_http_requests_total',
    'HTTP requests answered, by method, route template and status',
  );
  new Gauge({
    name: 'ledgerdb_journal_size',
    help: 'Entries in the journal: kind="block" (one per committed transaction) and kind="revision"',
    labelNames: ['kind'] as const,
    registers,
    async collect() {
      try {
        const digest = await ledger.digest();
        const blocks = digest.tip === null ? 0 : digest.tip.seq + 1;
        this.set({ kind: 'block' }, blocks);
        this.set({ kind: 'revision' }, digest.treeSize - blocks);
      } catch {
        // Storage unreachable or the ledger closing: no value rather than a failed scrape;
        // /readyz says why.
        this.reset();
      }
    },
  });
  for (const kind of ['revision', 'block', 'consistency'] as const) proofDuration.zero({ kind });
  for (const reason of ['missing_token', 'invalid_token', 'permission_denied'] as const)
    authFailures.inc({ reason }, 0);
  // The series of each (method, route, status), by route then status then method: no string
  // or label object made per request.
  const httpSeries = new Map<string, Map<number, Map<string, HistogramSeries>>>();
  const observeRequest = (method: string, route: string, status: number, elapsedMs: number): void => {
    let byStatus = httpSeries.get(route);
    if (!byStatus) {
      byStatus = new Map();
      httpSeries.set(route, byStatus);
    }
    let byMethod = byStatus.get(status);
    if (!byMethod) {
      byMethod = new Map();
      byStatus.set(status, byMethod);
    }
    let series = byMethod.get(method);
    if (!series) {
      series = httpDuration.series({ method, route, status: String(status) });
      byMethod.set(method, series);
    }
    series.observe(elapsedMs / 1000);
  };
  const instruments: ServerMetrics = {
    registry,
    observeRequest,
    observeCommit: (seconds) => committed.observe(seconds),
    commitQueue: 0,
    stop,
    commitFailures,
    proofDuration,
    authFailures,
  };
  return instruments;
}
