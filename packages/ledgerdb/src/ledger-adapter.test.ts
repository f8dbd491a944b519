import { type Checkpoint, type Ledger, LedgerError, type LedgerEvent, type Revision } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import { asLedger, type LedgerdbLedgerOptions } from './ledger-adapter.js';
import { type LedgerDatabase, openLedgerDatabase } from './ledger-database.js';

async function unified(): Promise<Ledger<LedgerDatabase>> {
  const database = await openLedgerDatabase({ name: 'adapter' });
  await database.createTable('shipments');
  return asLedger(database);
}

describe('the core Ledger interface over ledgerdb', () => {
  test('describes itself as the centralized backend', async () => {
    const ledger = await unified();
    expect([ledger.kind, ledger.trustModel, ledger.id]).toEqual(['ledgerdb', 'centralized', 'adapter']);
    await ledger.close();
  });

  test('submit returns a receipt that verifies; a tampered receipt does not', async () => {
    const ledger = await unified();
    const receipt = await ledger.submit({ method: 'insert', args: ['shipments', { sku: 'A' }, { id: 'p1' }] });
    expect(receipt).toMatchObject({ backend: 'ledgerdb', ledger: 'adapter', position: { block: 0, index: 0 } });
    const roundTripped = JSON.parse(JSON.stringify(receipt));
    expect(await ledger.verify(roundTripped)).toMatchObject({ ok: true });
    const forged = { ...roundTripped, txId: 'someone-else' };
    expect((await ledger.verify(forged)).ok).toBe(false);
    const wrongHash = { ...roundTripped, proof: { ...roundTripped.proof, blockHash: 'ab'.repeat(32) } };
    expect((await ledger.verify(wrongHash)).ok).toBe(false);
    await ledger.close();
  });

  test('execute commits several statements atomically, or none', async () => {
    const ledger = await unified();
    await ledger.submit({
      method: 'execute',
      args: [
        [
          { op: 'insert', table: 'shipments', id: 'a', data: { n: 1 } },
          { op: 'insert', table: 'shipments', id: 'b', data: { n: 2 } },
        ],
      ],
    });
    await expect(
      ledger.submit({
        method: 'execute',
        args: [
          [
            { op: 'update', table: 'shipments', id: 'a', data: { n: 10 } },
            { op: 'update', table: 'shipments', id: 'missing', data: {} },
          ],
        ],
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await ledger.evaluate({ method: 'get', args: ['shipments', 'a'] })).toEqual({ n: 1 });
    await ledger.close();
  });

  test('history gives unified revisions with receipts, and each verifies', async () => {
    const ledger = await unified();
    await ledger.submit({ method: 'insert', args: ['shipments', { step: 'packed' }, { id: 'p1' }] });
    await ledger.submit({ method: 'update', args: ['shipments', 'p1', { step: 'shipped' }] });
    await ledger.submit({ method: 'delete', args: ['shipments', 'p1'] });
    const history = await ledger.history('shipments/p1');
    expect(history.map((revision) => [revision.version, revision.value, revision.deleted])).toEqual([
      [0, { step: 'packed' }, false],
      [1, { step: 'shipped' }, false],
      [2, null, true],
    ]);
    for (const revision of history) expect((await ledger.verify(revision)).ok).toBe(true);
    expect((await ledger.verify({ ...(history[0] as Revision), value: { step: 'forged' } })).ok).toBe(false);
    await ledger.close();
  });

  test('events resume after a checkpoint with no gap and no duplicate, then follow live commits', async () => {
    const ledger = await unified();
    for (let i = 0; i < 5; i++) await ledger.submit({ method: 'insert', args: ['shipments', { i }] });
    const first: LedgerEvent[] = [];
    for await (const event of ledger.events()) {
      first.push(event);
      if (first.length === 3) break;
    }
    const controller = new AbortController();
    const rest: LedgerEvent[] = [];
    const consumer = (async () => {
      for await (const event of ledger.events({
        from: first[2]?.checkpoint as Checkpoint,
        signal: controller.signal,
      })) {
        rest.push(event);
        if (rest.length === 3) controller.abort();
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await ledger.submit({ method: 'insert', args: ['shipments', { i: 5 }] });
    await consumer;
    const seen = [...first, ...rest].map((event) => (event.payload as { data: { i: number } }).data.i);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rest.map((event) => event.checkpoint)).toEqual([
      { block: 3, index: 0 },
      { block: 4, index: 0 },
      { block: 5, index: 0 },
    ]);
    await ledger.close();
  });

  test('rejects unknown methods and malformed keys with INVALID_ARGUMENT', async () => {
    const ledger = await unified();
    await expect(ledger.submit({ method: 'drop', args: [] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(ledger.evaluate({ method: 'scan' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(ledger.history('no-slash')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await ledger.close();
  });

  test('evaluate of a missing or deleted document rejects with NOT_FOUND', async () => {
    const ledger = await unified();
    await expect(ledger.evaluate({ method: 'get', args: ['shipments', 'nope'] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await ledger.submit({ method: 'insert', args: ['shipments', { n: 1 }, { id: 'gone' }] });
    await ledger.submit({ method: 'delete', args: ['shipments', 'gone'] });
    await expect(ledger.evaluate({ method: 'get', args: ['shipments', 'gone'] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await ledger.close();
  });

  test('revision receipts carry the receipt format version', async () => {
    const ledger = await unified();
    await ledger.submit({ method: 'insert', args: ['shipments', { n: 1 }, { id: 'v' }] });
    const [revision] = await ledger.history('shipments/v');
    expect(revision?.receipt.version).toBe(1);
    await ledger.close();
  });

  test('an aborted signal rejects submit and evaluate with TIMEOUT or ABORTED and writes nothing', async () => {
    const ledger = await unified();
    const deadline = AbortSignal.abort(new DOMException('late', 'TimeoutError'));
    const insert = { method: 'insert', args: ['shipments', { n: 1 }, { id: 's' }] };
    await expect(ledger.submit(insert, { signal: deadline })).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(ledger.submit(insert, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(
      ledger.evaluate({ method: 'get', args: ['shipments', 's'] }, { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(ledger.history('shipments/s', { signal: deadline })).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(await ledger.history('shipments/s')).toEqual([]);
    await ledger.close();
  });
});

describe('table rules of the unified ledgerdb Ledger', () => {
  async function ruled(rules: LedgerdbLedgerOptions): Promise<Ledger<LedgerDatabase>> {
    const database = await openLedgerDatabase({ name: 'rules' });
    await database.createTable('shipments');
    await database.createTable('audit');
    return asLedger(database, rules);
  }

  test('a rule sees each change before it is written and refuses with CONTRACT_REVERTED', async () => {
    const seen: unknown[] = [];
    const ledger = await ruled({
      rules: {
        shipments: (change) => {
          seen.push(change);
          if ((change.data as { qty?: number } | undefined)?.qty === 0) throw new Error('qty must be positive');
        },
      },
    });
    await ledger.submit({ method: 'insert', args: ['shipments', { qty: 1 }, { id: 'a' }] });
    await ledger.submit({ method: 'update', args: ['shipments', 'a', { qty: 2 }] });
    const refused = ledger.submit({ method: 'update', args: ['shipments', 'a', { qty: 0 }] });
    await expect(refused).rejects.toMatchObject({
      code: 'CONTRACT_REVERTED',
      details: { reason: 'qty must be positive', table: 'shipments', op: 'update', id: 'a' },
    });
    await ledger.submit({ method: 'delete', args: ['shipments', 'a'] });
    await ledger.submit({ method: 'insert', args: ['audit', { free: true }] });
    expect(seen).toEqual([
      { op: 'insert', table: 'shipments', id: 'a', data: { qty: 1 } },
      { op: 'update', table: 'shipments', id: 'a', data: { qty: 2 } },
      { op: 'update', table: 'shipments', id: 'a', data: { qty: 0 } },
      { op: 'delete', table: 'shipments', id: 'a' },
    ]);
    expect((await ledger.history('shipments/a')).map((revision) => revision.value)).toEqual([
      { qty: 1 },
      { qty: 2 },
      null,
    ]);
    await ledger.close();
  });

  test('a refusal inside execute commits none of its statements', async () => {
    const ledger = await ruled({
      rules: {
        audit: () => {
          throw new Error('audit is append-only through the service');
        },
      },
    });
    const call = {
      method: 'execute',
      args: [
        [
          { op: 'insert', table: 'shipments', id: 'x', data: { qty: 1 } },
          { op: 'insert', table: 'audit', id: 'x', data: { note: 'x' } },
        ],
      ],
    };
    await expect(ledger.submit(call)).rejects.toMatchObject({ code: 'CONTRACT_REVERTED' });
    await expect(ledger.evaluate({ method: 'get', args: ['shipments', 'x'] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await ledger.close();
  });

  test('a rule reads inside the transaction, and its LedgerError passes through unchanged', async () => {
    const ledger = await ruled({
      rules: {
        shipments: async (change, { tx }) => {
          if (change.op === 'insert' && (await tx.get('audit', 'open')) === undefined) {
            throw new LedgerError('PERMISSION_DENIED', 'the audit is not open');
          }
        },
      },
    });
    const insert = { method: 'insert', args: ['shipments', { qty: 1 }, { id: 'p' }] };
    await expect(ledger.submit(insert)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await ledger.submit({ method: 'insert', args: ['audit', {}, { id: 'open' }] });
    await ledger.submit(insert);
    expect(await ledger.evaluate({ method: 'get', args: ['shipments', 'p'] })).toEqual({ qty: 1 });
    await ledger.close();
  });

  test('a rule that is not a function is refused when the ledger is made', async () => {
    const database = await openLedgerDatabase({ name: 'rules' });
    expect(() => asLedger(database, { rules: { shipments: 'no' as never } })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    await database.close();
  });
});
