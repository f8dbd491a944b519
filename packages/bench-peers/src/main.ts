// `npm run bench:peers`: runs every selected suite (workloads.ts), each comparing
// ledgerkit with what users would run instead, in alternating rounds, and prints the
// result document (result-schema.ts) as the last line of stdout (or writes it to --out).
//   npm run bench:peers -- [--only immudb,fabric] [--rounds 7] [--quick] [--out result.json]
import { execFileSync } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { machineFacts } from './machine.ts';
import { claimRunDir, killRunProcesses, sweepLeftovers } from './processes.ts';
import type { PeerBenchResult, SuiteResult } from './result-schema.ts';
import type { SuiteRecord } from './suite.ts';
import { suiteEntries } from './workloads.ts';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    rounds: { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    `usage: npm run bench:peers -- [--only ${suiteEntries.map((s) => s.id).join(',')}] [--rounds N] [--quick] [--out FILE]\n`,
  );
  process.exit(0);
}
const log = (message: string) => process.stderr.write(`bench:peers: ${message}\n`);
const quick = values.quick === true;
const rounds = values.rounds ? Number(values.rounds) : quick ? 2 : 7;
if (!Number.isInteger(rounds) || rounds < 1) throw new TypeError('--rounds must be a positive integer');
const selected = values.only ? values.only.split(',').map((s) => s.trim()) : suiteEntries.map((s) => s.id);
for (const id of selected) {
  if (!suiteEntries.some((s) => s.id === id)) throw new TypeError(`unknown suite ${id}`);
}

const swept = await sweepLeftovers();
if (swept.killed.length > 0 || swept.removed.length > 0) {
  log(`stopped ${swept.killed.length} processes and removed ${swept.removed.length} directories left by killed runs`);
}
const dir = await claimRunDir();
const cleanups = new Set<() => void | Promise<void>>();
const defer = (cleanup: () => void | Promise<void>) => {
  cleanups.add(cleanup);
  return async () => {
    if (cleanups.delete(cleanup)) await cleanup();
  };
};
async function cleanUp(): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    await Promise.resolve()
      .then(cleanup)
      .catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
  }
  const stray = await killRunProcesses(dir);
  if (stray.length > 0) log(`killed ${stray.length} processes of this run that were still running`);
  await rm(dir, { recursive: true, force: true });
}
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping everything this run started`);
    void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

function gitInfo(): PeerBenchResult['git'] {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }) !== '';
    return { commit, dirty };
  } catch {
    return undefined;
  }
}

const startedAt = new Date().toISOString();
log(`run directory ${dir}; measuring the machine`);
const machine = machineFacts({ dir, rounds: quick ? 2 : 5 });
const suites: SuiteResult[] = [];
try {
  for (const entry of suiteEntries.filter((s) => selected.includes(s.id))) {
    // After an interrupt, start nothing more: the handler is stopping what runs and will exit.
    if (interrupted) break;
    const record: SuiteRecord = { systems: [], workloads: [], notes: [] };
    const started = performance.now();
    let title = entry.id;
    let error: SuiteResult['error'];
    try {
      const suite = await entry.load();
      title = suite.title;
      log(`suite ${suite.id}: ${suite.title}`);
      await suite.run({ rounds, quick, dir, log: (m) => log(`${entry.id}: ${m}`), defer, record });
    } catch (thrown) {
      const e = thrown as { message?: string; code?: unknown };
      error = { message: String(e?.message ?? thrown) };
      if (typeof e?.code === 'string') error.code = e.code;
      log(`suite ${entry.id} failed: ${error.message}`);
    }
    const result: SuiteResult = {
      id: entry.id,
      title,
      systems: record.systems,
      workloads: record.workloads,
      seconds: (performance.now() - started) / 1000,
    };
    if (record.notes.length > 0) result.notes = record.notes;
    if (error) result.error = error;
    suites.push(result);
  }
} finally {
  await cleanUp();
}
const git = gitInfo();
const result: PeerBenchResult = {
  format: 'ledgerkit.bench-peers',
  version: 1,
  startedAt,
  finishedAt: new Date().toISOString(),
  options: { rounds, quick, suites: selected },
  ...(git ? { git } : {}),
  machine,
  suites,
};
const text = JSON.stringify(result);
if (values.out) {
  await writeFile(values.out, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${values.out}`);
}
process.stdout.write(`${text}\n`);
process.exitCode = suites.some((s) => s.error) ? 1 : 0;
