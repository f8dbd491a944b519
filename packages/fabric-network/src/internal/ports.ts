import { mkdir, open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Ports come from below the kernel's ephemeral range. A port the kernel hands out for
// listen(0) lies inside that range, where every outgoing connection also takes its source
// port: between choosing a port and the peer binding it (seconds), any client socket on
// the machine could take it. Below the range only explicit binds compete.
const fallbackRange = { low: 20_000, high: 32_767 };
// A reservation keeps other ledgerkit processes (parallel test runs, a second network)
// from choosing the same port before the first binds it; it lapses after this long.
const reservationMs = 10 * 60_000;

async function usableRange(): Promise<{ low: number; high: number }> {
  const text = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => undefined);
  const ephemeralLow = Number(text?.trim().split(/\s+/)[0]);
  if (!Number.isInteger(ephemeralLow) || ephemeralLow <= 11_000) return fallbackRange;
  return { low: Math.min(fallbackRange.low, ephemeralLow - 1_000), high: ephemeralLow - 1 };
}

function reservationDir(): string {
  return join(tmpdir(), 'ledgerkit-ports');
}

/** Claims `port` for this process unless another process holds a live reservation of it. */
async function reserve(port: number): Promise<boolean> {
  const file = join(reservationDir(), String(port));
  try {
    await (await open(file, 'wx')).close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const info = await stat(file).catch(() => undefined);
  if (info && Date.now() - info.mtimeMs < reservationMs) return false;
  // A lapsed reservation: remove it and race for it once more, exclusively.
  await unlink(file).catch(() => {});
  try {
    await (await open(file, 'wx')).close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Chooses `count` distinct loopback ports that nothing listens on, below the kernel's
 * ephemeral range, each reserved for ten minutes against other ledgerkit processes.
 *
 * @param count - how many ports
 * @param options - `exclude`: ports never to choose, such as those a network has recorded
 *   for its components (a stopped component's port is free and its reservation may have
 *   lapsed, but the component binds it again when it restarts)
 * @returns the ports
 */
export async function freePorts(count: number, options: { exclude?: Iterable<number> } = {}): Promise<number[]> {
  const { low, high } = await usableRange();
  const excluded = new Set(options.exclude ?? []);
  await mkdir(reservationDir(), { recursive: true });
  const chosen = new Set<number>();
  for (let attempts = 0; chosen.size < count; attempts++) {
    if (attempts > count * 200) throw new Error(`no ${count} free ports between ${low} and ${high}`);
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (chosen.has(port) || excluded.has(port) || (await portInUse(port))) continue;
    if (await reserve(port)) chosen.add(port);
  }
  return [...chosen];
}

/**
 * Renews the reservation of ports a component is about to bind (again), so that no other
 * ledgerkit process chooses them for ten minutes, however long ago they were first chosen.
 *
 * @param ports - the component's ports
 */
export async function renewReservations(ports: Iterable<number>): Promise<void> {
  await mkdir(reservationDir(), { recursive: true });
  const now = new Date();
  for (const port of ports) {
    const file = join(reservationDir(), String(port));
    await utimes(file, now, now).catch(async () => {
      await (await open(file, 'a')).close();
    });
  }
}

/**
 * Waits until nothing holds a loopback port, for a port a process of ours held until it was
 * just stopped: the kernel releases the socket when the last thread of the process is gone,
 * which on a loaded machine can be after its pid reads as exited.
 *
 * @param port - the port
 * @param timeoutMs - how long to wait
 * @returns whether the port is free
 */
export async function waitForPortFree(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!(await portInUse(port))) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Tells whether something already listens on (or holds) a loopback port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}
