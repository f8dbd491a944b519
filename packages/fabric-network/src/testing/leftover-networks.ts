import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FabricNetwork } from '../fabric-network.js';
import { pidAlive } from '../internal/processes.js';

/** The file in a claimed network directory holding the pid of the process that owns it. */
export const networkOwnerFile = 'owner.pid';

/**
 * Marks a (temporary) network directory as this process's, so that
 * {@link stopLeftoverNetworks} in a concurrent test run leaves it alone.
 *
 * @param dir - the network directory, created before `FabricNetwork.up`
 * @returns when `owner.pid` is written
 * @example
 * ```ts
 * const dir = await mkdtemp(join(tmpdir(), 'my-tests-fabric-'));
 * await claimNetworkDir(dir);
 * const network = await FabricNetwork.up({ dir });
 * ```
 */
export async function claimNetworkDir(dir: string): Promise<void> {
  await writeFile(join(dir, networkOwnerFile), `${process.pid}\n`);
}

/**
 * Stops the networks a killed earlier test run left behind: every directory in the
 * temporary directory whose name starts with `prefix` and whose owner (see
 * {@link claimNetworkDir}) is not a live process is brought down and deleted. Meant for a
 * test suite's global setup.
 *
 * @param prefix - the `mkdtemp` prefix of the suite's network directories
 * @returns each directory removed and the pids stopped in it
 * @example
 * ```ts
 * for (const { dir, stopped } of await stopLeftoverNetworks('my-tests-fabric-')) {
 *   if (stopped.length > 0) console.log(`stopped ${stopped.length} processes left in ${dir}`);
 * }
 * ```
 */
export async function stopLeftoverNetworks(prefix: string): Promise<{ dir: string; stopped: number[] }[]> {
  const removed: { dir: string; stopped: number[] }[] = [];
  for (const entry of await readdir(tmpdir())) {
    if (!entry.startsWith(prefix)) continue;
    const dir = join(tmpdir(), entry);
    const owner = Number((await readFile(join(dir, networkOwnerFile), 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && pidAlive(owner)) continue;
    const network = await FabricNetwork.open(dir).catch(() => undefined);
    const { stopped = [] } = (await network?.down({ purge: true }).catch(() => undefined)) ?? {};
    await rm(dir, { recursive: true, force: true });
    removed.push({ dir, stopped });
  }
  return removed;
}
