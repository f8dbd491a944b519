// Throughput of FabricLedger.submit against raw fabric-gateway submitTransaction on the same
// local network, in the same run, at the same concurrency: rounds alternate between the two
// (and which goes first) so machine drift hits both. Then receipt verifications per second:
// online (blocks fetched through qscc) and offline (from evidence fetched beforehand).
// Starts a 2-organization network (1 Raft orderer, 1 peer per org) in a temporary directory
// and tears it down at the end, also on failure. Prints one JSON line last.
//   npm run bench -w @ledgerkit/fabric
//   BENCH_SUBMITS=400 BENCH_ROUNDS=6 BENCH_CONCURRENCY=64 BENCH_VERIFICATIONS=100 ...
import { createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { type Contract, connect, type Gateway, hash, signers } from '@hyperledger/fabric-gateway';
import type { Receipt } from '@ledgerkit/core';
import { FabricNetwork } from '@ledgerkit/fabric-network';
import { claimNetworkDir } from '@ledgerkit/fabric-network/testing';
import {
  connectFabric,
  type FabricLedger,
  fetchFabricEvidence,
  qsccBlockSource,
  verifyFabricReceipt,
} from '../dist/index.js';

const submitsPerRound = Number(process.env.BENCH_SUBMITS ?? 400);
const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 64);
const verifications = Number(process.env.BENCH_VERIFICATIONS ?? 100);
const chaincode = 'bench';
const chaincodePath = fileURLToPath(new URL('../test/fixtures/ledger-chaincode', import.meta.url));
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
};
const round2 = (value: number) => Math.round(value * 100) / 100;

/** Runs `count` submits with `concurrency` in flight; returns throughput and per-submit latencies. */
async function measure(count: number, submit: (n: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const n = next++;
        const begin = performance.now();
        await submit(n);
        latencies.push(performance.now() - begin);
      }
    }),
  );
  return { perSecond: count / ((performance.now() - started) / 1000), latencies };
}

