import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import {
  bitString,
  derToPem,
  integer,
  objectIdentifier,
  sequence,
  set,
  utcTime,
  utf8String,
} from '@ledgerkit/core/der';
import { describe, expect, test } from 'vitest';
import { publicKeyFromSpki } from './x509.js';

const keyOf = (key: KeyObject) => publicKeyFromSpki(key.export({ type: 'spki', format: 'der' }));

import { normalizeSerial, parseRevocationList, revokes } from './revocation.js';

const ecdsaWithSha256 = sequence(objectIdentifier('1.2.840.10045.4.3.2'));
const issuerName = sequence(set(sequence(objectIdentifier('2.5.4.3'), utf8String('ca.org1.example.com'))));

/** An RFC 5280 v2 CRL revoking `serials` (hex), signed by `key`. */
function crlOf(serials: string[], key: Parameters<typeof sign>[2], withNextUpdate = true): Buffer {
  const time = utcTime(new Date('2026-01-01T00:00:00Z'));
  const revoked = serials.map((serial) => sequence(integer(Buffer.from(serial, 'hex')), time));
  const toBeSigned = sequence(
    integer(Buffer.from([1])),
    ecdsaWithSha256,
    issuerName,
    time,
    ...(withNextUpdate ? [utcTime(new Date('2027-01-01T00:00:00Z'))] : []),
    ...(revoked.length > 0 ? [sequence(...revoked)] : []),
  );
  return sequence(toBeSigned, ecdsaWithSha256, bitString(sign('sha256', toBeSigned, key)));
}

describe('certificate revocation lists', () => {
  const ca = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const impostor = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

  test('lists the revoked serial numbers, from PEM or DER, with or without nextUpdate', () => {
    const der = crlOf(['0a1b', '00ff01'], ca.privateKey);
    expect([...parseRevocationList(der).serials]).toEqual(['a1b', 'ff01']);
    const pem = Buffer.from(derToPem('X509 CRL', crlOf(['7f'], ca.privateKey, false)));
    expect([...parseRevocationList(pem).serials]).toEqual(['7f']);
    expect(parseRevocationList(crlOf([], ca.privateKey)).serials.size).toBe(0);
  });

  test("revokes a listed serial only under the issuer's key", () => {
    const list = parseRevocationList(crlOf(['0a1b'], ca.privateKey));
    expect(revokes(list, '0A1B', keyOf(ca.publicKey))).toBe(true);
    expect(revokes(list, '0A1C', keyOf(ca.publicKey))).toBe(false);
    // A list signed by someone else revokes nothing.
    const forged = parseRevocationList(crlOf(['0a1b'], impostor.privateKey));
    expect(revokes(forged, '0A1B', keyOf(ca.publicKey))).toBe(false);
  });

  test('normalizes serial numbers', () => {
    expect(normalizeSerial('00AB')).toBe('ab');
    expect(normalizeSerial('0')).toBe('0');
  });

  test('rejects bytes that are not a CRL', () => {
    expect(() => parseRevocationList(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]))).toThrow();
  });
});
