// Node runs this file directly (type stripping) as the chaincode server's module, so it uses
// only erasable TypeScript and no decorators; fabric-contract-api exposes every method
// not starting with '_' as a transaction.
import type { Context } from 'fabric-contract-api';
import { Contract } from 'fabric-contract-api';

export interface Party {
  mspId: string;
  id: string;
}

export interface TransferOffer {
  from: Party;
  toMspId: string;
  offeredAt: string;
  expiresAt: string;
}

export interface Checkpoint {
  sequence: number;
  locationCode: string;
  temperature: number;
  documentHash: string;
  recordedBy: Party;
  recordedAt: string;
}

/** `active` while in the supply chain; `received` once a retailer took delivery (final). */
export type AssetStatus = 'active' | 'received';

export interface Asset {
  id: string;
  product: string;
  documentHash: string;
  manufacturer: Party;
  custodian: Party;
  registeredAt: string;
  updatedAt: string;
  pendingTransfer: TransferOffer | null;
  checkpointCount: number;
  lastCheckpoint: Checkpoint | null;
  /** Highest allowed temperature in °C; `null` when registered without a limit. */
  maxTemperature: number | null;
  /** Set for good by the first checkpoint above `maxTemperature`. */
  flagged: boolean;
  status: AssetStatus;
  /** Absent in assets written before these fields existed: read as `null`, `false`, `active`. */
  receivedAt?: string | null;
}

const assetPrefix = 'asset:';
const custodianIndex = 'custodian~asset';
const checkpointIndex = 'asset~checkpoint';
const hashPattern = /^[0-9a-f]{64}$/;
const locationPattern = /^[A-Z0-9-]{2,16}$/;
const idPattern = /^[A-Za-z0-9._-]{1,64}$/;

/** A rejected transaction: the message starts with `[CODE]` so clients can branch on it. */
function reject(code: string, message: string): never {
  throw new Error(`[${code}] ${message}`);
}

/**
 * A protobuf Timestamp as a Date. fabric-shim hands `getTxTimestamp()` seconds as a Long but
 * history entries' seconds as a plain number, so both are accepted.
 */
function timestampToDate(timestamp: { seconds: number | { toNumber(): number }; nanos: number }): Date {
  const { seconds, nanos } = timestamp;
  const wholeSeconds = typeof seconds === 'number' ? seconds : seconds.toNumber();
  return new Date(wholeSeconds * 1000 + Math.floor(nanos / 1_000_000));
}

function transactionTime(ctx: Context): Date {
  return timestampToDate(ctx.stub.getTxTimestamp());
}

function caller(ctx: Context): Party {
  return { mspId: ctx.clientIdentity.getMSPID(), id: ctx.clientIdentity.getID() };
}

// Results go back as JSON text: fabric-contract-api 2.5's serializer turns objects into JSON
// with class-transformer's classToPlain, which the class-transformer it resolves (0.4.1, with
// the 0.5 API) no longer exports, so an object result fails on a real peer.
const json = (value: unknown): string => JSON.stringify(value);

/** A temperature argument in °C, within the sensors' range [-100, 100]. */
function celsiusOf(text: string): number {
  const celsius = Number(text);
  if (text === '' || !Number.isFinite(celsius) || celsius < -100 || celsius > 100) {
    reject('INVALID_ARGUMENT', 'temperature must be a number of degrees Celsius in [-100, 100]');
  }
  return celsius;
}

/** An asset stored before the temperature limit and final state existed reads as unlimited and active. */
function withDefaults(asset: Asset): Asset {
  return {
    ...asset,
    maxTemperature: asset.maxTemperature ?? null,
    flagged: asset.flagged ?? false,
    status: asset.status ?? 'active',
    receivedAt: asset.receivedAt ?? null,
  };
}

const sameParty = (left: Party, right: Party): boolean => left.mspId === right.mspId && left.id === right.id;

/**
 * Supply-chain custody: manufacturers register assets, custodians hand them over in two
 * steps (offer, then accept before expiry) and record checkpoints. Authorization comes only
 * from the caller's MSP id and certificate attributes; time only from the transaction.
 */
export class SupplyChainContract extends Contract {
  constructor() {
    super('supplychain');
  }

