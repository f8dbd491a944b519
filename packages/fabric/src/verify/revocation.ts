// Certificate revocation lists (RFC 5280 §5) as Fabric MSPs hold them in `revocation_list`:
// just enough DER reading to list the revoked serial numbers and check the list's signature.
import { toHex } from './bytes.js';
import { decodeDerExactly, objectIdentifier } from './der.js';
import { ecdsaSignatureHashes, type PublicKey, pemBlocks, verifyWithKey } from './x509.js';

/** A parsed CRL: its signed part, signature and the serial numbers it revokes. */
export interface RevocationList {
  /** DER of `tbsCertList`, the signed bytes. */
  signed: Uint8Array;
  /** OID of the signature algorithm. */
  algorithm: string;
  /** The issuer's signature over `signed`. */
  signature: Uint8Array;
  /** Revoked serial numbers, lowercase hex without leading zeros. */
  serials: Set<string>;
}

/**
 * A serial number as {@link RevocationList.serials} holds it.
 *
 * @param hex - serial number in hex, any case, leading zeros allowed
 * @returns lowercase hex without leading zeros (`0` for zero)
 */
export function normalizeSerial(hex: string): string {
  return BigInt(`0x${hex}`).toString(16);
}

/**
 * Parses a CRL.
 *
 * @param crl - PEM (`X509 CRL`) or DER bytes
 * @returns the signed part, the signature and the revoked serials
 * @throws Error when the bytes are not a CRL
 */
export function parseRevocationList(crl: Uint8Array): RevocationList {
  const [der] = pemBlocks(crl, 'X509 CRL');
  if (!der) throw new Error('no CRL');
  const [tbs, algorithm, signatureValue] = decodeDerExactly(der).children;
  if (tbs?.tag !== 0x30 || signatureValue?.tag !== 0x03) throw new Error('not a CRL');
  const serials = new Set<string>();
  // tbsCertList: version?, signature, issuer, thisUpdate, nextUpdate?, revokedCertificates?, [0] extensions?
  let position = tbs.children[0]?.tag === 0x02 ? 1 : 0;
  position += 3; // signature algorithm, issuer, thisUpdate
  const next = tbs.children[position];
  if (next && (next.tag === 0x17 || next.tag === 0x18)) position += 1;
  const revoked = tbs.children[position];
  if (revoked?.tag === 0x30) {
    for (const entry of revoked.children) {
      const serial = entry.children[0];
      if (serial?.tag === 0x02) serials.add(normalizeSerial(toHex(serial.content) || '0'));
    }
  }
  const oid = algorithm?.children[0];
  return {
    signed: tbs.encoded,
    algorithm: oid ? objectIdentifier(oid.content) : '',
    signature: signatureValue.content.subarray(1),
    serials,
  };
}

/**
 * Whether `list` revokes the certificate with `serial` and was signed by `issuerKey`.
 *
 * @param list - a parsed CRL
 * @param serial - the certificate's serial number in hex
 * @param issuerKey - public key of the certificate's issuer
 * @returns true when the certificate is revoked by its issuer
 */
export function revokes(list: RevocationList, serial: string, issuerKey: PublicKey): boolean {
  if (!list.serials.has(normalizeSerial(serial))) return false;
  return verifyWithKey(issuerKey, ecdsaSignatureHashes[list.algorithm] ?? 'sha256', list.signed, list.signature);
}
