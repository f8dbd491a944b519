// Integration tests of the supply-chain chaincode on a real Fabric network: starts a
// two-organization network with @ledgerkit/fabric-network (1 Raft orderer, 1 peer per
// organization, native processes), deploys this package as a chaincode server, issues
// identities signed by the organizations' CAs (an Org1 manufacturer with role=manufacturer,
// a plain Org1 user, a plain Org2 user) and drives the whole business through raw
// @hyperledger/fabric-gateway: authorization from certificates, custody transfer, expiry by
// transaction time, composite-key queries, the history database, pagination bookmarks and
// chaincode events. The network is torn down in afterAll.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChaincodeEvent } from '@hyperledger/fabric-gateway';
import { FabricNetwork } from '@ledgerkit/fabric-network';
import { claimNetworkDir } from '@ledgerkit/fabric-network/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Asset, Checkpoint } from '../src/supply-chain-contract.ts';
import { rejectionOf, type Session, SupplyChainClient } from './gateway.ts';

const contractPath = fileURLToPath(new URL('..', import.meta.url));
const channel = 'supplychain';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const inOneHour = () => new Date(Date.now() + 3_600_000).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const eventOf: Record<string, string> = {
  RegisterAsset: 'AssetRegistered',
  OfferTransfer: 'TransferOffered',
  AcceptTransfer: 'TransferAccepted',
  CancelTransfer: 'TransferCancelled',
  RecordCheckpoint: 'CheckpointRecorded',
};

interface HistoryEntry {
  txId: string;
  timestamp: string;
  isDelete: boolean;
  asset: Asset | null;
}

interface Page {
  assets: Asset[];
  fetchedRecordsCount: number;
  bookmark: string;
}

