import { isLedgerError, type Receipt, type Revision } from '@ledgerkit/core';
import type { FabricBlockSource } from './qscc-block-source.js';
import { toBase64 } from './verify/bytes.js';
import { decodeBlock, decodeBlockSignatures } from './verify/decode.js';
import type { FabricEvidence } from './verify/fabric-receipt.js';

export { type FabricBlockSource, type QsccBlockSourceOptions, qsccBlockSource } from './qscc-block-source.js';

/** Options of {@link fetchFabricEvidence}. */
export interface FetchFabricEvidenceOptions {
  /**
   * Block sources of other peers (e.g. a `qsccBlockSource` through another organization's
   * gateway peer); their copies of the block become `witnessBlocks`, checked by `peer-agreement`.
   */
  witnesses?: readonly FabricBlockSource[];
}

/** Blocks fetched per source: committed blocks never change, so each is fetched once per source. */
const fetchedBlocks = new WeakMap<FabricBlockSource, Map<number, Promise<Uint8Array>>>();

function fetchBlock(source: FabricBlockSource, number: number): Promise<Uint8Array> {
  let cache = fetchedBlocks.get(source);
  if (!cache) {
    cache = new Map();
    fetchedBlocks.set(source, cache);
  }
  const cached = cache.get(number);
  if (cached) return cached;
  const fetched = source.blockByNumber(number);
  if (cache.size >= 128) cache.delete(cache.keys().next().value as number);
  cache.set(number, fetched);
  fetched.catch(() => cache.delete(number));
  return fetched;
}

async function optionalBlock(source: FabricBlockSource, number: number | undefined): Promise<Uint8Array | undefined> {
  if (number === undefined || number < 0) return undefined;
  try {
    return await fetchBlock(source, number);
  } catch (error) {
    if (isLedgerError(error, 'NOT_FOUND')) return undefined;
    throw error;
  }
}

/**
 * Fetches the evidence of a Fabric receipt: the block at the receipt's position, the block
 * before it, the config block the block names, and copies of the block from `witnesses`.
 * Nothing is checked here; {@link verifyFabricReceipt} checks it all.
 *
 * @param source - where blocks come from, e.g. `qsccBlockSource(network)`
 * @param subject - a Fabric receipt or a revision carrying one (well-formed)
 * @param options - other peers to fetch copies of the block from
 * @returns the evidence, plain JSON
 * @throws LedgerError `NOT_FOUND` when the channel has no block at the receipt's position;
 *   `UNAVAILABLE`, `TIMEOUT` from the source
 */
export async function fetchFabricEvidence(
  source: FabricBlockSource,
  subject: Receipt | Revision,
  options: FetchFabricEvidenceOptions = {},
): Promise<FabricEvidence> {
  const receipt = 'receipt' in subject ? subject.receipt : subject;
  const number = receipt.position.block;
  const block = await fetchBlock(source, number);
  let lastConfig: number | undefined;
  try {
    lastConfig = decodeBlockSignatures(decodeBlock(block)).lastConfig;
  } catch {
    // The verifier reports the undecodable block.
  }
  const [previousBlock, configBlock, witnessBlocks] = await Promise.all([
    optionalBlock(source, number - 1),
    lastConfig === number ? Promise.resolve(block) : optionalBlock(source, lastConfig),
    Promise.all(
      (options.witnesses ?? []).map((witness) =>
        fetchBlock(witness, number).catch((error: unknown) => {
          if (isLedgerError(error, 'NOT_FOUND')) return new Uint8Array();
          throw error;
        }),
      ),
    ),
  ]);
  const evidence: FabricEvidence = {
    type: 'fabric-blocks',
    block: toBase64(block),
    // Without the config block the verifier's channel-config check fails on the block itself.
    configBlock: toBase64(configBlock ?? block),
  };
  if (previousBlock) evidence.previousBlock = toBase64(previousBlock);
  if (witnessBlocks.length > 0) evidence.witnessBlocks = witnessBlocks.map(toBase64);
  return evidence;
}

/**
 * Where the source holds a transaction, for the detail of a failed `block-located` check.
 *
 * @param source - the block source
 * @param txId - the transaction id
 * @returns a clause starting with `; `, or empty when the source cannot say
 */
export async function whereIs(source: FabricBlockSource, txId: string): Promise<string> {
  try {
    const holder = decodeBlock(await source.blockByTxId(txId));
    return `; the source holds transaction ${txId} in block ${holder.number}`;
  } catch (error) {
    return isLedgerError(error, 'NOT_FOUND') ? `; the source knows no transaction ${txId}` : '';
  }
}
