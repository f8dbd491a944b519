// The supply-chain scenario, written once and run against every backend: the happy path from
// registration to receipt with its provenance and the auditor's verification, and each business
// rule refused with the same typed error everywhere.
import { createHash } from 'node:crypto';
import { isLedgerError, type Receipt, type TrustAnchor } from '@ledgerkit/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ProvenanceStep, ruleReasonOf, type SupplyChain } from '../src/index.ts';

/** The four identities of the scenario, each a SupplyChain acting as itself. */
export interface Parties {
  manufacturer: SupplyChain;
  carrier: SupplyChain;
  retailer: SupplyChain;
  auditor: SupplyChain;
}

/**
 * Starts a backend with the four identities; `stop` tears everything down. `pinAnchor` returns
 * a trust anchor as of now that the auditor obtains out of band, not from the backend's verify.
 */
export type StartBackend = () => Promise<{
  parties: Parties;
  stop: () => Promise<void>;
  pinAnchor: () => Promise<TrustAnchor>;
}>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const run = `${process.pid.toString(36)}${Date.now().toString(36)}`.slice(-10);
let counter = 0;
const newBatchId = () => `lot-${run}-${counter++}`;

/** The error a refused promise rejected with (the test fails if it resolves). */
async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to be refused');
}

async function expectRule(promise: Promise<unknown>, reason: string): Promise<void> {
  const error = await refusal(promise);
  expect(isLedgerError(error, 'CONTRACT_REVERTED'), String(error)).toBe(true);
  expect(ruleReasonOf(error)).toBe(reason);
}

async function expectCode(promise: Promise<unknown>, code: 'PERMISSION_DENIED' | 'NOT_FOUND' | 'INVALID_ARGUMENT') {
  const error = await refusal(promise);
  expect(isLedgerError(error, code), String(error)).toBe(true);
}

function expectReceipt(receipt: Receipt, backend: string): void {
  expect(receipt.backend).toBe(backend);
  expect(receipt.txId).toMatch(/\S/);
  expect(Number.isNaN(Date.parse(receipt.timestamp))).toBe(false);
  expect(JSON.parse(JSON.stringify(receipt))).toEqual(receipt);
}

/**
 * Defines the scenario's tests for one backend.
 *
 * @param backend - the backend's kind, as its receipts name it
 * @param start - starts the backend and connects the four identities
 * @param label - how the test names the backend (default: its kind)
 */
