// Builds the pinned Fabric binaries once per machine (reused from $LEDGERKIT_HOME after
// that) before any test starts a network, and stops networks a killed earlier run of
// these tests (or of the benchmark) left behind: temporary directories named
// ledgerkit-sdk-fabric-*, each claimed by its process with fabric-network's
// claimNetworkDir, so a concurrent run's networks (live owner) are left alone.
import { ensureFabricBinaries } from '@ledgerkit/fabric-network';
import { stopLeftoverNetworks } from '@ledgerkit/fabric-network/testing';

export { claimNetworkDir } from '@ledgerkit/fabric-network/testing';
export const networkDirPrefix = 'ledgerkit-sdk-fabric-';

export default async function setup(): Promise<void> {
  await ensureFabricBinaries({ onProgress: (message) => console.log(`[fabric] ${message}`) });
  await stopLeftoverNetworks(networkDirPrefix);
}
