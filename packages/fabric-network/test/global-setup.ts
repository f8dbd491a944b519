// Builds the pinned Fabric binaries once per machine (reused from $LEDGERKIT_HOME after
// that) before any test starts a network, and stops networks a killed earlier test run
// left behind (their directories are temporary ones named ledgerkit-fabric-*).
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFabricBinaries } from '../src/binaries.js';
import { FabricNetwork } from '../src/index.js';

export default async function setup(): Promise<void> {
  const binaries = await ensureFabricBinaries({ onProgress: (message) => console.log(`[fabric] ${message}`) });
  if (binaries.builtInSeconds !== undefined) console.log(`[fabric] built in ${binaries.builtInSeconds}s`);
  for (const entry of await readdir(tmpdir())) {
    if (!entry.startsWith('ledgerkit-fabric-')) continue;
    const network = await FabricNetwork.open(join(tmpdir(), entry)).catch(() => undefined);
    const { stopped = [] } = (await network?.down({ purge: true })) ?? {};
    if (stopped.length > 0)
      console.log(`[fabric] stopped ${stopped.length} processes left by an earlier run in ${entry}`);
  }
}
