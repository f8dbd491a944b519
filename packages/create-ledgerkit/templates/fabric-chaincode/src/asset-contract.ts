// biome-ignore lint/style/useImportType: a value import: emitDecoratorMetadata records Context as each transaction's first parameter type, which fabric-contract-api uses to tell the context from the arguments
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import type { Asset } from './asset.js';

/**
 * Assets with an owner. Creating is open to every member of the channel; only the owner
 * (the client identity's id, as its certificate names it) may transfer or delete an asset.
 * Rejections start with `[CODE]` so clients can branch on them.
 *
 * Transactions return JSON text (`@Returns('string')`), as fabric-samples' asset-transfer-basic
 * does: fabric-contract-api 2.5 serializes a returned object with class-transformer's
 * `classToPlain`, which the class-transformer release it resolves to (0.4.1) no longer has.
 */
@Info({ title: 'AssetContract', description: 'Assets with an owner' })
export class AssetContract extends Contract {
  constructor() {
    super('AssetContract');
  }

  @Transaction()
  @Returns('string')
  async CreateAsset(ctx: Context, id: string, description: string): Promise<string> {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new Error(`[INVALID_ARGUMENT] bad asset id '${id}'`);
    if (await this.AssetExists(ctx, id)) throw new Error(`[ALREADY_EXISTS] asset ${id} exists`);
    const asset: Asset = { id, owner: ctx.clientIdentity.getID(), description, updatedAt: txTime(ctx) };
    await ctx.stub.putState(id, Buffer.from(JSON.stringify(asset)));
    ctx.stub.setEvent('AssetCreated', Buffer.from(JSON.stringify(asset)));
    return JSON.stringify(asset);
  }

  @Transaction(false)
  @Returns('string')
  async ReadAsset(ctx: Context, id: string): Promise<string> {
    return JSON.stringify(await this._readAsset(ctx, id));
  }

  @Transaction()
  @Returns('string')
  async TransferAsset(ctx: Context, id: string, newOwner: string): Promise<string> {
    const asset = await this._readAsset(ctx, id);
    this._requireOwner(ctx, asset);
    const updated: Asset = { ...asset, owner: newOwner, updatedAt: txTime(ctx) };
    await ctx.stub.putState(id, Buffer.from(JSON.stringify(updated)));
    ctx.stub.setEvent('AssetTransferred', Buffer.from(JSON.stringify(updated)));
    return JSON.stringify(updated);
  }

  @Transaction()
  async DeleteAsset(ctx: Context, id: string): Promise<void> {
    this._requireOwner(ctx, await this._readAsset(ctx, id));
    await ctx.stub.deleteState(id);
  }

  @Transaction(false)
  @Returns('boolean')
  async AssetExists(ctx: Context, id: string): Promise<boolean> {
    return (await ctx.stub.getState(id)).length > 0;
  }

  @Transaction(false)
  @Returns('string')
  async GetAllAssets(ctx: Context): Promise<string> {
    const assets: Asset[] = [];
    for await (const entry of ctx.stub.getStateByRange('', '')) {
      assets.push(JSON.parse(Buffer.from(entry.value).toString('utf8')) as Asset);
    }
    return JSON.stringify(assets);
  }

  /** Not a transaction: fabric-contract-api skips methods starting with `_`. */
  async _readAsset(ctx: Context, id: string): Promise<Asset> {
    const bytes = await ctx.stub.getState(id);
    if (bytes.length === 0) throw new Error(`[NOT_FOUND] asset ${id} does not exist`);
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as Asset;
  }

  _requireOwner(ctx: Context, asset: Asset): void {
    const caller = ctx.clientIdentity.getID();
    if (asset.owner !== caller) throw new Error(`[PERMISSION_DENIED] ${caller} does not own asset ${asset.id}`);
  }
}

/** The transaction's timestamp (the same on every endorsing peer, unlike the clock). */
function txTime(ctx: Context): string {
  const { seconds, nanos } = ctx.stub.getTxTimestamp();
  return new Date(Number(seconds) * 1000 + Math.floor(nanos / 1e6)).toISOString();
}
