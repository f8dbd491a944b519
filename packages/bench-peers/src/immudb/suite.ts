import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerdbEmbedded, LedgerdbOverHttp } from '../ledgerdb/ledgerdb-systems.ts';
import { startLedgerdbServer } from '../ledgerdb/server.ts';
import type { PeerSystem } from '../peer-system.ts';
import { alternate, type LoopOptions, type Measured, timedLoop, type WorkloadInfo, workloadResult } from '../stats.ts';
import type { Suite, SuiteContext } from '../suite.ts';
import { ensureImmudb, immudbRelease } from './binary.ts';
import { ImmudbSystem } from './immudb-system.ts';
import { startImmudb } from './server.ts';

const ratios = [
  ['ledgerdb-embedded', 'immudb'],
  ['ledgerdb-server', 'immudb'],
] as const;

interface Workload extends WorkloadInfo {
  /** Setup on every system before the rounds (not measured). */
  setup?: (system: PeerSystem) => Promise<void>;
  operation: (system: PeerSystem) => (worker: number, sequence: number) => Promise<unknown>;
  loop: (quick: boolean) => LoopOptions;
}

const seconds = (quick: boolean, full: number) => (quick ? 0.25 : full);
const historyRevisions = 100;
const readCount = (quick: boolean) => (quick ? 1000 : 10_000);
let reads = 10_000;

/** The workloads, in the order they run; each system runs the same operation. */
const workloads: Workload[] = [
  {
    id: 'write-1-client',
    title: 'Durable single-document writes, 1 client',
    description:
      'One client commits transactions of one ~40-byte JSON document, one after another; each resolves after the commit is fsynced. immudb: Set of one key/value; ledgerdb: a transaction inserting one document.',
    unit: 'documents',
    operation: (system) => (worker, sequence) => system.writeOne(worker, sequence),
    loop: (quick) => ({ seconds: seconds(quick, 1.5) }),
  },
  {
    id: 'write-64-clients',
    title: 'Durable single-document writes, 64 clients',
    description:
      '64 clients each commit one-document transactions back to back. immudb and ledgerdb serve: 64 connections; embedded: 64 concurrent transactions in one process.',
    unit: 'documents',
    setup: (system) => system.openClients(64),
    operation: (system) => (worker, sequence) => system.writeOne(worker, sequence),
    loop: (quick) => ({ seconds: seconds(quick, 2), concurrency: 64 }),
  },
  {
    id: 'batch-1000',
    title: 'Batched writes, 1,000 documents per transaction',
    description:
      'One client commits transactions of 1,000 documents each (immudb: Set with 1,000 key/values; ledgerdb: one transaction of 1,000 inserts, through HTTP one request of 1,000 statements).',
    unit: 'documents',
    operation: (system) => (_, sequence) => system.writeBatch(sequence, 1000),
    loop: (quick) => ({ seconds: seconds(quick, 2), unitsPerCall: 1000 }),
  },
  {
    id: 'verified-read',
    title: 'Verified reads',
    description:
      'One client reads a document chosen from 10,000 preloaded ones (written 10 per transaction) with its inclusion proof and verifies it against the state it trusts (taken after the preload). immudb: VerifiableGet with proveSinceTx = the trusted transaction, entry inclusion in its transaction plus the dual proof to the trusted state, verified in this process; ledgerdb: the revision proof at the trusted digest size, checked with verifyRevisionProof.',
    unit: 'verified reads',
    setup: (system) => system.preloadReads(reads),
    operation: (system) => (_, sequence) => system.verifiedRead((sequence * 7919) % reads),
    loop: (quick) => ({ seconds: seconds(quick, 1.5) }),
  },
  {
    id: 'history-100',
    title: 'History of a document with 100 revisions',
    description:
      'One client reads every revision of one document written 100 times (100 transactions). immudb: History(key, limit) — unverified, as immudb offers no verified history; ledgerdb: history(table, id), unverified too.',
    unit: 'histories (100 revisions each)',
    setup: async (system) => {
      await system.markOldState();
      await system.prepareHistory(historyRevisions);
    },
    operation: (system) => async () => {
      const count = await system.history();
      if (count !== historyRevisions) throw new Error(`history returned ${count} revisions, not ${historyRevisions}`);
    },
    loop: (quick) => ({ seconds: seconds(quick, 1.5) }),
  },
  {
    id: 'consistency',
    title: 'Consistency check between two states',
    description:
      'The client holds the state it trusted after the read preload; it fetches the current state (100+ transactions later) and a proof that it extends the old one, and verifies it. immudb: CurrentState + VerifiableTxById(current, old) dual proof; ledgerdb: digest + RFC 9162 consistency proof, verifyConsistencyProof.',
    unit: 'checks',
    operation: (system) => () => system.consistencyCheck(),
    loop: (quick) => ({ seconds: seconds(quick, 1.5) }),
  },
];

/** CPU seconds (user + system) a process has used so far, from /proc; undefined if unreadable. */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), counted from the state field (3rd).
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}
const clockTicks = 100;

