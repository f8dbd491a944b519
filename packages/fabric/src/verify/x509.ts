// Just enough X.509 (RFC 5280) for Fabric MSPs: names, validity, basic constraints, the
// subject's public key, and ECDSA/Ed25519 signatures. Browser-safe: signatures are checked
// by `#verify-native`, node:crypto on Node and @noble/curves in a browser bundle.
import { verifyWithKey } from '#verify-native';
import { fromBase64, utf8Text } from './bytes.js';
import { type DerElement, decodeDer, decodeDerExactly, objectIdentifier } from './der.js';

/** A public key a Fabric identity can hold. */
export type PublicKey =
  | { type: 'ecdsa'; curve: 'P-256' | 'P-384' | 'P-521'; point: Uint8Array }
  | { type: 'ed25519'; key: Uint8Array }
  | { type: 'unsupported'; algorithm: string };

/** The hash an ECDSA signature covers. */
export type SignatureHash = 'sha256' | 'sha384' | 'sha512';

export { verifyWithKey };

/** The parts of a certificate that MSP checks read. */
export interface Certificate {
  /** The whole DER. */
  der: Uint8Array;
  /** DER of tbsCertificate: the signed bytes. */
  toBeSigned: Uint8Array;
  /** OID of the issuer's signature algorithm. */
  signatureAlgorithm: string;
  /** The issuer's signature (BIT STRING content without the unused-bits byte). */
  signature: Uint8Array;
  /** Serial number, lowercase hex without leading zeros. */
  serial: string;
  /** Encoded issuer and subject Names, compared byte for byte to find issuers. */
  issuer: Uint8Array;
  subject: Uint8Array;
  /** Subject attributes by short name (`CN`, `OU`, `O`, ...), in order. */
  subjectAttributes: Array<{ name: string; value: string }>;
  /** Validity, in milliseconds since the epoch. */
  notBefore: number;
  notAfter: number;
  /** Whether basic constraints mark it a CA. */
  isCa: boolean;
  publicKey: PublicKey;
}

const attributeNames: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.17': 'postalCode',
};

const curves: Record<string, 'P-256' | 'P-384' | 'P-521'> = {
  '1.2.840.10045.3.1.7': 'P-256',
  '1.3.132.0.34': 'P-384',
  '1.3.132.0.35': 'P-521',
};

function bitStringBytes(element: DerElement | undefined): Uint8Array {
  if (element?.tag !== 0x03 || element.content.length === 0) throw new Error('expected a BIT STRING');
  return element.content.subarray(1);
}

