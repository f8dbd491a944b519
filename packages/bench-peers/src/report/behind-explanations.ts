import type { RatioResult, WorkloadResult } from '../result-schema.ts';

/** Why ledgerkit is behind its baseline on a kind of workload, and what would close the gap. */
export interface BehindExplanation {
  readonly why: string;
  readonly close: string;
}

/** An explanation that quotes the run's own numbers. */
type Explain = (workload: WorkloadResult, ratio: RatioResult) => BehindExplanation;

// Written from what the run measures (each workload's notes carry those numbers) and from
// reading both code paths. Keyed by `<suite id>/<workload id>`; the longest key that is a
// prefix of the workload's wins, so `fabric/submit` covers every Fabric submit workload.
const explanations: Record<string, BehindExplanation> = {
  'fabric/submit': {
    why:
      'After the commit status, `FabricLedger.submit` reads the committed block back through qscc ' +
      '(`GetBlockByNumber`, one more evaluate on the gateway peer) and decodes it, to put the transaction’s ' +
      'index in the receipt; raw `submitTransaction` returns at the commit status. The note above gives what ' +
      'that read costs alone on this network: at 1 client it is under 1 % of a submit (the orderer cuts a ' +
      'block every 500 ms), so a gap there is mostly the run’s noise; at 16 clients it is one more call per ' +
      'transaction to a peer that is endorsing and committing at the same time.',
    close:
      'Share one read per block: cache decoded blocks by number for a few seconds after a commit, so the ' +
      'transactions of one block (up to 50 at 16 clients) cost one qscc read, not one each; or leave the index ' +
      'out of the receipt (`-1`, "not located", which verification already accepts) and locate it in ' +
      '`evidence()`, when someone verifies.',
  },
  'fabric/evaluate': {
    why:
      '`FabricLedger.evaluate` runs the call through its retry runner and parses the result as JSON; raw ' +
      '`evaluateTransaction` returns bytes. Both make one gRPC call to the same peer.',
    close:
      'Per-call JavaScript only: a difference smaller than the spread of rounds needs nothing; a lasting one ' +
      'would call for parsing lazily and a cheaper path through the retry runner on the first attempt.',
  },
  'ethereum/submit': {
    why:
      'The note above lists the JSON-RPC requests each side sends per submit; every extra request is a round ' +
      'trip to the node.',
    close: 'Send no request per submit that the baseline does not: cache what does not change between submits.',
  },
  'ethereum/verified-read': {
    why:
      'Not the same work: ledgerkit fetches the block with its transactions, every receipt of the block, the ' +
      'account/storage proof, the code and the headers up to the anchor, and checks the receipts trie, the ' +
      'state proof and the header chain; the baseline fetches the receipt and the proof and checks nothing. ' +
      'The note above splits ledgerkit’s time: fetching the evidence is most of it, verifying it is the rest.',
    close:
      'Fetch less and in fewer round trips: send the header requests as one JSON-RPC batch, cache headers ' +
      'between verifications against the same anchor, and use `eth_getBlockReceipts` where the node has it ' +
      '(EDR does not: there the receipts are fetched one by one). The checks themselves cost a few ms.',
  },
};

// The ledgerdb server behind immudb: worked out from the run's throughput and CPU numbers.
// Keyed `<suite>/<workload id>/<system>`, tried before the plain keys above.
const computed: Record<string, Explain> = {
  'immudb/write-64-clients/ledgerdb-server': (workload) => {
    const server = workload.systems['ledgerdb-server'];
    const embedded = workload.systems['ledgerdb-embedded'];
    const throughput = server?.throughput.median ?? Number.NaN;
    const cpuMs = server?.cpuMsPerOperation?.server?.median ?? Number.NaN;
    return {
      why:
        `The store is not what is behind: embedded ledgerdb committed ${round(embedded?.throughput.median)} ` +
        `writes/s on this workload, grouping the commits of concurrent transactions. Through the server, ` +
        `${round(throughput)} writes/s at ${cpuMs.toPrecision(2)} ms of server CPU each is ` +
        `${Math.round((throughput * cpuMs) / 10)} % of one core: the server process is waiting, not computing, ` +
        'so the 64 concurrent requests are not reaching the store’s group commit together the way 64 ' +
        'in-process transactions do.',
      close:
        'Find where the requests queue in `ledgerdb serve` under 64 clients (a profile of the server with ' +
        '`node --cpu-prof` and the commit timeline) and let concurrent requests commit as one group, as the ' +
        `embedded store does; at its measured CPU time per write the server has room for about ` +
        `${round(1000 / cpuMs)} writes/s on one core.`,
    };
  },
  'immudb/*/ledgerdb-server': (workload) => {
    const ratio = workload.ratios.find((candidate) => candidate.of === 'ledgerdb-embedded');
    const server = workload.systems['ledgerdb-server']?.cpuMsPerOperation;
    const immudb = workload.systems.immudb?.cpuMsPerOperation;
    const cpu =
      server?.server && immudb?.server
        ? ` CPU ms per operation (per one of the workload’s ${workload.unit}), client + server: ledgerdb serve ${server.client.median.toPrecision(2)} + ` +
          `${server.server.median.toPrecision(2)}, immudb ${immudb.client.median.toPrecision(2)} + ` +
          `${immudb.server.median.toPrecision(2)}.`
        : '';
    return {
      why:
        (ratio && ratio.ratio.median >= 1
          ? `Embedded ledgerdb is ${ratio.ratio.median.toFixed(2)}× immudb on the same workload, so the store is ` +
            'not the gap: the server path is. '
          : '') +
        'Every call crosses loopback HTTP/1.1 with a JSON body into one Node.js process, which parses, checks ' +
        'the token, runs the call and encodes the answer on one thread; immudb answers gRPC/protobuf ' +
        `from a Go server on every core.${cpu}`,
      close:
        'Profile `ledgerdb serve` on this workload (`node --cpu-prof`) and cut what the request path adds to the ' +
        'embedded call: a compact encoding for large bodies (1,000 documents, 100 revisions), less copying ' +
        'between the request, the store and the answer; HTTP/2 for many clients on few connections.',
    };
  },
};

/**
 * The explanation of why ledgerkit is behind on a workload, if one is written for it.
 *
 * @param suite - the suite id (`fabric`, `ethereum`, `immudb`)
 * @param workload - the workload
 * @param ratio - the ratio that is below 1
 * @returns the explanation computed from the workload's numbers for `suite/workload/system`
 * (`*` matching any workload), else the one whose key is the longest prefix of `suite/workload`;
 * undefined when none is written
 */
export function behindExplanation(
  suite: string,
  workload: WorkloadResult,
  ratio: RatioResult,
): BehindExplanation | undefined {
  const explain = computed[`${suite}/${workload.id}/${ratio.of}`] ?? computed[`${suite}/*/${ratio.of}`] ?? undefined;
  if (explain) return explain(workload, ratio);
  const path = `${suite}/${workload.id}`;
  const key = Object.keys(explanations)
    .filter((candidate) => path.startsWith(candidate))
    .sort((a, b) => b.length - a.length)[0];
  return key === undefined ? undefined : explanations[key];
}

const round = (value: number | undefined) => (value === undefined ? '–' : Math.round(value).toLocaleString('en-US'));
