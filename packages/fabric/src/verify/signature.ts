// Signature checks as Fabric's MSPs make them: ECDSA over SHA-256 (the default SHA2 hash
// family at security level 256, whatever the curve) with a DER signature whose S must be in
// the lower half of the curve order (Fabric rejects high-S to stop signature malleability),
// or Ed25519 (Fabric 3).
import { toHex } from './bytes.js';
import { decodeDerExactly } from './der.js';
import { type PublicKey, verifyWithKey } from './x509.js';

const curveOrders: Record<string, bigint> = {
  'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'P-384': 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};

/**
 * Reads S of a DER-encoded ECDSA signature `SEQUENCE { INTEGER r, INTEGER s }`.
 *
 * @param signature - the DER signature
 * @returns S as an unsigned integer
 * @throws Error when the bytes are not such a SEQUENCE
 */
export function ecdsaSignatureS(signature: Uint8Array): bigint {
  const node = decodeDerExactly(signature);
  const s = node.children[1];
  if (node.tag !== 0x30 || node.children.length !== 2 || s?.tag !== 0x02) {
    throw new Error('the signature is not a DER SEQUENCE of two INTEGERs');
  }
  return s.content.length === 0 ? 0n : BigInt(`0x${toHex(s.content)}`);
}

/**
 * Verifies a signature by a Fabric identity's key.
 *
 * @param key - the signer's public key (from its certificate)
 * @param data - the signed bytes
 * @param signature - the signature
 * @returns undefined when it verifies, otherwise why not
 */
export function signatureProblem(key: PublicKey, data: Uint8Array, signature: Uint8Array): string | undefined {
  try {
    if (key.type === 'ed25519') {
      return verifyWithKey(key, 'sha256', data, signature) ? undefined : 'the Ed25519 signature does not verify';
    }
    if (key.type !== 'ecdsa') return `unsupported key type ${key.algorithm}`;
    const order = curveOrders[key.curve];
    if (order === undefined) return `unsupported curve ${key.curve}`;
    if (ecdsaSignatureS(signature) > order / 2n) return 'the ECDSA signature has a high S (Fabric accepts low-S only)';
    return verifyWithKey(key, 'sha256', data, signature) ? undefined : 'the ECDSA signature does not verify';
  } catch (error) {
    return `the signature is malformed: ${error instanceof Error ? error.message : String(error)}`;
  }
}
