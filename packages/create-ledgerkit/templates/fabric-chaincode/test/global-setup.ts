// Runs once before the tests: makes sure the Fabric binaries exist (built with Go into
// $LEDGERKIT_HOME on the first run on a machine, minutes; reused after that), and stops
// networks that a killed earlier run left behind (their owner process is gone).
import { ensureFabricBinaries } from '@ledgerkit/fabric-network';
import { stopLeftoverNetworks } from '@ledgerkit/fabric-network/testing';

export default async function setup(): Promise<void> {
  const binaries = await ensureFabricBinaries({ onProgress: (message) => console.log(`[fabric] ${message}`) });
  if (binaries.builtInSeconds !== undefined) console.log(`[fabric] built in ${binaries.builtInSeconds}s`);
  for (const { dir, stopped } of await stopLeftoverNetworks('ledgerkit-testing-fabric-')) {
    if (stopped.length > 0) console.log(`[fabric] stopped ${stopped.length} processes left in ${dir}`);
  }
}
