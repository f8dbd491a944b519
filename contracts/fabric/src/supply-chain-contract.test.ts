import { createHash } from 'node:crypto';
import { ChaincodeHarness, type TestIdentity } from '@ledgerkit/testing';
import { describe, expect, test } from 'vitest';
import { contracts } from './index.ts';
import type { Asset } from './supply-chain-contract.ts';

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

function setup() {
  const harness = new ChaincodeHarness({ startTime: '2025-05-01T08:00:00Z' });
  harness.deploy('supplychain', contracts);
  const maker = harness.identity({ mspId: 'MakerMSP', name: 'maker', attributes: { role: 'manufacturer' } });
  const makerClerk = harness.identity({ mspId: 'MakerMSP', name: 'clerk', attributes: { role: 'clerk' } });
  const carrier = harness.identity({ mspId: 'CarrierMSP', name: 'driver', attributes: { role: 'carrier' } });
  const retailer = harness.identity({ mspId: 'ShopMSP', name: 'shop', attributes: { role: 'retailer' } });
  const shopClerk = harness.identity({ mspId: 'ShopMSP', name: 'shop-clerk' });
  const run = (as: TestIdentity, transaction: string, ...args: string[]) => harness.submit({ as, transaction, args });
  const query = (as: TestIdentity, transaction: string, ...args: string[]) =>
    harness.evaluate({ as, transaction, args });
  const inOneHour = () => new Date(harness.now.getTime() + 3_600_000).toISOString();
  return { harness, maker, makerClerk, carrier, retailer, shopClerk, run, query, inOneHour };
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const details = (error as { code?: string; details?: { message?: string } }).details;
    expect((error as { code?: string }).code).toBe('CONTRACT_REVERTED');
    return /^\[([A-Z_]+)\]/.exec(details?.message ?? '')?.[1] ?? `unexpected: ${details?.message}`;
  }
  throw new Error('expected a rejection');
}

describe('RegisterAsset', () => {
  test('a manufacturer registers an asset and becomes its custodian; an event is emitted', async () => {
    const { harness, maker, run } = setup();
    const asset = (await run(maker, 'RegisterAsset', 'A1', 'vaccine lot 7', hash('coa'))).json<Asset>();
    expect(asset).toMatchObject({
      id: 'A1',
      custodian: { mspId: 'MakerMSP' },
      registeredAt: '2025-05-01T08:00:00.000Z',
    });
    expect(harness.events.map((event) => event.name)).toEqual(['AssetRegistered']);
  });

  test('rejects callers without role=manufacturer, duplicates and malformed input', async () => {
    const { maker, makerClerk, run } = setup();
    expect(await rejection(run(makerClerk, 'RegisterAsset', 'A1', 'p', hash('d')))).toBe('FORBIDDEN');
    await run(maker, 'RegisterAsset', 'A1', 'p', hash('d'));
    expect(await rejection(run(maker, 'RegisterAsset', 'A1', 'p', hash('d')))).toBe('ALREADY_EXISTS');
    expect(await rejection(run(maker, 'RegisterAsset', 'bad id!', 'p', hash('d')))).toBe('INVALID_ARGUMENT');
    expect(await rejection(run(maker, 'RegisterAsset', 'A2', '', hash('d')))).toBe('INVALID_ARGUMENT');
    expect(await rejection(run(maker, 'RegisterAsset', 'A2', 'p', 'not-a-hash'))).toBe('INVALID_ARGUMENT');
  });
});

