import { createHash, ECDH, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import {
  bitString,
  explicit,
  integer,
  objectIdentifier,
  sequence,
  set,
  utcTime,
  utf8String,
} from '@ledgerkit/core/der';
import { describe, expect, test, vi } from 'vitest';
import { decodeDerExactly } from './der.js';
import * as nodeSide from './native-node.js';
import * as portableSide from './native-portable.js';
import { type Certificate, type PublicKey, parseCertificate, publicKeyFromSpki, type SignatureHash } from './x509.js';

// Both sides of `#verify-native` must answer alike: node:crypto on Node, @noble in a browser.
// The annotation also makes the portable side export what the Node side does.
const sides: Record<'node' | 'portable', typeof nodeSide> = { node: nodeSide, portable: portableSide };

/** Asserts that both sides give `expected`. */
function expectBoth(
  expected: boolean,
  key: PublicKey,
  hash: SignatureHash,
  message: Uint8Array,
  signature: Uint8Array,
): void {
  const answers = {
    node: sides.node.verifyWithKey(key, hash, message, signature),
    portable: sides.portable.verifyWithKey(key, hash, message, signature),
  };
  expect(answers).toEqual({ node: expected, portable: expected });
}

const keyOf = (key: KeyObject) => publicKeyFromSpki(key.export({ type: 'spki', format: 'der' }));
const ecKeys = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve });
const message = Buffer.from('proposal response payload and endorser');

test('the tests resolve `#verify-native` to the Node side, from source (vitest.config.ts `ledgerkit-source`)', async () => {
  const resolved = await import('#verify-native');
  expect(resolved.verifyWithKey).toBe(nodeSide.verifyWithKey);
});

describe('ECDSA on both sides', () => {
  const signer = ecKeys('prime256v1');
  const key = keyOf(signer.publicKey);
  const signature = sign('sha256', message, { key: signer.privateKey, dsaEncoding: 'der' });

  test('a valid P-256 signature verifies, also with the key object cached by a first call', () => {
    expectBoth(true, key, 'sha256', message, signature);
    expectBoth(true, key, 'sha256', message, signature);
    expectBoth(true, keyOf(signer.publicKey), 'sha256', message, signature);
  });

  test('a compressed point is the same key', () => {
    const point = (key as { point: Uint8Array }).point;
    const compressed = ECDH.convertKey(point, 'prime256v1', undefined, undefined, 'compressed') as Buffer;
    expectBoth(true, { type: 'ecdsa', curve: 'P-256', point: compressed }, 'sha256', message, signature);
  });

  test('another message, another key or another hash does not verify', () => {
    expectBoth(false, key, 'sha256', Buffer.from('other data'), signature);
    expectBoth(false, keyOf(ecKeys('prime256v1').publicKey), 'sha256', message, signature);
    expectBoth(false, key, 'sha384', message, signature);
  });

  test('truncated, padded, non-DER and garbage signatures are false, not exceptions', () => {
    const [r, s] = integersOf(signature);
    for (const bad of [
      signature.subarray(0, signature.length - 1),
      signature.subarray(0, 8),
      Buffer.concat([signature, Buffer.from([0])]),
      sequence(Buffer.from([0x02, r.length + 1, 0, ...r]), Buffer.from([0x02, s.length, ...s])),
      sign('sha256', message, { key: signer.privateKey, dsaEncoding: 'ieee-p1363' }),
      sequence(integer(Buffer.from([0])), integer(Buffer.from([1]))),
      Buffer.from('not a signature'),
      new Uint8Array(),
      randomBytes(72),
    ]) {
      expectBoth(false, key, 'sha256', message, bad);
    }
  });

  test('a high-S signature verifies on both (Fabric refuses it in signatureProblem, not here)', () => {
    const order = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const [r, s] = integersOf(signature);
    const twin = sequence(integer(r), integer(unsigned(order - BigInt(`0x${Buffer.from(s).toString('hex')}`), 32)));
    expectBoth(true, key, 'sha256', message, twin);
  });

  test('P-384 over SHA-384 and over SHA-256 (as Fabric signs), P-521 over SHA-512', () => {
    const p384 = ecKeys('secp384r1');
    for (const hash of ['sha384', 'sha256'] as const) {
      const p384Signature = sign(hash, message, { key: p384.privateKey, dsaEncoding: 'der' });
      expectBoth(true, keyOf(p384.publicKey), hash, message, p384Signature);
      expectBoth(false, keyOf(p384.publicKey), hash, Buffer.from('other data'), p384Signature);
    }
    const p521 = ecKeys('secp521r1');
    const p521Signature = sign('sha512', message, { key: p521.privateKey, dsaEncoding: 'der' });
    expectBoth(true, keyOf(p521.publicKey), 'sha512', message, p521Signature);
    expectBoth(false, keyOf(p521.publicKey), 'sha512', Buffer.from('other data'), p521Signature);
    expectBoth(false, keyOf(p521.publicKey), 'sha512', message, signature);
  });

  test('keys that are not keys are false', () => {
    const point = Uint8Array.from((key as { point: Uint8Array }).point);
    point[64] = (point[64] as number) ^ 1;
    expectBoth(false, { type: 'ecdsa', curve: 'P-256', point }, 'sha256', message, signature);
    expectBoth(false, { type: 'ecdsa', curve: 'P-256', point: point.subarray(0, 40) }, 'sha256', message, signature);
    expectBoth(
      false,
      { type: 'ecdsa', curve: 'P-384', point: (key as { point: Uint8Array }).point },
      'sha256',
      message,
      signature,
    );
    expectBoth(false, { type: 'unsupported', algorithm: '1.2.840.113549.1.1.1' }, 'sha256', message, signature);
  });
});

