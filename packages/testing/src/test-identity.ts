import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { InvalidArgumentError } from '@ledgerkit/core';
import { derToPem, extension, nameOids, relativeName, sequence, signCertificate } from '@ledgerkit/core/der';

/** The OID under which Fabric CA stores identity attributes (`{"attrs":{...}}`) in a certificate. */
export const fabricAttributesOid = '1.2.3.4.5.6.7.8.1';

/** What a test says about a caller. */
export interface TestIdentityOptions {
  /** MSP id of the caller's organization, e.g. `Org1MSP`. */
  mspId: string;
  /** Common name of the caller's certificate; defaults to `user`. */
  name?: string;
  /** Organizational unit, as Fabric NodeOUs use it (`client`, `admin`, `peer`); defaults to `client`. */
  organizationalUnit?: string;
  /** Certificate attributes as Fabric CA writes them (`hf.EnrollmentID`, `role`, …). */
  attributes?: Readonly<Record<string, string>>;
}

/** A caller: an MSP id and a real X.509 certificate (PEM) signed by a per-MSP test CA. */
export interface TestIdentity {
  readonly mspId: string;
  readonly name: string;
  /** The PEM certificate a peer would pass to the chaincode as the creator's `idBytes`. */
  readonly certificate: string;
  readonly attributes: Readonly<Record<string, string>>;
}

interface CertificateAuthority {
  name: string;
  key: KeyObject;
}

const authorities = new Map<string, CertificateAuthority>();

function distinguishedName(parts: ReadonlyArray<readonly [string, string]>): Buffer {
  return sequence(...parts.map(([oid, value]) => relativeName(oid, value)));
}

function authorityFor(mspId: string): CertificateAuthority {
  let authority = authorities.get(mspId);
  if (!authority) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    authority = { name: `ca.${mspId.toLowerCase()}.example.com`, key: privateKey };
    authorities.set(mspId, authority);
  }
  return authority;
}

/**
 * Creates a caller identity with a real ECDSA P-256 X.509 certificate issued by a test CA of its
 * MSP, carrying `attributes` in Fabric CA's attribute extension, so that `ClientIdentity`
 * (`getID`, `getAttributeValue`, `assertAttributeValue`) behaves as on a peer.
 * Certificates are valid from 2020 to 2049; serial numbers derive from the subject, so the
 * same options give the same `getID()`.
 * @param options MSP id, common name, organizational unit and attributes.
 * @returns the identity to pass as `as` to the harness.
 * @throws {LedgerError} `INVALID_ARGUMENT` when the MSP id or name is empty or an attribute value is not a string.
 * @example
 * const maker = createTestIdentity({ mspId: 'Org1MSP', name: 'maker', attributes: { role: 'manufacturer' } });
 */
export function createTestIdentity(options: TestIdentityOptions): TestIdentity {
  const { mspId, name = 'user', organizationalUnit = 'client', attributes = {} } = options;
  if (typeof mspId !== 'string' || mspId.length === 0) {
    throw new InvalidArgumentError('mspId', 'mspId must be a non-empty string', { mspId });
  }
  if (name.length === 0) throw new InvalidArgumentError('name', 'name must be a non-empty string', { name });
  for (const [attribute, value] of Object.entries(attributes)) {
    if (typeof value !== 'string') {
      throw new InvalidArgumentError('attributes', 'attribute values must be strings', { attribute });
    }
  }
  const authority = authorityFor(mspId);
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const issuer = distinguishedName([
    [nameOids.country, 'US'],
    [nameOids.organization, mspId],
    [nameOids.commonName, authority.name],
  ]);
  const subject = distinguishedName([
    [nameOids.country, 'US'],
    [nameOids.organizationalUnit, organizationalUnit],
    [nameOids.commonName, name],
  ]);
  const attributeJson = Buffer.from(JSON.stringify({ attrs: attributes }), 'utf8');
  const der = signCertificate({
    serialNumber: createHash('sha256').update(`${mspId}/${organizationalUnit}/${name}`).digest().subarray(0, 16),
    issuer,
    subject,
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2049-12-31T23:59:59Z'),
    publicKey,
    extensions: [extension(fabricAttributesOid, false, attributeJson)],
    signingKey: authority.key,
  });
  const certificate = derToPem('CERTIFICATE', der);
  return Object.freeze({ mspId, name, certificate, attributes: Object.freeze({ ...attributes }) });
}