describe('custody transfer', () => {
  async function registered() {
    const context = setup();
    await context.run(context.maker, 'RegisterAsset', 'A1', 'p', hash('d'));
    return context;
  }

  test('offer then accept moves custody and the custodian index', async () => {
    const { harness, maker, carrier, run, query, inOneHour } = await registered();
    await run(maker, 'OfferTransfer', 'A1', 'CarrierMSP', inOneHour());
    const asset = (await run(carrier, 'AcceptTransfer', 'A1')).json<Asset>();
    expect(asset.custodian.mspId).toBe('CarrierMSP');
    expect(asset.pendingTransfer).toBeNull();
    const carrierPage = (await query(carrier, 'ListAssetsByCustodian', 'CarrierMSP', '10', '')).json<{
      assets: Asset[];
    }>();
    expect(carrierPage.assets.map((a) => a.id)).toEqual(['A1']);
    const makerPage = (await query(carrier, 'ListAssetsByCustodian', 'MakerMSP', '10', '')).json<{ assets: Asset[] }>();
    expect(makerPage.assets).toEqual([]);
    expect(harness.events.map((event) => event.name)).toEqual([
      'AssetRegistered',
      'TransferOffered',
      'TransferAccepted',
    ]);
  });

  test('only the custodian may offer, and only once at a time, to another org, with a future expiry', async () => {
    const { maker, makerClerk, carrier, run, inOneHour } = await registered();
    expect(await rejection(run(carrier, 'OfferTransfer', 'A1', 'CarrierMSP', inOneHour()))).toBe('NOT_CUSTODIAN');
    expect(await rejection(run(makerClerk, 'OfferTransfer', 'A1', 'CarrierMSP', inOneHour()))).toBe('NOT_CUSTODIAN');
    expect(await rejection(run(maker, 'OfferTransfer', 'A1', 'MakerMSP', inOneHour()))).toBe('INVALID_ARGUMENT');
    expect(await rejection(run(maker, 'OfferTransfer', 'A1', 'CarrierMSP', 'tomorrow'))).toBe('INVALID_ARGUMENT');
    expect(await rejection(run(maker, 'OfferTransfer', 'A1', 'CarrierMSP', '2020-01-01T00:00:00Z'))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await rejection(run(maker, 'OfferTransfer', 'A1', '', inOneHour()))).toBe('INVALID_ARGUMENT');
    expect(await rejection(run(maker, 'OfferTransfer', 'NOPE', 'CarrierMSP', inOneHour()))).toBe('NOT_FOUND');
    await run(maker, 'OfferTransfer', 'A1', 'CarrierMSP', inOneHour());
    expect(await rejection(run(maker, 'OfferTransfer', 'A1', 'ShopMSP', inOneHour()))).toBe('OFFER_PENDING');
  });

  test('only the addressed org may accept, and not after expiry (judged by transaction time)', async () => {
    const { harness, maker, carrier, retailer, run, inOneHour } = await registered();
    expect(await rejection(run(carrier, 'AcceptTransfer', 'A1'))).toBe('NO_PENDING_OFFER');
    await run(maker, 'OfferTransfer', 'A1', 'CarrierMSP', inOneHour());
    expect(await rejection(run(retailer, 'AcceptTransfer', 'A1'))).toBe('NOT_OFFERED_TO');
    harness.advanceTime(3_600_000);
    expect(await rejection(run(carrier, 'AcceptTransfer', 'A1'))).toBe('OFFER_EXPIRED');
  });

  test('the custodian cancels an offer, which then cannot be accepted', async () => {
    const { harness, maker, carrier, run, inOneHour } = await registered();
    expect(await rejection(run(maker, 'CancelTransfer', 'A1'))).toBe('NO_PENDING_OFFER');
    await run(maker, 'OfferTransfer', 'A1', 'CarrierMSP', inOneHour());
    expect(await rejection(run(carrier, 'CancelTransfer', 'A1'))).toBe('NOT_CUSTODIAN');
    await run(maker, 'CancelTransfer', 'A1');
    expect(await rejection(run(carrier, 'AcceptTransfer', 'A1'))).toBe('NO_PENDING_OFFER');
    expect(harness.events.at(-1)?.name).toBe('TransferCancelled');
  });

  test('an accept racing a cancel loses with MVCC_READ_CONFLICT', async () => {
    const { harness, maker, carrier, run, inOneHour } = await registered();
    await run(maker, 'OfferTransfer', 'A1', 'CarrierMSP', inOneHour());
    const accept = await harness.endorse({ as: carrier, transaction: 'AcceptTransfer', args: ['A1'] });
    await run(maker, 'CancelTransfer', 'A1');
    await expect(harness.commit(accept)).rejects.toMatchObject({ code: 'MVCC_READ_CONFLICT' });
  });
});