describe('the supply-chain chaincode on a two-organization Fabric network', () => {
  let dir: string;
  let network: FabricNetwork | undefined;
  const session: Session = { channel, committed: [], clients: [] };
  const { committed } = session;
  let maker: SupplyChainClient;
  let clerk: SupplyChainClient;
  let receiver: SupplyChainClient;
  let makerId: string;
  let receiverId: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgerkit-contracts-fabric-'));
    await claimNetworkDir(dir);
    network = await FabricNetwork.up({ dir, orgs: 2, peersPerOrg: 1, orderers: 1, channel });
    const deployed = await network.deployChaincode({ name: 'supplychain', path: contractPath });
    expect(deployed.policy).toBe("OutOf(2,'Org1MSP.peer','Org2MSP.peer')");
    const org1 = network.organization('Org1');
    const org2 = network.organization('Org2');
    const makerIdentity = await network.issueIdentity({
      org: 'Org1',
      name: 'maker',
      attributes: { role: 'manufacturer' },
    });
    const clerkIdentity = await network.issueIdentity({ org: 'Org1', name: 'clerk' });
    const receiverIdentity = await network.issueIdentity({ org: 'Org2', name: 'receiver' });
    maker = await SupplyChainClient.connect(org1, makerIdentity, session);
    clerk = await SupplyChainClient.connect(org1, clerkIdentity, session);
    receiver = await SupplyChainClient.connect(org2, receiverIdentity, session);
    const ca = (domain: string) => `/C=US/ST=California/L=San Francisco/O=${domain}/CN=ca.${domain}`;
    makerId = `x509::/C=US/ST=California/L=San Francisco/OU=client/CN=maker::${ca('org1.example.com')}`;
    receiverId = `x509::/C=US/ST=California/L=San Francisco/OU=client/CN=receiver::${ca('org2.example.com')}`;
  });

  afterAll(async () => {
    for (const client of [maker, clerk, receiver]) await client?.close();
    await network?.down({ purge: true }).catch(() => {});
    await (await FabricNetwork.open(dir).catch(() => undefined))?.down({ purge: true });
    await rm(dir, { recursive: true, force: true });
  });

  test('only a certificate with role=manufacturer registers; the time is the proposal timestamp; duplicates are refused', async () => {
    const before = Date.now();
    const asset = await maker.submit<Asset>('RegisterAsset', 'lot-1', 'vaccine lot 1', sha256('coa-1'));
    const after = Date.now();
    expect(asset).toMatchObject({
      id: 'lot-1',
      custodian: { mspId: 'Org1MSP', id: makerId },
      manufacturer: { mspId: 'Org1MSP', id: makerId },
      pendingTransfer: null,
      checkpointCount: 0,
    });
    // fabric-gateway stamps the proposal's channel header with the client's clock
    // (millisecond precision) and the chaincode reads it with getTxTimestamp().
    const registeredAt = Date.parse(asset.registeredAt);
    expect(registeredAt).toBeGreaterThanOrEqual(before);
    expect(registeredAt).toBeLessThanOrEqual(after);

    expect(await rejectionOf(receiver.submit('RegisterAsset', 'lot-x', 'p', sha256('x')))).toBe('FORBIDDEN');
    expect(await rejectionOf(clerk.submit('RegisterAsset', 'lot-x', 'p', sha256('x')))).toBe('FORBIDDEN');
    expect(await rejectionOf(maker.submit('RegisterAsset', 'lot-1', 'again', sha256('x')))).toBe('ALREADY_EXISTS');
    expect(await rejectionOf(maker.submit('RegisterAsset', 'bad id!', 'p', sha256('x')))).toBe('INVALID_ARGUMENT');
    // The other organization reads the same committed state.
    expect(await receiver.evaluate<Asset>('ReadAsset', 'lot-1')).toEqual(asset);
    expect(await rejectionOf(receiver.evaluate('ReadAsset', 'lot-x'))).toBe('NOT_FOUND');
  });

  test('ListAssetsByCustodian pages through composite keys with bookmarks on the peer', async () => {
    for (let index = 2; index <= 7; index++) {
      await maker.submit('RegisterAsset', `lot-${index}`, `vaccine lot ${index}`, sha256(`coa-${index}`));
    }
    const first = await receiver.evaluate<Page>('ListAssetsByCustodian', 'Org1MSP', '3', '');
    const second = await receiver.evaluate<Page>('ListAssetsByCustodian', 'Org1MSP', '3', first.bookmark);
    const third = await receiver.evaluate<Page>('ListAssetsByCustodian', 'Org1MSP', '3', second.bookmark);
    expect([first, second, third].map((page) => page.fetchedRecordsCount)).toEqual([3, 3, 1]);
    expect([first, second, third].flatMap((page) => page.assets.map((asset) => asset.id))).toEqual([
      'lot-1',
      'lot-2',
      'lot-3',
      'lot-4',
      'lot-5',
      'lot-6',
      'lot-7',
    ]);
    // Each bookmark is the composite key the next page starts at, so they chain forward.
    expect(first.bookmark).toContain('lot-4');
    expect(second.bookmark).toContain('lot-7');
    expect(first.bookmark).not.toBe(second.bookmark);
    // After the last record the peer returns an empty bookmark: nothing more to fetch.
    expect(third.bookmark).toBe('');
    expect(await receiver.evaluate<Page>('ListAssetsByCustodian', 'Org2MSP', '3', '')).toEqual({
      assets: [],
      fetchedRecordsCount: 0,
      bookmark: '',
    });
    expect(await rejectionOf(receiver.evaluate('ListAssetsByCustodian', 'Org1MSP', '0', ''))).toBe('INVALID_ARGUMENT');
  });

  test('custody moves by offer and acceptance; callers who are not the custodian are refused', async () => {
    await maker.submit('RegisterAsset', 'crate-1', 'cold chain crate', sha256('crate-1'));
    expect(await rejectionOf(receiver.submit('OfferTransfer', 'crate-1', 'Org2MSP', inOneHour()))).toBe(
      'NOT_CUSTODIAN',
    );
    // Same organization, different certificate: custody belongs to the identity, not the MSP.
    expect(await rejectionOf(clerk.submit('OfferTransfer', 'crate-1', 'Org2MSP', inOneHour()))).toBe('NOT_CUSTODIAN');
    expect(await rejectionOf(receiver.submit('AcceptTransfer', 'crate-1'))).toBe('NO_PENDING_OFFER');

    const offered = await maker.submit<Asset>('OfferTransfer', 'crate-1', 'Org2MSP', inOneHour());
    expect(offered.pendingTransfer).toMatchObject({ from: { mspId: 'Org1MSP', id: makerId }, toMspId: 'Org2MSP' });
    expect(await rejectionOf(maker.submit('OfferTransfer', 'crate-1', 'Org2MSP', inOneHour()))).toBe('OFFER_PENDING');
    expect(await rejectionOf(clerk.submit('AcceptTransfer', 'crate-1'))).toBe('NOT_OFFERED_TO');

    const accepted = await receiver.submit<Asset>('AcceptTransfer', 'crate-1');
    expect(accepted.custodian).toEqual({ mspId: 'Org2MSP', id: receiverId });
    expect(accepted.pendingTransfer).toBeNull();
    expect(await maker.evaluate<Asset>('ReadAsset', 'crate-1')).toEqual(accepted);

    // The former custodian can no longer act on it.
    expect(await rejectionOf(maker.submit('OfferTransfer', 'crate-1', 'Org2MSP', inOneHour()))).toBe('NOT_CUSTODIAN');
    expect(await rejectionOf(maker.submit('RecordCheckpoint', 'crate-1', 'HAM-1', '4', sha256('x')))).toBe(
      'NOT_CUSTODIAN',
    );
    const org2Page = await maker.evaluate<Page>('ListAssetsByCustodian', 'Org2MSP', '10', '');
    expect(org2Page.assets.map((asset) => asset.id)).toEqual(['crate-1']);
  });

  test('a cancelled offer cannot be accepted', async () => {
    await maker.submit('RegisterAsset', 'crate-2', 'cold chain crate', sha256('crate-2'));
    await maker.submit('OfferTransfer', 'crate-2', 'Org2MSP', inOneHour());
    expect(await rejectionOf(clerk.submit('CancelTransfer', 'crate-2'))).toBe('NOT_CUSTODIAN');
    const cancelled = await maker.submit<Asset>('CancelTransfer', 'crate-2');
    expect(cancelled.pendingTransfer).toBeNull();
    expect(await rejectionOf(receiver.submit('AcceptTransfer', 'crate-2'))).toBe('NO_PENDING_OFFER');
    expect(await rejectionOf(maker.submit('CancelTransfer', 'crate-2'))).toBe('NO_PENDING_OFFER');
    expect((await receiver.evaluate<Asset>('ReadAsset', 'crate-2')).custodian.id).toBe(makerId);
  });

  test('an offer expires by transaction time', async () => {
    await maker.submit('RegisterAsset', 'crate-3', 'cold chain crate', sha256('crate-3'));
    expect(
      await rejectionOf(maker.submit('OfferTransfer', 'crate-3', 'Org2MSP', new Date(Date.now() - 1000).toISOString())),
    ).toBe('INVALID_ARGUMENT');
    const expiresAt = new Date(Date.now() + 4000).toISOString();
    const offered = await maker.submit<Asset>('OfferTransfer', 'crate-3', 'Org2MSP', expiresAt);
    expect(offered.pendingTransfer?.expiresAt).toBe(expiresAt);
    // The chaincode's clock is the proposal timestamp, the client's clock: once it is past
    // the expiry, the next transaction sees the offer expired.
    while (Date.now() <= Date.parse(expiresAt) + 200) await sleep(250);
    expect(await rejectionOf(receiver.submit('AcceptTransfer', 'crate-3'))).toBe('OFFER_EXPIRED');
    // Nothing changed: the offer is still pending and its custodian can withdraw it.
    expect((await receiver.evaluate<Asset>('ReadAsset', 'crate-3')).pendingTransfer?.expiresAt).toBe(expiresAt);
    await maker.submit('CancelTransfer', 'crate-3');
  });

  test('checkpoints come back in order through a partial composite key', async () => {
    const recorded: Checkpoint[] = [];
    for (const [location, temperature] of [
      ['HAM-1', '4.5'],
      ['ROT-2', '5'],
      ['AMS-3', '-2.25'],
    ] as const) {
      recorded.push(
        await receiver.submit<Checkpoint>('RecordCheckpoint', 'crate-1', location, temperature, sha256(location)),
      );
    }
    expect(recorded.map((checkpoint) => checkpoint.sequence)).toEqual([1, 2, 3]);
    expect(await rejectionOf(receiver.submit('RecordCheckpoint', 'crate-1', 'bad location', '4', sha256('x')))).toBe(
      'INVALID_ARGUMENT',
    );
    const listed = await maker.evaluate<Checkpoint[]>('ListCheckpoints', 'crate-1');
    expect(listed).toEqual(recorded);
    expect(listed.map((checkpoint) => [checkpoint.locationCode, checkpoint.temperature])).toEqual([
      ['HAM-1', 4.5],
      ['ROT-2', 5],
      ['AMS-3', -2.25],
    ]);
    expect(listed.every((checkpoint) => checkpoint.recordedBy.id === receiverId)).toBe(true);
    const asset = await maker.evaluate<Asset>('ReadAsset', 'crate-1');
    expect(asset.checkpointCount).toBe(3);
    expect(asset.lastCheckpoint).toEqual(recorded[2]);
    expect(await maker.evaluate<Checkpoint[]>('ListCheckpoints', 'lot-1')).toEqual([]);
  });

  test('GetAssetHistory reads every committed version from the history database', async () => {
    const history = await clerk.evaluate<HistoryEntry[]>('GetAssetHistory', 'crate-1');
    const writes = committed.filter((transaction) => transaction.args[0] === 'crate-1');
    expect(writes.map((transaction) => transaction.name)).toEqual([
      'RegisterAsset',
      'OfferTransfer',
      'AcceptTransfer',
      'RecordCheckpoint',
      'RecordCheckpoint',
      'RecordCheckpoint',
    ]);
    // Newest first, one version for each committed write, by the same transaction ids.
    expect(history.map((entry) => entry.txId)).toEqual(
      writes.map((transaction) => transaction.transactionId).reverse(),
    );
    // The contract never deletes an asset key, so there are no delete markers.
    expect(history.every((entry) => !entry.isDelete && entry.asset !== null)).toBe(true);
    for (const entry of history) expect(entry.asset?.updatedAt).toBe(entry.timestamp);
    expect(history.map((entry) => entry.asset?.custodian.mspId)).toEqual([
      'Org2MSP',
      'Org2MSP',
      'Org2MSP',
      'Org2MSP',
      'Org1MSP',
      'Org1MSP',
    ]);
    expect(history.map((entry) => entry.asset?.checkpointCount)).toEqual([3, 2, 1, 0, 0, 0]);
    expect(history[0]?.asset).toEqual(await clerk.evaluate<Asset>('ReadAsset', 'crate-1'));
  });

  test("history() through @ledgerkit/fabric: each revision verifies, its value found under the chaincode's world-state key", async () => {
    const revisions = await clerk.ledger.history('crate-1');
    expect(revisions).toHaveLength(6);
    for (const revision of revisions) {
      expect(revision.receipt.proof?.stateKey).toBe('asset:crate-1');
      const result = await clerk.ledger.verify(revision);
      expect(result.checks.find((check) => check.name === 'revision-value')).toMatchObject({ ok: true });
      expect(result.ok).toBe(true);
    }
    const first = revisions[0] as (typeof revisions)[number];
    const forged = { ...first, value: { ...(first.value as Record<string, unknown>), checkpointCount: 99 } };
    const refused = await clerk.ledger.verify(forged);
    expect(refused.ok).toBe(false);
    expect(refused.checks.find((check) => check.name === 'revision-value')?.ok).toBe(false);
  });

  test('every state change emitted one chaincode event, in commit order, with its JSON payload', async () => {
    const firstBlock = committed[0]?.blockNumber as bigint;
    const events: ChaincodeEvent[] = [];
    const stream = await clerk.chaincodeEvents(firstBlock);
    const timer = setTimeout(() => stream.close(), 60_000);
    try {
      for await (const event of stream) {
        events.push(event);
        if (events.length === committed.length) break;
      }
    } finally {
      clearTimeout(timer);
      stream.close();
    }
    expect(events.map((event) => [event.transactionId, event.eventName])).toEqual(
      committed.map((transaction) => [transaction.transactionId, eventOf[transaction.name]]),
    );
    expect(events.map((event) => event.blockNumber)).toEqual(committed.map((transaction) => transaction.blockNumber));
    const payloads = events.map(
      (event) => JSON.parse(new TextDecoder().decode(event.payload)) as Record<string, unknown>,
    );
    expect(payloads.every((payload, index) => payload.assetId === committed[index]?.args[0])).toBe(true);
    const accepted = payloads[committed.findIndex((transaction) => transaction.name === 'AcceptTransfer')];
    expect(accepted).toMatchObject({
      assetId: 'crate-1',
      from: { mspId: 'Org1MSP', id: makerId },
      to: { mspId: 'Org2MSP', id: receiverId },
    });
    const registered = payloads[0];
    expect(registered).toMatchObject({
      assetId: 'lot-1',
      product: 'vaccine lot 1',
      documentHash: sha256('coa-1'),
      custodian: { mspId: 'Org1MSP', id: makerId },
    });
    const checkpoints = payloads.filter((_, index) => committed[index]?.name === 'RecordCheckpoint');
    expect(checkpoints.map((payload) => [payload.sequence, payload.locationCode])).toEqual([
      [1, 'HAM-1'],
      [2, 'ROT-2'],
      [3, 'AMS-3'],
    ]);
  });
});
