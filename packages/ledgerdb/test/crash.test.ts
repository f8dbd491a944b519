// Kills a real writer process with SIGKILL at random points during a write load, then
// reopens the file: every acknowledged transaction must be there, nothing half-written
// may be visible, and audit() must pass. Starts: child Node processes (test/fixtures).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { openLedgerDatabase } from '../src/index.js';

const writer = fileURLToPath(new URL('./fixtures/crash-writer.mjs', import.meta.url));

interface Ack {
  id: string;
  counter: string;
  counterVersion: number;
  seq: number;
}

function runUntilKilled(path: string, round: number, workers: number, killAfterAcks: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, path, String(round), String(workers)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acks: Ack[] = [];
    let buffered = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [kind, id, counter, version, seq] = line.split(' ');
        if (kind !== 'ACK') continue;
        acks.push({ id: id as string, counter: counter as string, counterVersion: Number(version), seq: Number(seq) });
        if (!killed && acks.length >= killAfterAcks) {
          killed = true;
          // A little later, so the kill lands at a random point inside the next commits.
          setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 15));
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acks);
      else reject(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

test('kill -9 during a write load loses no acknowledged commit and leaves nothing half-written', {
  timeout: 120_000,
}, async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'ledgerdb-crash-')), 'crash.ledger');
  const acknowledged: Ack[] = [];
  for (let round = 0; round < 6; round++) {
    // Eight concurrent workers (group commits) and one (every commit a lone, synchronous
    // commit) take turns, so the kill lands inside both commit paths.
    const acks = await runUntilKilled(path, round, round % 2 === 0 ? 8 : 1, 50 + Math.floor(Math.random() * 400));
    expect(acks.length).toBeGreaterThan(0);
    acknowledged.push(...acks);

    const ledger = await openLedgerDatabase({ path });
    const audit = await ledger.audit();
    expect(audit.firstMismatch).toBeUndefined();
    expect(audit.ok).toBe(true);
    for (const ack of acknowledged) {
      const revision = await ledger.revision('crash', ack.id, 0);
      expect(revision.data).toMatchObject({ n: Number(ack.id.split('-').pop()) });
    }
    // Counters only move forward: every acknowledged version is in the history.
    const highest = new Map<string, number>();
    for (const ack of acknowledged)
      highest.set(ack.counter, Math.max(highest.get(ack.counter) ?? -1, ack.counterVersion));
    for (const [counter, version] of highest) {
      const history = await ledger.history('crash', counter);
      expect(history.length).toBeGreaterThan(version);
      expect(history.map((revision) => revision.metadata.version)).toEqual(history.map((_, i) => i));
    }
    // Every block is complete: no revision without its block (audit checks), and seqs have no gaps.
    expect(audit.blocks).toBeGreaterThanOrEqual(Math.max(...acknowledged.map((ack) => ack.seq)) + 1);
    await ledger.close();
  }
});
