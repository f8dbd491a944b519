// The decentralized model on Ethereum: SupplyChain.sol enforces the rules; this file only maps
// the port to the contract's functions, events and custom errors. One Ledger per account.
import {
  type CallOptions,
  InvalidArgumentError,
  isLedgerError,
  type LedgerCall,
  LedgerError,
  type Receipt,
  type Revision,
  type VerifyOptions,
} from '@ledgerkit/core';
import type { EthereumLedger } from '@ledgerkit/ethereum';
import { decodeBytes32String, encodeBytes32String, getAddress, isAddress } from 'ethers';
import { supplyChainRoles } from './contracts/index.ts';
import type { Batch, NewBatch, NewCheckpoint, PartyId, ProvenanceStep, Role, RuleReason } from './domain.ts';
import { ruleViolation } from './errors.ts';
import type { SupplyChain, VerifiedStep } from './port.ts';
import { checkBatchId, checkNewBatch, checkNewCheckpoint } from './validate.ts';
import { verifySteps } from './verify-steps.ts';

/** The name the contract is registered under in each account's ledger. */
export const supplyChainContractName = 'SupplyChain';

/** Options of {@link ethereumSupplyChain}. */
export interface EthereumSupplyChainOptions {
  /** How long a custody offer stays open (default 7 days). */
  offerLifetimeSeconds?: number;
}

const reasonOfError: Readonly<Record<string, RuleReason>> = {
  NotCustodian: 'NOT_CUSTODIAN',
  NotOfferedTo: 'NOT_OFFERED_TO',
  NoPendingOffer: 'NO_PENDING_OFFER',
  AssetIsFinal: 'BATCH_RECEIVED',
  AssetAlreadyRegistered: 'ALREADY_REGISTERED',
  InvalidReceiver: 'INVALID_RECEIVER',
  OfferExpired: 'OFFER_EXPIRED',
};

const roleIds: ReadonlyArray<[Role, string]> = [
  ['manufacturer', supplyChainRoles.manufacturer],
  ['carrier', supplyChainRoles.carrier],
  ['retailer', supplyChainRoles.retailer],
  ['auditor', supplyChainRoles.auditor],
];

/**
 * The port on SupplyChain.sol, as the ledger's account. The account's role is read from the
 * contract's AccessControl roles.
 *
 * @param ledger - a ledger signing as one account, with the contract registered as `SupplyChain`
 * @param options - offer lifetime
 * @returns the supply chain as that account
 * @throws LedgerError `PERMISSION_DENIED` when the account holds none of the supply-chain roles
 */
export async function ethereumSupplyChain(
  ledger: EthereumLedger,
  options: EthereumSupplyChainOptions = {},
): Promise<SupplyChain> {
  const account = getAddress(ledger.account);
  for (const [role, roleId] of roleIds) {
    const has = await ledger.evaluate({
      contract: supplyChainContractName,
      method: 'hasRole',
      args: [roleId, account],
    });
    if (has === true) return new EthereumSupplyChain(ledger, account, role, options.offerLifetimeSeconds ?? 7 * 86_400);
  }
  throw new LedgerError('PERMISSION_DENIED', `account ${account} holds no supply-chain role`, {
    details: { account },
  });
}

class EthereumSupplyChain implements SupplyChain {
  readonly backend = 'ethereum' as const;
  readonly trustModel = 'decentralized' as const;
  readonly identity: PartyId;
  readonly role: Role;
  readonly #ledger: EthereumLedger;
  readonly #offerLifetime: number;

  constructor(ledger: EthereumLedger, account: string, role: Role, offerLifetime: number) {
    this.#ledger = ledger;
    this.identity = account;
    this.role = role;
    this.#offerLifetime = offerLifetime;
  }

  async register(batch: NewBatch, options: CallOptions = {}): Promise<ProvenanceStep> {
    checkNewBatch(batch);
    const { product, documentHash, maxTemperature } = batch;
    const receipt = await this.#submit(
      'registerBatch',
      [batchKey(batch.id), encodeBytes32String(product), `0x${documentHash}`, centi(maxTemperature)],
      options,
    );
    return { kind: 'registered', product, documentHash, maxTemperature, ...this.#by(receipt) };
  }

