// Hashes that turn an auditor's anchor file into the anchor itself: an Ethereum block header's
// hash, a Fabric config block's header hash. The CLI runs under Node, so node:crypto is fine.
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '@ledgerkit/core';

const headerFields = [
  ['parentHash', 'data'],
  ['sha3Uncles', 'data'],
  ['miner', 'data'],
  ['stateRoot', 'data'],
  ['transactionsRoot', 'data'],
  ['receiptsRoot', 'data'],
  ['logsBloom', 'data'],
  ['difficulty', 'quantity'],
  ['number', 'quantity'],
  ['gasLimit', 'quantity'],
  ['gasUsed', 'quantity'],
  ['timestamp', 'quantity'],
  ['extraData', 'data'],
  ['mixHash', 'data'],
  ['nonce', 'data'],
] as const;

// Fields later forks appended, in order; a header has a prefix of them.
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
 * keccak-256 of its RLP encoding, computed, so the header's own `hash` field is not trusted.
 *
 * @param header - the header (extra fields such as `transactions` are ignored)
 * @returns the block number and the 0x hash
 * @throws InvalidArgumentError naming the missing or malformed field, or a header whose
 *   `hash` field disagrees with its contents
 */
export function ethereumHeaderHash(header: Record<string, unknown>): { number: number; hash: string } {
  const items: Uint8Array[] = [];
  for (const [field, kind] of headerFields) items.push(headerItem(header, field, kind));
  let present = true;
  for (const [field, kind] of forkFields) {
    if (header[field] === undefined || header[field] === null) {
      present = false;
      continue;
    }
    if (!present)
      throw new InvalidArgumentError('--anchor', `the header has ${field} but not the fork fields before it`);
    items.push(headerItem(header, field, kind));
  }
  let hasher: ReturnType<typeof createHash>;
  try {
    hasher = createHash('KECCAK-256');
  } catch (error) {
    throw new InvalidArgumentError(
      '--anchor',
      'this Node has no KECCAK-256 (it needs OpenSSL 3.2, Node 24); pass the trusted hash with --anchor-block NUMBER:HASH',
      {},
      error,
    );
  }
  const hash = `0x${hasher.update(rlpList(items)).digest('hex')}`;
  if (typeof header.hash === 'string' && header.hash.toLowerCase() !== hash) {
    throw new InvalidArgumentError(
      '--anchor',
      `the header's hash field ${header.hash} does not match its contents (${hash})`,
    );
  }
  return { number: Number(BigInt(header.number as string)), hash };
}

function headerItem(header: Record<string, unknown>, field: string, kind: 'data' | 'quantity'): Uint8Array {
  const value = header[field];
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]*$/.test(value)) {
    throw new InvalidArgumentError('--anchor', `the block header's ${field} is missing or not 0x hex`);
  }
  if (kind === 'quantity') {
    const big = BigInt(value === '0x' ? '0x0' : value);
    if (big === 0n) return new Uint8Array();
    const hex = big.toString(16);
    return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  }
  if (value.length % 2)
    throw new InvalidArgumentError('--anchor', `the block header's ${field} has an odd number of hex digits`);
  return Buffer.from(value.slice(2), 'hex');
}

function rlpLength(length: number, offset: number): Uint8Array {
  if (length < 56) return Uint8Array.of(offset + length);
  const hex = length.toString(16);
  const bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  return Buffer.concat([Uint8Array.of(offset + 55 + bytes.length), bytes]);
}

function rlpBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 1 && (bytes[0] as number) < 0x80) return bytes;
  return Buffer.concat([rlpLength(bytes.length, 0x80), bytes]);
}

function rlpList(items: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(items.map(rlpBytes));
  return Buffer.concat([rlpLength(body.length, 0xc0), body]);
}

/**
 * The header hash of a Fabric configuration block file (as `peer channel fetch config` or
 * `configtxgen` write it): SHA-256 of the DER sequence (number, previous hash, data hash),
 * the hash Fabric chains blocks with. Checks that the block holds a config transaction.
 *
 * @param bytes - the block file, protobuf `common.Block`
 * @returns the block number and the hex hash
 * @throws InvalidArgumentError when the bytes are not a Fabric block or not a config block
 */
export function fabricConfigBlockHash(bytes: Uint8Array): { number: number; hash: string } {
  let header: Uint8Array | undefined;
  let data: Uint8Array | undefined;
  try {
    const block = fields(bytes);
    header = block.get(1)?.[0] as Uint8Array | undefined;
    data = block.get(2)?.[0] as Uint8Array | undefined;
    if (!header || !data) throw new Error('no header or data');
    const head = fields(header);
    const number = (head.get(1)?.[0] as bigint | undefined) ?? 0n;
    const previous = (head.get(2)?.[0] as Uint8Array | undefined) ?? new Uint8Array();
    const dataHash = (head.get(3)?.[0] as Uint8Array | undefined) ?? new Uint8Array();
    const envelope = fields(fields(data).get(1)?.[0] as Uint8Array);
    const payload = fields(envelope.get(1)?.[0] as Uint8Array);
    const channelHeader = fields(fields(payload.get(1)?.[0] as Uint8Array).get(1)?.[0] as Uint8Array);
    const type = channelHeader.get(1)?.[0] as bigint | undefined;
    // HeaderType CONFIG = 1.
    if (type !== 1n) {
      return configError(`the block's transaction has header type ${String(type ?? 0n)}, not CONFIG (1)`);
    }
    const der = derSequence([derInteger(number), derOctets(previous), derOctets(dataHash)]);
    return { number: Number(number), hash: createHash('sha256').update(der).digest('hex') };
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw error;
    throw new InvalidArgumentError(
      '--anchor',
      'the anchor file is neither JSON nor a Fabric block (protobuf common.Block)',
      {},
      error,
    );
  }
}

function configError(message: string): never {
  throw new InvalidArgumentError('--anchor', `the anchor file is a Fabric block but not a config block: ${message}`);
}

/** Protobuf fields by number: varints as bigint, length-delimited as bytes. */
function fields(bytes: Uint8Array): Map<number, (bigint | Uint8Array)[]> {
  if (!(bytes instanceof Uint8Array)) throw new Error('missing message');
  const result = new Map<number, (bigint | Uint8Array)[]>();
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= bytes.length || shift > 63n) throw new Error('truncated varint');
      const byte = bytes[at++] as number;
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value: bigint | Uint8Array;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const length = Number(varint());
      if (at + length > bytes.length) throw new Error('truncated field');
      value = bytes.subarray(at, at + length);
      at += length;
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
      if (at > bytes.length) throw new Error('truncated field');
      continue;
    } else throw new Error(`wire type ${wire}`);
    if (field === 0) throw new Error('field 0');
    result.set(field, [...(result.get(field) ?? []), value]);
  }
  return result;
}

function derLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

function derInteger(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes: Uint8Array = Buffer.from(hex, 'hex');
  if ((bytes[0] as number) & 0x80) bytes = Buffer.concat([Uint8Array.of(0), bytes]);
  return Buffer.concat([Uint8Array.of(0x02), derLength(bytes.length), bytes]);
}

function derOctets(bytes: Uint8Array): Uint8Array {
  return Buffer.concat([Uint8Array.of(0x04), derLength(bytes.length), bytes]);
}

function derSequence(items: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(items);
  return Buffer.concat([Uint8Array.of(0x30), derLength(body.length), body]);
}
