// The service's rules: a table rule given to the server runs before each write to that
// table, in the transaction; a refusal is CONTRACT_REVERTED and nothing of the request
// commits.
import { isLedgerError } from '@ledgerkit/core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LedgerdbClient } from '../src/client.js';
import type { RuleChange } from '../src/index.js';
import { startTestServer, type TestServer } from './server-helpers.js';

let t: TestServer;
const seen: RuleChange[] = [];

beforeAll(async () => {
  t = await startTestServer({
    server: {
      rules: {
        orders: (change) => {
          seen.push(change);
          if ((change.data as { qty?: number } | undefined)?.qty === 0) throw new Error('an order needs a quantity');
        },
      },
    },
  });
});
afterAll(async () => {
  await t.close();
});

test('a rule sees each write and refuses with CONTRACT_REVERTED; the refused request commits nothing', async () => {
  const client = await LedgerdbClient.connect({ url: t.url, token: t.tokens.admin as string });
  await client.submit({ method: 'insert', args: ['orders', { qty: 2 }, { id: 'o1' }] });
  expect(seen).toEqual([{ op: 'insert', table: 'orders', id: 'o1', data: { qty: 2 } }]);
  const before = (await client.digest()).treeSize;
  const refused = await client
    .submit({
      method: 'execute',
      args: [
        [
          { op: 'insert', table: 'secrets', id: 's1', data: { n: 1 } },
          { op: 'insert', table: 'orders', id: 'o2', data: { qty: 0 } },
        ],
      ],
    })
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  expect(isLedgerError(refused, 'CONTRACT_REVERTED')).toBe(true);
  expect((await client.digest()).treeSize).toBe(before);
  await expect(client.evaluate({ method: 'get', args: ['secrets', 's1'] })).rejects.toMatchObject({
    code: 'NOT_FOUND',
  });
  await client.close();
});
