// X.509 certificates as Fabric CA issues them: ECDSA P-256 over SHA-256 with a low-S
// signature, NodeOU in the subject, and the identity attributes as the JSON extension
// 1.2.3.4.5.6.7.8.1. Written with our DER encoder; read back with it too.
import { createHash, type KeyObject, randomBytes } from 'node:crypto';
import {
  boolean,
  certificateParts,
  type DerNode,
  decode,
  decodeObjectIdentifier,
  extension,
  extensionValue,
  octetString,
  sequence,
  signCertificate,
  tlv,
} from '@ledgerkit/core/der';

/** The extension Fabric CA writes identity attributes into, as `{"attrs":{...}}`. */
export const fabricAttributesOid = '1.2.3.4.5.6.7.8.1';

const keyUsageOid = '2.5.29.15';
const basicConstraintsOid = '2.5.29.19';
const subjectKeyIdentifierOid = '2.5.29.14';
const authorityKeyIdentifierOid = '2.5.29.35';

/** The parts of a CA certificate an issuer needs, taken from its DER. */
export interface IssuerCertificate {
  /** The subject Name exactly as encoded, to become the issuer of issued certificates. */
  subject: Buffer;
  /** The subject's relative distinguished names, each its encoded SET, in order. */
  subjectNames: ReadonlyArray<{ oid: string; encoded: Buffer }>;
  subjectKeyIdentifier?: Buffer;
  notBefore: Date;
  notAfter: Date;
}

/** Reads subject, validity and subject key identifier from a certificate's DER. */
export function readIssuerCertificate(der: Buffer): IssuerCertificate {
  const { subject, validity, extensions } = certificateParts(der);
  const subjectNames = subject.children.map((relativeName) => ({
    oid: decodeObjectIdentifier(relativeName.children[0]?.children[0]?.content ?? Buffer.alloc(0)),
    encoded: relativeName.encoded,
  }));
  const subjectKeyIdentifier = extensionValue(extensions, subjectKeyIdentifierOid);
  const [notBefore, notAfter] = validity.children.map(readTime);
  return {
    subject: subject.encoded,
    subjectNames,
    ...(subjectKeyIdentifier ? { subjectKeyIdentifier: decode(subjectKeyIdentifier).node.content } : {}),
    notBefore: notBefore as Date,
    notAfter: notAfter as Date,
  };
}

/** What goes into one certificate. */
export interface CertificateFields {
  /** Encoded issuer Name (the CA's subject, byte for byte). */
  issuer: Buffer;
  /** Encoded subject Name. */
  subject: Buffer;
  publicKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  /** The CA's key; signs the certificate. */
  signingKey: KeyObject;
  /** CA certificates get basic constraints CA:TRUE and certificate-signing key usage. */
  certificateAuthority?: boolean;
  authorityKeyIdentifier?: Buffer;
  /** Fabric CA attributes; written as the 1.2.3.4.5.6.7.8.1 extension when given. */
  attributes?: Readonly<Record<string, string>>;
}

/** Builds and signs one certificate (low-S, as Fabric's MSP requires); returns its DER. */
export function buildCertificate(fields: CertificateFields): Buffer {
  const spki = fields.publicKey.export({ type: 'spki', format: 'der' });
  // RFC 5280 method 1: SHA-1 of the subjectPublicKey bits (the BIT STRING's content after its unused-bits byte).
  const publicKeyBits = decode(spki).node.children[1]?.content.subarray(1) ?? Buffer.alloc(0);
  const subjectKeyIdentifier = createHash('sha1').update(publicKeyBits).digest();
  // digitalSignature is bit 0; a CA also has keyCertSign (5) and cRLSign (6).
  const keyUsage = fields.certificateAuthority ? Buffer.from([0x01, 0x86]) : Buffer.from([0x07, 0x80]);
  const extensions = [
    extension(keyUsageOid, true, tlv(0x03, keyUsage)),
    extension(basicConstraintsOid, true, fields.certificateAuthority ? sequence(boolean(true)) : sequence()),
    extension(subjectKeyIdentifierOid, false, octetString(subjectKeyIdentifier)),
  ];
  if (fields.authorityKeyIdentifier) {
    extensions.push(extension(authorityKeyIdentifierOid, false, sequence(tlv(0x80, fields.authorityKeyIdentifier))));
  }
  if (fields.attributes) {
    const json = Buffer.from(JSON.stringify({ attrs: fields.attributes }), 'utf8');
    extensions.push(extension(fabricAttributesOid, false, json));
  }
  // A positive 127-bit serial: Go rejects negative serial numbers.
  const serialNumber = randomBytes(16);
  serialNumber[0] = (serialNumber[0] ?? 0) & 0x7f;
  return signCertificate({ ...fields, serialNumber, extensions });
}

function readTime(node: DerNode): Date {
  const text = node.content.toString('ascii');
  // UTCTime YYMMDDHHMMSSZ (years 1950-2049) or GeneralizedTime YYYYMMDDHHMMSSZ.
  const full = node.tag === 0x17 ? `${Number(text.slice(0, 2)) >= 50 ? '19' : '20'}${text}` : text;
  return new Date(
    `${full.slice(0, 4)}-${full.slice(4, 6)}-${full.slice(6, 8)}T${full.slice(8, 10)}:${full.slice(10, 12)}:${full.slice(12, 14)}Z`,
  );
}
