// Builds the pinned Fabric binaries once per machine (reused from $LEDGERKIT_HOME after
// that) before a test starts a network, and stops the networks a killed earlier test run
// left behind: startFabricNetwork() puts each one in a temporary ledgerkit-testing-fabric-*
// directory claimed by its test process, and a run killed before its afterAll leaves the
// processes running. A concurrent run's networks (live owner) are left alone.
import { ensureFabricBinaries } from '@ledgerkit/fabric-network';
import { stopLeftoverNetworks } from '@ledgerkit/fabric-network/testing';

export default async function setup(): Promise<void> {
  const binaries = await ensureFabricBinaries({ onProgress: (message) => console.log(`[fabric] ${message}`) });
  if (binaries.builtInSeconds !== undefined) console.log(`[fabric] built in ${binaries.builtInSeconds}s`);
  for (const { dir, stopped } of await stopLeftoverNetworks('ledgerkit-testing-fabric-')) {
    if (stopped.length > 0)
      console.log(`[fabric] stopped ${stopped.length} processes left by an earlier run in ${dir}`);
  }
}
