import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { InvalidArgumentError } from '@ledgerkit/core';
import type { Digest } from './types.js';
import { signedDigestBytes } from './verifier.js';

/**
 * Signs a digest with the ledger owner's Ed25519 private key.
 *
 * @param digest - the digest (any existing signature is replaced)
 * @param privateKey - Ed25519 private key, as a KeyObject or PKCS#8 PEM
 * @returns the digest with `signature`
 * @throws InvalidArgumentError when the key is not an Ed25519 private key
 */
export function signDigest(digest: Digest, privateKey: KeyObject | string): Digest {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new InvalidArgumentError('signingKey', `digest signing needs an Ed25519 key, got ${key.asymmetricKeyType}`);
  }
  const { signature: _ignored, ...unsigned } = digest;
  return { ...unsigned, signature: sign(null, signedDigestBytes(unsigned), key).toString('hex') };
}
