import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { derToPem, nameOids, pemToDer, relativeName, sequence } from '@ledgerkit/core/der';
import { FabricNetworkError } from './errors.js';
import { buildCertificate, readIssuerCertificate } from './internal/certificates.js';
import { networkPaths, type OrgSpec } from './internal/topology.js';

/** Options of {@link FabricNetwork.issueIdentity}. */
export interface IssueIdentityOptions {
  /** Organization name (`Org1`) or MSP id (`Org1MSP`) whose CA signs the certificate. */
  org: string;
  /** Common name of the certificate: 1-64 letters, digits, `.`, `_`, `-`. Also `hf.EnrollmentID`. */
  name: string;
  /**
   * Attributes written into the certificate as Fabric CA does (extension 1.2.3.4.5.6.7.8.1),
   * read by chaincode with `ctx.clientIdentity.getAttributeValue(name)`. They are added to
   * Fabric CA's defaults `hf.EnrollmentID`, `hf.Type` and `hf.Affiliation`, and override them.
   */
  attributes?: Readonly<Record<string, string>>;
  /** NodeOU of the identity: `client` (default) or `admin` (satisfies `<MSP>.admin` policies). */
  role?: 'client' | 'admin';
}

/** An identity {@link FabricNetwork.issueIdentity} issued: its MSP folder and what its certificate says. */
export interface IssuedIdentity {
  /** MSP id to pass as the fabric-gateway identity's `mspId`. */
  mspId: string;
  name: string;
  role: 'client' | 'admin';
  /** Every attribute in the certificate, the Fabric CA defaults included. */
  attributes: Readonly<Record<string, string>>;
  /** MSP folder (signcerts/, keystore/, cacerts/, config.yaml). */
  mspDir: string;
  /** PEM certificate (`signcerts/cert.pem`). */
  certificatePath: string;
  /** PKCS #8 PEM private key (`keystore/priv_sk`). */
  privateKeyPath: string;
}

const identityNamePattern = /^[A-Za-z0-9._-]{1,64}$/;
const hourMs = 3_600_000;
const yearMs = 365 * 24 * hourMs;

/** Validates the options that do not depend on the network. */
export function checkIssueIdentityOptions(options: IssueIdentityOptions): void {
  const { name, attributes = {}, role = 'client' } = options ?? ({} as IssueIdentityOptions);
  if (typeof name !== 'string' || !identityNamePattern.test(name)) {
    throw new FabricNetworkError(
      'BAD_OPTION',
      `invalid identity name '${String(name)}': use 1-64 letters, digits, '.', '_' and '-'`,
      { option: 'name', value: name },
    );
  }
  if (role !== 'client' && role !== 'admin') {
    throw new FabricNetworkError('BAD_OPTION', `invalid identity role '${String(role)}': use 'client' or 'admin'`, {
      option: 'role',
      value: role,
    });
  }
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw new FabricNetworkError('BAD_OPTION', 'attributes must be an object of string names to string values', {
      option: 'attributes',
    });
  }
  for (const [attribute, value] of Object.entries(attributes)) {
    if (attribute.length === 0 || typeof value !== 'string') {
      throw new FabricNetworkError(
        'BAD_OPTION',
        `attribute '${attribute}' must have a non-empty name and a string value, got ${typeof value}`,
        { option: 'attributes', attribute },
      );
    }
  }
}

/**
 * Issues a certificate signed by the organization's CA (the one cryptogen wrote under
 * `crypto/peerOrganizations/<domain>/ca`) and writes an MSP folder for it under
 * `organizations/<Org>/identities/<name>/msp`. Issuing the same name again replaces it.
 * `options` must have passed {@link checkIssueIdentityOptions} (FabricNetwork.issueIdentity
 * checks them before looking up the organization).
 */
export async function issueIdentityFiles(
  dir: string,
  org: OrgSpec,
  options: IssueIdentityOptions,
  now: Date = new Date(),
): Promise<IssuedIdentity> {
  const { name } = options;
  const role = options.role ?? 'client';
  const paths = networkPaths(dir);
  const caDir = join(paths.orgDir(org), 'ca');
  const caCertificatePem = await readFile(join(caDir, `ca.${org.domain}-cert.pem`), 'utf8');
  const caKey = createPrivateKey(await readFile(join(caDir, 'priv_sk'), 'utf8'));
  const authority = readIssuerCertificate(pemToDer(caCertificatePem, 'CERTIFICATE'));

  // Fabric validates the chain at the certificate's NotBefore (+1 s), so it must not
  // precede the CA's; a fresh network's CA is only minutes old.
  const notBefore = new Date(Math.max(now.getTime() - hourMs, authority.notBefore.getTime()));
  const notAfter = new Date(Math.min(now.getTime() + yearMs, authority.notAfter.getTime()));
  // The CA's country, state and locality, then the NodeOU and the name, like cryptogen's users.
  const inherited = authority.subjectNames
    .filter((part) => [nameOids.country, nameOids.state, nameOids.locality].includes(part.oid as never))
    .map((part) => part.encoded);
  const subject = sequence(
    ...inherited,
    relativeName(nameOids.organizationalUnit, role),
    relativeName(nameOids.commonName, name),
  );
  const attributes = {
    'hf.EnrollmentID': name,
    'hf.Type': role,
    'hf.Affiliation': '',
    ...(options.attributes ?? {}),
  };
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const certificate = buildCertificate({
    issuer: authority.subject,
    subject,
    publicKey,
    notBefore,
    notAfter,
    signingKey: caKey,
    ...(authority.subjectKeyIdentifier ? { authorityKeyIdentifier: authority.subjectKeyIdentifier } : {}),
    attributes,
  });

  const mspDir = join(paths.organizations, org.name, 'identities', name, 'msp');
  const template = paths.userMsp(org, 'User1');
  await rm(mspDir, { recursive: true, force: true });
  await mkdir(join(mspDir, 'signcerts'), { recursive: true });
  await mkdir(join(mspDir, 'keystore'), { recursive: true });
  // config.yaml names cacerts/ca.<domain>-cert.pem for the NodeOUs; keep both as cryptogen wrote them.
  await cp(join(template, 'cacerts'), join(mspDir, 'cacerts'), { recursive: true });
  await cp(join(template, 'tlscacerts'), join(mspDir, 'tlscacerts'), { recursive: true });
  await cp(join(template, 'config.yaml'), join(mspDir, 'config.yaml'));
  const certificatePath = join(mspDir, 'signcerts', 'cert.pem');
  const privateKeyPath = join(mspDir, 'keystore', 'priv_sk');
  await writeFile(certificatePath, derToPem('CERTIFICATE', certificate));
  await writeFile(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return {
    mspId: org.mspId,
    name,
    role,
    attributes: Object.freeze(attributes),
    mspDir,
    certificatePath,
    privateKeyPath,
  };
}
