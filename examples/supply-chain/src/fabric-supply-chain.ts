// The decentralized model on Fabric: the supply-chain chaincode enforces the rules, endorsed by
// the organizations the chaincode's policy names; this file only maps the port to its
// transactions, its asset JSON and its `[CODE]` rejections. One Ledger per identity.
import { X509Certificate } from 'node:crypto';
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
import type { FabricLedger } from '@ledgerkit/fabric';
import {
  type Batch,
  type NewBatch,
  type NewCheckpoint,
  type PartyId,
  type ProvenanceStep,
  type Role,
  type RuleReason,
  ruleReasons,
} from './domain.ts';
import { ruleViolation } from './errors.ts';
import type { SupplyChain, VerifiedStep } from './port.ts';
import { checkBatchId, checkNewBatch, checkNewCheckpoint } from './validate.ts';
import { verifySteps } from './verify-steps.ts';

/** A party as the chaincode stores it: MSP id and the certificate's subject and issuer. */
interface ChaincodeParty {
  mspId: string;
  id: string;
}

/** The chaincode's asset JSON (contracts/fabric `Asset`), the fields this mapping reads. */
interface ChaincodeAsset {
  id: string;
  product: string;
  documentHash: string;
  custodian: ChaincodeParty;
  pendingTransfer: { toMspId: string } | null;
  checkpointCount: number;
  lastCheckpoint: {
    sequence: number;
    locationCode: string;
    temperature: number;
    documentHash: string;
    recordedBy: ChaincodeParty;
  } | null;
  maxTemperature: number | null;
  flagged?: boolean;
  status?: 'active' | 'received';
}

const roles: readonly Role[] = ['manufacturer', 'carrier', 'retailer', 'auditor'];

/**
 * The port on the supply-chain chaincode, as the ledger's identity. The identity's role is
 * the `role` attribute of its certificate (Fabric CA's attribute extension), which is also what
 * the chaincode checks.
 *
 * @param ledger - a ledger connected as one identity, to the channel and the supply-chain chaincode
 * @param certificate - that identity's certificate (PEM)
 * @returns the supply chain as that identity
 * @throws LedgerError `PERMISSION_DENIED` when the certificate carries no supply-chain role
 */
export function fabricSupplyChain(ledger: FabricLedger, certificate: string | Uint8Array): SupplyChain {
  const x509 = new X509Certificate(certificate);
  const commonName = /(?:^|\n)CN=([^\n]+)/.exec(x509.subject)?.[1] ?? '';
  const attributes = /\{"attrs":\{[^}]*\}\}/.exec(Buffer.from(x509.raw).toString('latin1'))?.[0];
  const role = attributes ? (JSON.parse(attributes) as { attrs: Record<string, string> }).attrs.role : undefined;
  const identity = `${ledger.mspId}:${commonName}`;
  if (!roles.includes(role as Role)) {
    throw new LedgerError('PERMISSION_DENIED', `identity ${identity} has no supply-chain role attribute`, {
      details: { identity, role },
    });
  }
  return new FabricSupplyChain(ledger, identity, role as Role);
}

class FabricSupplyChain implements SupplyChain {
  readonly backend = 'fabric' as const;
  readonly trustModel = 'decentralized' as const;
  readonly identity: PartyId;
  readonly role: Role;
  readonly #ledger: FabricLedger;

  constructor(ledger: FabricLedger, identity: PartyId, role: Role) {
    this.#ledger = ledger;
    this.identity = identity;
    this.role = role;
  }

  async register(batch: NewBatch, options: CallOptions = {}): Promise<ProvenanceStep> {
    checkNewBatch(batch);
    const { product, documentHash, maxTemperature } = batch;
    const receipt = await this.#submit(
      'RegisterBatch',
      [batch.id, product, documentHash, String(maxTemperature)],
      options,
    );
    return { kind: 'registered', product, documentHash, maxTemperature, ...this.#by(receipt) };
  }

