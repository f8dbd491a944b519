import { isLedgerError } from '@ledgerkit/core';
import { createHardhatRuntimeEnvironment } from 'hardhat/hre';
import { describe, expect, test } from 'vitest';
import { ethereumHeaderHash, fabricConfigBlockHash } from './anchor-hashes.js';

describe('ethereumHeaderHash', () => {
  test('computes the hash EDR gives its blocks, and refuses a header whose hash field disagrees', async () => {
    const hre = await createHardhatRuntimeEnvironment({});
    const connection = await hre.network.create();
    try {
      const provider = connection.provider;
      await provider.request({ method: 'evm_mine', params: [] });
      for (const tag of ['0x0', 'latest']) {
        const header = (await provider.request({ method: 'eth_getBlockByNumber', params: [tag, false] })) as Record<
          string,
          unknown
        >;
        const { hash: _hash, ...withoutHash } = header;
        expect(ethereumHeaderHash(withoutHash)).toEqual({ number: Number(header.number), hash: header.hash });
        expect(ethereumHeaderHash(header).hash).toBe(header.hash);
        const forged = { ...header, gasUsed: '0x1' };
        expect(() => ethereumHeaderHash(forged)).toThrow(/does not match its contents/);
        try {
          ethereumHeaderHash({ ...header, stateRoot: 'nope' });
          expect.unreachable();
        } catch (error) {
          expect(isLedgerError(error, 'INVALID_ARGUMENT')).toBe(true);
        }
      }
    } finally {
      await connection.close();
    }
  }, 60_000);
});

describe('fabricConfigBlockHash', () => {
  test('refuses bytes that are not a Fabric block', () => {
    for (const bytes of [Uint8Array.of(1, 2, 3), new TextEncoder().encode('not a block'), new Uint8Array()]) {
      try {
        fabricConfigBlockHash(bytes);
        expect.unreachable();
      } catch (error) {
        expect(isLedgerError(error, 'INVALID_ARGUMENT')).toBe(true);
      }
    }
  });
});