describe('Ed25519 on both sides', () => {
  const signer = generateKeyPairSync('ed25519');
  const key = keyOf(signer.publicKey);
  const signature = sign(null, message, signer.privateKey);

  test('a valid signature verifies whatever hash is named; other messages and keys do not', () => {
    expectBoth(true, key, 'sha256', message, signature);
    expectBoth(true, key, 'sha512', message, signature);
    expectBoth(false, key, 'sha256', Buffer.from('other data'), signature);
    expectBoth(false, keyOf(generateKeyPairSync('ed25519').publicKey), 'sha256', message, signature);
  });

  test('malformed signatures and keys, and ECDSA signatures, are false', () => {
    const ecdsa = ecKeys('prime256v1');
    const ecdsaSignature = sign('sha256', message, { key: ecdsa.privateKey, dsaEncoding: 'der' });
    for (const bad of [signature.subarray(0, 63), Buffer.concat([signature, Buffer.from([0])]), ecdsaSignature]) {
      expectBoth(false, key, 'sha256', message, bad);
    }
    expectBoth(false, keyOf(ecdsa.publicKey), 'sha256', message, signature);
    expectBoth(
      false,
      { type: 'ed25519', key: (key as { key: Uint8Array }).key.subarray(1) },
      'sha256',
      message,
      signature,
    );
  });
});

