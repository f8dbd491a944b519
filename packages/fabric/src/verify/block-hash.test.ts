import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { blockDataHash, blockHeaderBytes, blockHeaderHash } from './block-hash.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest();

// Produced by Go's encoding/asn1.Marshal of struct { Number *big.Int; PreviousHash, DataHash []byte },
// the struct Fabric's protoutil.BlockHeaderBytes marshals, with data hash SHA-256("data") and
// previous hash SHA-256("previous") (none for block 0).
const goldenHeaders = [
  {
    number: 0n,
    bytes: '3027020100040004203a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7',
    hash: 'ca0f510a0966e4a18bc60b9425322fd8a582dcf255942c6742151db219b17f61',
  },
  {
    number: 128n,
    bytes:
      '30480202008004206da0633528deaa0144e7b058315f0b753ec0b945163a72bf96a0d18180f9de0d04203a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7',
    hash: 'c477e57ea2b334ba0ce574d4bf5cbf4cae1fb20bce16edced118f8ebb011849b',
  },
  {
    number: 1n << 40n,
    bytes:
      '304c020601000000000004206da0633528deaa0144e7b058315f0b753ec0b945163a72bf96a0d18180f9de0d04203a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7',
    hash: 'f7fcd36c1bdebebb3ef5cb169b1d0c1d160101f341ec56a825e834d33bf4baca',
  },
  {
    number: 2n ** 64n - 1n,
    bytes:
      '304f020900ffffffffffffffff04206da0633528deaa0144e7b058315f0b753ec0b945163a72bf96a0d18180f9de0d04203a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7',
    hash: '9848497c71a8cf0d36f693bc241597773b12ac2e60a51c9956afe2aaaf883de9',
  },
];

describe('block header hashing', () => {
  test.each(goldenHeaders)('encodes the header of block $number as Go asn1.Marshal does', ({ number, bytes, hash }) => {
    const header = {
      number,
      previousHash: number === 0n ? new Uint8Array() : sha256('previous'),
      dataHash: sha256('data'),
    };
    expect(Buffer.from(blockHeaderBytes(header)).toString('hex')).toBe(bytes);
    expect(Buffer.from(blockHeaderHash(header)).toString('hex')).toBe(hash);
  });

  test('takes block numbers as numbers too', () => {
    const header = { number: 128, previousHash: sha256('previous'), dataHash: sha256('data') };
    expect(Buffer.from(blockHeaderHash(header)).toString('hex')).toBe(goldenHeaders[1]?.hash);
  });

  test('a different previous hash gives a different block hash', () => {
    const header = { number: 128, previousHash: sha256('another'), dataHash: sha256('data') };
    expect(Buffer.from(blockHeaderHash(header)).toString('hex')).not.toBe(goldenHeaders[1]?.hash);
  });
});

describe('block data hashing', () => {
  test('hashes the data entries concatenated, without separators', () => {
    const entries = [Buffer.from('ab'), Buffer.from('cd'), Buffer.from('')];
    expect(Buffer.from(blockDataHash(entries))).toEqual(sha256('abcd'));
  });

  test('a block without data hashes to SHA-256 of nothing', () => {
    expect(Buffer.from(blockDataHash([])).toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
});
