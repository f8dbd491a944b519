import { isLedgerError } from '@ledgerkit/core';
import {
  bitString,
  derToPem,
  explicit,
  integer,
  objectIdentifier,
  sequence,
  set,
  utcTime,
  utf8String,
} from '@ledgerkit/core/der';
import { describe, expect, test } from 'vitest';
import { certificateInfo, crlSerialNumbers } from './certificates.js';

const ecdsaWithSha256 = sequence(objectIdentifier('1.2.840.10045.4.3.2'));
const issuer = sequence(set(sequence(objectIdentifier('2.5.4.3'), utf8String('ca.org1.example.com'))));
const when = utcTime(new Date('2026-12-04T19:00:00Z'));

/** An X.509 v2 CRL shaped as Fabric CA writes it (the signature is not checked here). */
function crl(serials: string[], withVersion = true): string {
  const revoked = serials.map((hex) => sequence(integer(Buffer.from(hex, 'hex')), when));
  const tbs = sequence(
    ...(withVersion ? [integer(Buffer.from([1]))] : []),
    ecdsaWithSha256,
    issuer,
    when,
    when,
    ...(revoked.length > 0 ? [sequence(...revoked)] : []),
    explicit(0, sequence(sequence(objectIdentifier('2.5.29.20'), integer(Buffer.from([7]))))),
  );
  return derToPem('X509 CRL', sequence(tbs, ecdsaWithSha256, bitString(Buffer.from([0x30, 0x00]))));
}

function reasonOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return isLedgerError(error) ? error.details.reason : error;
  }
  return 'no error';
}

describe('crlSerialNumbers', () => {
  test('lists every revoked serial as lower-case hex without leading zeros', () => {
    expect(crlSerialNumbers(crl(['02ef7146f16a7c80', '5DD99D12ED2AFAA5', '00ff']))).toEqual([
      '2ef7146f16a7c80',
      '5dd99d12ed2afaa5',
      'ff',
    ]);
    expect(crlSerialNumbers(crl(['0a'], false))).toEqual(['a']);
  });

  test('a CRL revoking nothing lists nothing; other text is BAD_OPTION', () => {
    expect(crlSerialNumbers(crl([]))).toEqual([]);
    expect(reasonOf(() => crlSerialNumbers('-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n'))).toBe(
      'BAD_OPTION',
    );
    expect(reasonOf(() => crlSerialNumbers('not a crl'))).toBe('BAD_OPTION');
  });
});

describe('certificateInfo', () => {
  test('text that is not a certificate is BAD_OPTION', () => {
    expect(reasonOf(() => certificateInfo(crl([])))).toBe('BAD_OPTION');
  });
});