describe('certificate signatures on both sides', () => {
  const p256 = () => ecKeys('prime256v1');
  const p384 = () => ecKeys('secp384r1');
  const ed25519 = () => generateKeyPairSync('ed25519');
  const leaf = p256();

  test.each([
    ['ecdsa-with-SHA256 by a P-256 CA', p256, '1.2.840.10045.4.3.2', 'sha256'],
    ['ecdsa-with-SHA384 by a P-384 CA', p384, '1.2.840.10045.4.3.3', 'sha384'],
    ['ecdsa-with-SHA512 by a P-256 CA', p256, '1.2.840.10045.4.3.4', 'sha512'],
    ['Ed25519 by an Ed25519 CA', ed25519, '1.3.101.112', 'sha256'],
  ] as const)('%s: isIssuedBy on either side accepts the issuer and refuses a namesake', async (_, keys, oid, hash) => {
    const ca = keys();
    const namesake = keys();
    const issuer = parseCertificate(certificate(ca.publicKey, ca, oid, hash, 'ca.org1.example.com'));
    const impostor = parseCertificate(certificate(namesake.publicKey, namesake, oid, hash, 'ca.org1.example.com'));
    const issued = parseCertificate(certificate(leaf.publicKey, ca, oid, hash, 'peer0.org1.example.com'));
    for (const side of Object.values(sides)) {
      expect(await issuedBy(side, issued, issuer)).toBe(true);
      expect(await issuedBy(side, issuer, issuer)).toBe(true);
      expect(await issuedBy(side, issued, impostor)).toBe(false);
    }
  });

  test('an ECDSA signature labelled Ed25519 is refused on both sides', async () => {
    const ca = p256();
    const issuer = parseCertificate(
      certificate(ca.publicKey, ca, '1.2.840.10045.4.3.2', 'sha256', 'ca.org1.example.com'),
    );
    const mislabelled = parseCertificate(certificate(leaf.publicKey, ca, '1.3.101.112', 'sha256', 'peer0'));
    for (const side of Object.values(sides)) expect(await issuedBy(side, mislabelled, issuer)).toBe(false);
  });
});

describe('hashing and bytes on both sides', () => {
  test('SHA-256 of bytes and of parts, and the bytes of binary strings, as node:crypto computes them', () => {
    for (const length of [0, 1, 55, 56, 64, 1000, 100_000]) {
      const bytes = randomBytes(length);
      const expected = createHash('sha256').update(bytes).digest();
      const parts = [bytes.subarray(0, length >> 1), new Uint8Array(), bytes.subarray(length >> 1)];
      const binary = bytes.toString('latin1');
      for (const side of Object.values(sides)) {
        expect(Buffer.from(side.sha256(bytes))).toEqual(expected);
        expect(Buffer.from(side.sha256Concat(parts))).toEqual(expected);
        expect(Buffer.from(side.latin1Bytes(binary))).toEqual(bytes);
        expect(side.sha256(bytes).constructor).toBe(Uint8Array);
      }
    }
  });
});

/** isIssuedBy of x509.ts with `#verify-native` pointed at `side`. */
async function issuedBy(side: typeof nodeSide, certificate: Certificate, issuer: Certificate): Promise<boolean> {
  vi.resetModules();
  vi.doMock('#verify-native', () => side);
  try {
    const x509 = await import('./x509.js');
    return x509.isIssuedBy(certificate, issuer);
  } finally {
    vi.doUnmock('#verify-native');
  }
}

/** A certificate for `subjectKey` named `commonName`, issued by ca.org1.example.com with `signer`. */
function certificate(
  subjectKey: KeyObject,
  signer: { privateKey: KeyObject },
  algorithmOid: string,
  hash: SignatureHash,
  commonName: string,
): Buffer {
  const name = (cn: string) => sequence(set(sequence(objectIdentifier('2.5.4.3'), utf8String(cn))));
  const algorithm = sequence(objectIdentifier(algorithmOid));
  const toBeSigned = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(randomBytes(8)),
    algorithm,
    name('ca.org1.example.com'),
    sequence(utcTime(new Date('2020-01-01T00:00:00Z')), utcTime(new Date('2049-01-01T00:00:00Z'))),
    name(commonName),
    subjectKey.export({ type: 'spki', format: 'der' }),
  );
  const signature =
    signer.privateKey.asymmetricKeyType === 'ed25519'
      ? sign(null, toBeSigned, signer.privateKey)
      : sign(hash, toBeSigned, { key: signer.privateKey, dsaEncoding: 'der' });
  return sequence(toBeSigned, algorithm, bitString(signature));
}

/** r and s (INTEGER contents) of a DER ECDSA signature. */
function integersOf(signature: Uint8Array): [Uint8Array, Uint8Array] {
  const [r, s] = decodeDerExactly(signature).children;
  return [r?.content as Uint8Array, s?.content as Uint8Array];
}

const unsigned = (value: bigint, size: number) => Buffer.from(value.toString(16).padStart(size * 2, '0'), 'hex');
