// Builds the pinned Fabric binaries once per machine (reused from $LEDGERKIT_HOME after
// that) before the integration tests start a network, and stops the networks a killed
// earlier run of these tests left behind (temporary directories ledgerkit-contracts-fabric-*).
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFabricBinaries, FabricNetwork } from '@ledgerkit/fabric-network';

const leftoverPrefix = 'ledgerkit-contracts-fabric-';

export default async function setup(): Promise<void> {
  const binaries = await ensureFabricBinaries({ onProgress: (message) => console.log(`[fabric] ${message}`) });
  if (binaries.builtInSeconds !== undefined) console.log(`[fabric] built in ${binaries.builtInSeconds}s`);
  for (const entry of await readdir(tmpdir())) {
    if (!entry.startsWith(leftoverPrefix)) continue;
    const network = await FabricNetwork.open(join(tmpdir(), entry)).catch(() => undefined);
    const { stopped = [] } = (await network?.down({ purge: true })) ?? {};
    if (stopped.length > 0)
      console.log(`[fabric] stopped ${stopped.length} processes left by an earlier run in ${entry}`);
  }
}
