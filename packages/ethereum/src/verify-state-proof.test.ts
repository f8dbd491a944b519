// verifyStateProof against the public execution-apis eth_getProof answers (testdata/execution-apis),
// and the empty-trie proofs of absence nodes give for an account without storage.
import { readFileSync } from 'node:fs';
import { keccak256 } from 'ethers';
import { describe, expect, test } from 'vitest';
import { type StateProof, verifyStateProof } from './verify-state-proof.js';

const { vectors } = JSON.parse(
  readFileSync(new URL('../testdata/execution-apis/eth_getProof.json', import.meta.url), 'utf8'),
) as { vectors: Array<{ name: string; proof: StateProof }> };

const emptyRoot = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';

describe('execution-apis eth_getProof vectors', () => {
  test.each(vectors)('$name verifies against its state root', async ({ proof }) => {
    const stateRoot = keccak256(proof.accountProof[0] as string);
    const checks = await verifyStateProof(stateRoot, proof);
    expect(checks.length).toBe(1 + proof.storageProof.length);
    expect(checks.filter((check) => !check.ok)).toEqual([]);
  });

  test.each(vectors)('$name: a changed balance, a wrong root or a claimed storage value fails', async ({ proof }) => {
    const stateRoot = keccak256(proof.accountProof[0] as string);
    expect((await verifyStateProof(stateRoot, { ...proof, balance: '0x2' }))[0]?.ok).toBe(false);
    expect((await verifyStateProof(`0x${'11'.repeat(32)}`, proof))[0]?.ok).toBe(false);
    expect((await verifyStateProof(stateRoot, { ...proof, accountProof: proof.accountProof.slice(1) }))[0]?.ok).toBe(
      false,
    );
    if (proof.storageProof.length > 0) {
      const claimed = { ...proof, storageProof: proof.storageProof.map((slot) => ({ ...slot, value: '0x5' })) };
      expect((await verifyStateProof(stateRoot, claimed))[1]?.ok).toBe(false);
    }
  });
});

describe('proofs of absence under the empty storage root', () => {
  const account = vectors[0]?.proof as StateProof;
  const stateRoot = keccak256(account.accountProof[0] as string);
  // The vector's account has storage; an account without storage has the empty root. Only the
  // storage half is exercised here (the account half against real nodes in the integration tests).
  const withSlot = (proof: string[], value = '0x0'): StateProof => ({
    ...account,
    storageHash: emptyRoot,
    storageProof: [{ key: '0x0', value, proof }],
  });

  test('EDR-style ["0x80"] and geth-style [] both prove an empty slot', async () => {
    for (const proof of [['0x80'], []]) {
      const checks = await verifyStateProof(stateRoot, withSlot(proof));
      expect(checks[1]?.ok, JSON.stringify(proof)).toBe(true);
    }
  });

  test('a non-zero value under the empty root, or extra nodes, fails', async () => {
    expect((await verifyStateProof(stateRoot, withSlot([], '0x1')))[1]?.ok).toBe(false);
    expect((await verifyStateProof(stateRoot, withSlot(['0x80'], '0x1')))[1]?.ok).toBe(false);
    expect((await verifyStateProof(stateRoot, withSlot([account.accountProof[1] as string])))[1]?.ok).toBe(false);
  });

  test('an empty proof under a non-empty root fails', async () => {
    const checks = await verifyStateProof(stateRoot, { ...account, accountProof: [] });
    expect(checks[0]?.ok).toBe(false);
  });

  test('malformed input is a failed named check, not an exception', async () => {
    const checks = await verifyStateProof(stateRoot, { ...account, nonce: 'not a number' } as StateProof);
    expect(checks[0]).toMatchObject({ name: 'account-proof', ok: false });
  });

  // Found by the fault suite's fuzzer (packages/fault-suite): these threw a TypeError.
  test('a null proof, a null slot or storage proofs that are not a list fail checks, not the call', async () => {
    const bad = [
      null,
      { ...account, storageProof: [null] },
      { ...account, storageProof: 'x' },
    ] as unknown as StateProof[];
    for (const proof of bad) {
      const checks = await verifyStateProof(stateRoot, proof);
      expect(checks.some((check) => !check.ok)).toBe(true);
    }
  });
});
