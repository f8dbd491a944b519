// In server mode the rules hold even for a client that bypasses the service: `ledgerdb serve`
// runs them in its own transaction.
import { isLedgerError } from '@ledgerkit/core';
import { LedgerdbClient } from '@ledgerkit/ledgerdb/client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ruleReasonOf } from '../src/index.ts';
import { startServedService } from './backends.ts';

let served: Awaited<ReturnType<typeof startServedService>>;
let other: LedgerdbClient;

beforeAll(async () => {
  served = await startServedService();
  other = await LedgerdbClient.connect({ url: served.url, token: served.tokens['other-writer'] as string });
});
afterAll(async () => {
  await other?.close();
  await served?.stop();
});

test('the server refuses writes to batches that do not follow the rules, from any token', async () => {
  const acme = served.service.as('acme');
  await acme.register({ id: 'B1', product: 'p', documentHash: 'c'.repeat(64), maxTemperature: 8 });
  const stored = (await other.evaluate({ method: 'get', args: ['batches', 'B1'] })) as Record<string, unknown>;
  // Custody moved without an offer and acceptance.
  const forged = { ...stored, custodian: 'shop' };
  const error = await other.submit({ method: 'update', args: ['batches', 'B1', forged] }).catch((caught) => caught);
  expect(isLedgerError(error), String(error)).toBe(true);
  // A step by someone who is not the custodian, as the rules see it.
  const step = {
    kind: 'checkpoint',
    by: 'haulage',
    sequence: 1,
    location: 'DE-HAM',
    temperature: 4,
    documentHash: 'c'.repeat(64),
    excursion: false,
  };
  const notCustodian = await other
    .submit({ method: 'update', args: ['batches', 'B1', { ...stored, checkpoints: 1, step }] })
    .catch((caught) => caught);
  expect(ruleReasonOf(notCustodian)).toBe('NOT_CUSTODIAN');
  const deleted = await other.submit({ method: 'delete', args: ['batches', 'B1'] }).catch((caught) => caught);
  expect(isLedgerError(deleted, 'PERMISSION_DENIED'), String(deleted)).toBe(true);
  expect(await served.service.as('audit').batch('B1')).toMatchObject({ custodian: 'acme', checkpoints: 0 });
  expect((await served.service.as('audit').history('B1')).map((entry) => entry.kind)).toEqual(['registered']);
});
