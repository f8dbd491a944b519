import { InvalidArgumentError } from '@ledgerkit/core';
import { blockHeaderHash } from './block-hash.js';
import { toHex } from './bytes.js';
import { type DecodedBlock, decodeBlock, decodeEnvelope, headerTypeConfig } from './decode.js';

/**
 * The header hash of a Fabric config block file, as a `fabric-config-block` anchor pins it: e.g.
 * the channel's genesis block from `configtxgen`, or a config block from `peer channel fetch
 * config` on a peer the auditor trusts. Unlike `fabricBlockHash` it checks that the block
 * holds one CONFIG transaction (header type 1), so an ordinary block is not pinned by mistake.
 *
 * @param bytes - the block file, a serialized `common.Block`
 * @returns the block number and SHA-256 of the DER of its header, lowercase hex
 * @throws InvalidArgumentError (argument `block`) when the bytes are not a Fabric block, or the
 *   block is not a config block (`details.headerType` then names the type it holds)
 * @example
 * ```ts
 * const { hash } = fabricConfigBlockHash(await readFile('mychannel.block'));
 * const anchor = { type: 'fabric-config-block', hash };
 * ```
 */
export function fabricConfigBlockHash(bytes: Uint8Array): { number: number; hash: string } {
  let block: DecodedBlock;
  let headerType: number;
  try {
    block = decodeBlock(bytes);
    const first = block.data[0];
    if (block.data.length !== 1 || !first) {
      throw new InvalidArgumentError(
        'block',
        `block ${block.number} is not a config block: it holds ${block.data.length} transactions, not one`,
        { transactions: block.data.length },
      );
    }
    headerType = decodeEnvelope(first).headerType;
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw error;
    throw new InvalidArgumentError('block', 'the bytes are not a Fabric block (protobuf common.Block)', {}, error);
  }
  if (headerType !== headerTypeConfig) {
    throw new InvalidArgumentError(
      'block',
      `block ${block.number} is not a config block: its transaction has header type ${headerType}, not CONFIG (${headerTypeConfig})`,
      { headerType },
    );
  }
  return { number: block.number, hash: toHex(blockHeaderHash(block)) };
}
