// Starts a real one-organization Fabric network (1 Raft orderer, 1 peer, native
// processes), deploys the tests' whoami chaincode as a chaincode server, and calls it
// through @hyperledger/fabric-gateway as identities FabricNetwork.issueIdentity issued:
// the peer accepts them, chaincode reads their attributes, the peer CLI takes an issued
// admin identity as the organization's admin, and a certificate from a CA that only
// pretends to be the organization's is refused. Torn down in afterAll.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isLedgerError } from '@ledgerkit/core';
import { derToPem, nameOids, pemToDer, relativeName, sequence } from '@ledgerkit/core/der';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureFabricBinaries, FabricNetwork, type IdentityFiles, type OrganizationAccess } from '../src/index.js';
import { buildCertificate, readIssuerCertificate } from '../src/internal/certificates.js';
import { claimNetworkDir } from '../src/testing.js';
import { gatewayFor, whenDiscovered } from './gateway-client.js';

const chaincodePath = fileURLToPath(new URL('./fixtures/whoami', import.meta.url));
const decoder = new TextDecoder();

describe('issued identities on a real peer', () => {
  let dir: string;
  let network: FabricNetwork;
  let org1: OrganizationAccess;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgerkit-fabric-identities-'));
    await claimNetworkDir(dir);
    network = await FabricNetwork.up({ dir, orgs: 1, peersPerOrg: 1, orderers: 1, channel: 'identities' });
    await network.deployChaincode({ name: 'whoami', path: chaincodePath });
    org1 = network.organization('Org1');
  });

  afterAll(async () => {
    await network?.down({ purge: true }).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  async function call(identity: IdentityFiles, submit: boolean, name: string, ...args: string[]): Promise<string> {
    const connection = await gatewayFor(org1, identity);
    try {
      const contract = connection.gateway.getNetwork('identities').getContract('whoami');
      const result = await whenDiscovered(() =>
        submit ? contract.submitTransaction(name, ...args) : contract.evaluateTransaction(name, ...args),
      );
      return decoder.decode(result);
    } finally {
      connection.close();
    }
  }

  test('chaincode sees the attributes and name of an issued client identity, and it can submit', async () => {
    const maker = await network.issueIdentity({ org: 'Org1', name: 'alice', attributes: { role: 'manufacturer' } });
    expect(maker.mspId).toBe('Org1MSP');
    const seen = JSON.parse(await call(maker, false, 'WhoAmI'));
    expect(seen).toEqual({
      id: 'x509::/C=US/ST=California/L=San Francisco/OU=client/CN=alice::/C=US/ST=California/L=San Francisco/O=org1.example.com/CN=ca.org1.example.com',
      mspId: 'Org1MSP',
      role: 'manufacturer',
      enrollmentId: 'alice',
      isManufacturer: true,
    });
    // Submitting goes through the orderer and validation (the creator's signature and
    // certificate are checked again at commit).
    expect(await call(maker, true, 'Record', 'made-by-alice')).toBe(seen.id);
  });

  test('an identity without attributes and an admin identity (by MSP id) work too', async () => {
    const plain = await network.issueIdentity({ org: 'Org1MSP', name: 'bob' });
    expect(JSON.parse(await call(plain, false, 'WhoAmI'))).toMatchObject({
      role: null,
      enrollmentId: 'bob',
      isManufacturer: false,
    });
    const admin = await network.issueIdentity({ org: 'Org1', name: 'carol', role: 'admin' });
    expect(JSON.parse(await call(admin, true, 'WhoAmI')).id).toContain('/OU=admin/CN=carol::');
  });

  test("an issued admin identity satisfies the peer's Admins policy; a client identity does not", async () => {
    const { paths } = await ensureFabricBinaries({ build: false });
    // `peer lifecycle chaincode queryinstalled` is allowed only to admins of the peer's own MSP.
    const queryInstalled = async (identity: IdentityFiles) => {
      const env = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        FABRIC_CFG_PATH: join(dir, 'config', 'peer'),
        FABRIC_LOGGING_SPEC: 'WARN',
        CORE_PEER_LOCALMSPID: org1.mspId,
        CORE_PEER_MSPCONFIGPATH: identity.mspDir,
        CORE_PEER_ADDRESS: org1.peerEndpoint,
        CORE_PEER_TLS_ENABLED: 'true',
        CORE_PEER_TLS_ROOTCERT_FILE: org1.tlsRootCertPath,
      };
      try {
        const { stdout } = await promisify(execFile)(paths.peer, ['lifecycle', 'chaincode', 'queryinstalled'], { env });
        return stdout;
      } catch (error) {
        return String((error as { stderr?: string }).stderr);
      }
    };
    const admin = await network.issueIdentity({ org: 'Org1', name: 'operator', role: 'admin' });
    expect(await queryInstalled(admin)).toContain('Package ID: whoami_1.0:');
    const client = await network.issueIdentity({ org: 'Org1', name: 'not-operator' });
    expect(await queryInstalled(client)).toContain('The identity is not an admin under this MSP [Org1MSP]');
  });

  test('the peer refuses a certificate from a foreign CA that copies the organization CA name', async () => {
    const caDir = join(dir, 'crypto', 'peerOrganizations', 'org1.example.com', 'ca');
    const realCa = readIssuerCertificate(pemToDer(await readFile(join(caDir, 'ca.org1.example.com-cert.pem'), 'utf8')));
    // Same subject, same subject key identifier, different key: only the signature tells them apart.
    const foreignCaKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const certificate = buildCertificate({
      issuer: realCa.subject,
      subject: sequence(
        relativeName(nameOids.organizationalUnit, 'client'),
        relativeName(nameOids.commonName, 'mallory'),
      ),
      publicKey,
      notBefore: realCa.notBefore,
      notAfter: new Date(Date.now() + 3_600_000),
      signingKey: foreignCaKey,
      ...(realCa.subjectKeyIdentifier ? { authorityKeyIdentifier: realCa.subjectKeyIdentifier } : {}),
      attributes: { role: 'manufacturer' },
    });
    const mspDir = join(dir, 'foreign', 'msp');
    await mkdir(mspDir, { recursive: true });
    const forged: IdentityFiles = {
      mspDir,
      certificatePath: join(mspDir, 'cert.pem'),
      privateKeyPath: join(mspDir, 'priv_sk'),
    };
    await writeFile(forged.certificatePath, derToPem('CERTIFICATE', certificate));
    await writeFile(forged.privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }));

    // The same call as an issued identity succeeds, so the failure is the certificate's.
    const genuine = await network.issueIdentity({ org: 'Org1', name: 'mallory', attributes: { role: 'manufacturer' } });
    expect(JSON.parse(await call(genuine, false, 'WhoAmI')).isManufacturer).toBe(true);
    // Not retried: the refusal is FAILED_PRECONDITION, the code discovery also uses while it learns.
    const connection = await gatewayFor(org1, forged);
    let refused: unknown;
    try {
      await connection.gateway.getNetwork('identities').getContract('whoami').evaluateTransaction('WhoAmI');
    } catch (error) {
      refused = error;
    } finally {
      connection.close();
    }
    expect((refused as { code?: number }).code).toBe(9);
    expect((refused as Error).message).toContain('access denied');
    expect((refused as Error).message).toContain('creator is malformed');
    // The peer's log names the reason: the chain does not verify against Org1's real CA.
    const peerLog = await network.logs('peer0.org1', 400);
    const aboutMallory = peerLog.split('\n').filter((line) => line.includes('subject=CN=mallory'));
    expect(aboutMallory.length).toBeGreaterThan(0);
    expect(aboutMallory.every((line) => line.includes('x509: certificate signed by unknown authority'))).toBe(true);
  });

  test('rejects an unknown organization with BAD_OPTION', async () => {
    let caught: unknown;
    try {
      await network.issueIdentity({ org: 'Org9', name: 'dave' });
    } catch (error) {
      caught = error;
    }
    expect(isLedgerError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect((caught as { details: Record<string, unknown> }).details).toMatchObject({
      reason: 'BAD_OPTION',
      option: 'org',
    });
  });
});