  /** A new asset without a temperature limit, the caller (role=manufacturer) its custodian. */
  async RegisterAsset(ctx: Context, assetId: string, product: string, documentHash: string): Promise<string> {
    return this._register(ctx, assetId, product, documentHash, null);
  }

  /**
   * A new batch, the caller (role=manufacturer) its custodian, with the highest temperature
   * (°C) its goods may see: a checkpoint above it flags the batch.
   */
  async RegisterBatch(
    ctx: Context,
    assetId: string,
    product: string,
    documentHash: string,
    maxTemperature: string,
  ): Promise<string> {
    return this._register(ctx, assetId, product, documentHash, maxTemperature);
  }

  async OfferTransfer(ctx: Context, assetId: string, toMspId: string, expiresAt: string): Promise<string> {
    const asset = await this._custodianOnly(ctx, assetId);
    if (asset.pendingTransfer) reject('OFFER_PENDING', `asset ${assetId} already has a pending transfer offer`);
    if (!toMspId) reject('INVALID_ARGUMENT', 'receiver MSP id is required');
    if (toMspId === asset.custodian.mspId) reject('INVALID_ARGUMENT', 'the receiver must be another organization');
    const now = transactionTime(ctx);
    const expiry = new Date(expiresAt);
    if (Number.isNaN(expiry.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(expiresAt)) {
      reject('INVALID_ARGUMENT', 'expiresAt must be an ISO 8601 timestamp');
    }
    if (expiry.getTime() <= now.getTime()) reject('INVALID_ARGUMENT', 'expiresAt must be after the transaction time');
    asset.pendingTransfer = {
      from: asset.custodian,
      toMspId,
      offeredAt: now.toISOString(),
      expiresAt: expiry.toISOString(),
    };
    asset.updatedAt = now.toISOString();
    await this._save(ctx, asset);
    this._emit(ctx, 'TransferOffered', { assetId, from: asset.custodian, toMspId, expiresAt: expiry.toISOString() });
    return json(asset);
  }

  async AcceptTransfer(ctx: Context, assetId: string): Promise<string> {
    const asset = await this._load(ctx, assetId);
    if (asset.status === 'received') reject('BATCH_RECEIVED', `asset ${assetId} was received; it is final`);
    const offer = asset.pendingTransfer;
    if (!offer) reject('NO_PENDING_OFFER', `asset ${assetId} has no pending transfer offer`);
    const party = caller(ctx);
    if (party.mspId !== offer.toMspId) reject('NOT_OFFERED_TO', `the offer is addressed to ${offer.toMspId}`);
    const now = transactionTime(ctx);
    if (now.getTime() >= Date.parse(offer.expiresAt))
      reject('OFFER_EXPIRED', `the offer expired at ${offer.expiresAt}`);
    await ctx.stub.deleteState(ctx.stub.createCompositeKey(custodianIndex, [asset.custodian.mspId, assetId]));
    await ctx.stub.putState(ctx.stub.createCompositeKey(custodianIndex, [party.mspId, assetId]), Buffer.from([0]));
    const previous = asset.custodian;
    asset.custodian = party;
    asset.pendingTransfer = null;
    asset.updatedAt = now.toISOString();
    await this._save(ctx, asset);
    this._emit(ctx, 'TransferAccepted', { assetId, from: previous, to: party, at: asset.updatedAt });
    return json(asset);
  }

  async CancelTransfer(ctx: Context, assetId: string): Promise<string> {
    const asset = await this._custodianOnly(ctx, assetId);
    const offer = asset.pendingTransfer;
    if (!offer) reject('NO_PENDING_OFFER', `asset ${assetId} has no pending transfer offer`);
    asset.pendingTransfer = null;
    asset.updatedAt = transactionTime(ctx).toISOString();
    await this._save(ctx, asset);
    this._emit(ctx, 'TransferCancelled', { assetId, toMspId: offer.toMspId, at: asset.updatedAt });
    return json(asset);
  }

  async RecordCheckpoint(
    ctx: Context,
    assetId: string,
    locationCode: string,
    temperature: string,
    documentHash: string,
  ): Promise<string> {
    const asset = await this._custodianOnly(ctx, assetId);
    if (!locationPattern.test(locationCode ?? ''))
      reject('INVALID_ARGUMENT', 'location code must be 2-16 of [A-Z0-9-]');
    const celsius = celsiusOf(temperature);
    if (!hashPattern.test(documentHash ?? '')) reject('INVALID_ARGUMENT', 'document hash must be 64 lowercase hex');
    const checkpoint: Checkpoint = {
      sequence: asset.checkpointCount + 1,
      locationCode,
      temperature: celsius,
      documentHash,
      recordedBy: caller(ctx),
      recordedAt: transactionTime(ctx).toISOString(),
    };
    asset.checkpointCount = checkpoint.sequence;
    asset.lastCheckpoint = checkpoint;
    asset.updatedAt = checkpoint.recordedAt;
    const limit = asset.maxTemperature ?? null;
    const excursion = limit !== null && celsius > limit;
    // Once flagged, always flagged: a later cool reading does not undo an excursion.
    if (excursion) asset.flagged = true;
    await this._save(ctx, asset);
    const key = ctx.stub.createCompositeKey(checkpointIndex, [assetId, String(checkpoint.sequence).padStart(10, '0')]);
    await ctx.stub.putState(key, Buffer.from(JSON.stringify(checkpoint)));
    this._emit(ctx, 'CheckpointRecorded', { assetId, ...checkpoint, excursion, flagged: asset.flagged === true });
    return json(checkpoint);
  }

  /**
   * The custodian, an identity with role=retailer, takes final delivery: no more offers,
   * checkpoints or receipts; a pending offer is withdrawn.
   */
  async ReceiveAsset(ctx: Context, assetId: string): Promise<string> {
    // The role first, as SupplyChain.sol's onlyRole modifier does, so both refuse alike.
    if (!ctx.clientIdentity.assertAttributeValue('role', 'retailer')) {
      reject('FORBIDDEN', 'only an identity with role=retailer may receive assets');
    }
    const asset = await this._custodianOnly(ctx, assetId);
    const now = transactionTime(ctx).toISOString();
    asset.status = 'received';
    asset.receivedAt = now;
    asset.pendingTransfer = null;
    asset.updatedAt = now;
    await this._save(ctx, asset);
    this._emit(ctx, 'AssetReceived', { assetId, retailer: asset.custodian, at: now });
    return json(asset);
  }

  async ReadAsset(ctx: Context, assetId: string): Promise<string> {
    return json(await this._load(ctx, assetId));
  }

  async ListCheckpoints(ctx: Context, assetId: string): Promise<string> {
    await this._load(ctx, assetId);
    const checkpoints: Checkpoint[] = [];
    for await (const entry of ctx.stub.getStateByPartialCompositeKey(checkpointIndex, [assetId])) {
      checkpoints.push(JSON.parse(Buffer.from(entry.value).toString('utf8')) as Checkpoint);
    }
    return json(checkpoints);
  }

  /** Every committed version of the asset, newest first, with the transaction that wrote it. */
  async GetAssetHistory(ctx: Context, assetId: string): Promise<string> {
    await this._load(ctx, assetId);
    const history: unknown[] = [];
    for await (const modification of ctx.stub.getHistoryForKey(assetPrefix + assetId)) {
      history.push({
        txId: modification.txId,
        timestamp: timestampToDate(modification.timestamp).toISOString(),
        isDelete: modification.isDelete,
        asset: modification.isDelete ? null : JSON.parse(Buffer.from(modification.value).toString('utf8')),
      });
    }
    return json(history);
  }

  /**
   * Every committed version of the asset, oldest first, as `{ txId, timestamp, isDelete, value,
   * key }`: what `@ledgerkit/fabric`'s `history()` reads (its default `historyTransaction`).
   * `key` is the world-state key, so a verifier finds the write in the transaction.
   */
  async History(ctx: Context, assetId: string): Promise<string> {
    await this._load(ctx, assetId);
    const history: unknown[] = [];
    const key = assetPrefix + assetId;
    for await (const modification of ctx.stub.getHistoryForKey(key)) {
      history.push({
        key,
        txId: modification.txId,
        timestamp: timestampToDate(modification.timestamp).toISOString(),
        isDelete: modification.isDelete,
        value: modification.isDelete ? null : JSON.parse(Buffer.from(modification.value).toString('utf8')),
      });
    }
    // The peer's history database answers newest first.
    return json(history.reverse());
  }

  /** One page of the assets an organization holds; pass the returned bookmark for the next page. */
  async ListAssetsByCustodian(ctx: Context, mspId: string, pageSize: string, bookmark: string): Promise<string> {
    const size = Number(pageSize);
    if (!mspId) reject('INVALID_ARGUMENT', 'MSP id is required');
    if (!Number.isInteger(size) || size < 1 || size > 100) reject('INVALID_ARGUMENT', 'page size must be 1-100');
    const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(
      custodianIndex,
      [mspId],
      size,
      bookmark ?? '',
    );
    const assets: Asset[] = [];
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        const [, assetId = ''] = ctx.stub.splitCompositeKey(next.value.key).attributes;
        assets.push(await this._load(ctx, assetId));
      }
    } finally {
      await iterator.close();
    }
    // A peer sends no pagination metadata for an empty page (zero count and empty bookmark
    // marshal to no bytes), so fabric-shim leaves `metadata` undefined.
    return json({
      assets,
      fetchedRecordsCount: metadata?.fetchedRecordsCount ?? 0,
      bookmark: metadata?.bookmark ?? '',
    });
  }

  async _register(
    ctx: Context,
    assetId: string,
    product: string,
    documentHash: string,
    maxTemperature: string | null,
  ): Promise<string> {
    if (!ctx.clientIdentity.assertAttributeValue('role', 'manufacturer')) {
      reject('FORBIDDEN', 'only an identity with role=manufacturer may register assets');
    }
    if (!idPattern.test(assetId ?? '')) reject('INVALID_ARGUMENT', 'asset id must be 1-64 of [A-Za-z0-9._-]');
    if (!product || product.length > 256) reject('INVALID_ARGUMENT', 'product must be 1-256 characters');
    if (!hashPattern.test(documentHash ?? '')) reject('INVALID_ARGUMENT', 'document hash must be 64 lowercase hex');
    const limit = maxTemperature === null ? null : celsiusOf(maxTemperature);
    const existing = await ctx.stub.getState(assetPrefix + assetId);
    if (existing.length > 0) reject('ALREADY_EXISTS', `asset ${assetId} already exists`);
    const now = transactionTime(ctx).toISOString();
    const party = caller(ctx);
    const asset: Asset = {
      id: assetId,
      product,
      documentHash,
      manufacturer: party,
      custodian: party,
      registeredAt: now,
      updatedAt: now,
      pendingTransfer: null,
      checkpointCount: 0,
      lastCheckpoint: null,
      maxTemperature: limit,
      flagged: false,
      status: 'active',
      receivedAt: null,
    };
    await this._save(ctx, asset);
    await ctx.stub.putState(ctx.stub.createCompositeKey(custodianIndex, [party.mspId, assetId]), Buffer.from([0]));
    this._emit(ctx, 'AssetRegistered', {
      assetId,
      product,
      documentHash,
      custodian: party,
      maxTemperature: limit,
      at: now,
    });
    return json(asset);
  }

  async _load(ctx: Context, assetId: string): Promise<Asset> {
    const data = await ctx.stub.getState(assetPrefix + assetId);
    if (!data || data.length === 0) reject('NOT_FOUND', `asset ${assetId} does not exist`);
    return withDefaults(JSON.parse(Buffer.from(data).toString('utf8')) as Asset);
  }

  async _custodianOnly(ctx: Context, assetId: string): Promise<Asset> {
    const asset = await this._load(ctx, assetId);
    // A received asset is final for everyone, its custodian included.
    if (asset.status === 'received') reject('BATCH_RECEIVED', `asset ${assetId} was received; it is final`);
    if (!sameParty(asset.custodian, caller(ctx))) {
      reject('NOT_CUSTODIAN', `only the custodian of ${assetId} may do this`);
    }
    return asset;
  }

  async _save(ctx: Context, asset: Asset): Promise<void> {
    await ctx.stub.putState(assetPrefix + asset.id, Buffer.from(JSON.stringify(asset)));
  }

  _emit(ctx: Context, name: string, payload: unknown): void {
    ctx.stub.setEvent(name, Buffer.from(JSON.stringify(payload)));
  }
}
