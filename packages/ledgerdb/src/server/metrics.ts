// Prometheus metrics of the ledger server, on prom-client: one registry per server (two
// servers in one process, as in tests, keep separate counts), read at GET /metrics.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
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
  readonly commits: Counter;
  readonly commitFailures: Counter<'code'>;
  readonly commitDuration: Histogram;
  readonly commitQueue: Gauge;
  readonly proofDuration: Histogram<'kind'>;
  readonly authFailures: Counter<'reason'>;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  /**
   * Counts an answered request and its duration in the `ledgerdb_http_*` metrics through
   * the label children of its (method, route, status), made on its first request.
   *
   * @param method - the HTTP method
   * @param route - the route's template, never the raw path (one series per route, not per document)
   * @param status - the status code
   * @param elapsedMs - milliseconds from receiving the request to sending its answer
   */
  observeRequest(method: string, route: string, status: number, elapsedMs: number): void;
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
  collectDefaultMetrics({ register: registry });
  const commits = new Counter({
    name: 'ledgerdb_commits_total',
    help: 'Transactions this server committed (one journal block each); rate() of it is the commit rate',
    registers,
  });
  const commitFailures = new Counter({
    name: 'ledgerdb_commit_failures_total',
    help: 'Transaction requests that reached the ledger and committed nothing, by error code',
    labelNames: ['code'] as const,
    registers,
  });
  const commitDuration = new Histogram({
    name: 'ledgerdb_commit_duration_seconds',
    help: 'Time from running a transaction request to its durable commit, for committed transactions',
    buckets: latencyBuckets,
    registers,
  });
  const commitQueue = new Gauge({
    name: 'ledgerdb_commit_queue_depth',
    help: 'Transaction requests running or waiting for their (group) commit',
    registers,
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
  const httpRequests = new Counter({
    name: 'ledgerdb_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'ledgerdb_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its answer, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: latencyBuckets,
    registers,
  });
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
  // The label children of each (method, route, status): no label object per request.
  const httpSeries = new Map<string, { count: { inc(): void }; duration: { observe(value: number): void } }>();
  const observeRequest = (method: string, route: string, status: number, elapsedMs: number): void => {
    const key = `${method} ${status} ${route}`;
    let series = httpSeries.get(key);
    if (!series) {
      const labels = { method, route, status: String(status) };
      series = { count: httpRequests.labels(labels), duration: httpDuration.labels(labels) };
      httpSeries.set(key, series);
    }
    series.count.inc();
    series.duration.observe(elapsedMs / 1000);
  };
  return {
    registry,
    observeRequest,
    commits,
    commitFailures,
    commitDuration,
    commitQueue,
    proofDuration,
    authFailures,
    httpRequests,
    httpDuration,
  };
}
