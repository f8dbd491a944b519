import { readdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pidAlive } from '../internal/processes.js';

/**
 * Lists live processes that belong to a network, by scanning /proc for the marker
 * every process started by `up` carries in its environment. After `down` it should
 * be empty; tests and the benchmark assert that. Linux only (empty elsewhere).
 *
 * @param dir - the network directory
 * @returns pid and command line of each process still alive
 */
export async function processesOfNetwork(dir: string): Promise<{ pid: number; command: string }[]> {
  const marker = `LEDGERKIT_FABRIC_NETWORK=${resolve(dir)}`;
  const found: { pid: number; command: string }[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    if (!environ.split('\0').includes(marker) || !pidAlive(pid)) continue;
    const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    found.push({ pid, command: command.split('\0').join(' ').trim() });
  }
  return found;
}
