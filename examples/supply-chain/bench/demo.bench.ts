// Times the demo: its entry (node src/demo/main.ts, the packages already built) on every backend
// and on ledgerdb + Ethereum only, then the README's first command as a user runs it
// (scripts/demo.sh: turbo's cached build check, then the demo). The Fabric binaries are built
// first when missing, so the timings are of the cached case the issue sets a bar for.
// Prints one JSON line last. Bar: npm_run_demo_s < 120 on a 2-core machine.
import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureFabricBinaries } from '@ledgerkit/fabric-network';
import type { BackendRun } from '../src/demo/run-demo.ts';

const entry = fileURLToPath(new URL('../src/demo/main.ts', import.meta.url));
const script = fileURLToPath(new URL('../../../scripts/demo.sh', import.meta.url));
const seconds = (started: number) => Math.round((performance.now() - started) / 10) / 100;

await ensureFabricBinaries({ onProgress: (message) => console.error(`[fabric] ${message}`) });

async function timed(command: string, args: string[]) {
  const started = performance.now();
  const { stdout } = await promisify(execFile)(command, [...args, '--json'], {
    timeout: 600_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const wall = seconds(started);
  const report = JSON.parse(stdout) as { ok: boolean; runs: BackendRun[] };
  if (!report.ok) throw new Error(`the demo failed: ${stdout.slice(0, 2000)}`);
  const p50 = Object.fromEntries(report.runs.map((run) => [`${run.backend}_p50_ms`, Math.round(run.p50Ms * 10) / 10]));
  return { wall, p50 };
}

const all = await timed(process.execPath, [entry]);
const fast = await timed(process.execPath, [entry, '--backends', 'ledgerdb,ethereum']);
const npmRunDemo = await timed('bash', [script]);
console.log(
  JSON.stringify({
    demo_all_backends_s: all.wall,
    demo_ledgerdb_ethereum_s: fast.wall,
    npm_run_demo_s: npmRunDemo.wall,
    ...all.p50,
    cpus: cpus().length,
    under_2_minutes: npmRunDemo.wall < 120,
  }),
);
