// Issues identities from a real cryptogen CA (the cached Fabric binary writes one
// organization's crypto material into a temporary directory) and reads the certificates
// back with node:crypto (OpenSSL) and our DER reader. The peer's verdict on them is in
// test/identities.test.ts.
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLedgerError } from '@ledgerkit/core';
import { decode, decodeObjectIdentifier, pemToDer } from '@ledgerkit/core/der';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureFabricBinaries } from './binaries.js';
import { checkIssueIdentityOptions, type IssueIdentityOptions, issueIdentityFiles } from './identities.js';
import { runCommand } from './internal/exec.js';
import type { OrgSpec } from './internal/topology.js';

const org: OrgSpec = { name: 'Org1', mspId: 'Org1MSP', domain: 'org1.example.com', peers: [] };
const p256Order = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
let dir: string;
let caPem: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ledgerkit-identities-'));
  const binaries = await ensureFabricBinaries({ build: false });
  const config = join(dir, 'crypto-config.yaml');
  await writeFile(
    config,
    'PeerOrgs:\n  - Name: Org1\n    Domain: org1.example.com\n    EnableNodeOUs: true\n    Template: { Count: 1 }\n    Users: { Count: 1 }\n',
  );
  await runCommand(binaries.paths.cryptogen, ['generate', `--config=${config}`, `--output=${join(dir, 'crypto')}`], {
    purpose: 'cryptogen',
  });
  caPem = await readFile(
    join(dir, 'crypto/peerOrganizations/org1.example.com/ca/ca.org1.example.com-cert.pem'),
    'utf8',
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function extensionsOf(pem: string): Map<string, Buffer> {
  const fields = decode(pemToDer(pem, 'CERTIFICATE')).node.children[0]?.children ?? [];
  const extensions = fields.find((field) => field.tag === 0xa3)?.children[0]?.children ?? [];
  return new Map(
    extensions.map((extension) => [
      decodeObjectIdentifier(extension.children[0]?.content ?? Buffer.alloc(0)),
      extension.children[extension.children.length - 1]?.content ?? Buffer.alloc(0),
    ]),
  );
}

describe('issueIdentity certificates', () => {
  test('are signed by the organization CA, name it byte for byte and carry the attributes', async () => {
    const issued = await issueIdentityFiles(dir, org, {
      org: 'Org1',
      name: 'alice',
      attributes: { role: 'manufacturer' },
    });
    expect(issued).toMatchObject({ mspId: 'Org1MSP', name: 'alice', role: 'client' });
    expect(issued.mspDir).toBe(join(dir, 'organizations', 'Org1', 'identities', 'alice', 'msp'));
    const pem = await readFile(issued.certificatePath, 'utf8');
    const certificate = new X509Certificate(pem);
    const ca = new X509Certificate(caPem);
    expect(certificate.verify(ca.publicKey)).toBe(true);
    // OpenSSL's issuer check: issuer name equals the CA subject and AKI matches the CA's SKI.
    expect(certificate.checkIssued(ca)).toBe(true);
    expect(certificate.issuer).toBe(ca.subject);
    expect(certificate.subject).toBe('C=US\nST=California\nL=San Francisco\nOU=client\nCN=alice');
    expect(certificate.ca).toBe(false);

    const caIssuerDer = decode(pemToDer(caPem)).node.children[0]?.children[5]?.encoded;
    const issuerDer = decode(pemToDer(pem)).node.children[0]?.children[3]?.encoded;
    expect(issuerDer?.equals(caIssuerDer ?? Buffer.alloc(0))).toBe(true);

    const extensions = extensionsOf(pem);
    expect(JSON.parse(extensions.get('1.2.3.4.5.6.7.8.1')?.toString('utf8') ?? '{}')).toEqual({
      attrs: { 'hf.EnrollmentID': 'alice', 'hf.Type': 'client', 'hf.Affiliation': '', role: 'manufacturer' },
    });
    const caSki = decode(extensionsOf(caPem).get('2.5.29.14') ?? Buffer.alloc(0)).node.content;
    const aki = decode(extensions.get('2.5.29.35') ?? Buffer.alloc(0)).node.children[0]?.content;
    expect(aki?.toString('hex')).toBe(caSki.toString('hex'));
    // Key usage: digitalSignature only.
    expect(extensions.get('2.5.29.15')?.toString('hex')).toBe('03020780');

    // The key in keystore/ belongs to the certificate.
    const key = createPrivateKey(await readFile(issued.privateKeyPath, 'utf8'));
    expect(createPublicKey(key).export({ format: 'jwk' })).toEqual(certificate.publicKey.export({ format: 'jwk' }));
    expect((await stat(issued.privateKeyPath)).mode & 0o077).toBe(0);
    // The MSP folder is a complete one: CA certificates and the NodeOU configuration.
    expect(await readFile(join(issued.mspDir, 'config.yaml'), 'utf8')).toContain(
      'OrganizationalUnitIdentifier: client',
    );
    expect(await readFile(join(issued.mspDir, 'cacerts', 'ca.org1.example.com-cert.pem'), 'utf8')).toBe(caPem);
  });

  test('signatures are low-S, as Fabric requires of certificates', async () => {
    for (let index = 0; index < 8; index++) {
      const issued = await issueIdentityFiles(dir, org, { org: 'Org1', name: `low-s-${index}` });
      const signature = decode(pemToDer(await readFile(issued.certificatePath, 'utf8'))).node.children[2];
      const s = decode(signature?.content.subarray(1) ?? Buffer.alloc(0)).node.children[1]?.content;
      expect(BigInt(`0x${s?.toString('hex')}`) <= p256Order / 2n).toBe(true);
    }
  });

  test('validity starts no earlier than the CA and ends within a year', async () => {
    const now = new Date();
    const issued = await issueIdentityFiles(dir, org, { org: 'Org1', name: 'validity', role: 'admin' }, now);
    const certificate = new X509Certificate(await readFile(issued.certificatePath, 'utf8'));
    const ca = new X509Certificate(caPem);
    expect(new Date(certificate.validFrom).getTime()).toBeGreaterThanOrEqual(new Date(ca.validFrom).getTime());
    expect(new Date(certificate.validFrom).getTime()).toBeLessThanOrEqual(now.getTime());
    const oneYear = 365 * 24 * 3_600_000;
    expect(new Date(certificate.validTo).getTime()).toBeLessThanOrEqual(now.getTime() + oneYear);
    expect(new Date(certificate.validTo).getTime()).toBeGreaterThan(now.getTime() + oneYear - 2000);
    expect(certificate.subject).toContain('OU=admin');
  });

  test('issuing a name again replaces the key and certificate', async () => {
    const first = await issueIdentityFiles(dir, org, { org: 'Org1', name: 'again' });
    const firstKey = await readFile(first.privateKeyPath, 'utf8');
    const second = await issueIdentityFiles(dir, org, { org: 'Org1', name: 'again' });
    expect(second.certificatePath).toBe(first.certificatePath);
    expect(await readFile(second.privateKeyPath, 'utf8')).not.toBe(firstKey);
  });

  test.each([
    ['an empty name', { name: '' }, 'name'],
    ['a name with a slash', { name: '../evil' }, 'name'],
    ['a 65-character name', { name: 'a'.repeat(65) }, 'name'],
    ['an unknown role', { name: 'bob', role: 'peer' }, 'role'],
    ['a number attribute', { name: 'bob', attributes: { level: 3 } }, 'attributes'],
    ['an attributes array', { name: 'bob', attributes: ['role'] }, 'attributes'],
  ])('rejects %s with BAD_OPTION', (_label, options, option) => {
    let caught: unknown;
    try {
      checkIssueIdentityOptions({ org: 'Org1', ...options } as unknown as IssueIdentityOptions);
    } catch (error) {
      caught = error;
    }
    expect(isLedgerError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect((caught as { details: Record<string, unknown> }).details).toMatchObject({ reason: 'BAD_OPTION', option });
  });
});
