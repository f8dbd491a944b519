// Unit tests of the built chaincode (dist/, what the peer runs) on @ledgerkit/testing's
// ChaincodeHarness: an in-memory world state with a peer's endorse/commit semantics
// (MVCC read conflicts, events, client identities from certificates), no network.
import { isLedgerError } from '@ledgerkit/core';
import { ChaincodeHarness } from '@ledgerkit/testing';
import { describe, expect, test } from 'vitest';
import { type Asset, contracts } from '../dist/index.js';

function setup() {
  const harness = new ChaincodeHarness({ startTime: '2025-01-01T00:00:00Z' });
  harness.deploy('assets', contracts);
  const alice = harness.identity({ mspId: 'Org1MSP', name: 'alice' });
  const bob = harness.identity({ mspId: 'Org2MSP', name: 'bob' });
  return { harness, alice, bob };
}

/** The `[CODE]` a rejected transaction's message starts with. */
async function rejection(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isLedgerError(error)) throw new Error(`expected a rejection, got ${String(error)}`);
  return /\[([A-Z_]+)\]/.exec(String(error.details.message ?? error.message))?.[1];
}

describe('AssetContract', () => {
  test('creates an asset owned by the caller, with an event', async () => {
    const { harness, alice } = setup();
    const created = await harness.submit({ as: alice, transaction: 'CreateAsset', args: ['a1', 'pallet'] });
    const asset = created.json<Asset>();
    expect(asset).toMatchObject({ id: 'a1', description: 'pallet', updatedAt: '2025-01-01T00:00:00.000Z' });
    expect(asset.owner).toContain('CN=alice');
    expect(created.event?.name).toBe('AssetCreated');
    const read = await harness.evaluate({ as: alice, transaction: 'ReadAsset', args: ['a1'] });
    expect(read.json<Asset>()).toEqual(asset);
  });

  test('refuses a second asset with the same id', async () => {
    const { harness, alice } = setup();
    await harness.submit({ as: alice, transaction: 'CreateAsset', args: ['a1', 'pallet'] });
    expect(await rejection(harness.submit({ as: alice, transaction: 'CreateAsset', args: ['a1', 'x'] }))).toBe(
      'ALREADY_EXISTS',
    );
  });

  test('only the owner transfers; the new owner then may', async () => {
    const { harness, alice, bob } = setup();
    await harness.submit({ as: alice, transaction: 'CreateAsset', args: ['a1', 'pallet'] });
    const bobId = (await harness.submit({ as: bob, transaction: 'CreateAsset', args: ['b1', 'probe'] })).json<Asset>()
      .owner;
    expect(await rejection(harness.submit({ as: bob, transaction: 'TransferAsset', args: ['a1', bobId] }))).toBe(
      'PERMISSION_DENIED',
    );
    await harness.submit({ as: alice, transaction: 'TransferAsset', args: ['a1', bobId] });
    await harness.submit({ as: bob, transaction: 'DeleteAsset', args: ['a1'] });
    expect(await rejection(harness.evaluate({ as: bob, transaction: 'ReadAsset', args: ['a1'] }))).toBe('NOT_FOUND');
  });

  test('two transfers endorsed against the same state: the second one is an MVCC conflict', async () => {
    const { harness, alice, bob } = setup();
    await harness.submit({ as: alice, transaction: 'CreateAsset', args: ['a1', 'pallet'] });
    const first = await harness.endorse({ as: alice, transaction: 'TransferAsset', args: ['a1', 'x509::carol'] });
    const second = await harness.endorse({ as: alice, transaction: 'TransferAsset', args: ['a1', 'x509::dave'] });
    await harness.commit(first);
    const error = await harness.commit(second).catch((caught: unknown) => caught);
    expect(isLedgerError(error, 'MVCC_READ_CONFLICT')).toBe(true);
    const asset = (await harness.evaluate({ as: bob, transaction: 'ReadAsset', args: ['a1'] })).json<Asset>();
    expect(asset.owner).toBe('x509::carol');
  });

  test('lists every asset', async () => {
    const { harness, alice } = setup();
    for (const id of ['a1', 'a2', 'a3']) {
      await harness.submit({ as: alice, transaction: 'CreateAsset', args: [id, `asset ${id}`] });
    }
    const all = JSON.parse((await harness.evaluate({ as: alice, transaction: 'GetAllAssets' })).text) as Asset[];
    expect(all.map((asset) => asset.id)).toEqual(['a1', 'a2', 'a3']);
  });
});
