import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLedgerError } from '@ledgerkit/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ConnectFabricOptions } from '../connect-options.js';
import { defaultDeadlines, resolveConnection } from './options.js';

const certificate = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;

let dir: string;

async function writeIdentity(
  name: string,
): Promise<{ mspDir: string; certificatePath: string; privateKeyPath: string }> {
  const mspDir = join(dir, name, 'msp');
  await mkdir(join(mspDir, 'signcerts'), { recursive: true });
  await mkdir(join(mspDir, 'keystore'), { recursive: true });
  const certificatePath = join(mspDir, 'signcerts', 'cert.pem');
  const privateKeyPath = join(mspDir, 'keystore', 'priv_sk');
  await writeFile(certificatePath, certificate);
  await writeFile(privateKeyPath, privateKey);
  return { mspDir, certificatePath, privateKeyPath };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ledgerkit-fabric-options-'));
  const user = await writeIdentity('user');
  const admin = await writeIdentity('admin');
  await writeFile(join(dir, 'tls-ca.pem'), certificate);
  await writeFile(join(dir, 'not-pem.txt'), 'hello');
  // The shape @ledgerkit/fabric-network writes.
  await writeFile(
    join(dir, 'ledgerkit-profile.json'),
    JSON.stringify({
      client: { organization: 'Org1' },
      channel: 'trade',
      organizations: { Org1: { mspid: 'Org1MSP', peers: ['peer0.org1.example.com'] } },
      peers: {
        'peer0.org1.example.com': {
          url: 'grpcs://127.0.0.1:7051',
          grpcOptions: { 'ssl-target-name-override': 'peer0.org1.example.com' },
        },
      },
      ledgerkit: { gatewayPeer: '127.0.0.1:7051', tlsRootCertPath: 'tls-ca.pem', identities: { user, admin } },
    }),
  );
  // A standard profile: relative paths, inline TLS PEM, only an admin identity.
  await writeFile(
    join(dir, 'standard-profile.json'),
    JSON.stringify({
      client: { organization: 'Acme' },
      channels: { market: {} },
      organizations: {
        Acme: {
          mspid: 'AcmeMSP',
          peers: ['peer0.acme.com'],
          adminPrivateKey: { path: 'admin/msp/keystore/priv_sk' },
          signedCert: { path: 'admin/msp/signcerts/cert.pem' },
        },
      },
      peers: { 'peer0.acme.com': { url: 'grpcs://peer0.acme.com:9051', tlsCACerts: { pem: certificate } } },
    }),
  );
  await writeFile(join(dir, 'broken.json'), '{ not json');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function argumentOf(options: ConnectFabricOptions): Promise<{ argument: unknown; file: unknown }> {
  try {
    await resolveConnection(options);
  } catch (error) {
    if (isLedgerError(error, 'INVALID_ARGUMENT')) return { argument: error.details.argument, file: error.details.file };
    throw error;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('a connection profile', () => {
  test('written by @ledgerkit/fabric-network gives gateway peer, TLS root, channel, MSP id and the user', async () => {
    const resolved = await resolveConnection({
      connectionProfile: join(dir, 'ledgerkit-profile.json'),
      chaincode: 'cc',
    });
    expect(resolved).toMatchObject({
      endpoint: '127.0.0.1:7051',
      hostnameOverride: 'peer0.org1.example.com',
      mspId: 'Org1MSP',
      channel: 'trade',
      chaincode: 'cc',
      historyTransaction: 'History',
      deadlines: defaultDeadlines,
    });
    expect(resolved.tlsRootCertificate.toString()).toBe(certificate);
    expect(resolved.certificate.toString()).toBe(certificate);
    expect(resolved.privateKey.asymmetricKeyType).toBe('ec');
  });

  test('explicit options override the profile', async () => {
    const resolved = await resolveConnection({
      connectionProfile: join(dir, 'ledgerkit-profile.json'),
      identity: 'admin',
      channel: 'other',
      hostnameOverride: 'localhost',
      chaincode: 'cc',
      deadlines: { commitStatusMs: 5_000 },
    });
    expect(resolved).toMatchObject({ channel: 'other', hostnameOverride: 'localhost' });
    expect(resolved.deadlines).toEqual({ ...defaultDeadlines, commitStatusMs: 5_000 });
  });

  test('a standard profile: first peer of the organization, inline TLS PEM, the admin identity on request', async () => {
    const profile = join(dir, 'standard-profile.json');
    const resolved = await resolveConnection({ connectionProfile: profile, identity: 'admin', chaincode: 'cc' });
    expect(resolved).toMatchObject({ endpoint: 'peer0.acme.com:9051', mspId: 'AcmeMSP', channel: 'market' });
    expect(resolved.hostnameOverride).toBeUndefined();
    // It names no user identity: the error says what to pass.
    expect(await argumentOf({ connectionProfile: profile, chaincode: 'cc' })).toMatchObject({ argument: 'identity' });
  });

  test('identity files from an MSP folder', async () => {
    const resolved = await resolveConnection({
      connectionProfile: join(dir, 'standard-profile.json'),
      identity: { mspDir: join(dir, 'user', 'msp'), mspId: 'OtherMSP' },
      chaincode: 'cc',
    });
    expect(resolved.privateKey.asymmetricKeyType).toBe('ec');
    expect(resolved.mspId).toBe('OtherMSP');
  });

  test('a missing or malformed profile is INVALID_ARGUMENT naming the file', async () => {
    const missing = join(dir, 'missing.json');
    expect(await argumentOf({ connectionProfile: missing, chaincode: 'cc' })).toEqual({
      argument: 'connectionProfile',
      file: missing,
    });
    expect(await argumentOf({ connectionProfile: join(dir, 'broken.json'), chaincode: 'cc' })).toEqual({
      argument: 'connectionProfile',
      file: join(dir, 'broken.json'),
    });
    expect(
      await argumentOf({
        connectionProfile: join(dir, 'ledgerkit-profile.json'),
        organization: 'Nope',
        chaincode: 'cc',
      }),
    ).toMatchObject({ argument: 'organization' });
  });
});

describe('explicit endpoint and credentials', () => {
  const explicit = (): ConnectFabricOptions => ({
    endpoint: 'localhost:7051',
    tlsRootCertificate: certificate,
    mspId: 'Org1MSP',
    certificate,
    privateKey,
    channel: 'trade',
    chaincode: 'cc',
  });

  test('PEM text, bytes and file paths are accepted', async () => {
    const fromText = await resolveConnection(explicit());
    expect(fromText).toMatchObject({ endpoint: 'localhost:7051', hostnameOverride: 'localhost', mspId: 'Org1MSP' });
    const fromFiles = await resolveConnection({
      ...explicit(),
      tlsRootCertificate: join(dir, 'tls-ca.pem'),
      certificate: new TextEncoder().encode(certificate),
      privateKey: join(dir, 'user', 'msp', 'keystore', 'priv_sk'),
    });
    expect(fromFiles.tlsRootCertificate.toString()).toBe(certificate);
  });

  test.each([
    [{ chaincode: '' }, 'chaincode'],
    [{ endpoint: 'no-port' }, 'endpoint'],
    [{ endpoint: undefined }, 'endpoint'],
    [{ tlsRootCertificate: undefined }, 'tlsRootCertificate'],
    [{ mspId: undefined }, 'mspId'],
    [{ privateKey: undefined }, 'privateKey'],
    [{ certificate: undefined }, 'certificate'],
    [{ certificate: 'hello' }, 'certificate'],
    [{ privateKey: certificate }, 'privateKey'],
    [{ channel: undefined }, 'channel'],
    [{ deadlines: { endorseMs: -1 } }, 'deadlines.endorseMs'],
    [{ deadlines: { waitMs: 1 } }, 'deadlines.waitMs'],
    [{ retry: { retries: 1.5 } }, 'retry.retries'],
    [{ historyTransaction: '' }, 'historyTransaction'],
  ])('%o is INVALID_ARGUMENT naming %s', async (override, argument) => {
    const options = { ...explicit(), ...override } as ConnectFabricOptions;
    expect((await argumentOf(options)).argument).toBe(argument);
  });

  test('an unreadable or non-PEM file is INVALID_ARGUMENT naming option and file', async () => {
    const missing = join(dir, 'nope.pem');
    expect(await argumentOf({ ...explicit(), tlsRootCertificate: missing })).toEqual({
      argument: 'tlsRootCertificate',
      file: missing,
    });
    expect(await argumentOf({ ...explicit(), certificate: join(dir, 'not-pem.txt') })).toEqual({
      argument: 'certificate',
      file: join(dir, 'not-pem.txt'),
    });
    const { certificate: _certificate, privateKey: _privateKey, ...withoutCredentials } = explicit();
    expect(await argumentOf({ ...withoutCredentials, identity: { mspDir: join(dir, 'nope') } })).toMatchObject({
      argument: 'identity.mspDir',
    });
  });
});
