// The harness runs mainstream TypeScript chaincode as a peer does: test/fixtures/asset-transfer
// is compiled with tsc (decorators, recorded parameter types) and depends on its own
// fabric-contract-api 2.5.6 (with the class-transformer 0.4.0 its lockfile pins), older than
// the 2.5.8 this package is built and tested against. Arguments are converted by the
// declared types and results serialized by the chaincode's own copy of the library.
import { isLedgerError } from '@ledgerkit/core';
import { Contract } from 'fabric-contract-api';
import { beforeAll, describe, expect, test } from 'vitest';
import { ChaincodeHarness, type ContractClass, type TestIdentity } from '../src/index.js';
import { loadAssetTransfer } from './fixtures/prepare-asset-transfer.js';

let contracts: ContractClass[];
beforeAll(async () => {
  contracts = (await loadAssetTransfer()) as ContractClass[];
}, 300_000);

function setup(): { harness: ChaincodeHarness; alice: TestIdentity } {
  const harness = new ChaincodeHarness();
  harness.deploy('basic', contracts);
  return { harness, alice: harness.identity({ mspId: 'Org1MSP', name: 'alice' }) };
}

async function revertMessage(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isLedgerError(error, 'CONTRACT_REVERTED')) throw new Error(`expected CONTRACT_REVERTED, got ${String(error)}`);
  return (error.details as { message: string }).message;
}

const stored = (harness: ChaincodeHarness, key: string): unknown =>
  JSON.parse(Buffer.from(harness.getState('basic', key) ?? []).toString('utf8'));

describe('ChaincodeHarness with decorated TypeScript chaincode on its own fabric-contract-api', () => {
  test('number parameters arrive as numbers and are stored as numbers', async () => {
    const { harness, alice } = setup();
    await harness.submit({ as: alice, transaction: 'CreateAsset', args: ['a1', 'blue', '5', 'Tom', '1300'] });
    expect(stored(harness, 'a1')).toEqual({ ID: 'a1', Color: 'blue', Size: 5, Owner: 'Tom', AppraisedValue: 1300 });
    const appraised = await harness.submit({ as: alice, transaction: 'Appraise', args: ['a1', '0.4', 'true'] });
    expect(appraised.json()).toEqual({ value: 1300, increaseType: 'number', roundType: 'boolean' });
  });

  test('a value that is not a number or boolean is refused with the peer’s message', async () => {
    const { harness, alice } = setup();
    expect(
      await revertMessage(
        harness.submit({ as: alice, transaction: 'CreateAsset', args: ['a1', 'blue', 'five', 'Tom', '1300'] }),
      ),
    ).toBe('fromBuffer could not convert data to number');
    await harness.submit({ as: alice, transaction: 'CreateAsset', args: ['a1', 'blue', '5', 'Tom', '1300'] });
    expect(await revertMessage(harness.submit({ as: alice, transaction: 'Appraise', args: ['a1', '1', 'yes'] }))).toBe(
      'fromBuffer could not convert data to boolean',
    );
    expect(harness.getState('basic', 'a1')).toBeDefined();
  });

  test('an object parameter is converted to its @Object() class and validated against its schema', async () => {
    const { harness, alice } = setup();
    const asset = { ID: 'o1', Color: 'red', Size: 3, Owner: 'Ann', AppraisedValue: 10 };
    const created = await harness.submit({
      as: alice,
      transaction: 'CreateAssetFromObject',
      args: [JSON.stringify(asset)],
    });
    expect(created.json()).toEqual({ isAsset: true, sizeType: 'number' });
    const message = await revertMessage(
      harness.submit({
        as: alice,
        transaction: 'CreateAssetFromObject',
        args: [JSON.stringify({ ...asset, ID: 'o2', Size: 'big' })],
      }),
    );
    expect(message).toMatch(/^Unable to validate parameter due to /);
    expect(harness.getState('basic', 'o2')).toBeUndefined();
  });

  test('an object result is serialized by the chaincode’s fabric-contract-api, not this package’s', async () => {
    const { harness, alice } = setup();
    expect((await harness.evaluate({ as: alice, transaction: 'Plain' })).json()).toEqual({ a: 1 });
    // The same return value through this package's own fabric-contract-api 2.5.8, whose
    // class-transformer (0.4.1) lacks classToPlain: a peer running that fails it too.
    class Own extends Contract {
      async Plain(): Promise<unknown> {
        return { a: 1 };
      }
    }
    const own = new ChaincodeHarness();
    own.deploy('own', [Own]);
    expect(await revertMessage(own.evaluate({ as: alice, transaction: 'Plain' }))).toBe(
      'classToPlain is not a function',
    );
  });

  test('the TypeScript source imported by vitest itself (as a project’s unit tests do) converts the same', async () => {
    // vitest compiles the decorators with the fixture's tsconfig (emitDecoratorMetadata).
    const source = new URL('./fixtures/asset-transfer/src/index.ts', import.meta.url).href;
    const { contracts: fromSource } = (await import(/* @vite-ignore */ source)) as { contracts: ContractClass[] };
    const harness = new ChaincodeHarness();
    harness.deploy('basic', fromSource);
    const alice = harness.identity({ mspId: 'Org1MSP', name: 'alice' });
    await harness.submit({ as: alice, transaction: 'CreateAsset', args: ['a1', 'blue', '5', 'Tom', '1300'] });
    expect(stored(harness, 'a1')).toMatchObject({ Size: 5, AppraisedValue: 1300 });
    expect((await harness.evaluate({ as: alice, transaction: 'Plain' })).json()).toEqual({ a: 1 });
  });

  test('returning putState and deleteState returns what they resolve to on a peer', async () => {
    const { harness, alice } = setup();
    await harness.submit({ as: alice, transaction: 'CreateAsset', args: ['a1', 'blue', '5', 'Tom', '1300'] });
    const updated = await harness.submit({
      as: alice,
      transaction: 'UpdateAsset',
      args: ['a1', 'green', '6', 'Tom', '1400'],
    });
    const deleted = await harness.submit({ as: alice, transaction: 'DeleteAsset', args: ['a1'] });
    // fabric-shim resolves them to the peer's (empty) response payload, which the chaincode's
    // serializer writes as a JSON Buffer; test/harness-vs-peer.test.ts compares it with a peer.
    expect(updated.json()).toEqual({ type: 'Buffer', data: [] });
    expect(deleted.json()).toEqual({ type: 'Buffer', data: [] });
    expect(harness.getState('basic', 'a1')).toBeUndefined();
  });
});
