// Several real processes write to one PostgreSQL ledger at once, each a read-modify-write
// of the same documents: the journal must stay one total order (audit), every
// acknowledged commit must be there exactly once, versions must be contiguous (no lost
// update), and conflicts between processes must have been retried. Starts: child Node
// processes (test/fixtures/pg-writer.mjs, on the built dist/) and uses the PostgreSQL
// server of test/global-setup.ts.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { expect, inject, test } from 'vitest';
import { openLedgerDatabase } from '../src/index.js';
import { postgresStorage } from '../src/postgres.js';

const writer = fileURLToPath(new URL('./fixtures/pg-writer.mjs', import.meta.url));
const url = inject('postgresUrl');
const processes = 3;
const perProcess = 60;

interface Ack {
  id: string;
  seq: number;
  totalVersion: number;
  counter: string;
  counterVersion: number;
}

interface Child {
  ready: Promise<void>;
  done: Promise<{ acks: Ack[]; conflicts: number }>;
  go(): void;
}

function spawnWriter(schema: string, proc: number): Child {
  const child = spawn(process.execPath, [writer, url, schema, String(proc), String(perProcess)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const acks: Ack[] = [];
  let conflicts = -1;
  let buffered = '';
  let stderr = '';
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const [kind, ...fields] = line.split(' ');
      if (kind === 'READY') markReady();
      if (kind === 'DONE') conflicts = Number(fields[0]);
      if (kind === 'ACK') {
        const [id, seq, totalVersion, counter, counterVersion] = fields as [string, string, string, string, string];
        acks.push({
          id,
          seq: Number(seq),
          totalVersion: Number(totalVersion),
          counter,
          counterVersion: Number(counterVersion),
        });
      }
    }
  });
  const done = new Promise<{ acks: Ack[]; conflicts: number }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && conflicts >= 0) resolve({ acks, conflicts });
      else reject(new Error(`writer ${proc} exited with ${code}: ${stderr}`));
    });
  });
  // A child that dies before READY must fail the test rather than hang it.
  done.catch(() => markReady());
  return { ready, done, go: () => child.stdin.end('GO\n') };
}

test('three processes writing the same documents keep one gap-free journal', { timeout: 120_000 }, async () => {
  const schema = `mp_${randomBytes(8).toString('hex')}`;
  const storage = () => postgresStorage({ connectionString: url, schema, poolSize: 2 });
  const setup = await openLedgerDatabase({ name: 'shared', storage: storage() });
  await setup.createTable('shared');
  await setup.createTable('items');
  await setup.transaction(async (tx) => {
    for (const id of ['total', 'counter-0', 'counter-1']) await tx.insert('shared', { n: 0 }, { id });
  });
  await setup.close();

  const children = Array.from({ length: processes }, (_, proc) => spawnWriter(schema, proc));
  await Promise.all(children.map((child) => child.ready));
  for (const child of children) child.go();
  const results = await Promise.all(children.map((child) => child.done));
  const acks = results.flatMap((result) => result.acks);
  const conflicts = results.reduce((sum, result) => sum + result.conflicts, 0);
  expect(acks).toHaveLength(processes * perProcess);

  const ledger = await openLedgerDatabase({ storage: storage() });
  try {
    // One total order: every block and leaf in sequence, hashes chained, no fork.
    const audit = await ledger.audit();
    expect(audit.firstMismatch).toBeUndefined();
    expect(audit).toMatchObject({ ok: true, blocks: 1 + acks.length, revisions: 3 + 3 * acks.length });
    // Every acknowledged commit exactly once, in its own block.
    expect(new Set(acks.map((ack) => ack.seq)).size).toBe(acks.length);
    for (const ack of acks) {
      const history = await ledger.history('items', ack.id);
      expect(history.map((revision) => [revision.metadata.version, revision.blockAddress.seq])).toEqual([[0, ack.seq]]);
    }
    expect(await ledger.history('items')).toHaveLength(acks.length);
    // No lost update: each shared document moved once per commit, versions contiguous,
    // and every acknowledged version is a distinct one.
    expect(await ledger.get('shared', 'total')).toEqual({ n: acks.length });
    const totalHistory = await ledger.history('shared', 'total');
    expect(totalHistory.map((revision) => revision.metadata.version)).toEqual(
      Array.from({ length: acks.length + 1 }, (_, i) => i),
    );
    expect(new Set(acks.map((ack) => ack.totalVersion)).size).toBe(acks.length);
    for (const counter of ['counter-0', 'counter-1']) {
      const mine = acks.filter((ack) => ack.counter === counter);
      expect(await ledger.get('shared', counter)).toEqual({ n: mine.length });
      const versions = (await ledger.history('shared', counter)).map((revision) => revision.metadata.version);
      expect(versions).toEqual(Array.from({ length: mine.length + 1 }, (_, i) => i));
      expect(mine.map((ack) => ack.counterVersion).sort((a, b) => a - b)).toEqual(versions.slice(1));
    }
    // Each process ran one transaction at a time: every conflict came from another process.
    expect(conflicts).toBeGreaterThan(0);
    console.info(`multi-process: ${acks.length} commits, ${conflicts} cross-process OCC conflicts retried`);
  } finally {
    await ledger.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA "${schema}" CASCADE`);
    await client.end();
  }
});

test('a digest covers the commits of another writer on the same storage', { timeout: 60_000 }, async () => {
  const schema = `mp_${randomBytes(8).toString('hex')}`;
  const storage = () => postgresStorage({ connectionString: url, schema, poolSize: 2 });
  const one = await openLedgerDatabase({ name: 'shared', storage: storage() });
  await one.createTable('t');
  const other = await openLedgerDatabase({ name: 'shared', storage: storage() });
  try {
    await one.transaction((tx) => tx.insert('t', { by: 'one' }));
    const before = await one.digest();
    await other.transaction((tx) => tx.insert('t', { by: 'other' }));
    await other.transaction((tx) => tx.insert('t', { by: 'other' }));
    const digest = await one.digest();
    expect(digest.tip?.seq).toBe((before.tip?.seq as number) + 2);
    expect(digest).toEqual(await other.digest());
    // Its next commit builds on them.
    await one.transaction((tx) => tx.insert('t', { by: 'one' }));
    expect((await other.digest()).tip?.seq).toBe((before.tip?.seq as number) + 3);
    expect((await other.audit()).ok).toBe(true);
  } finally {
    await one.close();
    await other.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA "${schema}" CASCADE`);
    await client.end();
  }
});
