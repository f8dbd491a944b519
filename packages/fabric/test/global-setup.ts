// Builds the pinned Fabric binaries once per machine (reused from $LEDGERKIT_HOME after
// that) before any test starts a network, and stops networks a killed earlier run of
// these tests left behind (temporary directories named ledgerkit-sdk-fabric-*).
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFabricBinaries, FabricNetwork } from '@ledgerkit/fabric-network';

export const networkDirPrefix = 'ledgerkit-sdk-fabric-';

export default async function setup(): Promise<void> {
  await ensureFabricBinaries({ onProgress: (message) => console.log(`[fabric] ${message}`) });
  for (const entry of await readdir(tmpdir())) {
    if (!entry.startsWith(networkDirPrefix)) continue;
    const network = await FabricNetwork.open(join(tmpdir(), entry)).catch(() => undefined);
    await network?.down({ purge: true }).catch(() => {});
  }
}
