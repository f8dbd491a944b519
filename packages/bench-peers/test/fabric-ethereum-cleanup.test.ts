// Runs the Fabric and Ethereum suites of `bench:peers` tiny (a real 1-org Fabric network,
// EDR in-process, an anvil child process) and checks that the run stops everything it
// started: once at the end of a run, once when the run is interrupted while a network is up.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import type { PeerBenchResult } from '../src/result-schema.ts';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** Live processes whose environment names `needle` (the run directory or our probe marker). */
async function processesMentioning(needles: readonly string[]): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const zombie = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
    if (!zombie && needles.some((needle) => environ.includes(needle))) found.push(pid);
  }
  return found;
}

function run(args: readonly string[], probe: string, onLog?: (line: string, kill: () => void) => void) {
  const child = spawn(process.execPath, [main, ...args], {
    env: { ...process.env, LEDGERKIT_CLEANUP_PROBE: probe },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const line of chunk.toString().split('\n')) onLog?.(line, () => child.kill('SIGINT'));
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string; runDir: string }>((resolve) => {
    child.on('close', (code) =>
      resolve({ code, stdout, stderr, runDir: /run directory (\S+);/.exec(stderr)?.[1] ?? 'no run directory' }),
    );
  });
}

test('a tiny run measures both suites and leaves no process or directory behind', async () => {
  const probe = `probe-${process.pid}-${Date.now()}`;
  const result = await run(['--only', 'fabric,ethereum', '--quick', '--rounds', '1'], probe);
  expect(result.code, result.stderr).toBe(0);
  const document = JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as PeerBenchResult;
  const ids = document.suites.flatMap((suite) => suite.workloads.map((workload) => `${suite.id}/${workload.id}`));
  expect(ids).toEqual([
    'fabric/submit-orgs-1-clients-1',
    'fabric/evaluate-orgs-1-clients-1',
    'fabric/submit-orgs-1-clients-4',
    'fabric/evaluate-orgs-1-clients-4',
    'ethereum/submit-edr',
    'ethereum/verified-read-edr',
    'ethereum/submit-anvil',
    'ethereum/verified-read-anvil',
  ]);
  for (const suite of document.suites) {
    for (const workload of suite.workloads) {
      for (const system of Object.values(workload.systems)) {
        expect(system.failures).toBe(0);
        expect(system.throughput.median).toBeGreaterThan(0);
      }
    }
  }
  expect(await processesMentioning([probe, result.runDir])).toEqual([]);
  expect(existsSync(result.runDir)).toBe(false);
}, 300_000);

test('an interrupted run stops the Fabric network it had started', async () => {
  const probe = `probe-${process.pid}-${Date.now()}-interrupted`;
  let interrupted = false;
  const result = await run(['--only', 'fabric', '--quick', '--rounds', '1'], probe, (line, kill) => {
    // The network is up and the first workload done: peers, orderer and chaincode server run.
    if (!interrupted && line.includes('submit, 1 endorsing org, 1 client: done')) {
      interrupted = true;
      kill();
    }
  });
  expect(interrupted, result.stderr).toBe(true);
  expect(result.code).toBe(130);
  expect(await processesMentioning([probe, result.runDir])).toEqual([]);
  expect(existsSync(result.runDir)).toBe(false);
}, 300_000);