describe('checkpoints and history', () => {
  test('the custodian records checkpoints; they are listed and emitted', async () => {
    const { harness, maker, run, query } = setup();
    await run(maker, 'RegisterAsset', 'A1', 'p', hash('d'));
    await run(maker, 'RecordCheckpoint', 'A1', 'DE-HAM', '4.5', hash('scan1'));
    await run(maker, 'RecordCheckpoint', 'A1', 'NL-RTM', '-18', hash('scan2'));
    const checkpoints = (await query(maker, 'ListCheckpoints', 'A1')).json<
      Array<{ sequence: number; locationCode: string; temperature: number }>
    >();
    expect(checkpoints.map(({ sequence, locationCode, temperature }) => [sequence, locationCode, temperature])).toEqual(
      [
        [1, 'DE-HAM', 4.5],
        [2, 'NL-RTM', -18],
      ],
    );
    expect(harness.events.at(-1)?.name).toBe('CheckpointRecorded');
  });

  test('rejects checkpoints from non-custodians and malformed readings', async () => {
    const { maker, carrier, run } = setup();
    await run(maker, 'RegisterAsset', 'A1', 'p', hash('d'));
    expect(await rejection(run(carrier, 'RecordCheckpoint', 'A1', 'DE-HAM', '4', hash('s')))).toBe('NOT_CUSTODIAN');
    expect(await rejection(run(maker, 'RecordCheckpoint', 'A1', 'hamburg', '4', hash('s')))).toBe('INVALID_ARGUMENT');
    expect(await rejection(run(maker, 'RecordCheckpoint', 'A1', 'DE-HAM', 'warm', hash('s')))).toBe('INVALID_ARGUMENT');
    expect(await rejection(run(maker, 'RecordCheckpoint', 'A1', 'DE-HAM', '', hash('s')))).toBe('INVALID_ARGUMENT');
    expect(await rejection(run(maker, 'RecordCheckpoint', 'A1', 'DE-HAM', '101', hash('s')))).toBe('INVALID_ARGUMENT');
    expect(await rejection(run(maker, 'RecordCheckpoint', 'A1', 'DE-HAM', '4', 'x'))).toBe('INVALID_ARGUMENT');
    expect(await rejection(run(maker, 'RecordCheckpoint', 'NOPE', 'DE-HAM', '4', hash('s')))).toBe('NOT_FOUND');
  });

  test('History lists every committed version oldest first, as @ledgerkit/fabric reads it', async () => {
    const { maker, run, query } = setup();
    const registered = await run(maker, 'RegisterBatch', 'A1', 'p', hash('d'), '8');
    const checkpoint = await run(maker, 'RecordCheckpoint', 'A1', 'DE-HAM', '9', hash('s'));
    const history = (await query(maker, 'History', 'A1')).json<Array<{ txId: string; value: Asset; key: string }>>();
    expect(history.map((entry) => entry.txId)).toEqual([registered.txId, checkpoint.txId]);
    expect(history.map((entry) => entry.key)).toEqual(['asset:A1', 'asset:A1']);
    expect(history.map((entry) => entry.value.flagged)).toEqual([false, true]);
    expect(await rejection(query(maker, 'History', 'NOPE'))).toBe('NOT_FOUND');
  });

  test('asset history lists every committed version newest first with tx ids and times', async () => {
    const { maker, carrier, run, query, inOneHour } = setup();
    const registered = await run(maker, 'RegisterAsset', 'A1', 'p', hash('d'));
    await run(maker, 'OfferTransfer', 'A1', 'CarrierMSP', inOneHour());
    const accepted = await run(carrier, 'AcceptTransfer', 'A1');
    const history = (await query(maker, 'GetAssetHistory', 'A1')).json<
      Array<{ txId: string; timestamp: string; asset: Asset }>
    >();
    expect(history).toHaveLength(3);
    expect(history[0]).toMatchObject({
      txId: accepted.txId,
      timestamp: accepted.timestamp.toISOString(),
      asset: { custodian: { mspId: 'CarrierMSP' } },
    });
    expect(history[2]?.txId).toBe(registered.txId);
    expect(await rejection(query(maker, 'GetAssetHistory', 'NOPE'))).toBe('NOT_FOUND');
  });
});

describe('queries', () => {
  test('assets by custodian page with bookmarks', async () => {
    const { maker, query, run } = setup();
    for (const id of ['A1', 'A2', 'A3']) await run(maker, 'RegisterAsset', id, 'p', hash(id));
    const first = (await query(maker, 'ListAssetsByCustodian', 'MakerMSP', '2', '')).json<{
      assets: Asset[];
      bookmark: string;
      fetchedRecordsCount: number;
    }>();
    expect(first.assets.map((asset) => asset.id)).toEqual(['A1', 'A2']);
    expect(first.fetchedRecordsCount).toBe(2);
    const second = (await query(maker, 'ListAssetsByCustodian', 'MakerMSP', '2', first.bookmark)).json<{
      assets: Asset[];
      bookmark: string;
    }>();
    expect(second.assets.map((asset) => asset.id)).toEqual(['A3']);
    expect(second.bookmark).toBe('');
    expect(await rejection(query(maker, 'ListAssetsByCustodian', 'MakerMSP', '0', ''))).toBe('INVALID_ARGUMENT');
    expect(await rejection(query(maker, 'ListAssetsByCustodian', '', '2', ''))).toBe('INVALID_ARGUMENT');
    expect(await rejection(query(maker, 'ReadAsset', 'NOPE'))).toBe('NOT_FOUND');
  });

  test('helper methods are not callable as transactions', async () => {
    const { maker, query } = setup();
    await expect(query(maker, '_load', 'A1')).rejects.toMatchObject({ code: 'CONTRACT_REVERTED' });
  });
});

