// Fabric's block hashes (protoutil/blockutils.go, identical in 2.5 and 3.x): a block is named
// by the SHA-256 of the ASN.1 DER of its header, not of the header's protobuf bytes, and the
// header's data hash is the SHA-256 of the block's data entries concatenated.
import { fromHex, sha256, sha256Concat } from './bytes.js';
import { derTlv, derUnsignedInteger } from './der.js';

/** The three fields of a `common.BlockHeader`. */
export interface BlockHeaderFields {
  /** Block number; requires a non-negative safe integer or bigint. */
  number: number | bigint;
  /** Hash of the previous block's header; empty for block 0. */
  previousHash: Uint8Array;
  /** Hash of this block's data. */
  dataHash: Uint8Array;
}

/**
 * The bytes Fabric hashes and the orderer signs for a block header:
 * `SEQUENCE { INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash }` in DER.
 *
 * @param header - the header's fields
 * @returns the DER encoding
 */
export function blockHeaderBytes(header: BlockHeaderFields): Uint8Array {
  const hex = BigInt(header.number).toString(16);
  const magnitude = fromHex(hex.length % 2 === 0 ? hex : `0${hex}`);
  return derTlv(0x30, derUnsignedInteger(magnitude), derTlv(0x04, header.previousHash), derTlv(0x04, header.dataHash));
}

/**
 * A block's hash, as the next block's `previous_hash` holds it.
 *
 * @param header - the header's fields
 * @returns SHA-256 of {@link blockHeaderBytes}
 */
export function blockHeaderHash(header: BlockHeaderFields): Uint8Array {
  return sha256(blockHeaderBytes(header));
}

/**
 * The data hash a block header must carry.
 *
 * @param data - the block's data entries (serialized envelopes), in order
 * @returns SHA-256 of the entries concatenated
 */
export function blockDataHash(data: readonly Uint8Array[]): Uint8Array {
  return sha256Concat(data);
}
