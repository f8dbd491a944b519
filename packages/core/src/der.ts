export { type DerNode, decode, decodeObjectIdentifier } from './der/decode.js';
export {
  bitString,
  boolean,
  derLength,
  explicit,
  generalizedTime,
  integer,
  objectIdentifier,
  octetString,
  sequence,
  set,
  tlv,
  utcTime,
  utf8String,
  validityTime,
} from './der/encode.js';
export { derToPem, pemToDer } from './der/pem.js';
export {
  type CertificateParts,
  type CertificateTemplate,
  certificateParts,
  extension,
  extensionValue,
  nameOids,
  relativeName,
  signCertificate,
} from './der/x509.js';
