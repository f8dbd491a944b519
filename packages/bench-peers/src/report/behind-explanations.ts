/** Why ledgerkit is behind its baseline on a kind of workload, and what would close the gap. */
export interface BehindExplanation {
  readonly why: string;
  readonly close: string;
}

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

/**
 * The explanation of why ledgerkit is behind on a workload, if one is written for it.
 *
 * @param suite - the suite id (`fabric`, `ethereum`, `immudb`)
 * @param workload - the workload id
 * @returns the explanation whose key is the longest prefix of `suite/workload`, or undefined
 */
export function behindExplanation(suite: string, workload: string): BehindExplanation | undefined {
  const path = `${suite}/${workload}`;
  const key = Object.keys(explanations)
    .filter((candidate) => path.startsWith(candidate))
    .sort((a, b) => b.length - a.length)[0];
  return key === undefined ? undefined : explanations[key];
}
