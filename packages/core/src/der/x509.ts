import { InvalidArgumentError } from '../errors.js';
import { type DerNode, decode, decodeObjectIdentifier } from './decode.js';
import { objectIdentifier, sequence, set, utf8String } from './encode.js';

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
