import { X509Certificate } from 'node:crypto';
import { decode, pemToDer } from '@ledgerkit/core/der';
import { FabricNetworkError } from '../errors.js';

/** What a certificate says about its validity and identity. */
export interface CertificateInfo {
  /** Serial number, lower-case hex without leading zeros (as Fabric CA prints it). */
  serialNumber: string;
  subject: string;
  issuer: string;
  notBefore: Date;
  /** When the certificate expires; renew it with `reenroll` before then. */
  notAfter: Date;
}

const normalSerial = (hex: string): string => hex.toLowerCase().replace(/^0+(?=.)/, '');

/**
 * Reads serial number, subject and validity of a PEM certificate.
 *
 * @param pem - one PEM certificate
 * @returns its serial number and validity
 * @throws FabricNetworkError BAD_OPTION when the text is not a certificate
 */
export function certificateInfo(pem: string): CertificateInfo {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (error) {
    throw new FabricNetworkError('BAD_OPTION', 'not a PEM X.509 certificate', { option: 'certificate' }, error);
  }
  return {
    serialNumber: normalSerial(certificate.serialNumber),
    subject: certificate.subject,
    issuer: certificate.issuer,
    notBefore: new Date(certificate.validFrom),
    notAfter: new Date(certificate.validTo),
  };
}

/**
 * Lists the serial numbers a certificate revocation list revokes. Node.js reads
 * certificates but not CRLs, and a CRL's revoked list is a plain DER sequence, so it is
 * walked here with our DER decoder.
 *
 * @param pem - a PEM `X509 CRL`
 * @returns revoked serial numbers, lower-case hex without leading zeros
 * @throws FabricNetworkError BAD_OPTION when the text is not a CRL
 */
export function crlSerialNumbers(pem: string): string[] {
  try {
    const list = decode(pemToDer(pem, 'X509 CRL')).node;
    const tbs = list.children[0];
    if (!tbs) throw new Error('empty CRL');
    // TBSCertList: version?, signature, issuer, thisUpdate, nextUpdate?, revokedCertificates?, [0] extensions?
    const revoked = tbs.children.find(
      (child, index) => index >= 3 && child.tag === 0x30 && child.children.every((entry) => entry.tag === 0x30),
    );
    return (revoked?.children ?? []).map((entry) => {
      const serial = entry.children[0];
      if (serial?.tag !== 0x02) throw new Error('revoked entry without serial');
      return normalSerial(serial.content.toString('hex'));
    });
  } catch (error) {
    throw new FabricNetworkError('BAD_OPTION', 'not a PEM X.509 certificate revocation list', { option: 'crl' }, error);
  }
}