/** One round with the CPU time of the benchmark process and of the system's server. */
async function measuredRound(system: PeerSystem, workload: Workload, options: LoopOptions): Promise<Measured> {
  const serverBefore = system.serverPid === undefined ? undefined : processCpuSeconds(system.serverPid);
  const clientBefore = process.cpuUsage();
  const measured = await timedLoop(workload.operation(system), options);
  const client = process.cpuUsage(clientBefore);
  const serverAfter = system.serverPid === undefined ? undefined : processCpuSeconds(system.serverPid);
  if (measured.operations > 0) {
    const perOperation = (seconds: number) => (seconds * 1000) / measured.operations;
    measured.cpuMsPerOperation = { client: perOperation((client.user + client.system) / 1e6) };
    if (serverBefore !== undefined && serverAfter !== undefined) {
      measured.cpuMsPerOperation.server = perOperation(serverAfter - serverBefore);
    }
  }
  return measured;
}

/**
 * Runs every workload on the three systems in alternating rounds.
 *
 * @param context - the runner's context
 * @param systems - connected systems, immudb first
 */
async function measure(context: SuiteContext, systems: PeerSystem[]): Promise<void> {
  reads = readCount(context.quick);
  for (const workload of workloads) {
    context.log(`${workload.id}: setup`);
    for (const system of systems) await workload.setup?.(system);
    const options = workload.loop(context.quick);
    // A short unmeasured warm-up per system: connections, JIT, the server's caches.
    for (const system of systems) {
      await timedLoop(workload.operation(system), { ...options, seconds: 0.2, latency: false });
    }
    context.log(`${workload.id}: ${context.rounds} rounds`);
    const rounds = await alternate(
      systems.map((system) => ({ id: system.info.id, round: () => measuredRound(system, workload, options) })),
      context.rounds,
    );
    const result = workloadResult(workload, rounds, ratios);
    context.record.workloads.push(result);
    context.log(
      `${workload.id}: ${systems
        .map((s) => `${s.info.id} ${Math.round(result.systems[s.info.id]?.throughput.median ?? 0)}/s`)
        .join(', ')}`,
    );
  }
}

/** immudb against ledgerdb, embedded and served, on the same durable workloads. */
export const immudbSuite: Suite = {
  id: 'immudb',
  title: `immudb ${immudbRelease.version} vs ledgerdb (embedded and ledgerdb serve), durable writes and verified reads`,
  async run(context) {
    const binary = await ensureImmudb({ onProgress: context.log });
    const immudb = await startImmudb({
      binary: binary.binary,
      runDir: context.dir,
      dataDir: join(context.dir, 'immudb', 'data'),
      protoDir: binary.protoDir,
    });
    const stopImmudb = context.defer(() => immudb.stop());
    const ledgerServer = await startLedgerdbServer({
      runDir: context.dir,
      dataDir: join(context.dir, 'ledgerdb-server'),
    });
    const stopLedgerServer = context.defer(() => ledgerServer.stop());
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(context.dir, 'ledgerdb-embedded'), { recursive: true });
    const systems: PeerSystem[] = [];
    const closeSystems = context.defer(async () => {
      for (const system of systems) await system.close();
    });
    const immudbSystem = await ImmudbSystem.connect(immudb.address, binary.protoDir, immudb.flags, binary.version);
    immudbSystem.serverPid = immudb.process.pid;
    systems.push(immudbSystem);
    systems.push(await LedgerdbEmbedded.open(join(context.dir, 'ledgerdb-embedded')));
    systems.push(await LedgerdbOverHttp.connect(ledgerServer));
    context.record.systems.push(...systems.map((s) => s.info));
    context.record.notes.push(
      `immudb ${binary.version} built from the Go module proxy (go install ./cmd/immudb in the module at ${immudbRelease.moduleVersion}), started with ${immudb.flags.filter((f) => !f.startsWith('--dir=')).join(' ')}: every commit is fsynced before the answer.`,
      'ledgerdb: SQLite in WAL mode with synchronous=FULL (every commit fsynced before it resolves), group commit for concurrent transactions.',
      "ledgerdb serve: the ledgerdb serve command in its own process, started with --max-documents-per-transaction 1000 (the ledger's limit raised from QLDB's 40), --max-statements 1000 and --body-limit 4194304 so the 1,000-document batch fits one request.",
      'All three stores live in the same temporary directory; the client, immudb and the ledgerdb server share the machine’s cores. Each round runs every system once, back to back, rotating who goes first; ratios are per round.',
      'Trusted states are taken on first use (no signing key) on every system.',
      "immudb's syncer waits a quarter of the database's syncFrequency (default 20 ms, so 5 ms) for more transactions before each fsync: a lone client's commit takes at least that long, by design (group commit); the setting is left at its default.",
      'cpuMsPerOperation: CPU time per operation of the benchmark process (client; for ledgerdb embedded also the database) and of the server process (immudb, ledgerdb serve), from process.cpuUsage() and /proc/<pid>/stat.',
    );
    try {
      await measure(context, systems);
    } finally {
      await closeSystems();
      await stopLedgerServer();
      await stopImmudb();
    }
  },
};
