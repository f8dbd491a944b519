// Merkle throughput on this machine: raw SHA-256 as the physical limit, then proof
// construction and verification in a tree of 2^20 leaves. Prints one JSON line last.
//   npm run bench -w @ledgerkit/core
import { hash, randomBytes } from 'node:crypto';
import { MerkleTree, verifyInclusion } from '@ledgerkit/core';

const leaves = 2 ** 20;
const seconds = Number(process.env.BENCH_SECONDS ?? 0.5);

function rate(run: () => void): number {
  const deadline = performance.now() + seconds * 1000;
  let count = 0;
  const started = performance.now();
  while (performance.now() < deadline) {
    for (let i = 0; i < 256; i++) run();
    count += 256;
  }
  return count / ((performance.now() - started) / 1000);
}

const input = randomBytes(65);
// The fastest one-shot SHA-256 Node offers: the physical limit of verification.
const rawHash = () => hash('sha256', input, 'buffer');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const tree = new MerkleTree();
const appendStarted = performance.now();
for (let i = 0; i < leaves; i++) tree.append(`leaf ${i}`);
const appendsPerSecond = leaves / ((performance.now() - appendStarted) / 1000);

const root = tree.root();
const pick = () => Math.floor(Math.random() * leaves);
const proofsPerSecond = rate(() => tree.inclusionProof(pick()));

const samples = Array.from({ length: 1024 }, () => {
  const leafIndex = pick();
  return {
    leafHash: tree.leafHash(leafIndex),
    leafIndex,
    treeSize: leaves,
    auditPath: tree.inclusionProof(leafIndex),
    rootHash: root,
  };
});
let next = 0;
const verify = () => verifyInclusion(samples[next++ % samples.length] as (typeof samples)[number]);
// Interleave baseline and verification rounds so machine noise hits both alike.
const hashRounds: number[] = [];
const verifyRounds: number[] = [];
for (let round = 0; round < 5; round++) {
  hashRounds.push(rate(rawHash));
  verifyRounds.push(rate(verify));
}
const hashesPerSecond = median(hashRounds);
const verificationsPerSecond = median(verifyRounds);

const hashesPerProof = Math.log2(leaves) + 1;
console.log(
  JSON.stringify({
    leaves,
    hashes_per_s: Math.round(hashesPerSecond),
    appends_per_s: Math.round(appendsPerSecond),
    proofs_per_s: Math.round(proofsPerSecond),
    verifications_per_s: Math.round(verificationsPerSecond),
    verification_vs_hash_limit: Number((verificationsPerSecond / (hashesPerSecond / hashesPerProof)).toFixed(3)),
  }),
);
