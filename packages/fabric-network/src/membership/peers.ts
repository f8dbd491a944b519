// Membership: a member's peers (Amazon Managed Blockchain's CreateNode and DeleteNode).
import { randomBytes } from 'node:crypto';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CertificateAuthority } from '../ca/certificate-authority.js';
import { installChaincodes } from '../chaincode/lifecycle.js';
import { FabricNetworkError } from '../errors.js';
import { writeAccessFiles } from '../generation/access-files.js';
import { runCommand } from '../internal/exec.js';
import { removePath } from '../internal/files.js';
import { freePorts } from '../internal/ports.js';
import { forgetPid, readPid, stopProcess } from '../internal/processes.js';
import { cryptoConfig, networkPaths, type OrgSpec, type PeerSpec } from '../internal/topology.js';
import { ensureCaRunning, ensureRunning, isOurs } from '../process/supervise.js';
import { waitForCatchUp, waitForGossip } from '../readiness/waits.js';
import { findActiveOrg, findOrg, type NetworkContext, save, usedPorts } from '../state/context.js';
import type { AddedPeer } from '../types.js';
import { caOf } from './certificate-authorities.js';
import { joinPeer } from './channel.js';

/** Adds a peer to an organization (what {@link FabricNetwork.addPeer} does). */
export async function addPeer(ctx: NetworkContext, org: string): Promise<AddedPeer> {
  const spec = findActiveOrg(ctx, org, 'org');
  const indexes = spec.peers.map((peer) => Number(/^peer(\d+)\./.exec(peer.host)?.[1] ?? 0));
  if (spec.peers.length >= 8) {
    throw new FabricNetworkError('BAD_OPTION', `${spec.name} already has ${spec.peers.length} peers (at most 8)`, {
      option: 'org',
      value: org,
    });
  }
  const index = Math.max(-1, ...indexes) + 1;
  const [listen, chaincode, operations] = (await freePorts(3, { exclude: usedPorts(ctx) })) as [number, number, number];
  const peer: PeerSpec = {
    id: `peer${index}.${spec.name.toLowerCase()}`,
    host: `peer${index}.${spec.domain}`,
    ports: { listen, chaincode, operations },
  };
  spec.peers.push(peer);
  await save(ctx);
  try {
    if (spec.ca?.root === 'generated') {
      await ensureCaRunning(ctx, spec, 30_000);
      await enrollPeer(ctx, spec, peer, await caOf(ctx, spec));
    } else {
      // cryptogen extend adds the missing peer's material with the organization's existing CA
      // and TLS CA keys (a Fabric CA made for such an organization holds only the former).
      const paths = networkPaths(ctx.dir);
      const extendConfig = join(paths.configtxDir, `crypto-extend-${spec.name.toLowerCase()}.yaml`);
      await writeFile(extendConfig, cryptoConfig({ ...ctx.spec, orgs: [spec] }));
      await runCommand(
        ctx.binaries.paths.cryptogen,
        ['extend', `--input=${paths.crypto}`, `--config=${extendConfig}`],
        {
          purpose: `cryptogen extend (${peer.id})`,
        },
      );
    }
    await ensureRunning(ctx, peer.id, 30_000);
    const joined = spec.inChannel !== false;
    if (joined) {
      await joinPeer(ctx, spec, peer);
      await installChaincodes(ctx, spec, peer);
    }
    await writeAccessFiles(ctx.dir, ctx.spec, spec);
    if (!joined) return { id: peer.id, host: peer.host, endpoint: `127.0.0.1:${listen}`, joined };
    const height = await waitForCatchUp(ctx, spec, peer, 60_000);
    await waitForGossip(ctx, 60_000);
    return { id: peer.id, host: peer.host, endpoint: `127.0.0.1:${listen}`, joined, height };
  } catch (error) {
    await dropPeer(ctx, spec, peer);
    await save(ctx);
    throw error;
  }
}

