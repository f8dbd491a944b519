import { type KeyObject, sign } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';
import { type DerNode, decode, decodeObjectIdentifier } from './decode.js';
import {
  bitString,
  boolean,
  explicit,
  integer,
  objectIdentifier,
  octetString,
  sequence,
  set,
  utf8String,
  validityTime,
} from './encode.js';

/** Object identifiers of the X.520 name attributes certificates use, for {@link relativeName}. */
export const nameOids = {
  country: '2.5.4.6',
  state: '2.5.4.8',
  locality: '2.5.4.7',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  commonName: '2.5.4.3',
} as const;

/** The fields of an X.509 certificate's TBSCertificate that readers of names and extensions use. */
export interface CertificateParts {
  /** The issuer Name; its `encoded` is the exact bytes to copy into certificates this one issues. */
  readonly issuer: DerNode;
  /** The Validity SEQUENCE: notBefore and notAfter. */
  readonly validity: DerNode;
  /** The subject Name; its children are the relative distinguished names, in order. */
  readonly subject: DerNode;
  /** The Extension SEQUENCEs of the `[3]` extensions field; empty when there is none. */
  readonly extensions: readonly DerNode[];
}

/**
 * Finds issuer, validity, subject and extensions in a certificate's DER (RFC 5280 section 4.1),
 * with or without the explicit version field.
 *
 * @param der - the certificate's DER
 * @returns the decoded fields
 * @throws InvalidArgumentError when the DER is malformed or has no subject or validity
 * @example
 * const { subject, extensions } = certificateParts(pemToDer(pem, 'CERTIFICATE'));
 */
export function certificateParts(der: Uint8Array): CertificateParts {
  const fields = decode(der).node.children[0]?.children ?? [];
  // With the explicit version [0], issuer, validity and subject are fields 3, 4 and 5 (0-based).
  const shift = fields[0]?.tag === 0xa0 ? 1 : 0;
  const issuer = fields[2 + shift];
  const validity = fields[3 + shift];
  const subject = fields[4 + shift];
  if (!issuer || !validity || !subject) {
    throw new InvalidArgumentError('der', 'not an X.509 certificate: issuer, validity or subject is missing');
  }
  const extensions = fields.find((field) => field.tag === 0xa3)?.children[0]?.children ?? [];
  return { issuer, validity, subject, extensions };
}

/**
 * The value of the extension with object identifier `oid`.
 *
 * @param extensions - Extension SEQUENCEs, e.g. {@link CertificateParts.extensions}
 * @param oid - the extension's OID in dotted form
 * @returns the content of its extnValue OCTET STRING, or `undefined` when absent
 * @example
 * const json = extensionValue(certificateParts(der).extensions, '1.2.3.4.5.6.7.8.1');
 */
export function extensionValue(extensions: readonly DerNode[], oid: string): Buffer | undefined {
  for (const candidate of extensions) {
    const [id, ...rest] = candidate.children;
    if (id && decodeObjectIdentifier(id.content) === oid) return rest[rest.length - 1]?.content;
  }
  return undefined;
}

/**
 * Encodes a relative distinguished name holding one UTF8String attribute, e.g. `CN=alice`.
 *
 * @param oid - the attribute type, e.g. `2.5.4.3` (commonName)
 * @param value - the attribute value
 * @returns the RDN's SET; a Name is the SEQUENCE of these
 * @example
 * sequence(relativeName('2.5.4.6', 'US'), relativeName('2.5.4.3', 'alice')); // C=US, CN=alice
 */
export function relativeName(oid: string, value: string): Buffer {
  return set(sequence(objectIdentifier(oid), utf8String(value)));
}

/**
 * Encodes one certificate Extension.
 *
 * @param oid - the extension's OID in dotted form
 * @param critical - whether a reader that does not know it must refuse the certificate
 * @param value - the DER (or, for Fabric CA's attributes, JSON) bytes to wrap in extnValue
 * @returns the Extension SEQUENCE
 * @example
 * extension('2.5.29.19', true, sequence()); // basic constraints, not a CA
 */
export function extension(oid: string, critical: boolean, value: Uint8Array): Buffer {
  return sequence(objectIdentifier(oid), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** What goes into a v3 certificate that {@link signCertificate} writes. */
export interface CertificateTemplate {
  /** Unsigned big-endian serial number (encoded as a positive INTEGER). */
  serialNumber: Uint8Array;
  /** Encoded issuer Name: the CA's subject, byte for byte. */
  issuer: Uint8Array;
  /** Encoded subject Name, e.g. a SEQUENCE of {@link relativeName}s. */
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** The subject's public key. */
  publicKey: KeyObject;
  /** Encoded Extensions ({@link extension}); the `[3]` field is left out when empty. */
  extensions?: readonly Uint8Array[];
  /** The issuer's EC P-256 private key. */
  signingKey: KeyObject;
}

const ecdsaWithSha256 = '1.2.840.10045.4.3.2';
// The order of P-256; ECDSA signatures with s > n/2 are "high-S", which Go's and Fabric's
// MSP refuse in certificates (IsWellFormed) to rule out signature malleability.
const p256Order = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * Writes and signs an X.509 v3 certificate with ECDSA P-256 over SHA-256, the signature
 * normalized to low-S as Fabric requires.
 *
 * @param template - serial, names, validity, keys and extensions
 * @returns the certificate's DER
 * @throws InvalidArgumentError when the signing key is not an EC P-256 private key
 * @example
 * const der = signCertificate({ serialNumber: randomBytes(16), issuer, subject, notBefore, notAfter, publicKey, signingKey });
 */
export function signCertificate(template: CertificateTemplate): Buffer {
  const { signingKey } = template;
  if (signingKey.type !== 'private' || signingKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new InvalidArgumentError('signingKey', 'the signing key must be an EC P-256 private key');
  }
  const algorithm = sequence(objectIdentifier(ecdsaWithSha256));
  const extensions = template.extensions ?? [];
  const toBeSigned = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(template.serialNumber),
    algorithm,
    template.issuer,
    sequence(validityTime(template.notBefore), validityTime(template.notAfter)),
    template.subject,
    template.publicKey.export({ type: 'spki', format: 'der' }),
    ...(extensions.length > 0 ? [explicit(3, sequence(...extensions))] : []),
  );
  const signature = sign('sha256', toBeSigned, { key: signingKey, dsaEncoding: 'ieee-p1363' });
  return sequence(toBeSigned, algorithm, bitString(lowS(signature)));
}

/** Turns an r||s P-256 signature into a DER ECDSA-Sig-Value with s in the lower half of the group order. */
function lowS(signature: Buffer): Buffer {
  const r = signature.subarray(0, 32);
  let s = BigInt(`0x${signature.subarray(32).toString('hex')}`);
  if (s > p256Order / 2n) s = p256Order - s;
  return sequence(integer(r), integer(Buffer.from(s.toString(16).padStart(64, '0'), 'hex')));
}
