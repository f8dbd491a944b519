import { isLedgerError, type JsonObject } from '@ledgerkit/core';
import { openLedgerDatabase } from '@ledgerkit/ledgerdb';
import { afterEach, describe, expect, test } from 'vitest';
import { ruleReasonOf } from './errors.ts';
import { LedgerdbSupplyChainService } from './ledgerdb-supply-chain.ts';

const hash = 'b'.repeat(64);
const participants = { acme: 'manufacturer', haul: 'carrier', shop: 'retailer', audit: 'auditor' } as const;
let service: LedgerdbSupplyChainService | undefined;

afterEach(async () => {
  await service?.close();
  service = undefined;
});

async function open() {
  service = await LedgerdbSupplyChainService.open(await openLedgerDatabase(), { participants });
  return service;
}

describe('LedgerdbSupplyChainService', () => {
  test('concurrent checkpoints each land once, numbered without gaps or repeats', async () => {
    const acme = (await open()).as('acme');
    await acme.register({ id: 'B1', product: 'p', documentHash: hash, maxTemperature: 8 });
    const temperatures = Array.from({ length: 12 }, (_, index) => index);
    const steps = await Promise.all(
      temperatures.map((temperature) =>
        acme.recordCheckpoint('B1', { location: 'DE-HAM', temperature, documentHash: hash }),
      ),
    );
    const sequences = steps.map((step) => (step.kind === 'checkpoint' ? step.sequence : 0));
    expect([...sequences].sort((a, b) => a - b)).toEqual(temperatures.map((index) => index + 1));
    // Readings 9, 10 and 11 exceed the limit of 8, whichever order they committed in.
    expect(steps.filter((step) => step.kind === 'checkpoint' && step.excursion)).toHaveLength(3);
    expect(await acme.batch('B1')).toMatchObject({ checkpoints: 12, flagged: true });
  });

  test('of two concurrent receipts exactly one lands; the other is BATCH_RECEIVED', async () => {
    const chain = await open();
    const [acme, shop] = [chain.as('acme'), chain.as('shop')];
    await acme.register({ id: 'B1', product: 'p', documentHash: hash, maxTemperature: 8 });
    await acme.offerCustody('B1', 'shop');
    await shop.acceptCustody('B1');
    const outcomes = await Promise.allSettled([shop.receive('B1'), shop.receive('B1')]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected');
    expect(ruleReasonOf(refused?.reason)).toBe('BATCH_RECEIVED');
    expect((await shop.history('B1')).map((step) => step.kind)).toEqual([
      'registered',
      'custody-offered',
      'custody-accepted',
      'received',
    ]);
  });

  test('an offer racing a handover loses with NOT_CUSTODIAN instead of landing', async () => {
    const chain = await open();
    const [acme, haul] = [chain.as('acme'), chain.as('haul')];
    await acme.register({ id: 'B1', product: 'p', documentHash: hash, maxTemperature: 8 });
    await acme.offerCustody('B1', 'haul');
    const [accepted, reoffered] = await Promise.allSettled([haul.acceptCustody('B1'), acme.offerCustody('B1', 'shop')]);
    const batch = await acme.batch('B1');
    if (accepted.status === 'fulfilled' && reoffered.status === 'rejected') {
      // The handover committed first: the former custodian may no longer offer.
      expect(ruleReasonOf(reoffered.reason)).toBe('NOT_CUSTODIAN');
      expect(batch).toMatchObject({ custodian: 'haul', pendingOffer: null });
    } else {
      // The new offer committed first: it replaced the carrier's, so the carrier's acceptance is refused.
      expect(accepted.status === 'rejected' && ruleReasonOf(accepted.reason)).toBe('NOT_OFFERED_TO');
      expect(batch).toMatchObject({ custodian: 'acme', pendingOffer: 'shop' });
    }
  });

  test('the ledger refuses writes that bypass the service’s steps', async () => {
    const chain = await open();
    await chain.as('acme').register({ id: 'B1', product: 'p', documentHash: hash, maxTemperature: 8 });
    const stored = (await chain.ledger.evaluate({ method: 'get', args: ['batches', 'B1'] })) as Record<string, unknown>;
    const forged = { ...stored, custodian: 'shop' };
    await expect(chain.ledger.submit({ method: 'update', args: ['batches', 'B1', forged] })).rejects.toSatisfy(
      (error) => isLedgerError(error),
    );
    await expect(chain.ledger.submit({ method: 'delete', args: ['batches', 'B1'] })).rejects.toSatisfy((error) =>
      isLedgerError(error, 'PERMISSION_DENIED'),
    );
    expect((await chain.as('audit').batch('B1')).custodian).toBe('acme');
  });

  test('the auditor verifies the provenance against a digest it pinned', async () => {
    const chain = await open();
    const [acme, audit] = [chain.as('acme'), chain.as('audit')];
    await acme.register({ id: 'B1', product: 'p', documentHash: hash, maxTemperature: 8 });
    await acme.recordCheckpoint('B1', { location: 'DE-HAM', temperature: 9, documentHash: hash });
    // Obtained out of band (e.g. published by the operator) before the audit.
    const digest = (await chain.ledger.evaluate({ method: 'digest', args: [] })) as JsonObject;
    await acme.recordCheckpoint('B1', { location: 'NL-RTM', temperature: 4, documentHash: hash });
    const history = await audit.history('B1');
    const pinned = await audit.verify(history.slice(0, 2), { anchor: { type: 'ledgerdb-digest', digest } });
    expect(pinned.map((step) => [step.verification.ok, step.verification.anchor?.explicit])).toEqual([
      [true, true],
      [true, true],
    ]);
    // The third step came after the pinned digest: it cannot be proven against it.
    const [later] = await audit.verify(history.slice(2), { anchor: { type: 'ledgerdb-digest', digest } });
    expect(later?.verification.ok).toBe(false);
  });

  test('identities the operator did not register are UNAUTHENTICATED', async () => {
    const chain = await open();
    expect(() => chain.as('mallory')).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });
});