  async offerCustody(id: string, to: PartyId, options: CallOptions = {}): Promise<ProvenanceStep> {
    checkBatchId(id);
    if (!isAddress(to)) throw new InvalidArgumentError('to', 'the receiver is an Ethereum address', { to });
    const block = (await this.#ledger.native.provider.getBlock('latest')) ?? { timestamp: Date.now() / 1000 };
    const expiresAt = Math.floor(block.timestamp) + this.#offerLifetime;
    const receipt = await this.#submit('offerCustody', [batchKey(id), getAddress(to), expiresAt], options);
    return { kind: 'custody-offered', to: getAddress(to), ...this.#by(receipt) };
  }

  async acceptCustody(id: string, options: CallOptions = {}): Promise<ProvenanceStep> {
    checkBatchId(id);
    const before = await this.batch(id, options);
    const receipt = await this.#submit('acceptCustody', [batchKey(id)], options);
    return { kind: 'custody-accepted', from: before.custodian, ...this.#by(receipt) };
  }

  async recordCheckpoint(id: string, checkpoint: NewCheckpoint, options: CallOptions = {}): Promise<ProvenanceStep> {
    checkBatchId(id);
    checkNewCheckpoint(checkpoint);
    const { location, temperature, documentHash } = checkpoint;
    const receipt = await this.#submit(
      'recordCheckpoint',
      [batchKey(id), encodeBytes32String(location), centi(temperature), `0x${documentHash}`],
      options,
    );
    // The committed step's sequence and excursion come from the events of this very transaction.
    const step = (await this.history(id, options)).find((candidate) => candidate.receipt.txId === receipt.txId);
    if (step?.kind !== 'checkpoint') {
      throw new LedgerError('INTERNAL', 'the checkpoint transaction emitted no CheckpointRecorded event', {
        details: { txId: receipt.txId },
      });
    }
    return step;
  }

  async receive(id: string, options: CallOptions = {}): Promise<ProvenanceStep> {
    checkBatchId(id);
    const receipt = await this.#submit('receiveAsset', [batchKey(id)], options);
    return { kind: 'received', ...this.#by(receipt) };
  }

  async batch(id: string, options: CallOptions = {}): Promise<Batch> {
    checkBatchId(id);
    const asset = single(await this.#evaluate('getAsset', [batchKey(id)], options));
    const offer = single(await this.#evaluate('getOffer', [batchKey(id)], options));
    const offeredTo = String(offer.to);
    return {
      id,
      product: decodeBytes32String(String(asset.product)),
      documentHash: String(asset.documentHash).slice(2),
      maxTemperature: Number(asset.maxTemperatureCentiCelsius) / 100,
      custodian: getAddress(String(asset.custodian)),
      pendingOffer: /^0x0{40}$/.test(offeredTo) ? null : getAddress(offeredTo),
      status: asset.received === true ? 'received' : 'active',
      flagged: asset.flagged === true,
      checkpoints: Number(asset.checkpointCount),
    };
  }

  async history(id: string, options: CallOptions = {}): Promise<ProvenanceStep[]> {
    checkBatchId(id);
    const revisions = await this.#ledger.history(batchKey(id), options);
    if (revisions.length === 0) throw new LedgerError('NOT_FOUND', `no batch ${id}`, { details: { id } });
    return stepsOf(revisions);
  }

  async verify(subject: string | readonly ProvenanceStep[], options: VerifyOptions = {}): Promise<VerifiedStep[]> {
    const steps = typeof subject === 'string' ? await this.history(subject, options) : subject;
    return verifySteps(this.#ledger, steps, options);
  }

  async close(): Promise<void> {
    await this.#ledger.close();
  }

  #by(receipt: Receipt) {
    return { by: this.identity, at: receipt.timestamp, receipt };
  }

  async #submit(method: string, args: unknown[], options: CallOptions): Promise<Receipt> {
    const call: LedgerCall = { contract: supplyChainContractName, method, args };
    try {
      return await this.#ledger.submit(call, options);
    } catch (error) {
      throw mapError(error);
    }
  }

  async #evaluate(method: string, args: unknown[], options: CallOptions): Promise<unknown> {
    try {
      return await this.#ledger.evaluate({ contract: supplyChainContractName, method, args }, options);
    } catch (error) {
      throw mapError(error);
    }
  }
}

/** A batch id as the contract's bytes32 key: the id's UTF-8 bytes, zero-padded (reversible). */
function batchKey(id: string): string {
  return encodeBytes32String(id);
}

/** °C to the contract's centi-degrees (validated to two decimals before). */
function centi(celsius: number): number {
  return Math.round(celsius * 100);
}

function single(value: unknown): Record<string, unknown> {
  const result = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof result !== 'object' || result === null) {
    throw new LedgerError('INTERNAL', 'the contract returned no struct', { details: { value } });
  }
  return result as Record<string, unknown>;
}

/** The contract's custom errors as the port's codes. */
function mapError(error: unknown): unknown {
  if (!isLedgerError(error)) return error;
  const errorName = typeof error.details.errorName === 'string' ? error.details.errorName : undefined;
  if (errorName === 'AssetNotFound') {
    return new LedgerError('NOT_FOUND', 'no such batch', { details: error.details, cause: error });
  }
  if (errorName === 'ZeroAssetId' || errorName === 'ExpiryNotInFuture') {
    return new LedgerError('INVALID_ARGUMENT', `the contract refused the input (${errorName})`, {
      details: error.details,
      cause: error,
    });
  }
  const reason = errorName === undefined ? undefined : reasonOfError[errorName];
  if (isLedgerError(error, 'CONTRACT_REVERTED') && reason) {
    return ruleViolation(
      reason,
      `SupplyChain.sol refused: ${errorName}`,
      { errorName, errorArgs: error.details.errorArgs },
      error,
    );
  }
  return error;
}

/** One step per transaction: the events a transaction emitted for the batch, in log order. */
function stepsOf(revisions: readonly Revision[]): ProvenanceStep[] {
  const steps: ProvenanceStep[] = [];
  let txId: string | undefined;
  let events: Array<Record<string, unknown>> = [];
  let receipt: Receipt | undefined;
  const flush = () => {
    if (receipt) {
      const step = stepOfTransaction(events, receipt);
      if (step) steps.push(step);
    }
  };
  for (const revision of revisions) {
    if (revision.receipt.txId !== txId) {
      flush();
      txId = revision.receipt.txId;
      receipt = revision.receipt;
      events = [];
    }
    events.push(revision.value as Record<string, unknown>);
  }
  flush();
  return steps;
}

function stepOfTransaction(
  events: ReadonlyArray<Record<string, unknown>>,
  receipt: Receipt,
): ProvenanceStep | undefined {
  const named = (name: string) => events.find((event) => event.event === name);
  const at = receipt.timestamp;
  const registered = named('AssetRegistered');
  if (registered) {
    const limit = named('TemperatureLimitSet');
    return {
      kind: 'registered',
      product: decodeBytes32String(String(registered.product)),
      documentHash: String(registered.documentHash).slice(2),
      maxTemperature: Number(limit?.maxTemperatureCentiCelsius ?? 32_767) / 100,
      by: getAddress(String(registered.manufacturer)),
      at,
      receipt,
    };
  }
  const offered = named('CustodyOffered');
  if (offered) {
    return {
      kind: 'custody-offered',
      to: getAddress(String(offered.to)),
      by: getAddress(String(offered.from)),
      at,
      receipt,
    };
  }
  const transferred = named('CustodyTransferred');
  if (transferred) {
    return {
      kind: 'custody-accepted',
      from: getAddress(String(transferred.from)),
      by: getAddress(String(transferred.to)),
      at,
      receipt,
    };
  }
  const checkpoint = named('CheckpointRecorded');
  if (checkpoint) {
    return {
      kind: 'checkpoint',
      // The contract counts from 0; the business (and the other backends) from 1.
      sequence: Number(checkpoint.sequence) + 1,
      location: decodeBytes32String(String(checkpoint.locationCode)),
      temperature: Number(checkpoint.temperatureCentiCelsius) / 100,
      documentHash: String(checkpoint.documentHash).slice(2),
      excursion: named('TemperatureExcursion') !== undefined,
      by: getAddress(String(checkpoint.custodian)),
      at,
      receipt,
    };
  }
  const received = named('AssetReceived');
  if (received) return { kind: 'received', by: getAddress(String(received.retailer)), at, receipt };
  // CustodyOfferCancelled: not a step of this port's business.
  return undefined;
}
