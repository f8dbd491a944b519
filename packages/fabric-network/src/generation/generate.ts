// Generation of a new network: crypto material (cryptogen), the channel genesis block
// (configtxgen), each organization's access files and network.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FabricBinaries } from '../binaries.js';
import { runCommand } from '../internal/exec.js';
import { writeFileAtomic } from '../internal/file-lock.js';
import { configtx, cryptoConfig, type NetworkSpec, networkPaths } from '../internal/topology.js';
import { writeAccessFiles } from './access-files.js';

/** Crypto material, channel genesis block, and per-organization access files. */
export async function generate(dir: string, spec: NetworkSpec, binaries: FabricBinaries): Promise<void> {
  const paths = networkPaths(dir);
  await mkdir(paths.configtxDir, { recursive: true });
  await writeFile(paths.cryptoConfig, cryptoConfig(spec));
  await runCommand(
    binaries.paths.cryptogen,
    ['generate', `--config=${paths.cryptoConfig}`, `--output=${paths.crypto}`],
    {
      purpose: 'cryptogen',
    },
  );
  await writeFile(join(paths.configtxDir, 'configtx.yaml'), configtx(spec, dir));
  await runCommand(
    binaries.paths.configtxgen,
    [
      '-configPath',
      paths.configtxDir,
      '-profile',
      'LedgerkitChannel',
      '-channelID',
      spec.channel,
      '-outputBlock',
      paths.genesisBlock(spec.channel),
    ],
    { purpose: 'configtxgen (channel genesis block)' },
  );
  for (const org of spec.orgs) await writeAccessFiles(dir, spec, org);
  await writeFileAtomic(paths.spec, `${JSON.stringify(spec, null, 2)}\n`);
}
