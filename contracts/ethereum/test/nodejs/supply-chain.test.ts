// TypeScript tests of SupplyChain on Hardhat's in-process EDR network (node:test runner).
import * as assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type BaseContract, type ContractTransactionResponse, encodeBytes32String, Interface, id } from 'ethers';
import { network } from 'hardhat';
import SupplyChainModule from '../../ignition/modules/SupplyChain.ts';
import { custodianSlot, supplyChainAbi, supplyChainRoles } from '../../src/index.ts';

const connection = await network.create();
const { ethers, ignition, networkHelpers } = connection;
const supplyChainInterface = new Interface(supplyChainAbi);

// Loose typing keeps the tests short; the SDK's typed calls are tested in @ledgerkit/ethereum.
type Send = (...args: unknown[]) => Promise<ContractTransactionResponse>;
interface SupplyChain extends BaseContract {
  grantRole: Send;
  registerAsset: Send;
  registerBatch: Send;
  receiveAsset: Send;
  offerCustody: Send;
  cancelOffer: Send;
  acceptCustody: Send;
  recordCheckpoint: Send;
  hasRole(role: string, account: string): Promise<boolean>;
  getAsset(
    assetId: string,
  ): Promise<{ custodian: string; checkpointCount: bigint; flagged: boolean; received: boolean }>;
}

async function deploy() {
  const [admin, maker, carrier, retailer, auditor, stranger] = await ethers.getSigners();
  if (!admin || !maker || !carrier || !retailer || !auditor || !stranger) throw new Error('need 6 accounts');
  const { supplyChain } = await ignition.deploy(SupplyChainModule, {
    parameters: { SupplyChainModule: { admin: admin.address } },
  });
  const chain = supplyChain as unknown as SupplyChain;
  await chain.grantRole(supplyChainRoles.manufacturer, maker.address);
  await chain.grantRole(supplyChainRoles.carrier, carrier.address);
  await chain.grantRole(supplyChainRoles.retailer, retailer.address);
  await chain.grantRole(supplyChainRoles.auditor, auditor.address);
  return { chain, admin, maker, carrier, retailer, auditor, stranger };
}

type Fixture = Awaited<ReturnType<typeof deploy>>;
const asset = id('asset-ts-1');
const product = id('product');
const documentHash = id('document');

function as(fixture: Fixture, signer: keyof Omit<Fixture, 'chain'>): SupplyChain {
  return fixture.chain.connect(fixture[signer]) as SupplyChain;
}

async function revertName(promise: Promise<unknown>): Promise<{ name: string; args: unknown[] }> {
  try {
    await promise;
  } catch (error) {
    const data = (error as { data?: string }).data;
    if (data === undefined) throw new Error(`expected revert data in ${String(error)}`);
    const parsed = supplyChainInterface.parseError(data);
    if (parsed === null) throw new Error(`unknown revert data ${data}`);
    return { name: parsed.name, args: [...parsed.args] };
  }
  throw new Error('expected a revert');
}