const dir = await mkdtemp(join(tmpdir(), 'ledgerkit-sdk-fabric-bench-'));
// The tests' global setup stops networks in ledgerkit-sdk-fabric-* directories unless their owner runs.
await claimNetworkDir(dir);
let network: FabricNetwork | undefined;
let ledger: FabricLedger | undefined;
let raw: { gateway: Gateway; client: grpc.Client; contract: Contract } | undefined;
try {
  log(`starting a 2-organization network in ${dir}`);
  network = await FabricNetwork.up({ dir, orgs: 2, peersPerOrg: 1, orderers: 1, channel: 'bench' });
  await network.deployChaincode({ name: chaincode, path: chaincodePath });
  const org1 = network.organization('Org1');

  ledger = await connectFabric({
    connectionProfile: org1.connectionProfilePath,
    chaincode,
    retry: { retries: 40, baseDelayMs: 250, maxDelayMs: 500 },
  });
  // The raw baseline: fabric-gateway as its documentation shows it, same peer, identity and deadlines.
  const client = new grpc.Client(org1.peerEndpoint, grpc.credentials.createSsl(await readFile(org1.tlsRootCertPath)), {
    'grpc.ssl_target_name_override': 'localhost',
  });
  const gateway = connect({
    client,
    identity: { mspId: org1.mspId, credentials: await readFile(org1.user.certificatePath) },
    signer: signers.newPrivateKeySigner(createPrivateKey(await readFile(org1.user.privateKeyPath))),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 15_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 30_000 }),
    submitOptions: () => ({ deadline: Date.now() + 15_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  raw = { gateway, client, contract: gateway.getNetwork('bench').getContract(chaincode) };

  // Warm-up: discovery learns the chaincode, connections and JIT settle.
  await ledger.submit({ method: 'Put', args: ['warm-up', 0] });
  const rawContract = raw.contract;
  const sdk = ledger;
  await measure(concurrency * 2, (n) => rawContract.submitTransaction('Put', `warm-raw-${n}`, '{"n":0}'));
  await measure(concurrency * 2, (n) => sdk.submit({ method: 'Put', args: [`warm-sdk-${n}`, { n: 0 }] }));

  const sdkRates: number[] = [];
  const rawRates: number[] = [];
  const sdkLatencies: number[] = [];
  const rawLatencies: number[] = [];
  const receipts: Receipt[] = [];
  for (let round = 0; round < rounds; round++) {
    const runRaw = async () => {
      const result = await measure(submitsPerRound, (n) =>
        rawContract.submitTransaction('Put', `raw-${round}-${n}`, JSON.stringify({ round, n })),
      );
      rawRates.push(result.perSecond);
      rawLatencies.push(...result.latencies);
    };
    const runSdk = async () => {
      const result = await measure(submitsPerRound, async (n) => {
        const receipt = await sdk.submit({ method: 'Put', args: [`sdk-${round}-${n}`, { round, n }] });
        if (receipts.length < verifications) receipts.push(receipt);
      });
      sdkRates.push(result.perSecond);
      sdkLatencies.push(...result.latencies);
    };
    if (round % 2 === 0) {
      await runRaw();
      await runSdk();
    } else {
      await runSdk();
      await runRaw();
    }
    log(
      `round ${round + 1}/${rounds}: raw ${round2(rawRates.at(-1) as number)}/s, sdk ${round2(sdkRates.at(-1) as number)}/s`,
    );
  }

  let verificationsPerSecond: number | null = null;
  let offlineVerificationsPerSecond: number | null = null;
  let verificationFailures = 0;
  if (receipts.length > 0) {
    const started = performance.now();
    for (const receipt of receipts) {
      const verification = await sdk.verify(receipt);
      if (!verification.ok) verificationFailures += 1;
    }
    verificationsPerSecond = receipts.length / ((performance.now() - started) / 1000);
    log(`verified ${receipts.length} receipts, ${verificationFailures} failed`);
    // Offline: the same receipts against evidence fetched beforehand (blocks in memory), as
    // an auditor verifies a bundle; several passes, since one is quick.
    const source = qsccBlockSource(sdk.native.network);
    const evidence = [];
    for (const receipt of receipts) evidence.push({ receipt, evidence: await fetchFabricEvidence(source, receipt) });
    const passes = 5;
    const offlineStarted = performance.now();
    for (let pass = 0; pass < passes; pass++) {
      for (const item of evidence) {
        if (!(await verifyFabricReceipt(item.receipt, item.evidence)).ok) verificationFailures += 1;
      }
    }
    offlineVerificationsPerSecond = (passes * evidence.length) / ((performance.now() - offlineStarted) / 1000);
  }

  const sdkMedian = median(sdkRates);
  const rawMedian = median(rawRates);
  const pairRatios = sdkRates.map((rate, index) => rate / (rawRates[index] as number));
  const result = {
    sdk_submits_per_s: round2(sdkMedian),
    raw_submits_per_s: round2(rawMedian),
    ratio: round2(sdkMedian / rawMedian),
    p50_ms: round2(percentile(sdkLatencies, 50)),
    p99_ms: round2(percentile(sdkLatencies, 99)),
    verifications_per_s: verificationsPerSecond === null ? null : round2(verificationsPerSecond),
    offline_verifications_per_s: offlineVerificationsPerSecond === null ? null : round2(offlineVerificationsPerSecond),
    raw_p50_ms: round2(percentile(rawLatencies, 50)),
    raw_p99_ms: round2(percentile(rawLatencies, 99)),
    median_pair_ratio: round2(median(pairRatios)),
    verification_failures: verificationFailures,
    rounds,
    submits_per_round: submitsPerRound,
    concurrency,
  };
  console.log(JSON.stringify(result));
  if (verificationFailures > 0) process.exitCode = 1;
} finally {
  await ledger?.close().catch(() => {});
  raw?.gateway.close();
  raw?.client.close();
  await network?.down({ purge: true }).catch((error: unknown) => log(`teardown: ${String(error)}`));
  await (await FabricNetwork.open(dir).catch(() => undefined))?.down({ purge: true }).catch(() => {});
  await rm(dir, { recursive: true, force: true });
}
