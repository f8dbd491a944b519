import { isLedgerError } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import type { Role } from './domain.ts';
import { ruleReasonOf } from './errors.ts';
import { applyStep, type BatchDocument, type StepRecord } from './rules.ts';

const roles: Record<string, Role> = { acme: 'manufacturer', haul: 'carrier', shop: 'retailer', audit: 'auditor' };
const roleOf = (party: string) => roles[party];
const hash = 'a'.repeat(64);
const registered: StepRecord = { kind: 'registered', by: 'acme', product: 'p', documentHash: hash, maxTemperature: 8 };

function refusal(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

function walk(...steps: StepRecord[]): BatchDocument {
  let batch: BatchDocument | undefined;
  for (const step of [registered, ...steps]) batch = applyStep('B1', batch, step, roleOf);
  return batch as BatchDocument;
}

describe('applyStep', () => {
  test('registration makes the manufacturer custodian of an active, unflagged batch', () => {
    expect(walk()).toEqual({
      id: 'B1',
      product: 'p',
      documentHash: hash,
      maxTemperature: 8,
      custodian: 'acme',
      pendingOffer: null,
      status: 'active',
      flagged: false,
      checkpoints: 0,
      step: registered,
    });
    expect(
      isLedgerError(
        refusal(() => applyStep('B1', undefined, { ...registered, by: 'haul' }, roleOf)),
        'PERMISSION_DENIED',
      ),
    ).toBe(true);
    expect(ruleReasonOf(refusal(() => applyStep('B1', walk(), registered, roleOf)))).toBe('ALREADY_REGISTERED');
  });

  test('custody moves by offer and acceptance, only to whom it was offered', () => {
    const offered = walk({ kind: 'custody-offered', by: 'acme', to: 'haul' });
    expect(offered).toMatchObject({ custodian: 'acme', pendingOffer: 'haul' });
    const accept: StepRecord = { kind: 'custody-accepted', by: 'haul', from: 'acme' };
    expect(applyStep('B1', offered, accept, roleOf)).toMatchObject({ custodian: 'haul', pendingOffer: null });
    expect(ruleReasonOf(refusal(() => applyStep('B1', offered, { ...accept, by: 'shop' }, roleOf)))).toBe(
      'NOT_OFFERED_TO',
    );
    expect(ruleReasonOf(refusal(() => applyStep('B1', walk(), accept, roleOf)))).toBe('NO_PENDING_OFFER');
    for (const to of ['acme', 'audit', 'stranger']) {
      const offer: StepRecord = { kind: 'custody-offered', by: 'acme', to };
      expect(ruleReasonOf(refusal(() => applyStep('B1', walk(), offer, roleOf)))).toBe('INVALID_RECEIVER');
    }
    const byOther: StepRecord = { kind: 'custody-offered', by: 'haul', to: 'shop' };
    expect(ruleReasonOf(refusal(() => applyStep('B1', walk(), byOther, roleOf)))).toBe('NOT_CUSTODIAN');
  });

  test('a checkpoint above the limit flags for good; sequence and excursion must follow the batch', () => {
    const reading = (sequence: number, temperature: number): StepRecord => ({
      kind: 'checkpoint',
      by: 'acme',
      sequence,
      location: 'DE-HAM',
      temperature,
      documentHash: hash,
      excursion: temperature > 8,
    });
    expect(walk(reading(1, 8))).toMatchObject({ flagged: false, checkpoints: 1 });
    expect(walk(reading(1, 8.01), reading(2, 2))).toMatchObject({ flagged: true, checkpoints: 2 });
    // A step prepared against another version of the batch is a conflict the service retries.
    expect(
      isLedgerError(
        refusal(() => walk(reading(2, 4))),
        'OCC_CONFLICT',
      ),
    ).toBe(true);
    const stale = { ...reading(1, 9), excursion: false } as StepRecord;
    expect(
      isLedgerError(
        refusal(() => walk(stale)),
        'OCC_CONFLICT',
      ),
    ).toBe(true);
    expect(ruleReasonOf(refusal(() => walk({ ...reading(1, 4), by: 'haul' })))).toBe('NOT_CUSTODIAN');
  });

  test('only a retailer holding the batch receives it, and then it is final', () => {
    const atShop = walk(
      { kind: 'custody-offered', by: 'acme', to: 'shop' },
      { kind: 'custody-accepted', by: 'shop', from: 'acme' },
    );
    expect(
      isLedgerError(
        refusal(() => walk({ kind: 'received', by: 'acme' })),
        'PERMISSION_DENIED',
      ),
    ).toBe(true);
    const received = applyStep('B1', atShop, { kind: 'received', by: 'shop' }, roleOf);
    expect(received).toMatchObject({ status: 'received', pendingOffer: null });
    for (const step of [
      { kind: 'received', by: 'shop' },
      { kind: 'custody-offered', by: 'shop', to: 'haul' },
      { kind: 'custody-accepted', by: 'haul', from: 'shop' },
    ] as StepRecord[]) {
      expect(ruleReasonOf(refusal(() => applyStep('B1', received, step, roleOf)))).toBe('BATCH_RECEIVED');
    }
    expect(
      isLedgerError(
        refusal(() => applyStep('B1', undefined, { kind: 'received', by: 'shop' }, roleOf)),
        'NOT_FOUND',
      ),
    ).toBe(true);
  });
});
