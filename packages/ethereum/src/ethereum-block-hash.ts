import { InvalidArgumentError } from '@ledgerkit/core';
import { keccak256 } from 'ethers';
import { encodeHeader, type RawObject } from './internal/encoding.js';

// The fields encodeHeader reads, checked first so that a bad header names its field instead of
// surfacing an RLP or BigInt error. `difficulty` may be absent (encoded as zero) and `mixHash`
// may come as `prevRandao`, as encodeHeader allows.
const dataFields = [
  'parentHash',
  'sha3Uncles',
  'miner',
  'stateRoot',
  'transactionsRoot',
  'receiptsRoot',
  'logsBloom',
  'extraData',
  'nonce',
] as const;
const quantityFields = ['number', 'gasLimit', 'gasUsed', 'timestamp'] as const;
// Fields later forks appended, in order: a header carries a prefix of them.
const forkFields = [
  ['baseFeePerGas', 'quantity'],
  ['withdrawalsRoot', 'data'],
  ['blobGasUsed', 'quantity'],
  ['excessBlobGas', 'quantity'],
  ['parentBeaconBlockRoot', 'data'],
  ['requestsHash', 'data'],
] as const;

/**
 * The hash of an Ethereum block header as JSON-RPC returns it (`eth_getBlockByNumber`):
 * keccak-256 of its RLP encoding, computed from the fields, so the header's own `hash` is not
 * trusted. Turns a header an auditor holds into an `ethereum-block` anchor.
 *
 * @param header - the header (extra fields such as `transactions` are ignored)
 * @returns the block number and the lowercase 0x hash
 * @throws InvalidArgumentError (argument `header`, `details.field`) when a field is missing or not
 *   0x hex, when a fork field is present without those before it, or when the header's `hash`
 *   field disagrees with the hash of its contents
 * @example
 * ```ts
 * const { number, hash } = ethereumBlockHash(JSON.parse(await readFile('block.json', 'utf8')));
 * const anchor = { type: 'ethereum-block', number, hash };
 * ```
 */
export function ethereumBlockHash(header: Readonly<Record<string, unknown>>): { number: number; hash: string } {
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new InvalidArgumentError('header', 'the block header is not an object', { field: 'header' });
  }
  for (const field of dataFields) data(header, field);
  for (const field of quantityFields) quantity(header, field);
  if (header.difficulty !== undefined && header.difficulty !== null) quantity(header, 'difficulty');
  data(header, header.mixHash === undefined && header.prevRandao !== undefined ? 'prevRandao' : 'mixHash');
  let previous: string | undefined;
  for (const [field, kind] of forkFields) {
    const absent = header[field] === undefined || header[field] === null;
    if (!absent && previous !== undefined) {
      throw new InvalidArgumentError(
        'header',
        `the block header has ${field} but not ${previous}, a fork field before it`,
        { field },
      );
    }
    if (absent) previous ??= field;
    else if (kind === 'quantity') quantity(header, field);
    else data(header, field);
  }
  const hash = keccak256(encodeHeader(header as RawObject));
  if (header.hash !== undefined && (typeof header.hash !== 'string' || header.hash.toLowerCase() !== hash)) {
    throw new InvalidArgumentError(
      'header',
      `the block header's hash field ${String(header.hash)} does not match its contents (${hash})`,
      { field: 'hash', computed: hash },
    );
  }
  return { number: Number(BigInt(header.number as string)), hash };
}

function data(header: Readonly<Record<string, unknown>>, field: string): void {
  const value = header[field];
  if (typeof value !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(value)) {
    throw new InvalidArgumentError('header', `the block header's ${field} is missing or not 0x hex bytes`, { field });
  }
}

function quantity(header: Readonly<Record<string, unknown>>, field: string): void {
  const value = header[field];
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]+$/.test(value)) {
    throw new InvalidArgumentError('header', `the block header's ${field} is missing or not a 0x hex quantity`, {
      field,
    });
  }
}
