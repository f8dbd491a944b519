// Builds the pinned Fabric and Fabric CA binaries once per machine (reused from $LEDGERKIT_HOME after
// that) before any test starts a network, and stops networks a killed earlier test run
// left behind (their directories are temporary ones named ledgerkit-fabric-*, claimed by
// the test process; a concurrent run's networks are left alone).
import { ensureFabricBinaries } from '../src/binaries.js';
import { ensureFabricCaBinaries } from '../src/ca/ca-binaries.js';
import { stopLeftoverNetworks } from '../src/testing.js';

export default async function setup(): Promise<void> {
  const binaries = await ensureFabricBinaries({ onProgress: (message) => console.log(`[fabric] ${message}`) });
  if (binaries.builtInSeconds !== undefined) console.log(`[fabric] built in ${binaries.builtInSeconds}s`);
  const ca = await ensureFabricCaBinaries({ onProgress: (message) => console.log(`[fabric-ca] ${message}`) });
  if (ca.builtInSeconds !== undefined) console.log(`[fabric-ca] built in ${ca.builtInSeconds}s`);
  for (const { dir, stopped } of await stopLeftoverNetworks('ledgerkit-fabric-')) {
    if (stopped.length > 0)
      console.log(`[fabric] stopped ${stopped.length} processes left by an earlier run in ${dir}`);
  }
}