describe('SupplyChain on EDR', () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await networkHelpers.loadFixture(deploy);
  });

  it('deploys through the Ignition module with the given admin', async () => {
    const { chain, admin } = await networkHelpers.loadFixture(deploy);
    assert.equal(await chain.hasRole(supplyChainRoles.admin, admin.address), true);
    for (const [name, value] of Object.entries(supplyChainRoles)) {
      if (name === 'admin') continue;
      assert.equal(await chain.getFunction(`${name.toUpperCase()}_ROLE`)(), value);
    }
  });

  it('records provenance as events: register, offer, accept, checkpoint', async () => {
    fixture = await networkHelpers.loadFixture(deploy);
    const { maker, carrier } = fixture;
    await as(fixture, 'maker').registerAsset(asset, product, documentHash);
    const expiresAt = (await networkHelpers.time.latest()) + 3600;
    await as(fixture, 'maker').offerCustody(asset, carrier.address, expiresAt);
    await as(fixture, 'carrier').acceptCustody(asset);
    const location = encodeBytes32String('DE-HAM');
    const tx = await as(fixture, 'carrier').recordCheckpoint(asset, location, -1850, documentHash);
    await tx.wait();

    const logs = await ethers.provider.getLogs({ address: await fixture.chain.getAddress(), fromBlock: 0 });
    const events = logs
      .map((log) => supplyChainInterface.parseLog(log))
      .filter((event) => event !== null && event.args[0] === asset)
      .map((event) => event?.name);
    assert.deepEqual(events, ['AssetRegistered', 'CustodyOffered', 'CustodyTransferred', 'CheckpointRecorded']);
    const stored = await fixture.chain.getAsset(asset);
    assert.equal(stored.custodian, carrier.address);
    assert.equal(stored.checkpointCount, 1n);
    assert.notEqual(maker.address, carrier.address);
  });

  it('flags a batch above its limit and makes it final on receipt', async () => {
    fixture = await networkHelpers.loadFixture(deploy);
    const { retailer } = fixture;
    const batch = id('batch-ts-1');
    await as(fixture, 'maker').registerBatch(batch, product, documentHash, 800);
    const expiresAt = (await networkHelpers.time.latest()) + 3600;
    await as(fixture, 'maker').offerCustody(batch, retailer.address, expiresAt);
    await as(fixture, 'retailer').acceptCustody(batch);
    await (
      await as(fixture, 'retailer').recordCheckpoint(batch, encodeBytes32String('FR-PAR'), 950, documentHash)
    ).wait();
    await (await as(fixture, 'retailer').receiveAsset(batch)).wait();
    const stored = await fixture.chain.getAsset(batch);
    assert.deepEqual([stored.flagged, stored.received], [true, true]);
    assert.deepEqual(await revertName(as(fixture, 'retailer').receiveAsset(batch)), {
      name: 'AssetIsFinal',
      args: [batch],
    });
    const logs = await ethers.provider.getLogs({ address: await fixture.chain.getAddress(), fromBlock: 0 });
    const events = logs
      .map((log) => supplyChainInterface.parseLog(log))
      .filter((event) => event !== null && event.args[0] === batch)
      .map((event) => event?.name);
    assert.deepEqual(events, [
      'AssetRegistered',
      'TemperatureLimitSet',
      'CustodyOffered',
      'CustodyTransferred',
      'CheckpointRecorded',
      'TemperatureExcursion',
      'AssetReceived',
    ]);
  });

  it('keeps the custodian in the slot that custodianSlot() names', async () => {
    fixture = await networkHelpers.loadFixture(deploy);
    await (await as(fixture, 'maker').registerAsset(asset, product, documentHash))?.wait();
    const word = await ethers.provider.getStorage(await fixture.chain.getAddress(), custodianSlot(asset));
    assert.equal(`0x${word.slice(-40)}`, fixture.maker.address.toLowerCase());
  });

  it('rejects every unauthorised or invalid call with its custom error', async () => {
    fixture = await networkHelpers.loadFixture(deploy);
    const { carrier, retailer, auditor } = fixture;
    const later = (await networkHelpers.time.latest()) + 3600;
    assert.equal(
      (await revertName(as(fixture, 'carrier').registerAsset(asset, product, documentHash))).name,
      'AccessControlUnauthorizedAccount',
    );
    assert.equal(
      (await revertName(as(fixture, 'maker').registerAsset(`0x${'0'.repeat(64)}`, product, documentHash))).name,
      'ZeroAssetId',
    );
    assert.deepEqual(await revertName(fixture.chain.getAsset(asset)), { name: 'AssetNotFound', args: [asset] });
    await (await as(fixture, 'maker').registerAsset(asset, product, documentHash)).wait();
    assert.equal(
      (await revertName(as(fixture, 'maker').registerAsset(asset, product, documentHash))).name,
      'AssetAlreadyRegistered',
    );
    assert.deepEqual(await revertName(as(fixture, 'carrier').offerCustody(asset, retailer.address, later)), {
      name: 'NotCustodian',
      args: [asset, carrier.address],
    });
    assert.equal(
      (await revertName(as(fixture, 'maker').offerCustody(asset, auditor.address, later))).name,
      'InvalidReceiver',
    );
    assert.equal(
      (await revertName(as(fixture, 'maker').offerCustody(asset, carrier.address, 1))).name,
      'ExpiryNotInFuture',
    );
    assert.equal((await revertName(as(fixture, 'maker').cancelOffer(asset))).name, 'NoPendingOffer');
    assert.equal((await revertName(as(fixture, 'carrier').acceptCustody(asset))).name, 'NoPendingOffer');
    await (await as(fixture, 'maker').offerCustody(asset, carrier.address, later)).wait();
    assert.equal((await revertName(as(fixture, 'retailer').acceptCustody(asset))).name, 'NotOfferedTo');
    await networkHelpers.time.increaseTo(later + 1);
    assert.equal((await revertName(as(fixture, 'carrier').acceptCustody(asset))).name, 'OfferExpired');
    await (await as(fixture, 'maker').cancelOffer(asset)).wait();
    assert.equal(
      (await revertName(as(fixture, 'carrier').recordCheckpoint(asset, product, 0, documentHash))).name,
      'NotCustodian',
    );
  });

  it('refuses a zero admin at deployment', async () => {
    const factory = await ethers.getContractFactory('SupplyChain');
    const error = await revertName(factory.deploy(ethers.ZeroAddress));
    assert.equal(error.name, 'ZeroAddress');
  });
});

describe('exported artifacts', () => {
  it('src/generated/supply-chain.ts carries the ABI of the compiled contract', async () => {
    const { artifacts } = await import('hardhat');
    const artifact = await artifacts.readArtifact('SupplyChain');
    assert.deepEqual(JSON.parse(JSON.stringify(supplyChainAbi)), artifact.abi);
  });
});
