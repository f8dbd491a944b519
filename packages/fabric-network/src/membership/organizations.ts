// Membership: adding an organization (its CA, MSP, identities and peers), its channel
// definition, joining it to the channel, removing it.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkAdminCredentials } from '../ca/credentials.js';
import { approveForOrg, installChaincodes } from '../chaincode/lifecycle.js';
import { FabricNetworkError } from '../errors.js';
import { organizationAccess, writeAccessFiles, writeMspFolder } from '../generation/access-files.js';
import { runCommand } from '../internal/exec.js';
import { removePath } from '../internal/files.js';
import { freePorts } from '../internal/ports.js';
import { forgetPid, readPid, stopProcess } from '../internal/processes.js';
import { networkPaths, type OrgSpec, organizationEntry, orgNames } from '../internal/topology.js';
import { ensureCaRunning, ensureRunning, isOurs } from '../process/supervise.js';
import { waitForCatchUp } from '../readiness/waits.js';
import { channelOrgs, findActiveOrg, findOrg, mutate, type NetworkContext, save, usedPorts } from '../state/context.js';
import type { AddOrganizationOptions, OrganizationAccess } from '../types.js';
import { caRecord, createCa, removeCa } from './certificate-authorities.js';
import { joinPeer } from './channel.js';
import { dropPeer, enrollPeer } from './peers.js';

/** Adds an organization with its CA, MSP, identities and peers (what {@link FabricNetwork.addOrganization} does). */
export async function addOrganization(
  ctx: NetworkContext,
  options: AddOrganizationOptions,
): Promise<OrganizationAccess> {
  if (typeof options?.name !== 'string') {
    throw new FabricNetworkError('BAD_OPTION', 'addOrganization needs a name', { option: 'name' });
  }
  const [name] = orgNames([options.name]);
  const mspId = options.mspId ?? `${name}MSP`;
  if (!/^[A-Za-z][A-Za-z0-9.-]{0,63}$/.test(mspId)) {
    throw new FabricNetworkError('BAD_OPTION', `invalid MSP id '${mspId}'`, { option: 'mspId', value: mspId });
  }
  const peerCount = options.peers ?? 1;
  if (!Number.isInteger(peerCount) || peerCount < 1 || peerCount > 4) {
    throw new FabricNetworkError('BAD_OPTION', `peers must be an integer from 1 to 4, got ${peerCount}`, {
      option: 'peers',
    });
  }
  checkAdminCredentials(options.admin);
  const domain = `${(name as string).toLowerCase()}.example.com`;
  const clash = ctx.spec.orgs.find(
    (org) => org.name.toLowerCase() === name?.toLowerCase() || org.mspId === mspId || org.domain === domain,
  );
  if (clash || mspId === ctx.spec.ordererOrg.mspId) {
    throw new FabricNetworkError(
      'ALREADY_EXISTS',
      `the network already has an organization '${name}' or MSP id '${mspId}'`,
      {
        organization: name,
        mspId,
      },
    );
  }
  const ports = await freePorts(2 + peerCount * 3, { exclude: usedPorts(ctx) });
  const next = () => ports.shift() as number;
  const org: OrgSpec = {
    name: name as string,
    mspId,
    domain,
    peers: [],
    inChannel: false,
    added: true,
  };
  org.ca = caRecord(org, { listen: next(), operations: next() }, options.admin.name, 'generated');
  for (let index = 0; index < peerCount; index++) {
    org.peers.push({
      id: `peer${index}.${org.name.toLowerCase()}`,
      host: `peer${index}.${domain}`,
      ports: { listen: next(), chaincode: next(), operations: next() },
    });
  }
  // Recorded first, so that down() and the leftover cleanup find its processes whatever happens next.
  ctx.spec.orgs.push(org);
  await save(ctx);
  try {
    const ca = await createCa(ctx, org, options.admin);
    const orgMsp = join(networkPaths(ctx.dir).orgDir(org), 'msp');
    await writeMspFolder(orgMsp, await readFile(ca.rootCertificatePath, 'utf8'));
    for (const [user, type] of [
      ['Admin', 'admin'],
      ['User1', 'client'],
    ] as const) {
      const enrollmentId = `${user.toLowerCase()}-${org.name.toLowerCase()}`;
      const { secret } = await ca.register({ name: enrollmentId, type });
      await ca.enrollInto({ name: enrollmentId, secret, mspDir: networkPaths(ctx.dir).userMsp(org, user) });
    }
    for (const peer of org.peers) await enrollPeer(ctx, org, peer, ca);
    await writeAccessFiles(ctx.dir, ctx.spec, org);
    await Promise.all(org.peers.map((peer) => ensureRunning(ctx, peer.id, 30_000)));
  } catch (error) {
    await dropOrganization(ctx, org);
    throw error;
  }
  return organizationAccess(ctx.dir, org);
}

