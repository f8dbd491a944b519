// Builds the pinned Fabric binaries once per machine (reused from $LEDGERKIT_HOME after
// that) before a test starts a network, and stops the networks a killed earlier test run
// left behind: startFabricNetwork() puts each one in a temporary ledgerkit-testing-fabric-*
// directory with the pid of its test process, and a run killed before its afterAll leaves
// the processes running.
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFabricBinaries, FabricNetwork } from '@ledgerkit/fabric-network';
import { ownerFile } from '../src/fabric-network-fixture.js';

// A network whose starting process still runs belongs to a concurrent test run: keep it.
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
  const binaries = await ensureFabricBinaries({ onProgress: (message) => console.log(`[fabric] ${message}`) });
  if (binaries.builtInSeconds !== undefined) console.log(`[fabric] built in ${binaries.builtInSeconds}s`);
  for (const entry of await readdir(tmpdir())) {
    if (!entry.startsWith('ledgerkit-testing-fabric-')) continue;
    const dir = join(tmpdir(), entry);
    if (await ownerAlive(dir)) continue;
    const network = await FabricNetwork.open(dir).catch(() => undefined);
    const { stopped = [] } = (await network?.down({ purge: true })) ?? {};
    if (stopped.length > 0)
      console.log(`[fabric] stopped ${stopped.length} processes left by an earlier run in ${entry}`);
    await rm(dir, { recursive: true, force: true });
  }
}