describe('temperature limit and final receipt', () => {
  async function atTheShop(as: 'retailer' | 'shopClerk' = 'retailer') {
    const context = setup();
    const { maker, carrier, run, inOneHour } = context;
    await run(maker, 'RegisterBatch', 'B1', 'vaccine lot 7', hash('coa'), '8');
    await run(maker, 'OfferTransfer', 'B1', 'CarrierMSP', inOneHour());
    await run(carrier, 'AcceptTransfer', 'B1');
    await run(carrier, 'OfferTransfer', 'B1', 'ShopMSP', inOneHour());
    await run(context[as], 'AcceptTransfer', 'B1');
    return context;
  }

  test('a checkpoint above the limit flags the asset for good; at the limit does not', async () => {
    const { harness, maker, run, query } = setup();
    const registered = (await run(maker, 'RegisterBatch', 'B1', 'p', hash('d'), '8')).json<Asset>();
    expect(registered).toMatchObject({ maxTemperature: 8, flagged: false, status: 'active' });
    await run(maker, 'RecordCheckpoint', 'B1', 'DE-HAM', '8', hash('s1'));
    expect((await query(maker, 'ReadAsset', 'B1')).json<Asset>().flagged).toBe(false);
    await run(maker, 'RecordCheckpoint', 'B1', 'DE-HAM', '8.5', hash('s2'));
    expect(new TextDecoder().decode(harness.events.at(-1)?.payload)).toContain('"excursion":true');
    await run(maker, 'RecordCheckpoint', 'B1', 'NL-RTM', '2', hash('s3'));
    expect((await query(maker, 'ReadAsset', 'B1')).json<Asset>()).toMatchObject({ flagged: true, checkpointCount: 3 });
  });

  test('without a limit nothing flags; a malformed limit is refused', async () => {
    const { maker, run, query } = setup();
    await run(maker, 'RegisterAsset', 'B1', 'p', hash('d'));
    await run(maker, 'RecordCheckpoint', 'B1', 'DE-HAM', '100', hash('s'));
    expect((await query(maker, 'ReadAsset', 'B1')).json<Asset>()).toMatchObject({
      maxTemperature: null,
      flagged: false,
    });
    expect(await rejection(run(maker, 'RegisterBatch', 'B2', 'p', hash('d'), 'cold'))).toBe('INVALID_ARGUMENT');
  });

  test('the custodian with role=retailer receives; the asset is then final for everyone', async () => {
    const { harness, carrier, retailer, run, inOneHour } = await atTheShop();
    await run(retailer, 'OfferTransfer', 'B1', 'CarrierMSP', inOneHour());
    const received = (await run(retailer, 'ReceiveAsset', 'B1')).json<Asset>();
    expect(received).toMatchObject({ status: 'received', pendingTransfer: null, receivedAt: expect.any(String) });
    expect(harness.events.at(-1)?.name).toBe('AssetReceived');
    expect(await rejection(run(retailer, 'ReceiveAsset', 'B1'))).toBe('BATCH_RECEIVED');
    expect(await rejection(run(retailer, 'RecordCheckpoint', 'B1', 'FR-PAR', '3', hash('s')))).toBe('BATCH_RECEIVED');
    expect(await rejection(run(retailer, 'OfferTransfer', 'B1', 'CarrierMSP', inOneHour()))).toBe('BATCH_RECEIVED');
    expect(await rejection(run(carrier, 'AcceptTransfer', 'B1'))).toBe('BATCH_RECEIVED');
    expect(await rejection(run(carrier, 'RecordCheckpoint', 'B1', 'FR-PAR', '3', hash('s')))).toBe('BATCH_RECEIVED');
  });

  test('receiving needs custody and role=retailer', async () => {
    const { carrier, retailer, shopClerk, run } = await atTheShop('shopClerk');
    expect(await rejection(run(shopClerk, 'ReceiveAsset', 'B1'))).toBe('FORBIDDEN');
    expect(await rejection(run(carrier, 'ReceiveAsset', 'B1'))).toBe('FORBIDDEN');
    expect(await rejection(run(retailer, 'ReceiveAsset', 'B1'))).toBe('NOT_CUSTODIAN');
    expect(await rejection(run(retailer, 'ReceiveAsset', 'NOPE'))).toBe('NOT_FOUND');
  });
});