/** An organization's channel definition (`configtxgen -printOrg`). */
export async function organizationDefinition(ctx: NetworkContext, org: string): Promise<Record<string, unknown>> {
  const spec = findOrg(ctx, org, 'org');
  const configDir = join(ctx.dir, 'config', 'organizations', spec.name.toLowerCase());
  await mkdir(configDir, { recursive: true });
  await writeFile(
    join(configDir, 'configtx.yaml'),
    `${JSON.stringify({ Organizations: [organizationEntry(spec, ctx.dir)] }, null, 2)}\n`,
  );
  const { stdout } = await runCommand(
    ctx.binaries.paths.configtxgen,
    ['-configPath', configDir, '-printOrg', spec.mspId],
    {
      purpose: `configtxgen -printOrg ${spec.mspId}`,
      env: { ...process.env, FABRIC_CFG_PATH: configDir },
    },
  );
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** Joins an organization's peers to the channel (what {@link FabricNetwork.joinChannel} does). */
export async function joinChannel(ctx: NetworkContext, org: string): Promise<OrganizationAccess> {
  const spec = findActiveOrg(ctx, org, 'org');
  if (spec.ca) await ensureCaRunning(ctx, spec, 30_000);
  await Promise.all(spec.peers.map((peer) => ensureRunning(ctx, peer.id, 30_000)));
  for (const peer of spec.peers.filter((candidate) => !ctx.spec.joined.includes(candidate.id))) {
    await joinPeer(ctx, spec, peer);
    await installChaincodes(ctx, spec, peer);
  }
  if (spec.inChannel === false) {
    for (const chaincode of ctx.spec.chaincodes) await approveForOrg(ctx, spec, chaincode);
    spec.inChannel = true;
    await save(ctx);
  }
  await Promise.all(spec.peers.map((peer) => waitForCatchUp(ctx, spec, peer, 60_000)));
  return organizationAccess(ctx.dir, spec);
}

/** Takes a removed organization out of the network (what {@link FabricNetwork.removeOrganization} does). */
export async function removeOrganization(ctx: NetworkContext, org: string): Promise<{ stopped: number[] }> {
  return mutate(ctx, async () => {
    const spec = findOrg(ctx, org, 'org');
    if (!spec.removed && channelOrgs(ctx).every((candidate) => candidate === spec)) {
      throw new FabricNetworkError('BAD_OPTION', `${spec.name} is the last organization of the channel`, {
        option: 'org',
        value: org,
      });
    }
    const paths = networkPaths(ctx.dir);
    const stopped: number[] = [];
    for (const id of [...spec.peers.map((peer) => peer.id), ...(spec.ca ? [spec.ca.id] : [])]) {
      const pid = await readPid(paths.pid(id));
      if (pid !== undefined && (await isOurs(ctx, pid))) {
        await stopProcess(pid);
        stopped.push(pid);
      }
      await forgetPid(paths.pid(id));
    }
    spec.inChannel = false;
    spec.removed = true;
    ctx.spec.joined = ctx.spec.joined.filter((id) => !spec.peers.some((peer) => peer.id === id));
    await save(ctx);
    return { stopped };
  });
}

/**
 * Undoes a failed addOrganization: processes stopped, files deleted, the record gone. Every
 * step runs even when one fails (the failure that made the rollback is the one to report),
 * and the record goes last, so nothing of the organization stays to block a retry.
 */
export async function dropOrganization(ctx: NetworkContext, org: OrgSpec): Promise<void> {
  const paths = networkPaths(ctx.dir);
  const steps: (() => Promise<unknown>)[] = [
    ...[...org.peers].map((peer) => () => dropPeer(ctx, org, peer)),
    () => removeCa(ctx, org),
    () => removePath(paths.orgDir(org)),
    () => removePath(join(paths.organizations, org.name)),
  ];
  for (const step of steps) await step().catch(() => {});
  ctx.spec.orgs = ctx.spec.orgs.filter((candidate) => candidate !== org);
  ctx.spec.joined = ctx.spec.joined.filter((id) => !org.peers.some((peer) => peer.id === id));
  await save(ctx);
}
