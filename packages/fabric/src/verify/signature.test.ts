import { generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { integer, sequence } from '@ledgerkit/core/der';
import { describe, expect, test } from 'vitest';
import { publicKeyFromSpki } from './x509.js';

const keyOf = (key: KeyObject) => publicKeyFromSpki(key.export({ type: 'spki', format: 'der' }));

import { ecdsaSignatureS, signatureProblem } from './signature.js';

const p256Order = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const unsigned = (value: bigint) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');

describe('Fabric signature checks', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const data = Buffer.from('proposal response payload and endorser');

  test('accepts a low-S ECDSA signature and rejects its high-S twin that OpenSSL accepts', () => {
    const signature = sign('sha256', data, { key: privateKey, dsaEncoding: 'der' });
    const [r, s] = [decodeR(signature), ecdsaSignatureS(signature)];
    const low = s > p256Order / 2n ? p256Order - s : s;
    const lowSignature = sequence(integer(unsigned(r)), integer(unsigned(low)));
    const highSignature = sequence(integer(unsigned(r)), integer(unsigned(p256Order - low)));
    expect(signatureProblem(keyOf(publicKey), data, lowSignature)).toBeUndefined();
    expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, highSignature)).toBe(true);
    expect(signatureProblem(keyOf(publicKey), data, highSignature)).toMatch(/high S/);
  });

  test('rejects a signature over other data, and garbage', () => {
    const signature = sign('sha256', data, { key: privateKey, dsaEncoding: 'der' });
    const s = ecdsaSignatureS(signature);
    const lowSignature =
      s > p256Order / 2n
        ? sequence(integer(unsigned(decodeR(signature))), integer(unsigned(p256Order - s)))
        : signature;
    expect(signatureProblem(keyOf(publicKey), Buffer.from('other data'), lowSignature)).toMatch(/does not verify/);
    expect(signatureProblem(keyOf(publicKey), data, Buffer.from('not a signature'))).toMatch(/malformed/);
  });

  test('verifies Ed25519 signatures', () => {
    const keys = generateKeyPairSync('ed25519');
    const signature = sign(null, data, keys.privateKey);
    expect(signatureProblem(keyOf(keys.publicKey), data, signature)).toBeUndefined();
    expect(signatureProblem(keyOf(keys.publicKey), Buffer.from('x'), signature)).toMatch(/does not verify/);
  });
});

function decodeR(signature: Buffer): bigint {
  // SEQUENCE { INTEGER r, ... }: r starts after 30 len 02 len.
  const length = signature[3] as number;
  return BigInt(`0x${signature.subarray(4, 4 + length).toString('hex')}`);
}