export function supplyChainScenario(
  backend: 'ledgerdb' | 'ethereum' | 'fabric',
  start: StartBackend,
  label: string = backend,
): void {
  describe(`the supply chain on ${label}`, () => {
    let parties: Parties;
    let stop: (() => Promise<void>) | undefined;
    let pinAnchor: () => Promise<TrustAnchor>;

    beforeAll(async () => {
      ({ parties, stop, pinAnchor } = await start());
    });
    afterAll(async () => {
      await stop?.();
    });

    /** Manufacturer → carrier → retailer, who then holds the batch. */
    async function deliver(id: string): Promise<void> {
      const { manufacturer, carrier, retailer } = parties;
      await manufacturer.register({ id, product: 'vaccine lot', documentHash: sha256(id), maxTemperature: 8 });
      await manufacturer.offerCustody(id, carrier.identity);
      await carrier.acceptCustody(id);
      await carrier.offerCustody(id, retailer.identity);
      await retailer.acceptCustody(id);
    }

    test('a batch travels from manufacturer to retailer; the provenance verifies step by step', async () => {
      const { manufacturer, carrier, retailer, auditor } = parties;
      expect([manufacturer.role, carrier.role, retailer.role, auditor.role]).toEqual([
        'manufacturer',
        'carrier',
        'retailer',
        'auditor',
      ]);
      expect(manufacturer.backend).toBe(backend);
      const id = newBatchId();
      const written: ProvenanceStep[] = [];
      written.push(
        await manufacturer.register({ id, product: 'mRNA vaccine', documentHash: sha256('coa'), maxTemperature: 8 }),
      );
      written.push(
        await manufacturer.recordCheckpoint(id, {
          location: 'BE-PUU',
          temperature: 4.5,
          documentHash: sha256('cmr-1'),
        }),
      );
      written.push(await manufacturer.offerCustody(id, carrier.identity));
      expect(await auditor.batch(id)).toMatchObject({ custodian: manufacturer.identity, status: 'active' });
      expect(carrier.identity.startsWith(String((await auditor.batch(id)).pendingOffer))).toBe(true);
      written.push(await carrier.acceptCustody(id));
      written.push(
        await carrier.recordCheckpoint(id, { location: 'DE-HAM', temperature: 9.25, documentHash: sha256('cmr-2') }),
      );
      expect(await auditor.batch(id)).toMatchObject({ custodian: carrier.identity, flagged: true, checkpoints: 2 });
      written.push(
        await carrier.recordCheckpoint(id, { location: 'NL-RTM', temperature: 5, documentHash: sha256('cmr-3') }),
      );
      written.push(await carrier.offerCustody(id, retailer.identity));
      written.push(await retailer.acceptCustody(id));
      written.push(await retailer.receive(id));

      expect(await auditor.batch(id)).toEqual({
        id,
        product: 'mRNA vaccine',
        documentHash: sha256('coa'),
        maxTemperature: 8,
        custodian: retailer.identity,
        pendingOffer: null,
        status: 'received',
        // A later cool reading does not clear an excursion.
        flagged: true,
        checkpoints: 3,
      });
      expect(
        written
          .filter((step) => step.kind === 'checkpoint')
          .map((step) => [step.kind === 'checkpoint' && step.sequence, step.kind === 'checkpoint' && step.excursion]),
      ).toEqual([
        [1, false],
        [2, true],
        [3, false],
      ]);

      const history = await auditor.history(id);
      expect(history.map((step) => [step.kind, step.by])).toEqual([
        ['registered', manufacturer.identity],
        ['checkpoint', manufacturer.identity],
        ['custody-offered', manufacturer.identity],
        ['custody-accepted', carrier.identity],
        ['checkpoint', carrier.identity],
        ['checkpoint', carrier.identity],
        ['custody-offered', carrier.identity],
        ['custody-accepted', retailer.identity],
        ['received', retailer.identity],
      ]);
      // The history is what was written, in order, with the same transactions.
      expect(history.map((step) => step.receipt.txId)).toEqual(written.map((step) => step.receipt.txId));
      expect(history[0]).toMatchObject({ kind: 'registered', product: 'mRNA vaccine', maxTemperature: 8 });
      expect(history[4]).toMatchObject({ kind: 'checkpoint', location: 'DE-HAM', temperature: 9.25, excursion: true });
      expect(history[3]).toMatchObject({ kind: 'custody-accepted', from: manufacturer.identity });
      const offered = history[2];
      expect(offered?.kind === 'custody-offered' && carrier.identity.startsWith(offered.to)).toBe(true);
      const times = history.map((step) => Date.parse(step.at));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      for (const step of history) expectReceipt(step.receipt, backend);

      // The auditor verifies every receipt, also from an exported (JSON) provenance file.
      const verified = await auditor.verify(id);
      expect(verified).toHaveLength(9);
      for (const step of verified) {
        expect(step.verification.ok, JSON.stringify(step.verification.checks.filter((check) => !check.ok))).toBe(true);
        expect(step.verification.checks.length).toBeGreaterThan(0);
      }
      const exported = JSON.parse(JSON.stringify(history)) as ProvenanceStep[];
      expect((await auditor.verify(exported)).every((step) => step.verification.ok)).toBe(true);
      // Against an anchor the auditor pinned, instead of the one the backend serves.
      const anchor = await pinAnchor();
      const pinned = await auditor.verify(exported, { anchor });
      expect(pinned).toHaveLength(9);
      for (const step of pinned) {
        expect(step.verification.ok, JSON.stringify(step.verification.checks.filter((c) => !c.ok))).toBe(true);
        expect(step.verification.anchor).toMatchObject({ type: anchor.type, explicit: true });
      }
      // A receipt moved to another position fails a named check instead of verifying.
      const [first] = exported;
      if (!first) throw new Error('no steps');
      const moved = {
        ...first,
        receipt: { ...first.receipt, position: { ...first.receipt.position, block: first.receipt.position.block + 1 } },
      };
      const [tampered] = await auditor.verify([moved]);
      expect(tampered?.verification.ok).toBe(false);
      expect(tampered?.verification.checks.some((check) => !check.ok && check.name.length > 0)).toBe(true);
    });

    test('only the current custodian may offer or record checkpoints', async () => {
      const { manufacturer, carrier, retailer } = parties;
      const id = newBatchId();
      await manufacturer.register({ id, product: 'insulin', documentHash: sha256(id), maxTemperature: 8 });
      const checkpoint = { location: 'DE-HAM', temperature: 4, documentHash: sha256('x') };
      await expectRule(carrier.recordCheckpoint(id, checkpoint), 'NOT_CUSTODIAN');
      await expectRule(carrier.offerCustody(id, retailer.identity), 'NOT_CUSTODIAN');
      await expectRule(carrier.acceptCustody(id), 'NO_PENDING_OFFER');
      await manufacturer.offerCustody(id, carrier.identity);
      // Custody moves only on acceptance, and only to whom it was offered.
      await expectRule(retailer.acceptCustody(id), 'NOT_OFFERED_TO');
      await expectRule(carrier.recordCheckpoint(id, checkpoint), 'NOT_CUSTODIAN');
      await carrier.acceptCustody(id);
      await expectRule(manufacturer.recordCheckpoint(id, checkpoint), 'NOT_CUSTODIAN');
      await expectRule(manufacturer.offerCustody(id, retailer.identity), 'NOT_CUSTODIAN');
      // Refused steps left no trace.
      expect((await manufacturer.history(id)).map((step) => step.kind)).toEqual([
        'registered',
        'custody-offered',
        'custody-accepted',
      ]);
    });

    test('a received batch is final: no second receipt, no checkpoint, no offer', async () => {
      const { carrier, retailer } = parties;
      const id = newBatchId();
      await deliver(id);
      await retailer.receive(id);
      await expectRule(retailer.receive(id), 'BATCH_RECEIVED');
      await expectRule(
        retailer.recordCheckpoint(id, { location: 'FR-PAR', temperature: 3, documentHash: sha256('y') }),
        'BATCH_RECEIVED',
      );
      await expectRule(retailer.offerCustody(id, carrier.identity), 'BATCH_RECEIVED');
      expect(await carrier.batch(id)).toMatchObject({ status: 'received', custodian: retailer.identity });
    });

    test('roles are the backend identities’ roles; unknown batches are NOT_FOUND', async () => {
      const { manufacturer, carrier, auditor } = parties;
      const id = newBatchId();
      await expectCode(
        carrier.register({ id, product: 'p', documentHash: sha256('p'), maxTemperature: 8 }),
        'PERMISSION_DENIED',
      );
      await expectCode(
        auditor.register({ id, product: 'p', documentHash: sha256('p'), maxTemperature: 8 }),
        'PERMISSION_DENIED',
      );
      await manufacturer.register({ id, product: 'p', documentHash: sha256('p'), maxTemperature: 8 });
      await expectRule(
        manufacturer.register({ id, product: 'p', documentHash: sha256('p'), maxTemperature: 8 }),
        'ALREADY_REGISTERED',
      );
      await manufacturer.offerCustody(id, carrier.identity);
      await carrier.acceptCustody(id);
      // A carrier holding the batch is still not a retailer.
      await expectCode(carrier.receive(id), 'PERMISSION_DENIED');
      await expectCode(auditor.batch(newBatchId()), 'NOT_FOUND');
      await expectCode(auditor.history(newBatchId()), 'NOT_FOUND');
      await expectCode(
        manufacturer.register({ id: 'bad id!', product: 'p', documentHash: sha256('p'), maxTemperature: 8 }),
        'INVALID_ARGUMENT',
      );
    });
  });
}
