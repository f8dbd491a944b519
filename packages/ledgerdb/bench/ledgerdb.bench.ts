// ledgerdb throughput on this machine, durable (fsync on every commit), measured against
// baselines taken in the same run: raw fdatasync for commits, raw SHA-256 for
// verification. Prints one JSON object as its last line.
//   npm run bench -w @ledgerkit/ledgerdb        (BENCH_LEAVES=1000000 by default)
import { hash, randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LedgerDatabase, openLedgerDatabase } from '@ledgerkit/ledgerdb';
import { verifyRevisionProof } from '@ledgerkit/ledgerdb/verify';

const targetLeaves = Number(process.env.BENCH_LEAVES ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'ledgerdb-bench-'));
const log = (message: string) => process.stderr.write(`${message}\n`);

function perSecond(count: number, startedMs: number): number {
  return count / ((performance.now() - startedMs) / 1000);
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}

function fsyncBaseline(seconds: number): number {
  const fd = openSync(join(dir, 'fsync-baseline'), 'w');
  const page = randomBytes(4096);
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < seconds * 1000) {
    writeSync(fd, page, 0, page.length, (count % 256) * 4096);
    fdatasyncSync(fd);
    count++;
  }
  closeSync(fd);
  return perSecond(count, started);
}

/**
 * One-shot SHA-256 of 65 bytes, one thread. `buffer` returns the digest as bytes (the
 * baseline the bar is set against); `binary` returns it as a latin1 string, Node's
 * cheapest form (about three times faster: no ArrayBuffer per call), reported too.
 */
function hashBaseline(seconds: number, output: 'buffer' | 'binary'): number {
  const input = randomBytes(65);
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < seconds * 1000) {
    for (let i = 0; i < 256; i++) hash('sha256', input, output as 'buffer');
    count += 256;
  }
  return perSecond(count, started);
}

async function singleClient(ledger: LedgerDatabase, seconds: number): Promise<number> {
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < seconds * 1000) {
    await ledger.transaction((tx) => tx.insert('single', { n: count, sku: 'A-1', qty: 5 }));
    count++;
  }
  return perSecond(count, started);
}

async function concurrentClients(ledger: LedgerDatabase, clients: number, seconds: number): Promise<number> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < deadline) {
        await ledger.transaction((tx) => tx.insert('concurrent', { client, n: count, sku: 'A-1', qty: 5 }));
        count++;
      }
    }),
  );
  return perSecond(count, started);
}

/** Commits `transactions` transactions of `size` documents; returns ms per leaf. */
async function batched(ledger: LedgerDatabase, transactions: number, size: number, ids?: string[]): Promise<number> {
  const started = performance.now();
  for (let t = 0; t < transactions; t++) {
    const { value } = await ledger.transaction(async (tx) => {
      const written: string[] = [];
      for (let i = 0; i < size; i++) written.push(await tx.insert('batched', { t, i, sku: 'A-1', qty: 5 }));
      return written;
    });
    if (ids) for (const id of value) ids.push(id);
  }
  return (performance.now() - started) / (transactions * (size + 1));
}

// Commit throughput on one ledger...
const ledger = await openLedgerDatabase({ path: join(dir, 'commits.ledger') });
for (const table of ['single', 'concurrent']) await ledger.createTable(table);

// Baseline and single-client rounds alternate, so drift in the machine's fsync speed
// (it moves by half between minutes here) hits both alike; medians of paired rounds.
log('fsync baseline and single client, interleaved...');
const fsyncRounds: number[] = [];
const singleRounds: number[] = [];
for (let round = 0; round < 9; round++) {
  fsyncRounds.push(fsyncBaseline(0.4));
  singleRounds.push(await singleClient(ledger, 0.4));
}
const fsyncsPerSecond = median(fsyncRounds);
const single = median(singleRounds);
const singleRatio = median(singleRounds.map((rate, i) => rate / (fsyncRounds[i] as number)));
log('64 concurrent clients...');
const concurrent = await concurrentClients(ledger, 64, 4);
await ledger.close();

