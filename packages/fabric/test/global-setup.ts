// Builds the pinned Fabric binaries once per machine (reused from $LEDGERKIT_HOME after
// that) before any test starts a network, and stops networks a killed earlier run of
// these tests (or of the benchmark) left behind: temporary directories named
// ledgerkit-sdk-fabric-*. A directory whose owner.pid names a live process belongs to a
// concurrent run and is left alone.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFabricBinaries, FabricNetwork } from '@ledgerkit/fabric-network';

export const networkDirPrefix = 'ledgerkit-sdk-fabric-';
export const ownerFile = 'owner.pid';

/**
 * Marks a network directory as this process's, so a concurrent test run's setup keeps it.
 *
 * @param dir - a directory made with {@link networkDirPrefix}
 */
export async function claimNetworkDir(dir: string): Promise<void> {
  await writeFile(join(dir, ownerFile), `${process.pid}\n`);
}

async function ownerAlive(dir: string): Promise<boolean> {
  const pid = Number((await readFile(join(dir, ownerFile), 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export default async function setup(): Promise<void> {
  await ensureFabricBinaries({ onProgress: (message) => console.log(`[fabric] ${message}`) });
  for (const entry of await readdir(tmpdir())) {
    if (!entry.startsWith(networkDirPrefix)) continue;
    const dir = join(tmpdir(), entry);
    if (await ownerAlive(dir)) continue;
    const network = await FabricNetwork.open(dir).catch(() => undefined);
    await network?.down({ purge: true }).catch(() => {});
  }
}
