// Trust anchors an auditor obtains out of band, not from a peer: the channel's genesis block
// file (its header hash is the pinned config block) and each organization's MSP root
// certificates from its crypto material.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FabricNetwork } from '@ledgerkit/fabric-network';
import { blockHeaderHash } from '../src/verify/block-hash.js';
import { toHex } from '../src/verify/bytes.js';
import { decodeBlock } from '../src/verify/decode.js';

/** Header hash of the channel's genesis (config) block, as configtxgen wrote it. */
export async function genesisBlockHash(network: FabricNetwork): Promise<string> {
  const bytes = await readFile(join(network.dir, 'config', `${network.channel}.block`));
  return toHex(blockHeaderHash(decodeBlock(bytes)));
}

async function pemFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.pem')).sort();
  return Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')));
}

/** Root CA certificates by MSP id: every application organization's and the orderer organization's. */
export async function mspRoots(network: FabricNetwork): Promise<Record<string, string[]>> {
  const roots: Record<string, string[]> = {};
  for (const mspId of network.mspIds) {
    roots[mspId] = await pemFiles(join(network.organization(mspId).user.mspDir, 'cacerts'));
  }
  const ordererOrgs = join(network.dir, 'crypto', 'ordererOrganizations');
  for (const domain of await readdir(ordererOrgs)) {
    roots.OrdererMSP = await pemFiles(join(ordererOrgs, domain, 'msp', 'cacerts'));
  }
  return roots;
}
