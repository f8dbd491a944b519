import { generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { isLedgerError } from '../errors.js';
import { decode, decodeObjectIdentifier } from './decode.js';
import {
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
  utcTime,
  utf8String,
  validityTime,
} from './encode.js';
import { derToPem, pemToDer } from './pem.js';
import { certificateParts, extension, extensionValue, relativeName, signCertificate } from './x509.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('encoding', () => {
  test('lengths are short below 128 and long form above', () => {
    expect(hex(derLength(5))).toBe('05');
    expect(hex(derLength(127))).toBe('7f');
    expect(hex(derLength(128))).toBe('8180');
    expect(hex(derLength(300))).toBe('82012c');
    expect(hex(derLength(70_000))).toBe('83011170');
  });

  test('integers are minimal and non-negative', () => {
    expect(hex(integer(Buffer.from([0, 0, 5])))).toBe('020105');
    expect(hex(integer(Buffer.from([0x80])))).toBe('02020080');
    expect(hex(integer(Buffer.from([0, 0x80])))).toBe('02020080');
    expect(hex(integer(new Uint8Array()))).toBe('020100');
  });

  test('object identifiers use base-128 arcs', () => {
    expect(hex(objectIdentifier('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(objectIdentifier('2.5.4.3'))).toBe('0603550403');
  });

  test('strings, booleans, times and tags', () => {
    expect(hex(utf8String('é'))).toBe('0c02c3a9');
    expect(hex(boolean(true))).toBe('0101ff');
    expect(hex(bitString(Buffer.from([1, 2])))).toBe('0303000102');
    expect(utcTime(new Date('2030-02-03T04:05:06.789Z')).subarray(2).toString('ascii')).toBe('300203040506Z');
    expect(hex(explicit(3, octetString(Buffer.from([9]))))).toBe('a303040109');
  });

  test('times: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280), never a wrapped year', () => {
    const ascii = (encoded: Buffer) => `${encoded[0]?.toString(16)} ${encoded.subarray(2).toString('ascii')}`;
    expect(ascii(validityTime(new Date('2049-12-31T23:59:59Z')))).toBe('17 491231235959Z');
    expect(ascii(validityTime(new Date('2050-01-01T00:00:00Z')))).toBe('18 20500101000000Z');
    expect(ascii(validityTime(new Date('1949-12-31T23:59:59Z')))).toBe('18 19491231235959Z');
    expect(ascii(generalizedTime(new Date('2030-02-03T04:05:06.789Z')))).toBe('18 20300203040506Z');
    for (const date of ['2050-01-01T00:00:00Z', '1949-06-01T00:00:00Z']) {
      expect(() => utcTime(new Date(date))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect(() => validityTime(new Date('nope'))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('decoding', () => {
  test('rejects lengths that are not minimal (BER, not DER)', () => {
    // 0x04 0x81 0x05: long form for a length below 128; 0x04 0x82 0x00 0x81: a leading zero octet.
    expect(() => decode(Buffer.from([0x04, 0x81, 0x05, 1, 2, 3, 4, 5]))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => decode(Buffer.concat([Buffer.from([0x04, 0x82, 0x00, 0x81]), Buffer.alloc(0x81)]))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(decode(Buffer.concat([Buffer.from([0x04, 0x81, 0x81]), Buffer.alloc(0x81)])).node.content).toHaveLength(
      0x81,
    );
  });

  test('bounds nesting depth instead of exhausting the stack', () => {
    let nested = octetString(Buffer.from([1]));
    for (let level = 0; level < 64; level++) nested = sequence(nested);
    expect(decode(nested).end).toBe(nested.length);
    let hostile: Buffer = Buffer.from([0x30, 0x00]);
    for (let level = 0; level < 5_000; level++) hostile = sequence(hostile);
    expect(() => decode(hostile)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  test('round-trips nested elements and exposes their exact encodings', () => {
    const name = sequence(set(sequence(objectIdentifier('2.5.4.3'), utf8String('alice'))));
    const outer = sequence(integer(Buffer.from([7])), name, octetString(Buffer.alloc(200, 1)));
    const { node, end } = decode(outer);
    expect(end).toBe(outer.length);
    expect(node.children).toHaveLength(3);
    expect(hex(node.children[1]?.encoded ?? Buffer.alloc(0))).toBe(hex(name));
    expect(node.children[2]?.content.length).toBe(200);
    const pair = node.children[1]?.children[0]?.children[0];
    expect(decodeObjectIdentifier(pair?.children[0]?.content ?? Buffer.alloc(0))).toBe('2.5.4.3');
    expect(pair?.children[1]?.content.toString('utf8')).toBe('alice');
  });

  test('decodes OIDs with a first arc of 2 and large arcs', () => {
    const encoded = objectIdentifier('2.999.1234567');
    expect(decodeObjectIdentifier(decode(encoded).node.content)).toBe('2.999.1234567');
  });

  test('rejects truncated input', () => {
    const whole = sequence(octetString(Buffer.alloc(10)));
    expect(() => decode(whole.subarray(0, whole.length - 1))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    let caught: unknown;
    try {
      decode(Buffer.from([0x30, 0x80, 0, 0]));
    } catch (error) {
      caught = error;
    }
    expect(isLedgerError(caught, 'INVALID_ARGUMENT')).toBe(true);
  });
});

describe('PEM', () => {
  test('a self-signed certificate written with the encoder parses with node:crypto', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const algorithm = sequence(objectIdentifier('1.2.840.10045.4.3.2'));
    const name = sequence(set(sequence(objectIdentifier('2.5.4.3'), utf8String('ca.test'))));
    const toBeSigned = sequence(
      explicit(0, integer(Buffer.from([2]))),
      integer(Buffer.from([1, 2, 3])),
      algorithm,
      name,
      sequence(utcTime(new Date('2020-01-01T00:00:00Z')), utcTime(new Date('2040-01-01T00:00:00Z'))),
      name,
      publicKey.export({ type: 'spki', format: 'der' }),
    );
    const der = sequence(toBeSigned, algorithm, bitString(sign('sha256', toBeSigned, privateKey)));
    const pem = derToPem('CERTIFICATE', der);
    expect(pem.split('\n').every((line) => line.length <= 64)).toBe(true);
    const certificate = new X509Certificate(pem);
    expect(certificate.subject).toBe('CN=ca.test');
    expect(certificate.verify(publicKey)).toBe(true);
    expect(hex(pemToDer(pem, 'CERTIFICATE'))).toBe(hex(der));
  });

  test('finds the block with the requested label and rejects text without one', () => {
    const text = `${derToPem('PRIVATE KEY', Buffer.from([1]))}${derToPem('CERTIFICATE', Buffer.from([2]))}`;
    expect(hex(pemToDer(text, 'CERTIFICATE'))).toBe('02');
    expect(hex(pemToDer(text))).toBe('01');
    expect(() => pemToDer('no armour here', 'CERTIFICATE')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('X.509 parts', () => {
  const issuer = sequence(relativeName('2.5.4.6', 'US'), relativeName('2.5.4.3', 'ca.test'));
  const subject = sequence(relativeName('2.5.4.3', 'alice'));
  const validity = sequence(utcTime(new Date('2020-01-01T00:00:00Z')), utcTime(new Date('2040-01-01T00:00:00Z')));
  const algorithm = sequence(objectIdentifier('1.2.840.10045.4.3.2'));
  const attributes = Buffer.from('{"attrs":{"role":"maker"}}');
  const extensions = explicit(
    3,
    sequence(
      sequence(objectIdentifier('2.5.29.19'), boolean(true), octetString(sequence())),
      sequence(objectIdentifier('1.2.3.4.5.6.7.8.1'), octetString(attributes)),
    ),
  );
  const certificate = (...fields: Buffer[]): Buffer =>
    sequence(sequence(...fields), algorithm, bitString(Buffer.from([1])));

  test('finds issuer, validity, subject and extension values, with or without the version field', () => {
    const spki = Buffer.from([0x30, 0]);
    for (const version of [[explicit(0, integer(Buffer.from([2])))], []]) {
      const parts = certificateParts(
        certificate(...version, integer(Buffer.from([1])), algorithm, issuer, validity, subject, spki, extensions),
      );
      expect(hex(parts.issuer.encoded)).toBe(hex(issuer));
      expect(hex(parts.validity.encoded)).toBe(hex(validity));
      expect(hex(parts.subject.encoded)).toBe(hex(subject));
      expect(parts.subject.children).toHaveLength(1);
      expect(extensionValue(parts.extensions, '1.2.3.4.5.6.7.8.1')?.toString()).toBe(attributes.toString());
      expect(hex(extensionValue(parts.extensions, '2.5.29.19') ?? Buffer.alloc(1))).toBe('3000');
      expect(extensionValue(parts.extensions, '2.5.29.14')).toBeUndefined();
    }
    const withoutExtensions = certificateParts(
      certificate(integer(Buffer.from([1])), algorithm, issuer, validity, subject, spki),
    );
    expect(withoutExtensions.extensions).toEqual([]);
  });

  test('a relative name is one SET of one type and UTF8String value', () => {
    expect(hex(relativeName('2.5.4.3', 'a'))).toBe('310a300806035504030c0161');
  });

  test('rejects DER that is not a certificate', () => {
    expect(() => certificateParts(sequence(sequence(integer(Buffer.from([1])))))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('signCertificate', () => {
  const p256Order = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const ca = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const issuer = sequence(relativeName('2.5.4.3', 'ca.test'));

  test('writes certificates node:crypto verifies, with low-S signatures and the given extensions', () => {
    for (let index = 0; index < 8; index++) {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const der = signCertificate({
        serialNumber: Buffer.from([0x80, index]),
        issuer,
        subject: sequence(relativeName('2.5.4.3', `user${index}`)),
        notBefore: new Date('2020-01-01T00:00:00Z'),
        notAfter: new Date('2040-01-01T00:00:00Z'),
        publicKey,
        extensions: [extension('1.2.3.4.5.6.7.8.1', false, Buffer.from('{"attrs":{}}'))],
        signingKey: ca.privateKey,
      });
      const certificate = new X509Certificate(der);
      expect(certificate.verify(ca.publicKey)).toBe(true);
      expect(certificate.subject).toBe(`CN=user${index}`);
      // A positive INTEGER: the high bit of 0x80 gets a zero byte in DER, which node:crypto leaves out.
      expect(certificate.serialNumber.toUpperCase()).toBe(`80${index.toString(16).padStart(2, '0')}`.toUpperCase());
      expect(hex(decode(der).node.children[0]?.children[1]?.content ?? Buffer.alloc(0))).toBe(
        `0080${index.toString(16).padStart(2, '0')}`,
      );
      const signatureValue = decode(der).node.children[2]?.content.subarray(1) ?? Buffer.alloc(0);
      const s = decode(signatureValue).node.children[1]?.content ?? Buffer.alloc(0);
      expect(BigInt(`0x${hex(s)}`) <= p256Order / 2n).toBe(true);
      expect(extensionValue(certificateParts(der).extensions, '1.2.3.4.5.6.7.8.1')?.toString()).toBe('{"attrs":{}}');
    }
  });

  test('a validity ending in 2050 or later is written as GeneralizedTime, read back as that year', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const der = signCertificate({
      serialNumber: Buffer.from([1]),
      issuer,
      subject: sequence(relativeName('2.5.4.3', 'long-lived')),
      notBefore: new Date('2049-06-01T00:00:00Z'),
      notAfter: new Date('2075-06-01T00:00:00Z'),
      publicKey,
      signingKey: ca.privateKey,
    });
    const certificate = new X509Certificate(der);
    expect(certificate.verify(ca.publicKey)).toBe(true);
    expect(certificate.validToDate.toISOString()).toBe('2075-06-01T00:00:00.000Z');
    expect(certificate.validFromDate.toISOString()).toBe('2049-06-01T00:00:00.000Z');
  });

  test('refuses a signing key that is not an EC P-256 private key', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const template = {
      serialNumber: Buffer.from([1]),
      issuer,
      subject: issuer,
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2040-01-01T00:00:00Z'),
      publicKey: ca.publicKey,
    };
    for (const signingKey of [other.privateKey, ca.publicKey]) {
      expect(() => signCertificate({ ...template, signingKey })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
  });
});
