import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { sleep } from '@ledgerkit/core';

/** Tells whether a process with this pid exists (and is not a zombie). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

function taskState(statFile: string): string | undefined {
  try {
    // <pid>/stat: "pid (comm) S ..."; a zombie's state is Z.
    const stat = readFileSync(statFile, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/**
 * A zombie: the process exited and only its exit status is left. A multi-threaded process
 * whose main thread exited first shows Z for its pid while its other threads still run
 * (and still hold its files and sockets), so every thread must be a zombie or gone.
 */
function isZombie(pid: number): boolean {
  if (taskState(`/proc/${pid}/stat`) !== 'Z') return false;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return true;
  }
  return tasks.every((task) => {
    const state = taskState(`/proc/${pid}/task/${task}/stat`);
    return state === undefined || state === 'Z';
  });
}

/** What to start: a long-running process whose output goes to a log file. */
export interface ProcessSpec {
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  logFile: string;
  pidFile: string;
}

/**
 * Starts a process detached from the caller (it outlives a CLI invocation), appends
 * its stdout and stderr to the log file and records its pid.
 */
export async function startProcess(spec: ProcessSpec): Promise<number> {
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid as number));
    });
    child.unref();
    await writeFile(spec.pidFile, `${pid}\n`);
    return pid;
  } finally {
    closeSync(log);
  }
}

/** Reads a pid file; undefined when there is none. */
export async function readPid(pidFile: string): Promise<number | undefined> {
  const text = await readFile(pidFile, 'utf8').catch(() => undefined);
  const pid = Number(text?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Stops a process: SIGTERM, then SIGKILL after the grace period. Resolves when it is gone. */
export async function stopProcess(pid: number, graceMs = 5000): Promise<void> {
  if (!pidAlive(pid)) return;
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pidAlive(pid) && Date.now() < deadline) await sleep(50);
  if (pidAlive(pid)) {
    signal(pid, 'SIGKILL');
    while (pidAlive(pid)) await sleep(20);
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Removes a pid file, ignoring a missing one. */
export async function forgetPid(pidFile: string): Promise<void> {
  await rm(pidFile, { force: true });
}

/** GETs an operations `/healthz`; true only for HTTP 200. */
export async function healthy(port: number, timeoutMs = 2000): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** The last lines of a log file ('' when it does not exist). */
export async function logTail(logFile: string, lines = 30): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
