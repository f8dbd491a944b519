import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ensureImmudb } from '../src/immudb/binary.ts';
import { ImmudbClient } from '../src/immudb/client.ts';
import { startImmudb } from '../src/immudb/server.ts';
import { txHeaderAlh, verifyEntry } from '../src/immudb/verify.ts';
import { claimRunDir, pidAlive, processesOfRun, runDirPrefix, sweepLeftovers } from '../src/processes.ts';

const src = join(import.meta.dirname, '../src');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

test('sweepLeftovers stops the processes of a killed run and removes its directory', async () => {
  const base = await mkdtemp(join(tmpdir(), 'bench-peers-sweep-'));
  // A run that starts a long process and is then killed without a chance to clean up.
  const script = `
    import { claimRunDir, startProcess } from ${JSON.stringify(join(src, 'processes.ts'))};
    const dir = await claimRunDir(${JSON.stringify(base)});
    const started = await startProcess({ command: 'sleep', args: ['300'], runDir: dir, logFile: dir + '/sleep.log' });
    console.log(JSON.stringify({ dir, pid: started.pid }));
    setInterval(() => {}, 1000);
  `;
  const run = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(run);
  const line = await new Promise<string>((resolve) =>
    run.stdout?.once('data', (data: Buffer) => resolve(String(data))),
  );
  const { dir, pid } = JSON.parse(line) as { dir: string; pid: number };
  expect(await processesOfRun(dir)).toEqual([pid]);
  run.kill('SIGKILL');
  await exited(run);
  expect(pidAlive(pid)).toBe(true); // orphaned, still running

  const { killed, removed } = await sweepLeftovers(base);
  expect(killed).toContain(pid);
  expect(removed).toEqual([dir]);
  await waitFor('the orphan to die', async () => (pidAlive(pid) ? undefined : true));
  await rm(base, { recursive: true, force: true });
});

describe('immudb (when the pinned build is in the cache: CI does not build it)', async () => {
  const binary = await ensureImmudb({ build: false }).catch(() => undefined);

  test('without the build, asking for it without building fails and names the cache', async () => {
    if (binary) return expect(binary.binary).toMatch(/immudb\/v1\.9\.5\/bin\/immudb$/);
    await expect(ensureImmudb({ build: false })).rejects.toThrow(/is not built in/);
  });

  test('a started server answers verifiable reads, and stopping it leaves no process', async () => {
    if (!binary) return;
    const dir = await claimRunDir();
    const server = await startImmudb({
      binary: binary.binary,
      runDir: dir,
      dataDir: join(dir, 'data'),
      protoDir: binary.protoDir,
    });
    try {
      expect(await processesOfRun(dir)).toEqual([server.process.pid]);
      const client = await ImmudbClient.connect({ address: server.address, protoDir: binary.protoDir });
      for (let i = 0; i < 3; i++) await client.set([{ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) }]);
      const { txId } = await client.currentState();
      const { tx } = await client.verifiableTxById(txId, txId);
      const state = { txId, txHash: txHeaderAlh(tx.header) };
      const answer = await client.verifiableGet(Buffer.from('k1'), state.txId);
      expect(verifyEntry(Buffer.from('k1'), answer, state).value.toString()).toBe('v1');
      answer.entry.value = Buffer.from('forged');
      expect(() => verifyEntry(Buffer.from('k1'), answer, state)).toThrow();
      client.close();
    } finally {
      await server.stop();
    }
    expect(pidAlive(server.process.pid)).toBe(false);
    expect(await processesOfRun(dir)).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  });

  test('SIGTERM to a running bench stops immudb and the ledgerdb server and removes the run directory', async () => {
    if (!binary) return;
    const bench = spawn(process.execPath, [join(src, 'main.ts'), '--only', 'immudb', '--quick'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(bench);
    const runDir = await waitFor('the run directory', async () => {
      for (const entry of await readdir(tmpdir())) {
        if (!entry.startsWith(runDirPrefix)) continue;
        const owner = await readFile(join(tmpdir(), entry, 'owner.pid'), 'utf8').catch(() => '');
        if (Number(owner) === bench.pid) return join(tmpdir(), entry);
      }
      return undefined;
    });
    // Both servers up: immudb and the ledgerdb server process.
    const started = await waitFor('both servers', async () => {
      const pids = await processesOfRun(runDir);
      return pids.length >= 2 ? pids : undefined;
    });
    bench.kill('SIGTERM');
    expect(await exited(bench)).toBe(143);
    for (const pid of started) expect(pidAlive(pid)).toBe(false);
    expect(await processesOfRun(runDir)).toEqual([]);
    await expect(readdir(runDir)).rejects.toThrow();
  });
});