/** Stops and deletes a peer (what {@link FabricNetwork.removePeer} does). */
export async function removePeer(ctx: NetworkContext, org: string, peerId: string): Promise<{ stopped: number[] }> {
  const spec = findOrg(ctx, org, 'org');
  const peer = spec.peers.find((candidate) => candidate.id === peerId || candidate.host === peerId);
  if (!peer) {
    throw new FabricNetworkError('BAD_OPTION', `${spec.name} has no peer '${peerId}'`, {
      option: 'peer',
      value: peerId,
      peers: spec.peers.map((candidate) => candidate.id),
    });
  }
  if (peer === spec.peers[0]) {
    throw new FabricNetworkError(
      'BAD_OPTION',
      `${peer.id} is ${spec.name}'s anchor peer and its other peers' gossip bootstrap; remove another peer`,
      { option: 'peer', value: peerId },
    );
  }
  const pid = await readPid(networkPaths(ctx.dir).pid(peer.id));
  const stopped = pid !== undefined && (await isOurs(ctx, pid)) ? [pid] : [];
  if (spec.ca?.root === 'generated') {
    await ensureCaRunning(ctx, spec, 30_000);
    await (await caOf(ctx, spec)).revoke(peer.enrollmentId ?? peerEnrollmentId(peer), 'cessationofoperation');
  }
  await dropPeer(ctx, spec, peer);
  await writeAccessFiles(ctx.dir, ctx.spec, spec);
  await save(ctx);
  return { stopped };
}

/** A peer's MSP (NodeOU `peer`) and TLS server certificate, enrolled from the organization's CA. */
export async function enrollPeer(
  ctx: NetworkContext,
  org: OrgSpec,
  peer: PeerSpec,
  ca: CertificateAuthority,
): Promise<void> {
  const node = networkPaths(ctx.dir).peerDir(org, peer);
  // A removed peer's identity stays registered (revoked): a successor with the same host
  // name registers under a fresh enrollment id.
  let enrollmentId = peerEnrollmentId(peer);
  let registered: { secret: string } | undefined;
  for (let attempt = 0; registered === undefined; attempt++) {
    registered = await ca.register({ name: enrollmentId, type: 'peer' }).catch((error: unknown) => {
      if (attempt < 3 && error instanceof FabricNetworkError && error.reason === 'IDENTITY_EXISTS') return undefined;
      throw error;
    });
    if (registered === undefined) enrollmentId = `${peerEnrollmentId(peer)}-${randomBytes(3).toString('hex')}`;
  }
  const { secret } = registered;
  peer.enrollmentId = enrollmentId;
  await ca.enrollInto({ name: enrollmentId, secret, mspDir: join(node, 'msp') });
  const tlsEnrollment = join(node, 'tls-enrollment');
  await ca.enrollInto({
    name: enrollmentId,
    secret,
    mspDir: tlsEnrollment,
    tls: { hosts: [peer.host, 'localhost', '127.0.0.1'] },
  });
  const tls = join(node, 'tls');
  await mkdir(tls, { recursive: true });
  await cp(join(tlsEnrollment, 'signcerts', 'cert.pem'), join(tls, 'server.crt'));
  await cp(join(tlsEnrollment, 'keystore', 'priv_sk'), join(tls, 'server.key'));
  await cp(ca.rootCertificatePath, join(tls, 'ca.crt'));
  await rm(tlsEnrollment, { recursive: true, force: true });
}

/** Stops a peer and deletes its process record, ledger and crypto material. */
export async function dropPeer(ctx: NetworkContext, org: OrgSpec, peer: PeerSpec): Promise<void> {
  const paths = networkPaths(ctx.dir);
  const pid = await readPid(paths.pid(peer.id));
  if (pid !== undefined && (await isOurs(ctx, pid))) await stopProcess(pid);
  await forgetPid(paths.pid(peer.id));
  await removePath(join(paths.data, peer.id));
  await removePath(paths.peerDir(org, peer));
  org.peers = org.peers.filter((candidate) => candidate !== peer);
  ctx.spec.joined = ctx.spec.joined.filter((id) => id !== peer.id);
}

/** A peer's enrollment id at its organization's CA: its host name without dots. */
export function peerEnrollmentId(peer: PeerSpec): string {
  return peer.host.split('.')[0] as string;
}
