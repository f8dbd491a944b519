import { createHash, createPublicKey, hash, type KeyObject, verify } from 'node:crypto';
import { bitString, objectIdentifier, sequence } from '@ledgerkit/core/der';
import type { PublicKey, SignatureHash } from './x509.js';

// The Node side of `#verify-native` (the portable side is native-portable.ts; package.json
// `imports` picks this one everywhere but in a `browser` bundle). OpenSSL verifies a P-256
// signature about forty times faster than @noble/curves' pure-JS arithmetic (80 µs against
// 3.3 ms here), which was most of a receipt's verification time.

// AlgorithmIdentifier of each key type, as SubjectPublicKeyInfo carries it (RFC 5480, RFC 8410).
const ecPublicKey = objectIdentifier('1.2.840.10045.2.1');
const algorithms = {
  'P-256': sequence(ecPublicKey, objectIdentifier('1.2.840.10045.3.1.7')),
  'P-384': sequence(ecPublicKey, objectIdentifier('1.3.132.0.34')),
  'P-521': sequence(ecPublicKey, objectIdentifier('1.3.132.0.35')),
  ed25519: sequence(objectIdentifier('1.3.101.112')),
};

/** The key as OpenSSL reads it; null when it does not take it (not on the curve, wrong length). */
function keyObjectFor(key: PublicKey & { type: 'ecdsa' | 'ed25519' }): KeyObject | null {
  const [algorithm, bits] = key.type === 'ecdsa' ? [algorithms[key.curve], key.point] : [algorithms.ed25519, key.key];
  try {
    return createPublicKey({ key: sequence(algorithm, bitString(bits)), format: 'der', type: 'spki' });
  } catch {
    return null;
  }
}

// One KeyObject per parsed key: certificates are parsed once per channel config and
// identity, and their keys then verify every block and endorsement they sign. Parsed keys
// are never modified, so the object identifies the key.
const keyObjects = new WeakMap<PublicKey, KeyObject | null>();

/**
 * Verifies a signature by `key` over `message`: ECDSA over `hash` of the message with a DER
 * signature (high S accepted, as X.509 does), or Ed25519 over the message itself (`hash`
 * is then ignored).
 *
 * @param key - the signer's public key
 * @param hash - the hash ECDSA signed
 * @param message - the signed bytes
 * @param signature - DER ECDSA-Sig-Value, or the 64-byte Ed25519 signature
 * @returns whether it verifies; malformed input is `false`, never an exception
 */
export function verifyWithKey(
  key: PublicKey,
  hash: SignatureHash,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (key.type !== 'ecdsa' && key.type !== 'ed25519') return false;
  try {
    let keyObject = keyObjects.get(key);
    if (keyObject === undefined) {
      keyObject = keyObjectFor(key);
      keyObjects.set(key, keyObject);
    }
    if (keyObject === null) return false;
    if (key.type === 'ed25519') return verify(null, message, keyObject, signature);
    return verify(hash, message, { key: keyObject, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

// Plain Uint8Arrays, as the portable side returns, over a Buffer's memory.
const bytesOf = (buffer: Buffer): Uint8Array => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);

/** SHA-256 of the bytes. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return bytesOf(hash('sha256', bytes, 'buffer'));
}

/** SHA-256 of the parts concatenated. */
export function sha256Concat(parts: readonly Uint8Array[]): Uint8Array {
  const digest = createHash('sha256');
  for (const part of parts) digest.update(part);
  return bytesOf(digest.digest());
}

/** The bytes of a binary string (one char code 0-255 per byte, as `atob` returns). */
export function latin1Bytes(binary: string): Uint8Array {
  return bytesOf(Buffer.from(binary, 'latin1'));
}