  async offerCustody(id: string, to: PartyId, options: CallOptions = {}): Promise<ProvenanceStep> {
    checkBatchId(id);
    const toMspId = to.split(':')[0] ?? '';
    if (!/^[A-Za-z0-9.-]+$/.test(toMspId)) {
      throw new InvalidArgumentError('to', 'the receiver is an MSP id or MSPID:name', { to });
    }
    // Fabric judges expiry by the transaction's (client's) clock.
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const receipt = await this.#submit('OfferTransfer', [id, toMspId, expiresAt], options);
    return { kind: 'custody-offered', to: toMspId, ...this.#by(receipt) };
  }

  async acceptCustody(id: string, options: CallOptions = {}): Promise<ProvenanceStep> {
    checkBatchId(id);
    const before = await this.batch(id, options);
    const receipt = await this.#submit('AcceptTransfer', [id], options);
    return { kind: 'custody-accepted', from: before.custodian, ...this.#by(receipt) };
  }

  async recordCheckpoint(id: string, checkpoint: NewCheckpoint, options: CallOptions = {}): Promise<ProvenanceStep> {
    checkBatchId(id);
    checkNewCheckpoint(checkpoint);
    const { location, temperature, documentHash } = checkpoint;
    const receipt = await this.#submit('RecordCheckpoint', [id, location, String(temperature), documentHash], options);
    // The gateway peer committed the transaction before submit returned, so it reads its result.
    const asset = await this.#asset(id, options);
    const limit = asset.maxTemperature;
    return {
      kind: 'checkpoint',
      sequence: asset.lastCheckpoint?.sequence ?? asset.checkpointCount,
      location,
      temperature,
      documentHash,
      excursion: limit !== null && temperature > limit,
      ...this.#by(receipt),
    };
  }

  async receive(id: string, options: CallOptions = {}): Promise<ProvenanceStep> {
    checkBatchId(id);
    const receipt = await this.#submit('ReceiveAsset', [id], options);
    return { kind: 'received', ...this.#by(receipt) };
  }

  async batch(id: string, options: CallOptions = {}): Promise<Batch> {
    checkBatchId(id);
    return batchOf(await this.#asset(id, options));
  }

  async history(id: string, options: CallOptions = {}): Promise<ProvenanceStep[]> {
    checkBatchId(id);
    let revisions: Revision[];
    try {
      revisions = await this.#ledger.history(id, options);
    } catch (error) {
      throw mapError(error);
    }
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

  async #asset(id: string, options: CallOptions): Promise<ChaincodeAsset> {
    try {
      return (await this.#ledger.evaluate({ method: 'ReadAsset', args: [id] }, options)) as ChaincodeAsset;
    } catch (error) {
      throw mapError(error);
    }
  }

  async #submit(method: string, args: string[], options: CallOptions): Promise<Receipt> {
    const call: LedgerCall = { method, args };
    try {
      return await this.#ledger.submit(call, options);
    } catch (error) {
      throw mapError(error);
    }
  }
}

/** `MSPID:commonName` of a chaincode party (its id is `x509::<subject>::<issuer>`). */
function partyOf(party: ChaincodeParty): PartyId {
  const subject = /^x509::(.*?)::/.exec(party.id)?.[1] ?? party.id;
  const commonName = /CN=([^/,]+)/.exec(subject)?.[1] ?? subject;
  return `${party.mspId}:${commonName}`;
}

function batchOf(asset: ChaincodeAsset): Batch {
  return {
    id: asset.id,
    product: asset.product,
    documentHash: asset.documentHash,
    maxTemperature: asset.maxTemperature ?? 100,
    custodian: partyOf(asset.custodian),
    pendingOffer: asset.pendingTransfer?.toMspId ?? null,
    status: asset.status ?? 'active',
    flagged: asset.flagged ?? false,
    checkpoints: asset.checkpointCount,
  };
}

/** The chaincode's `[CODE]` rejections as the port's codes. */
function mapError(error: unknown): unknown {
  if (!isLedgerError(error, 'CONTRACT_REVERTED')) return error;
  const code = typeof error.details.reasonCode === 'string' ? error.details.reasonCode : undefined;
  const reason = typeof error.details.reason === 'string' ? error.details.reason : error.shortMessage;
  if (code === 'FORBIDDEN') {
    return new LedgerError('PERMISSION_DENIED', `the chaincode refused the caller: ${reason}`, {
      details: error.details,
      cause: error,
    });
  }
  if (code === 'INVALID_ARGUMENT') {
    return new LedgerError('INVALID_ARGUMENT', `the chaincode refused the input: ${reason}`, {
      details: error.details,
      cause: error,
    });
  }
  if (code === 'ALREADY_EXISTS') return ruleViolation('ALREADY_REGISTERED', reason, { chaincodeCode: code }, error);
  if ((ruleReasons as readonly string[]).includes(code ?? '')) {
    return ruleViolation(code as RuleReason, reason, { chaincodeCode: code }, error);
  }
  return error;
}

/** One step per committed version of the asset, from what changed since the version before. */
function stepsOf(revisions: readonly Revision[]): ProvenanceStep[] {
  const steps: ProvenanceStep[] = [];
  let previous: ChaincodeAsset | undefined;
  for (const revision of revisions) {
    const asset = revision.value as unknown as ChaincodeAsset | null;
    if (!asset) continue;
    const base = { at: revision.receipt.timestamp, receipt: revision.receipt };
    if (!previous) {
      steps.push({
        kind: 'registered',
        product: asset.product,
        documentHash: asset.documentHash,
        maxTemperature: asset.maxTemperature ?? 100,
        by: partyOf(asset.custodian),
        ...base,
      });
    } else if (asset.status === 'received' && previous.status !== 'received') {
      steps.push({ kind: 'received', by: partyOf(asset.custodian), ...base });
    } else if (partyOf(asset.custodian) !== partyOf(previous.custodian)) {
      steps.push({
        kind: 'custody-accepted',
        from: partyOf(previous.custodian),
        by: partyOf(asset.custodian),
        ...base,
      });
    } else if (asset.checkpointCount > previous.checkpointCount && asset.lastCheckpoint) {
      const checkpoint = asset.lastCheckpoint;
      steps.push({
        kind: 'checkpoint',
        sequence: checkpoint.sequence,
        location: checkpoint.locationCode,
        temperature: checkpoint.temperature,
        documentHash: checkpoint.documentHash,
        excursion: asset.maxTemperature !== null && checkpoint.temperature > asset.maxTemperature,
        by: partyOf(checkpoint.recordedBy),
        ...base,
      });
    } else if (asset.pendingTransfer && !previous.pendingTransfer) {
      steps.push({ kind: 'custody-offered', to: asset.pendingTransfer.toMspId, by: partyOf(asset.custodian), ...base });
    }
    // A cancelled offer is not a step of this port's business.
    previous = asset;
  }
  return steps;
}
