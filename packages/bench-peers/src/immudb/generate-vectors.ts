// Records real immudb 1.9.5 answers as golden vectors for verify.test.ts:
//   node src/immudb/generate-vectors.ts     (from packages/bench-peers; builds immudb once)
// Writes testdata/immudb-1.9.5-answers.json. The tests verify each answer and reject
// tampered copies, without an immudb server.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { claimRunDir } from '../processes.ts';
import { ensureImmudb } from './binary.ts';
import { ImmudbClient, type ImmudbState } from './client.ts';
import { startImmudb } from './server.ts';
import { type ImmudbVectors, type ReadVector, stringifyVectors } from './vectors.ts';
import { txHeaderAlh, verifyEntry } from './verify.ts';

const binary = await ensureImmudb({ onProgress: (m) => process.stderr.write(`${m}\n`) });
const dir = await claimRunDir();
const server = await startImmudb({
  binary: binary.binary,
  runDir: dir,
  dataDir: join(dir, 'data'),
  protoDir: binary.protoDir,
});
try {
  const client = await ImmudbClient.connect({ address: server.address, protoDir: binary.protoDir });
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const stateNow = async (): Promise<ImmudbState> => {
    const { txId } = await client.currentState();
    const { tx } = await client.verifiableTxById(txId, txId);
    return { txId, txHash: txHeaderAlh(tx.header) };
  };
  for (let i = 0; i < 5; i++) await client.set([{ key: Buffer.from(`single:${i}`), value: json({ n: i }) }]);
  await client.set(Array.from({ length: 10 }, (_, i) => ({ key: Buffer.from(`batch:${i}`), value: json({ n: i }) })));
  const early = await stateNow();
  for (let i = 0; i < 20; i++) await client.set([{ key: Buffer.from(`later:${i}`), value: json({ n: i }) }]);
  await client.set([{ key: Buffer.from('single:2'), value: json({ n: 2, updated: true }) }]);
  const late = await stateNow();
  const reads: ReadVector[] = [];
  const read = async (name: string, key: string, state: ImmudbState) => {
    const answer = await client.verifiableGet(Buffer.from(key), state.txId);
    const { state: expectedState } = verifyEntry(Buffer.from(key), answer, state);
    reads.push({ name, key: Buffer.from(key), state, answer, expectedState });
  };
  await read('entry of a one-entry transaction, older than the trusted state', 'single:0', late);
  await read('entry of a ten-entry transaction, older than the trusted state', 'batch:7', late);
  await read('updated key: its latest entry', 'single:2', late);
  await read('entry newer than the trusted state (the state advances)', 'later:15', early);
  await read('entry in the trusted transaction itself', 'batch:9', early);
  const { dualProof } = await client.verifiableTxById(late.txId, early.txId);
  const { dualProof: adjacent } = await client.verifiableTxById(early.txId + 1, early.txId);
  const next = { txId: early.txId + 1, txHash: txHeaderAlh(adjacent.targetTxHeader as never) };
  const vectors: ImmudbVectors = {
    immudb: binary.version,
    generatedBy: 'packages/bench-peers/src/immudb/generate-vectors.ts',
    reads,
    consistency: [
      { name: `${early.txId} to ${late.txId}`, old: early, newer: late, proof: dualProof },
      { name: `${early.txId} to ${next.txId} (adjacent)`, old: early, newer: next, proof: adjacent },
    ],
  };
  const target = join(import.meta.dirname, '../../testdata/immudb-1.9.5-answers.json');
  await writeFile(target, `${stringifyVectors(vectors)}\n`);
  process.stderr.write(`wrote ${reads.length} reads and 2 consistency proofs to ${target}\n`);
  client.close();
} finally {
  await server.stop();
}
