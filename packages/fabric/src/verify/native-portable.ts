import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { sha256 as nobleSha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { PublicKey, SignatureHash } from './x509.js';

// The portable side of `#verify-native`: signatures checked with @noble/curves and hashes
// from @noble/hashes, in pure JS (no Node built-ins, no Buffer), for browser bundles.
// package.json `imports` selects it under the `browser` condition; native-node.ts exports
// the same functions over node:crypto.

const curves = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;
const digests: Record<SignatureHash, (bytes: Uint8Array) => Uint8Array> = { sha256: nobleSha256, sha384, sha512 };

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
  try {
    if (key.type === 'ed25519') return ed25519.verify(signature, message, key.key);
    if (key.type !== 'ecdsa') return false;
    return curves[key.curve].verify(signature, digests[hash](message), key.point, {
      prehash: false,
      lowS: false,
      format: 'der',
    });
  } catch {
    return false;
  }
}

/** SHA-256 of the bytes. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return nobleSha256(bytes);
}

/** SHA-256 of the parts concatenated. */
export function sha256Concat(parts: readonly Uint8Array[]): Uint8Array {
  const hash = nobleSha256.create();
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** The bytes of a binary string (one char code 0-255 per byte, as `atob` returns). */
export function latin1Bytes(binary: string): Uint8Array {
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}
