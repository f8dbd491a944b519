// Times a two-organization network: cold up (new network, binaries cached), warm up
// (up after down, ledgers kept), down, and counts processes left after down.
// Prints one JSON line last. Bars: warm_up_s < 20, leftover_processes == 0.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFabricBinaries, FabricNetwork } from '../dist/index.js';
import { processesOfNetwork } from '../dist/testing.js';

await ensureFabricBinaries();
const dir = await mkdtemp(join(tmpdir(), 'ledgerkit-bench-fabric-'));
const seconds = (started: number) => Math.round((performance.now() - started) / 10) / 100;
try {
  let started = performance.now();
  let network = await FabricNetwork.up({ dir, orgs: 2, peersPerOrg: 1, orderers: 1 });
  const coldUp = seconds(started);
  await network.down();
  started = performance.now();
  network = await FabricNetwork.up({ dir });
  const warmUp = seconds(started);
  started = performance.now();
  await network.down();
  const down = seconds(started);
  const leftover = (await processesOfNetwork(dir)).length;
  console.log(JSON.stringify({ cold_up_s: coldUp, warm_up_s: warmUp, down_s: down, leftover_processes: leftover }));
} finally {
  await (await FabricNetwork.open(dir).catch(() => undefined))?.down({ purge: true });
  await rm(dir, { recursive: true, force: true });
}