function parseTime(element: DerElement | undefined): number {
  if (!element) throw new Error('the validity is missing a time');
  const text = utf8Text(element.content);
  const match =
    element.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : element.tag === 0x18
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
        : null;
  if (!match) throw new Error(`unsupported certificate time ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  // UTCTime years 50-99 are 19xx (RFC 5280 section 4.1.2.5.1).
  const year = element.tag === 0x17 ? ((y as number) >= 50 ? 1900 : 2000) + (y as number) : (y as number);
  return Date.UTC(year, (mo as number) - 1, d, h, mi, s);
}

function parsePublicKey(info: DerElement | undefined): PublicKey {
  const [algorithm, key] = info?.children ?? [];
  const [oid, parameters] = algorithm?.children ?? [];
  if (oid?.tag !== 0x06) throw new Error('the subject public key info has no algorithm');
  const id = objectIdentifier(oid.content);
  if (id === '1.2.840.10045.2.1') {
    const curve = parameters?.tag === 0x06 ? curves[objectIdentifier(parameters.content)] : undefined;
    if (!curve) return { type: 'unsupported', algorithm: 'EC key on an unsupported curve' };
    return { type: 'ecdsa', curve, point: bitStringBytes(key) };
  }
  if (id === '1.3.101.112') return { type: 'ed25519', key: bitStringBytes(key) };
  return { type: 'unsupported', algorithm: id };
}

function serialHex(content: Uint8Array): string {
  let hex = '';
  for (const byte of content) hex += byte.toString(16).padStart(2, '0');
  return hex.length === 0 ? '0' : BigInt(`0x${hex}`).toString(16);
}

/**
 * Reads a DER SubjectPublicKeyInfo (as in certificates and `spki` key exports).
 *
 * @param der - the SubjectPublicKeyInfo
 * @returns the key; `unsupported` for algorithms Fabric identities do not use
 * @throws Error when the DER is malformed
 */
export function publicKeyFromSpki(der: Uint8Array): PublicKey {
  return parsePublicKey(decodeDerExactly(der));
}

/**
 * Parses a certificate.
 *
 * @param der - the certificate's DER
 * @returns its parts
 * @throws Error when it is not an X.509 certificate
 */
export function parseCertificate(der: Uint8Array): Certificate {
  const root = decodeDerExactly(der);
  const [tbs, signatureAlgorithm, signatureValue] = root.children;
  if (root.tag !== 0x30 || tbs?.tag !== 0x30 || signatureAlgorithm?.tag !== 0x30) {
    throw new Error('not an X.509 certificate');
  }
  const fields = tbs.children;
  const shift = fields[0]?.tag === 0xa0 ? 1 : 0;
  const serial = fields[shift];
  const issuer = fields[2 + shift];
  const validity = fields[3 + shift];
  const subject = fields[4 + shift];
  const publicKeyInfo = fields[5 + shift];
  if (serial?.tag !== 0x02 || issuer?.tag !== 0x30 || validity?.tag !== 0x30 || subject?.tag !== 0x30) {
    throw new Error('not an X.509 certificate: serial, issuer, validity or subject is missing');
  }
  const subjectAttributes = subject.children.flatMap((set) =>
    set.children.map((pair) => {
      const [type, value] = pair.children;
      const oid = type ? objectIdentifier(type.content) : '';
      return { name: attributeNames[oid] ?? oid, value: value ? utf8Text(value.content) : '' };
    }),
  );
  let isCa = false;
  const extensions = fields.find((field) => field.tag === 0xa3)?.children[0]?.children ?? [];
  for (const extension of extensions) {
    const [id, ...rest] = extension.children;
    if (id && objectIdentifier(id.content) === '2.5.29.19') {
      const value = rest[rest.length - 1];
      const constraints = value ? decodeDer(value.content).element : undefined;
      const flag = constraints?.children[0];
      isCa = flag?.tag === 0x01 && flag.content[0] !== 0;
    }
  }
  const algorithmOid = signatureAlgorithm.children[0];
  return {
    der,
    toBeSigned: tbs.encoded,
    signatureAlgorithm: algorithmOid ? objectIdentifier(algorithmOid.content) : '',
    signature: bitStringBytes(signatureValue),
    serial: serialHex(serial.content),
    issuer: issuer.encoded,
    subject: subject.encoded,
    subjectAttributes,
    notBefore: parseTime(validity.children[0]),
    notAfter: parseTime(validity.children[1]),
    isCa,
    publicKey: parsePublicKey(publicKeyInfo),
  };
}

/**
 * The DER of every PEM block with `label` in `text`, or the input itself when it is not PEM.
 *
 * @param input - PEM text or bytes (Fabric's MSP config holds PEM bytes)
 * @param label - e.g. `CERTIFICATE`
 * @returns the DER blocks
 * @throws Error when PEM armour holds invalid base64
 */
export function pemBlocks(input: Uint8Array | string, label: string): Uint8Array[] {
  const text = typeof input === 'string' ? input : utf8Text(input);
  if (!text.includes('-----BEGIN')) return typeof input === 'string' ? [] : [input];
  const pattern = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...text.matchAll(pattern)].map((match) => fromBase64(match[1] ?? ''));
}

/** Parses the first certificate of PEM text or bytes, or DER bytes. */
export function parseCertificatePem(input: Uint8Array | string): Certificate {
  const [der] = pemBlocks(input, 'CERTIFICATE');
  if (!der) throw new Error('no PEM CERTIFICATE block found');
  return parseCertificate(der);
}

/** The subject's attribute values of one type, e.g. every `OU`. */
export function subjectValues(certificate: Certificate, name: string): string[] {
  return certificate.subjectAttributes.filter((attribute) => attribute.name === name).map(({ value }) => value);
}

/** The hash each ECDSA signature algorithm (by OID) signs, for certificates and CRLs. */
export const ecdsaSignatureHashes: Readonly<Record<string, SignatureHash>> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};
const ed25519Signature = '1.3.101.112';

/**
 * Whether `certificate` names `issuer` as its issuer and carries its valid signature.
 *
 * @param certificate - the issued certificate
 * @param issuer - a candidate issuer
 * @returns true when the names match and the signature verifies
 */
export function isIssuedBy(certificate: Certificate, issuer: Certificate): boolean {
  if (certificate.issuer.length !== issuer.subject.length) return false;
  for (let index = 0; index < issuer.subject.length; index++) {
    if (certificate.issuer[index] !== issuer.subject[index]) return false;
  }
  const { publicKey } = issuer;
  const { toBeSigned, signature, signatureAlgorithm } = certificate;
  // Ed25519 signs the bytes themselves, so only an Ed25519 key can have made it (the hash is unused).
  if (signatureAlgorithm === ed25519Signature) {
    return publicKey.type === 'ed25519' && verifyWithKey(publicKey, 'sha256', toBeSigned, signature);
  }
  const hash = ecdsaSignatureHashes[signatureAlgorithm];
  return hash !== undefined && verifyWithKey(publicKey, hash, toBeSigned, signature);
}
