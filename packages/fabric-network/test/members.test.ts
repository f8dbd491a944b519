// Members' certificate authorities and nodes on a real network (1 Raft orderer, Org1 with
// one peer, native processes): a fabric-ca-server for Org1 signing with its existing CA key
// (register, enroll with attributes that chaincode reads, revoke, CRL, renew), a new
// organization with its own fabric-ca-server, MSP and peer, a peer added to Org1 that catches
// up and endorses, node health from the operations endpoints, and a peer removed again.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { isLedgerError } from '@ledgerkit/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type CertificateAuthority,
  crlSerialNumbers,
  FabricNetwork,
  type IdentityFiles,
  type OrganizationAccess,
} from '../src/index.js';
import { claimNetworkDir, processesOfNetwork } from '../src/testing.js';
import { gatewayFor, whenDiscovered } from './gateway-client.js';

const chaincodePath = fileURLToPath(new URL('./fixtures/whoami', import.meta.url));
const decoder = new TextDecoder();
const admin = { name: 'admin', password: 'Passw0rd1' };

async function reasonOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return isLedgerError(error) ? [error.code, error.details.reason] : error;
  }
  return 'no error';
}

describe("members' certificate authorities and nodes", () => {
  let dir: string;
  let network: FabricNetwork;
  let org1: OrganizationAccess;
  let ca: CertificateAuthority;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgerkit-fabric-members-'));
    await claimNetworkDir(dir);
    network = await FabricNetwork.up({ dir, orgs: 1, peersPerOrg: 1, orderers: 1, channel: 'members' });
    await network.deployChaincode({ name: 'whoami', path: chaincodePath, policy: 'any' });
    org1 = network.organization('Org1');
  });

  afterAll(async () => {
    await network?.down({ purge: true }).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  async function call(
    access: OrganizationAccess,
    identity: IdentityFiles,
    submit: boolean,
    name: string,
    ...args: string[]
  ): Promise<string> {
    const connection = await gatewayFor(access, identity);
    try {
      const contract = connection.gateway.getNetwork('members').getContract('whoami');
      const result = await whenDiscovered(() =>
        submit ? contract.submitTransaction(name, ...args) : contract.evaluateTransaction(name, ...args),
      );
      return decoder.decode(result);
    } finally {
      connection.close();
    }
  }

  test('Org1 CA: bad input is typed, enrolled identities carry attributes to chaincode, revoke lists them in the CRL', async () => {
    expect(await reasonOf(network.certificateAuthority('Org1'))).toEqual(['NOT_FOUND', 'CA_MISSING']);
    expect(
      await reasonOf(network.certificateAuthority('Org1', { admin: { name: '1admin', password: 'Passw0rd1' } })),
    ).toEqual(['INVALID_ARGUMENT', 'BAD_CREDENTIALS']);
    expect(
      await reasonOf(network.certificateAuthority('Org1', { admin: { name: 'admin', password: 'password1' } })),
    ).toEqual(['INVALID_ARGUMENT', 'BAD_CREDENTIALS']);
    expect(await reasonOf(network.certificateAuthority('Nope', { admin }))).toEqual(['INVALID_ARGUMENT', 'BAD_OPTION']);
    // Nothing was started by the refused calls.
    expect(network.components()).not.toContain('ca.org1');

    ca = await network.certificateAuthority('Org1', { admin });
    const status = await network.status();
    expect(status.components.find((component) => component.id === 'ca.org1')).toMatchObject({
      kind: 'ca',
      running: true,
      healthy: true,
    });
    expect(
      await reasonOf(network.certificateAuthority('Org1', { admin: { name: 'admin', password: 'Wrong0pass' } })),
    ).toEqual(['UNAUTHENTICATED', 'CA_AUTHENTICATION_FAILED']);

    const { secret } = await ca.register({ name: 'alice', attributes: { role: 'manufacturer' } });
    expect(await reasonOf(ca.register({ name: 'alice' }))).toEqual(['ALREADY_EXISTS', 'IDENTITY_EXISTS']);
    expect(await reasonOf(ca.register({ name: 'bad name' }))).toEqual(['INVALID_ARGUMENT', 'BAD_OPTION']);
    expect(await reasonOf(ca.enroll({ name: 'alice', secret: 'wrong' }))).toEqual([
      'UNAUTHENTICATED',
      'CA_AUTHENTICATION_FAILED',
    ]);
    expect(await reasonOf(ca.enroll({ name: 'nobody', secret: 'whatever' }))).toEqual([
      'NOT_FOUND',
      'IDENTITY_NOT_FOUND',
    ]);

    const alice = await ca.enroll({ name: 'alice', secret });
    expect(alice.mspId).toBe('Org1MSP');
    expect(alice.notAfter.getTime()).toBeGreaterThan(Date.now() + 300 * 24 * 3_600_000);
    const certificate = new X509Certificate(await readFile(alice.certificatePath));
    expect(certificate.subject).toContain('OU=client');
    // Signed by the organization's existing (cryptogen) CA: the channel MSP trusts it as it is.
    expect(
      certificate.verify(new X509Certificate(await readFile(join(alice.mspDir, 'cacerts', 'ca.pem'))).publicKey),
    ).toBe(true);

    const seen = JSON.parse(await call(org1, alice, false, 'WhoAmI'));
    expect(seen).toMatchObject({ mspId: 'Org1MSP', role: 'manufacturer', enrollmentId: 'alice', isManufacturer: true });
    expect(await call(org1, alice, true, 'Record', 'by-alice')).toContain('CN=alice');

    const revoked = await ca.revoke('alice', 'keycompromise');
    expect(revoked.serialNumbers).toContain(alice.serialNumber);
    expect(crlSerialNumbers(revoked.crl)).toContain(alice.serialNumber);
    expect(crlSerialNumbers(await ca.generateCrl())).toContain(alice.serialNumber);
    expect(await reasonOf(ca.reenroll('alice'))).toEqual(['PERMISSION_DENIED', 'IDENTITY_REVOKED']);
    expect(await reasonOf(ca.enroll({ name: 'alice', secret }))).toEqual([
      'UNAUTHENTICATED',
      'CA_AUTHENTICATION_FAILED',
    ]);
    expect(await reasonOf(ca.revoke('ghost'))).toEqual(['NOT_FOUND', 'IDENTITY_NOT_FOUND']);
    expect(await reasonOf(ca.reenroll('never-enrolled'))).toEqual(['NOT_FOUND', 'IDENTITY_NOT_FOUND']);
  });

  test('a new organization gets its own CA, MSP with NodeOUs and a running peer; reopening the directory knows them', async () => {
    expect(await reasonOf(network.addOrganization({ name: 'Org1', admin }))).toEqual([
      'ALREADY_EXISTS',
      'ALREADY_EXISTS',
    ]);
    expect(
      await reasonOf(network.addOrganization({ name: 'Org2', admin: { name: 'admin', password: 'short1A' } })),
    ).toEqual(['INVALID_ARGUMENT', 'BAD_CREDENTIALS']);
    expect(
      await reasonOf(network.addOrganization({ admin } as unknown as Parameters<FabricNetwork['addOrganization']>[0])),
    ).toEqual(['INVALID_ARGUMENT', 'BAD_OPTION']);
    expect(await reasonOf(network.addOrganization({ name: 'Org 2', admin }))).toEqual([
      'INVALID_ARGUMENT',
      'BAD_OPTION',
    ]);
    expect(network.organization('Org1').inChannel).toBe(true);
    expect(await reasonOf(stat(join(dir, 'ca', 'org2')))).not.toBe('no error');

    const org2 = await network.addOrganization({ name: 'Org2', admin });
    expect(org2).toMatchObject({ mspId: 'Org2MSP', inChannel: false });
    expect(network.mspIds).toEqual(['Org1MSP']);
    const root = new X509Certificate(await readFile(join(org2.mspDir, 'cacerts', 'ca.pem')));
    expect(await readFile(join(org2.mspDir, 'config.yaml'), 'utf8')).toContain('OrganizationalUnitIdentifier: peer');
    const peerCert = new X509Certificate(
      await readFile(join(org2.cryptoPath, 'peers', 'peer0.org2.example.com', 'msp', 'signcerts', 'cert.pem')),
    );
    expect(peerCert.subject).toContain('OU=peer');
    expect(peerCert.verify(root.publicKey)).toBe(true);
    const tlsCert = new X509Certificate(
      await readFile(join(org2.cryptoPath, 'peers', 'peer0.org2.example.com', 'tls', 'server.crt')),
    );
    expect(tlsCert.subjectAltName).toContain('DNS:peer0.org2.example.com');
    // The running peer serves that certificate: a TLS client trusting only Org2's CA root accepts it.
    const served = await new Promise<X509Certificate>((resolve, reject) => {
      const [host = '', port = ''] = (org2.peers[0]?.endpoint ?? '').split(':');
      const socket = connect(
        { host, port: Number(port), ca: root.toString(), servername: 'peer0.org2.example.com', ALPNProtocols: ['h2'] },
        () => {
          const peerCertificate = socket.getPeerX509Certificate();
          socket.destroy();
          if (peerCertificate) resolve(peerCertificate);
          else reject(new Error('no certificate'));
        },
      );
      socket.once('error', reject);
    });
    expect(served.fingerprint256).toBe(tlsCert.fingerprint256);
    expect(new X509Certificate(await readFile(org2.admin.certificatePath)).subject).toContain('OU=admin');

    const definition = JSON.stringify(await network.organizationDefinition('Org2'));
    expect(definition).toContain(Buffer.from(root.toString()).toString('base64').slice(0, 40));
    expect(definition).toContain('Org2MSP');

    const health = await network.nodeHealth();
    expect(health.find((node) => node.id === 'peer0.org2')).toMatchObject({
      kind: 'peer',
      running: true,
      healthy: true,
    });
    expect(health.find((node) => node.id === 'ca.org2')).toMatchObject({ kind: 'ca', running: true, healthy: true });

    // A second peer from Org2's CA; removed (its enrollment revoked) and added again under a fresh enrollment id.
    const extra = await network.addPeer('Org2');
    expect(extra).toMatchObject({ id: 'peer1.org2', joined: false });
    const extraTls = join(org2.cryptoPath, 'peers', 'peer1.org2.example.com', 'tls', 'server.crt');
    expect(new X509Certificate(await readFile(extraTls)).verify(root.publicKey)).toBe(true);
    await network.removePeer('Org2', 'peer1.org2');
    expect(await reasonOf(stat(extraTls))).not.toBe('no error');
    expect(await network.addPeer('Org2')).toMatchObject({ id: 'peer1.org2', joined: false });

    const reopened = await FabricNetwork.open(dir);
    expect(reopened.components()).toEqual(expect.arrayContaining(['peer0.org2', 'peer1.org2', 'ca.org2', 'ca.org1']));
    const org2Ca = await reopened.certificateAuthority('Org2');
    const { secret } = await org2Ca.register({ name: 'carol', attributes: { role: 'auditor' } });
    const carol = await org2Ca.enroll({ name: 'carol', secret });
    expect(new X509Certificate(await readFile(carol.certificatePath)).verify(root.publicKey)).toBe(true);
  });

  test('a CA-issued identity is renewed by reenroll: new serial, later expiry', async () => {
    const { secret } = await ca.register({ name: 'dave' });
    const first = await ca.enroll({ name: 'dave', secret });
    // Fabric CA (cfssl) rounds validity to the minute: renew until the expiry moves.
    let renewed = await ca.reenroll('dave');
    for (let attempt = 0; renewed.notAfter.getTime() <= first.notAfter.getTime() && attempt < 8; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      renewed = await ca.reenroll('dave');
    }
    expect(renewed.serialNumber).not.toBe(first.serialNumber);
    expect(renewed.notAfter.getTime()).toBeGreaterThan(first.notAfter.getTime());
    expect((await ca.identity('dave')).serialNumber).toBe(renewed.serialNumber);
    expect(JSON.parse(await call(org1, renewed, false, 'WhoAmI'))).toMatchObject({ enrollmentId: 'dave' });
  }, 180_000);

  test('addPeer: the new peer catches up, endorses and reports metrics; removePeer stops it', async () => {
    const before = await network.nodeHealth();
    const ordererHeight = before.find((node) => node.id === 'orderer0')?.metrics.ledgerHeight;
    expect(ordererHeight).toBeGreaterThan(1);

    const added = await network.addPeer('Org1');
    expect(added).toMatchObject({ id: 'peer1.org1', joined: true });
    expect(added.height).toBeGreaterThanOrEqual(ordererHeight as number);

    const viaNewPeer: OrganizationAccess = { ...org1, peerEndpoint: added.endpoint };
    expect(JSON.parse(await call(viaNewPeer, org1.user, false, 'WhoAmI'))).toMatchObject({ mspId: 'Org1MSP' });
    await call(viaNewPeer, org1.user, true, 'Record', 'via-peer1');

    const health = await network.nodeHealth();
    const peer1 = health.find((node) => node.id === 'peer1.org1');
    expect(peer1).toMatchObject({ kind: 'peer', running: true, healthy: true });
    expect(peer1?.metrics.successfulEndorsements).toBeGreaterThan(0);
    expect(peer1?.metrics.ledgerHeight).toBeGreaterThan(ordererHeight as number);
    expect(peer1?.metrics.peersKnown).toBeGreaterThanOrEqual(1);
    expect(health.find((node) => node.id === 'orderer0')?.metrics.raftLeader).toBe(true);
    expect((await FabricNetwork.open(dir)).organization('Org1').peers.map((peer) => peer.id)).toEqual([
      'peer0.org1',
      'peer1.org1',
    ]);

    expect(await reasonOf(network.removePeer('Org1', 'peer0.org1'))).toEqual(['INVALID_ARGUMENT', 'BAD_OPTION']);
    expect(await reasonOf(network.removePeer('Org1', 'peer7.org1'))).toEqual(['INVALID_ARGUMENT', 'BAD_OPTION']);
    const { stopped } = await network.removePeer('Org1', 'peer1.org1');
    expect(stopped).toHaveLength(1);
    expect(() => process.kill(stopped[0] as number, 0)).toThrow();
    expect((await network.nodeHealth()).map((node) => node.id)).not.toContain('peer1.org1');
    expect(network.components()).not.toContain('peer1.org1');
  });

  test('up restarts a killed CA; down stops every process, the CAs included; up brings them back', async () => {
    const caPid = (await network.status()).components.find((component) => component.id === 'ca.org2')?.pid;
    process.kill(caPid as number, 'SIGKILL');
    network = await FabricNetwork.up({ dir });
    expect((await network.status()).components.find((component) => component.id === 'ca.org2')).toMatchObject({
      running: true,
      healthy: true,
    });

    const running = await processesOfNetwork(dir);
    expect(running.filter((process) => process.command.includes('fabric-ca-server'))).toHaveLength(2);
    await network.down();
    expect(await processesOfNetwork(dir)).toEqual([]);

    network = await FabricNetwork.up({ dir });
    const org2Ca = await network.certificateAuthority('Org2');
    const { secret } = await org2Ca.register({ name: 'erin' });
    expect((await org2Ca.enroll({ name: 'erin', secret })).mspId).toBe('Org2MSP');
    // Identities registered before the restart are still in the CA's registry.
    expect(await reasonOf(org2Ca.register({ name: 'carol' }))).toEqual(['ALREADY_EXISTS', 'IDENTITY_EXISTS']);
    expect((await network.status()).healthy).toBe(true);
    await network.down();
    expect(await processesOfNetwork(dir)).toEqual([]);
  });
});