// ...journal growth, proofs and verification on a second one that starts empty.
const journal = await openLedgerDatabase({
  path: join(dir, 'journal.ledger'),
  limits: { documentsPerTransaction: 1000 },
});
await journal.createTable('batched');
log('batched 1,000-document transactions...');
const ids: string[] = [];
await batched(journal, 5, 1000, ids); // warm-up: ~5,000 leaves
// A second journal stays near 10,000 leaves: at the end, windows on it and on the
// 1,000,000-leaf journal alternate, so the machine's drift hits both sides alike.
const small = await openLedgerDatabase({ path: join(dir, 'small.ledger'), limits: { documentsPerTransaction: 1000 } });
await small.createTable('batched');
await batched(small, 5, 1000);
const batchedStarted = performance.now();
const before = (await journal.digest()).treeSize;
while ((await journal.digest()).treeSize < targetLeaves) await batched(journal, 10, 1000, ids);
const size = (await journal.digest()).treeSize;
const batchedDocsPerSecond = perSecond(((size - before) * 1000) / 1001, batchedStarted);
// Cost per leaf at ~1,000,000 leaves over cost per leaf at ~10,000 (5k to 15k), paired.
const appendRatios: number[] = [];
for (let w = 0; w < 10; w++) {
  const first = w % 2 === 0;
  const smallCost = first ? await batched(small, 1, 1000) : 0;
  const largeCost = await batched(journal, 1, 1000, ids);
  const smallCostAfter = first ? smallCost : await batched(small, 1, 1000);
  appendRatios.push(largeCost / smallCostAfter);
}
await small.close();
log(`journal: ${(await journal.digest()).treeSize} leaves`);

log('proofs...');
const digest = await journal.digest();
const pick = () => ids[Math.floor(Math.random() * ids.length)] as string;
let proofs = 0;
const proofsStarted = performance.now();
while (performance.now() - proofsStarted < 3000) {
  await journal.proof('batched', pick(), 0, digest);
  proofs++;
}
const proofsPerSecond = perSecond(proofs, proofsStarted);

log('verifications...');
const samples = [];
for (let i = 0; i < 1000; i++) samples.push(await journal.proof('batched', pick(), 0, digest));
const hashRounds: number[] = [];
const fastestHashRounds: number[] = [];
const verifyRounds: number[] = [];
for (let round = 0; round < 5; round++) {
  hashRounds.push(hashBaseline(0.3, 'buffer'));
  fastestHashRounds.push(hashBaseline(0.3, 'binary'));
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < 400) {
    for (let i = 0; i < 64; i++) {
      if (!verifyRevisionProof(samples[(count + i) % samples.length] as (typeof samples)[number], digest).ok) {
        throw new Error('a valid proof failed to verify');
      }
    }
    count += 64;
  }
  verifyRounds.push(perSecond(count, started));
}
const hashesPerSecond = median(hashRounds);
const verificationsPerSecond = median(verifyRounds);
// A 1,000,000-leaf proof costs 21 hashes: the bar is 70% of that one-thread limit.
const verificationRatio = median(verifyRounds.map((rate, i) => rate / ((hashRounds[i] as number) / 21)));
const verificationVsFastest = median(verifyRounds.map((rate, i) => rate / ((fastestHashRounds[i] as number) / 21)));
const audit = process.env.BENCH_AUDIT === '0' ? undefined : await journal.audit();
await journal.close();

// The same proofs from a freshly opened ledger: every node comes from storage at first.
log('proofs after reopening...');
const reopened = await openLedgerDatabase({ path: join(dir, 'journal.ledger') });
let coldProofs = 0;
const coldStarted = performance.now();
while (performance.now() - coldStarted < 3000) {
  await reopened.proof('batched', pick(), 0, digest);
  coldProofs++;
}
const proofsReopenedPerSecond = perSecond(coldProofs, coldStarted);
await reopened.close();
rmSync(dir, { recursive: true, force: true });

const appendCostRatio = median(appendRatios);
const result = {
  journal_leaves: digest.treeSize,
  fsyncs_per_s: Math.round(fsyncsPerSecond),
  hashes_per_s: Math.round(hashesPerSecond),
  hashes_per_s_latin1_output: Math.round(median(fastestHashRounds)),
  single_doc_commits_per_s: Math.round(single),
  single_vs_fsync: Number(singleRatio.toFixed(3)),
  concurrent_commits_per_s: Math.round(concurrent),
  batched_docs_per_s: Math.round(batchedDocsPerSecond),
  proofs_per_s: Math.round(proofsPerSecond),
  proofs_reopened_per_s: Math.round(proofsReopenedPerSecond),
  verifications_per_s: Math.round(verificationsPerSecond),
  verification_vs_hash_limit: Number(verificationRatio.toFixed(3)),
  verification_vs_latin1_hash_limit: Number(verificationVsFastest.toFixed(3)),
  append_cost_ratio: Number(appendCostRatio.toFixed(3)),
  audit_ok: audit?.ok ?? null,
  bars: {
    single: singleRatio >= 0.6,
    concurrent: concurrent >= 20_000,
    batched: batchedDocsPerSecond >= 100_000,
    proofs: proofsPerSecond >= 20_000,
    verifications: verificationRatio >= 0.7,
    append_cost_ratio: appendCostRatio <= 1.3,
  },
};
console.log(JSON.stringify(result));
