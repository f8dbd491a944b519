// ethereumBlockHash against the headers a real EDR node (Hardhat 3, in process) serves: the
// genesis block and a mined block with the Cancun/Prague fork fields.
import { isLedgerError } from '@ledgerkit/core';
import type { Eip1193Provider } from 'ethers';
import { createHardhatRuntimeEnvironment } from 'hardhat/hre';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ethereumBlockHash } from './ethereum-block-hash.js';

let close: () => Promise<void>;
const headers: Record<string, unknown>[] = [];

beforeAll(async () => {
  const hre = await createHardhatRuntimeEnvironment({});
  const connection = await hre.network.create();
  close = () => connection.close();
  const provider = connection.provider as unknown as Eip1193Provider;
  await provider.request({ method: 'hardhat_mine', params: ['0x3'] });
  for (const tag of ['0x0', 'latest']) {
    headers.push((await provider.request({ method: 'eth_getBlockByNumber', params: [tag, false] })) as never);
  }
});

afterAll(() => close?.());

function invalidField(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    expect(isLedgerError(error, 'INVALID_ARGUMENT')).toBe(true);
    return (error as { details: Record<string, unknown> }).details.field;
  }
  throw new Error('expected an INVALID_ARGUMENT error');
}

describe('ethereumBlockHash', () => {
  test('computes the hash EDR gives its blocks, with and without the header hash field', () => {
    expect(headers.map((header) => Number(header.number))).toEqual([0, 3]);
    expect(headers[1]?.parentBeaconBlockRoot).toBeTypeOf('string');
    for (const header of headers) {
      const { hash: _served, ...withoutHash } = header;
      expect(ethereumBlockHash(header)).toEqual({ number: Number(header.number), hash: header.hash });
      expect(ethereumBlockHash(withoutHash)).toEqual({ number: Number(header.number), hash: header.hash });
    }
  });

  test('a tampered header disagrees with its hash field', () => {
    for (const header of headers) {
      expect(invalidField(() => ethereumBlockHash({ ...header, gasUsed: '0x1' }))).toBe('hash');
      const { hash: _served, ...withoutHash } = header;
      // Without the hash field the tampered header hashes, but to another hash.
      expect(ethereumBlockHash({ ...withoutHash, timestamp: '0x1' }).hash).not.toBe(header.hash);
    }
  });

  test('a missing or malformed field is named', () => {
    const header = headers[1] as Record<string, unknown>;
    expect(invalidField(() => ethereumBlockHash({ ...header, stateRoot: 'nope' }))).toBe('stateRoot');
    expect(invalidField(() => ethereumBlockHash({ ...header, miner: undefined }))).toBe('miner');
    expect(invalidField(() => ethereumBlockHash({ ...header, number: 3 }))).toBe('number');
    expect(invalidField(() => ethereumBlockHash({ ...header, extraData: '0xabc' }))).toBe('extraData');
    expect(invalidField(() => ethereumBlockHash({ ...header, baseFeePerGas: undefined }))).toBe('withdrawalsRoot');
    expect(invalidField(() => ethereumBlockHash(null as never))).toBe('header');
  });
});
