import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The `mkdtemp` prefix of every run directory. */
export const runDirPrefix = 'ledgerkit-bench-peers-';
const ownerFile = 'owner.pid';
/** Environment marker each started process carries: the run directory. */
const runMarker = 'LEDGERKIT_BENCH_PEERS_RUN';
/** Environment marker each started process carries: the pid of the run that started it. */
const ownerMarker = 'LEDGERKIT_BENCH_PEERS_OWNER';

/** Tells whether a process exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Creates this run's directory under the system temp dir and marks it with our pid, so a
 * concurrent run's {@link sweepLeftovers} leaves it alone.
 *
 * @param base - parent directory (default the system temp dir)
 * @returns the directory
 */
export async function claimRunDir(base: string = tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(base, runDirPrefix));
  await writeFile(join(dir, ownerFile), `${process.pid}\n`);
  return dir;
}

async function markedProcesses(): Promise<{ pid: number; run: string; owner: number }[]> {
  const found: { pid: number; run: string; owner: number }[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const environ = (await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')).split('\0');
    const run = environ.find((line) => line.startsWith(`${runMarker}=`))?.slice(runMarker.length + 1);
    if (run === undefined || !pidAlive(pid)) continue;
    const owner = Number(environ.find((line) => line.startsWith(`${ownerMarker}=`))?.slice(ownerMarker.length + 1));
    found.push({ pid, run, owner });
  }
  return found;
}

/**
 * Lists live processes started by the run that owns `dir` (Linux: scans /proc).
 *
 * @param dir - a run directory from {@link claimRunDir}
 * @returns their pids
 */
export async function processesOfRun(dir: string): Promise<number[]> {
  const run = resolve(dir);
  return (await markedProcesses()).filter((p) => p.run === run).map((p) => p.pid);
}

/**
 * Kills (SIGKILL, whole process group) every process still marked with this run directory
 * and waits until they are gone: the last step of a run's cleanup, which also catches a
 * process whose starter was interrupted before it could register its own stop.
 *
 * @param dir - a run directory from {@link claimRunDir}
 * @param timeoutMs - how long to wait for them to die (default 5,000)
 * @returns the pids killed
 */
export async function killRunProcesses(dir: string, timeoutMs = 5000): Promise<number[]> {
  const pids = await processesOfRun(dir);
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (pids.some(pidAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return pids;
}

/**
 * Stops what killed runs left behind: every marked process whose run is no longer alive
 * (SIGKILL to its process group), and every run directory whose owner is gone.
 *
 * @param base - where run directories live (default the system temp dir)
 * @returns the pids killed and the directories removed
 */
export async function sweepLeftovers(base: string = tmpdir()): Promise<{ killed: number[]; removed: string[] }> {
  const killed: number[] = [];
  for (const { pid, owner } of await markedProcesses()) {
    if (Number.isInteger(owner) && owner > 0 && pidAlive(owner)) continue;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    killed.push(pid);
  }
  const removed: string[] = [];
  for (const entry of await readdir(base).catch(() => [] as string[])) {
    if (!entry.startsWith(runDirPrefix)) continue;
    const dir = join(base, entry);
    const owner = Number((await readFile(join(dir, ownerFile), 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && pidAlive(owner)) continue;
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return { killed, removed };
}

/** What to start with {@link startProcess}. */
export interface ProcessSpec {
  command: string;
  args: readonly string[];
  /** The run directory (from {@link claimRunDir}); the process is marked with it. */
  runDir: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here. */
  logFile: string;
}

/** A started process: its own process group, stopped with {@link StartedProcess.stop}. */
export interface StartedProcess {
  pid: number;
  child: ChildProcess;
  /** SIGTERM to the group, SIGKILL after `graceMs` (default 5,000); resolves when it exited. */
  stop: (graceMs?: number) => Promise<void>;
}

/**
 * Starts a long-running process in its own process group, marked with the run directory
 * and this process's pid, so it can be stopped as a group and swept if we are killed.
 *
 * @param spec - command, arguments, run directory, log file
 * @returns the started process
 * @throws the spawn error (e.g. ENOENT)
 */
export async function startProcess(spec: ProcessSpec): Promise<StartedProcess> {
  const log = openSync(spec.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd ?? spec.runDir,
      env: { ...(spec.env ?? process.env), [runMarker]: resolve(spec.runDir), [ownerMarker]: String(process.pid) },
      detached: true,
      stdio: ['ignore', log, log],
    });
    await new Promise<void>((ok, fail) => {
      child.once('error', fail);
      child.once('spawn', () => ok());
    });
  } finally {
    closeSync(log);
  }
  const pid = child.pid as number;
  const exited = new Promise<void>((ok) => {
    if (child.exitCode !== null || child.signalCode !== null) ok();
    else child.once('exit', () => ok());
  });
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {}
  };
  return {
    pid,
    child,
    stop: async (graceMs = 5000) => {
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Anything the process started in its group goes too.
      signal('SIGKILL');
    },
  };
}
