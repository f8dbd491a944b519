// Builds the pinned Fabric binaries once per machine (reused from $LEDGERKIT_HOME after
// that) before the integration tests start a network, and stops the networks a killed
// earlier run of these tests left behind (temporary directories ledgerkit-contracts-fabric-*
// whose owner process is gone; a concurrent run's network is left alone).
import { ensureFabricBinaries } from '@ledgerkit/fabric-network';
import { stopLeftoverNetworks } from '@ledgerkit/fabric-network/testing';

export default async function setup(): Promise<void> {
  const binaries = await ensureFabricBinaries({ onProgress: (message) => console.log(`[fabric] ${message}`) });
  if (binaries.builtInSeconds !== undefined) console.log(`[fabric] built in ${binaries.builtInSeconds}s`);
  for (const { dir, stopped } of await stopLeftoverNetworks('ledgerkit-contracts-fabric-')) {
    if (stopped.length > 0)
      console.log(`[fabric] stopped ${stopped.length} processes left by an earlier run in ${dir}`);
  }
}
