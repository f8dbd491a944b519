// The network a FabricNetwork drives: its directory, its state (network.json) and its
// binaries, shared by the modules that start, wait for, deploy to and change it.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FabricBinaries } from '../binaries.js';
import { FabricNetworkError } from '../errors.js';
import { withFileLock, writeFileAtomic } from '../internal/file-lock.js';
import { type NetworkSpec, networkPaths, type OrgSpec } from '../internal/topology.js';

/** What every operation on a network works on: its directory, its spec (as loaded), its binaries. */
export interface NetworkContext {
  readonly dir: string;
  spec: NetworkSpec;
  readonly binaries: FabricBinaries;
}

/** MSP ids of the application organizations in the channel configuration. */
export function mspIds(ctx: NetworkContext): string[] {
  return channelOrgs(ctx).map((org) => org.mspId);
}

/** The organizations the channel configuration holds. */
export function channelOrgs(ctx: NetworkContext): OrgSpec[] {
  return ctx.spec.orgs.filter((org) => org.inChannel !== false);
}

/** The organizations whose processes run: all but those removed from the network. */
export function liveOrgs(ctx: NetworkContext): OrgSpec[] {
  return ctx.spec.orgs.filter((org) => !org.removed);
}

/**
 * Runs a change of the network holding `<dir>/network.lock` (one process at a time), on the
 * state as `network.json` has it now (another process may have changed it since).
 */
export function mutate<T>(ctx: NetworkContext, work: () => Promise<T>): Promise<T> {
  return lockNetwork(ctx.dir, async () => {
    const latest = await readSpec(ctx.dir);
    if (latest) ctx.spec = latest;
    return work();
  });
}

/** Every port the network has recorded for a component, running or not. */
export function usedPorts(ctx: NetworkContext): number[] {
  return portsOf(ctx.spec);
}

/** An organization by name or MSP id (BAD_OPTION naming `option` when there is none). */
export function findOrg(ctx: NetworkContext, name: string, option: string): OrgSpec {
  const org = ctx.spec.orgs.find((candidate) => candidate.name === name || candidate.mspId === name);
  if (!org) {
    throw new FabricNetworkError('BAD_OPTION', `no organization '${String(name)}' in this network`, {
      option,
      value: name,
      organizations: ctx.spec.orgs.map((candidate) => candidate.name),
    });
  }
  return org;
}

/** {@link findOrg}, refusing an organization that was removed from the network. */
export function findActiveOrg(ctx: NetworkContext, name: string, option: string): OrgSpec {
  const org = findOrg(ctx, name, option);
  if (org.removed) {
    throw new FabricNetworkError('BAD_OPTION', `${org.name} was removed from the network`, { option, value: name });
  }
  return org;
}

/** Writes network.json (atomically). */
export async function save(ctx: NetworkContext): Promise<void> {
  await writeFileAtomic(networkPaths(ctx.dir).spec, `${JSON.stringify(ctx.spec, null, 2)}\n`);
}

/** The cache root the Fabric binaries came from: `<home>/fabric/<version>`. */
export function home(ctx: NetworkContext): string {
  return resolve(ctx.binaries.root, '..', '..');
}

/** Runs `work` holding the network directory's lock (`network.lock`). */
export function lockNetwork<T>(dir: string, work: () => Promise<T>): Promise<T> {
  return withFileLock(join(dir, 'network.lock'), work, {
    busy: (holder) =>
      new FabricNetworkError(
        'NETWORK_BUSY',
        `another process${holder ? ` (pid ${holder})` : ''} has been changing the network in ${dir} for 10 minutes; wait for it or stop it`,
        { dir, holder },
      ),
  });
}

/** Every port recorded in a network spec: orderers, peers, CAs, chaincode servers. */
export function portsOf(spec: NetworkSpec): number[] {
  return [
    ...spec.orderers.flatMap((orderer) => Object.values(orderer.ports)),
    ...spec.orgs.flatMap((org) => [
      ...org.peers.flatMap((peer) => Object.values(peer.ports)),
      ...(org.ca ? Object.values(org.ca.ports) : []),
    ]),
    ...spec.chaincodes.map((chaincode) => chaincode.port),
  ];
}

/** The network stored in `dir`, or undefined when there is none. */
export async function readSpec(dir: string): Promise<NetworkSpec | undefined> {
  const text = await readFile(networkPaths(dir).spec, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as NetworkSpec);
}
