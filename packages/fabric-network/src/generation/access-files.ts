// Each organization's access files: admin and user MSP copies, TLS CA, connection profile,
// and its channel MSP folder.
import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nodeOuConfig } from '../ca/certificate-authority.js';
import { type NetworkSpec, networkPaths, type OrdererSpec, type OrgSpec, type PeerSpec } from '../internal/topology.js';
import type { IdentityFiles, OrganizationAccess } from '../types.js';

/** An organization's access files and endpoints, as {@link FabricNetwork.organization} returns them. */
export function organizationAccess(dir: string, org: OrgSpec): OrganizationAccess {
  const paths = networkPaths(dir);
  const base = join(paths.organizations, org.name);
  const identity = (role: 'admin' | 'user'): IdentityFiles => {
    const mspDir = join(base, role, 'msp');
    return {
      mspDir,
      certificatePath: join(mspDir, 'signcerts', 'cert.pem'),
      privateKeyPath: join(mspDir, 'keystore', 'priv_sk'),
    };
  };
  const peer = org.peers[0] as PeerSpec;
  return {
    name: org.name,
    mspId: org.mspId,
    peerEndpoint: `127.0.0.1:${peer.ports.listen}`,
    peerHostAlias: peer.host,
    tlsRootCertPath: join(base, 'tls-ca.pem'),
    cryptoPath: paths.orgDir(org),
    connectionProfilePath: join(base, 'connection.json'),
    admin: identity('admin'),
    user: identity('user'),
    mspDir: join(paths.orgDir(org), 'msp'),
    inChannel: org.inChannel !== false,
    peers: org.peers.map((candidate) => ({
      id: candidate.id,
      host: candidate.host,
      endpoint: `127.0.0.1:${candidate.ports.listen}`,
    })),
  };
}

/** An organization's access files: admin and user MSP copies, TLS CA, connection profile. */
export async function writeAccessFiles(dir: string, spec: NetworkSpec, org: OrgSpec): Promise<void> {
  const paths = networkPaths(dir);
  const access = organizationAccess(dir, org);
  for (const [role, user] of [
    ['admin', 'Admin'],
    ['user', 'User1'],
  ] as const) {
    const target = access[role];
    await rm(target.mspDir, { recursive: true, force: true });
    await cp(paths.userMsp(org, user), target.mspDir, { recursive: true });
    // Stable file names, so readers need not list directories (a CA-enrolled MSP has them already).
    const cryptogenCert = join(target.mspDir, 'signcerts', `${user}@${org.domain}-cert.pem`);
    if ((await stat(cryptogenCert).catch(() => undefined)) !== undefined)
      await cp(cryptogenCert, target.certificatePath);
  }
  const peer = org.peers[0] as PeerSpec;
  const tlsCa = await readFile(join(paths.peerDir(org, peer), 'tls', 'ca.crt'), 'utf8');
  await writeFile(access.tlsRootCertPath, tlsCa);
  const ordererTlsCa = await readFile(
    join(paths.ordererDir(spec, spec.orderers[0] as OrdererSpec), 'tls', 'ca.crt'),
    'utf8',
  );
  const profile = {
    name: `ledgerkit-${spec.channel}-${org.name.toLowerCase()}`,
    version: '1.0.0',
    client: { organization: org.name },
    channel: spec.channel,
    organizations: {
      [org.name]: {
        mspid: org.mspId,
        peers: org.peers.map((candidate) => candidate.host),
        adminPrivateKey: { path: access.admin.privateKeyPath },
        signedCert: { path: access.admin.certificatePath },
      },
    },
    peers: Object.fromEntries(
      spec.orgs.flatMap((other) =>
        other.peers.map((candidate) => [
          candidate.host,
          {
            url: `grpcs://127.0.0.1:${candidate.ports.listen}`,
            mspid: other.mspId,
            tlsCACerts: { path: join(paths.peerDir(other, candidate), 'tls', 'ca.crt') },
            grpcOptions: { 'ssl-target-name-override': candidate.host },
          },
        ]),
      ),
    ),
    orderers: Object.fromEntries(
      spec.orderers.map((orderer) => [
        orderer.host,
        { url: `grpcs://127.0.0.1:${orderer.ports.listen}`, tlsCACerts: { pem: ordererTlsCa } },
      ]),
    ),
    ledgerkit: {
      gatewayPeer: access.peerEndpoint,
      tlsRootCertPath: access.tlsRootCertPath,
      identities: { admin: access.admin, user: access.user },
    },
  };
  await writeFile(access.connectionProfilePath, `${JSON.stringify(profile, null, 2)}\n`);
}

/** An organization's channel MSP folder: root and TLS root certificates and the NodeOU config. */
export async function writeMspFolder(mspDir: string, rootPem: string): Promise<void> {
  for (const folder of ['cacerts', 'tlscacerts']) {
    await mkdir(join(mspDir, folder), { recursive: true });
    await writeFile(join(mspDir, folder, 'ca.pem'), rootPem);
  }
  await writeFile(join(mspDir, 'config.yaml'), nodeOuConfig());
}
