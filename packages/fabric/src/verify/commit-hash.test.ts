import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { commitHash, orderPreservingVarUint64, protobufVarint, updateBatchBytes } from './commit-hash.js';
import type { DecodedWrite } from './decode.js';

const write = (fields: Omit<Partial<DecodedWrite>, 'key'> & { key: string | Buffer }): DecodedWrite => ({
  namespace: 'kv',
  collection: '',
  isDelete: false,
  value: Buffer.alloc(0),
  isPurge: false,
  ...fields,
  key: typeof fields.key === 'string' ? Buffer.from(fields.key) : fields.key,
});

describe('Fabric varints', () => {
  test.each([
    [0, '00'],
    [1, '0101'],
    [255, '01ff'],
    [256, '020100'],
    [2n ** 64n - 1n, '08ffffffffffffffff'],
  ])('order-preserving varint of %s is %s', (value, encoded) => {
    expect(Buffer.from(orderPreservingVarUint64(value)).toString('hex')).toBe(encoded);
  });

  test.each([
    [0, '00'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
  ])('protobuf varint of %s is %s', (value, encoded) => {
    expect(Buffer.from(protobufVarint(value)).toString('hex')).toBe(encoded);
  });
});

describe('update batch bytes', () => {
  test('one KVWrite per key, last writer wins, namespace on the first entry only', () => {
    const bytes = updateBatchBytes(5, [
      { index: 0, writes: [write({ key: 'a', value: Buffer.from('x') })] },
      { index: 1, writes: [write({ key: 'a', value: Buffer.from('y') })] },
      { index: 2, writes: [write({ key: 'b', isDelete: true })] },
    ]);
    // KVWrite{namespace "kv", key "a", value "y", version (5,1)} then KVWrite{key "b", isDelete, version (5,2)}.
    const first = '0a026b76' + '1a0161' + '2a0179' + '320401050101';
    const second = '1a0162' + '2001' + '320401050102';
    expect(Buffer.from(bytes).toString('hex')).toBe(`0a10${first}0a0b${second}`);
  });

  test('sorts namespaces and keys bytewise, public writes before collections, collection on its first entry', () => {
    const bytes = updateBatchBytes(1, [
      {
        index: 0,
        writes: [
          write({ namespace: 'zz', key: 'k', value: Buffer.from('1') }),
          write({ collection: 'c1', key: Buffer.from([1]), value: Buffer.from([2]) }),
          write({ key: 'b', value: Buffer.from('2') }),
          write({ key: 'B', value: Buffer.from('3') }),
          write({ collection: 'c1', key: Buffer.from([0]), value: Buffer.from([3]) }),
        ],
      },
    ]);
    const version = '3203010100';
    const entries = [
      `0a026b76${'1a0142'}${'2a0133'}${version}`, // kv/B ('B' < 'b')
      `${'1a0162'}${'2a0132'}${version}`, // kv/b
      `${'12026331'}${'1a0100'}${'2a0103'}${version}`, // kv c1 [00]
      `${'1a0101'}${'2a0102'}${version}`, // kv c1 [01]
      `0a027a7a${'1a016b'}${'2a0131'}${version}`, // zz/k
    ];
    const expected = entries.map((entry) => `0a${(entry.length / 2).toString(16).padStart(2, '0')}${entry}`).join('');
    expect(Buffer.from(bytes).toString('hex')).toBe(expected);
  });

  test('an empty value deletes, and a collection value hash of nothing deletes', () => {
    const emptyHash = createHash('sha256').digest();
    const bytes = updateBatchBytes(1, [
      {
        index: 3,
        writes: [write({ key: 'a' }), write({ collection: 'c', key: Buffer.from([9]), value: emptyHash })],
      },
    ]);
    const version = '320401010103';
    const publicDelete = `0a026b76${'1a0161'}${'2001'}${version}`;
    const collectionDelete = `${'120163'}${'1a0109'}${'2001'}${version}`;
    expect(Buffer.from(bytes).toString('hex')).toBe(`0a0f${publicDelete}0a0e${collectionDelete}`);
  });

  test('leaves out the channel config namespace', () => {
    expect(updateBatchBytes(1, [{ index: 0, writes: [write({ namespace: '', key: 'config' })] }])).toHaveLength(0);
  });
});

describe('commit hash', () => {
  test('hashes the filter length and bytes, the update bytes and the previous commit hash', () => {
    const filter = Buffer.from([0, 11]);
    const updates = Buffer.from('updates');
    const previous = Buffer.alloc(32, 7);
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from([2]), filter, updates, previous]))
      .digest();
    expect(Buffer.from(commitHash(filter, updates, previous))).toEqual(expected);
    expect(Buffer.from(commitHash(Buffer.from([0, 0]), updates, previous))).not.toEqual(expected);
  });
});
