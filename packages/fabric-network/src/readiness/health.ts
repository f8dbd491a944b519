/** Key metrics of one node, read from its Prometheus `/metrics` (absent when the node does not report them). */
export interface NodeMetrics {
  /** `ledger_blockchain_height` of the network's channel. */
  ledgerHeight?: number;
  /** Peers: `endorser_proposals_received`. */
  proposalsReceived?: number;
  /** Peers: `endorser_successful_proposals` (endorsements given). */
  successfulEndorsements?: number;
  /** Peers: `gossip_membership_total_peers_known` on the channel. */
  peersKnown?: number;
  /** Orderers: `consensus_etcdraft_is_leader` on the channel. */
  raftLeader?: boolean;
  /** Orderers: `broadcast_processed_count` summed over channels and statuses. */
  broadcastsProcessed?: number;
  /** `go_goroutines`. */
  goroutines?: number;
  /** `process_resident_memory_bytes`. */
  residentMemoryBytes?: number;
}

/** Health and key metrics of one process of the network, from Fabric's operations endpoint. */
export interface NodeHealth {
  id: string;
  kind: 'orderer' | 'peer' | 'ca';
  mspId: string;
  /** Its process is alive. */
  running: boolean;
  /** `/healthz` answered 200 `{"status":"OK"}`. */
  healthy: boolean;
  /** Checks `/healthz` reported as failing (component and reason), when unhealthy. */
  failedChecks?: { component: string; reason: string }[];
  operationsUrl: string;
  metrics: NodeMetrics;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Parses the samples of Prometheus' text exposition format. We read a handful of known
 * series from Fabric's own output: a line is `name{label="v",…} value`, comments start with
 * `#`; label values here never hold escaped quotes. A parser library would add a dependency
 * for these few lines.
 */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) {
      labels[label[1] as string] = label[2] as string;
    }
    const value = Number(match[3]);
    if (!Number.isNaN(value)) samples.push({ name: match[1] as string, labels, value });
  }
  return samples;
}

/** Picks the key metrics of a node out of its `/metrics` text. */
export function keyMetrics(text: string, channel: string): NodeMetrics {
  const samples = parsePrometheusText(text);
  const sum = (name: string, onChannel = false): number | undefined => {
    const matching = samples.filter(
      (sample) => sample.name === name && (!onChannel || sample.labels.channel === channel),
    );
    return matching.length === 0 ? undefined : matching.reduce((total, sample) => total + sample.value, 0);
  };
  const metrics: NodeMetrics = {};
  const set = <K extends keyof NodeMetrics>(key: K, value: NodeMetrics[K] | undefined) => {
    if (value !== undefined) metrics[key] = value;
  };
  set('ledgerHeight', sum('ledger_blockchain_height', true));
  set('proposalsReceived', sum('endorser_proposals_received'));
  set('successfulEndorsements', sum('endorser_successful_proposals'));
  set('peersKnown', sum('gossip_membership_total_peers_known', true));
  const leader = sum('consensus_etcdraft_is_leader', true);
  set('raftLeader', leader === undefined ? undefined : leader === 1);
  set('broadcastsProcessed', sum('broadcast_processed_count'));
  set('goroutines', sum('go_goroutines'));
  set('residentMemoryBytes', sum('process_resident_memory_bytes'));
  return metrics;
}

/** Reads `/healthz` and (for peers and orderers) `/metrics` of one operations endpoint. */
export async function readNodeHealth(
  node: Omit<NodeHealth, 'healthy' | 'metrics' | 'failedChecks' | 'operationsUrl'> & { operationsPort: number },
  channel: string,
): Promise<NodeHealth> {
  const base = `http://127.0.0.1:${node.operationsPort}`;
  const { operationsPort: _port, ...identity } = node;
  const result: NodeHealth = { ...identity, healthy: false, operationsUrl: base, metrics: {} };
  if (!node.running) return result;
  try {
    const response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(3000) });
    const body = (await response.json().catch(() => ({}))) as {
      status?: string;
      failed_checks?: { component: string; reason: string }[];
    };
    result.healthy = response.status === 200 && body.status === 'OK';
    if (body.failed_checks && body.failed_checks.length > 0) result.failedChecks = body.failed_checks;
  } catch {
    return result;
  }
  if (node.kind !== 'ca') {
    const text = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(3000) })
      .then((response) => response.text())
      .catch(() => '');
    result.metrics = keyMetrics(text, channel);
  }
  return result;
}
