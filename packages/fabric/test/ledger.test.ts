// Starts a real two-organization Fabric network (1 Raft orderer, 2 peers, the tests'
// key-value chaincode as a chaincode server) and drives it through FabricLedger:
// receipts, results, history, typed errors, the MVCC retry runner, and a network that
// goes down and comes back. The network is torn down in afterAll, even on failure.
import { readFile } from 'node:fs/promises';
import { isLedgerError, type LedgerError } from '@ledgerkit/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectFabric, type FabricLedger } from '../src/index.js';
import { chaincodeName, startTestNetwork, type TestNetwork } from './network.js';

let net: TestNetwork;
let ledger: FabricLedger;

beforeAll(async () => {
  net = await startTestNetwork('ledgertest');
  ledger = await net.connect('Org1');
});

afterAll(async () => {
  await net?.teardown();
});

async function failure(promise: Promise<unknown>): Promise<LedgerError> {
  try {
    await promise;
  } catch (error) {
    if (isLedgerError(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('submit and evaluate', () => {
  test('submit returns a receipt with the block number and the channel-header time', async () => {
    const before = Date.now();
    const { receipt, result } = await ledger.submitTransaction({
      method: 'Put',
      args: ['pallet-1', { owner: 'Acme' }],
    });
    expect(result).toEqual({ key: 'pallet-1', value: { owner: 'Acme' } });
    expect(receipt).toMatchObject({
      backend: 'fabric',
      ledger: 'ledgertest',
      txId: expect.stringMatching(/^[0-9a-f]{64}$/),
      position: { block: expect.any(Number), index: expect.any(Number) },
      proof: { chaincode: chaincodeName, transaction: 'Put', mspId: 'Org1MSP', validationCode: 'VALID' },
    });
    expect(Object.keys(receipt).sort()).toEqual([
      'backend',
      'ledger',
      'position',
      'proof',
      'timestamp',
      'txId',
      'version',
    ]);
    expect(Date.parse(receipt.timestamp)).toBeGreaterThanOrEqual(before - 1_000);
    expect(Date.parse(receipt.timestamp)).toBeLessThanOrEqual(Date.now());

    // The block holding it, located through qscc, agrees and gives the transaction's index.
    const located = await ledger.receiptOf(receipt.txId);
    expect(located.position.block).toBe(receipt.position.block);
    expect(located.position.index).toBeGreaterThanOrEqual(0);
    expect(receipt.position.index).toBe(located.position.index);
    expect(located.timestamp).toBe(receipt.timestamp);
    expect(located.proof).toEqual(receipt.proof);

    expect(await ledger.evaluate({ method: 'Get', args: ['pallet-1'] })).toEqual({ owner: 'Acme' });
    // verify() runs the package's receipt verification on both forms of the receipt.
    for (const subject of [receipt, located]) {
      const verification = await ledger.verify(subject);
      expect(verification.ok, JSON.stringify(verification.checks.filter((check) => !check.ok))).toBe(true);
    }
    expect(
      await ledger.submit({ contract: `${chaincodeName}:kv`, method: 'Increment', args: ['count-1', 5] }),
    ).toMatchObject({
      proof: { transaction: 'kv:Increment' },
    });
    expect(await ledger.evaluate({ contract: chaincodeName, method: 'Get', args: ['count-1'] })).toBe(5);
  });

  test('another organization reads the write, connected with explicit endpoint and credentials', async () => {
    await ledger.submit({ method: 'Put', args: ['pallet-2', { owner: 'Globex' }] });
    const org2 = net.network.organization('Org2');
    const explicit = await connectFabric({
      endpoint: org2.peerEndpoint,
      tlsRootCertificate: await readFile(org2.tlsRootCertPath, 'utf8'),
      mspId: org2.mspId,
      certificate: org2.user.certificatePath,
      privateKey: await readFile(org2.user.privateKeyPath, 'utf8'),
      channel: 'ledgertest',
      chaincode: chaincodeName,
    });
    try {
      expect(explicit.mspId).toBe('Org2MSP');
      expect(await explicit.evaluate({ method: 'Get', args: ['pallet-2'] })).toEqual({ owner: 'Globex' });
      const receipt = await explicit.submit({ method: 'Put', args: ['pallet-3', { v: 'x' }] });
      expect(receipt.proof).toMatchObject({ mspId: 'Org2MSP' });
    } finally {
      await explicit.close();
      await explicit.close();
    }
    const admin = await net.connect('Org2', { identity: 'admin' });
    expect(await admin.evaluate({ method: 'Get', args: ['pallet-3'] })).toEqual({ v: 'x' });
  });

  test('transient data reaches the chaincode without being written to the ledger', async () => {
    const transientData = { secret: 'price=42' };
    expect(await ledger.evaluate({ method: 'TransientValue', args: ['secret'] }, { transientData })).toBe('price=42');
    const { result } = await ledger.submitTransaction(
      { method: 'TransientValue', args: ['secret'] },
      { transientData },
    );
    expect(result).toBe('price=42');
    expect((await failure(ledger.evaluate({ method: 'TransientValue', args: ['secret'] }))).details.reasonCode).toBe(
      'NOT_FOUND',
    );
  });

  test('a deadline that passes is TIMEOUT after the retries', async () => {
    const hasty = await net.connect('Org1', { deadlines: { evaluateMs: 1 }, retry: { retries: 1, baseDelayMs: 10 } });
    const error = await failure(hasty.evaluate({ method: 'Get', args: ['pallet-1'] }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.details.grpcStatus).toBe('DEADLINE_EXCEEDED');
  });

  test("an aborted signal rejects with core's codes: TIMEOUT for a TimeoutError reason, ABORTED otherwise", async () => {
    const expired = AbortSignal.timeout(1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await failure(ledger.evaluate({ method: 'Get', args: ['pallet-1'] }, { signal: expired }))).code).toBe(
      'TIMEOUT',
    );
    const aborted = AbortSignal.abort();
    expect((await failure(ledger.submit({ method: 'Put', args: ['never', 1] }, { signal: aborted }))).code).toBe(
      'ABORTED',
    );
    expect((await failure(ledger.evaluate({ method: 'Get', args: ['never'] }))).code).toBe('NOT_FOUND');
  });

  test('a closed ledger refuses calls', async () => {
    const closing = await net.connect('Org1');
    await closing.close();
    expect((await failure(closing.evaluate({ method: 'Get', args: ['pallet-1'] }))).code).toBe('ABORTED');
  });
});

describe('typed errors', () => {
  test('a chaincode rejection is CONTRACT_REVERTED with its [CODE], message, peers and tx id', async () => {
    const error = await failure(ledger.submit({ method: 'Fail', args: ['[BAD_THING] it broke'] }));
    expect(error.code).toBe('CONTRACT_REVERTED');
    expect(error.retryable).toBe(false);
    expect(error.details).toMatchObject({
      reasonCode: 'BAD_THING',
      reason: 'it broke',
      chaincode: chaincodeName,
      transaction: 'Fail',
      txId: expect.stringMatching(/^[0-9a-f]{64}$/),
      grpcStatus: 'ABORTED',
    });
    expect(error.details.peers).toEqual(
      expect.arrayContaining([
        { address: expect.any(String), mspId: 'Org1MSP', message: expect.stringContaining('it broke') },
      ]),
    );

    // The chaincode convention: a `[NOT_FOUND]` rejection is NOT_FOUND.
    const read = await failure(ledger.evaluate({ method: 'Get', args: ['no-such-key'] }));
    expect(read.code).toBe('NOT_FOUND');
    expect(read.details).toMatchObject({ reasonCode: 'NOT_FOUND', reason: 'key no-such-key does not exist' });

    const unknown = await failure(ledger.submit({ method: 'NoSuchTransaction' }));
    expect(unknown.code).toBe('CONTRACT_REVERTED');
  });

  test('a chaincode that is not on the channel is ENDORSEMENT_FAILED after the retries', async () => {
    const impatient = await net.connect('Org1', { retry: { retries: 1, baseDelayMs: 10 } });
    const error = await failure(impatient.submit({ contract: 'not-deployed', method: 'Put', args: ['a', 1] }));
    expect(error.code).toBe('ENDORSEMENT_FAILED');
    expect(error.details).toMatchObject({ grpcStatus: 'FAILED_PRECONDITION', chaincode: 'not-deployed' });
    expect(error.message).toContain('not-deployed');
  });

  test('a transaction invalidated for another reason is COMMIT_FAILED naming the validation code', async () => {
    // The chaincode needs both organizations; endorsing with Org1 alone is ordered, then invalidated.
    const error = await failure(
      ledger.submit({ method: 'Put', args: ['one-org-only', 1] }, { endorsingOrganizations: ['Org1MSP'] }),
    );
    expect(error.code).toBe('COMMIT_FAILED');
    expect(error.retryable).toBe(false);
    expect(error.details).toMatchObject({ validationCode: 'ENDORSEMENT_POLICY_FAILURE', txId: expect.any(String) });
    expect(error.message).toContain('ENDORSEMENT_POLICY_FAILURE');
  });

  test('bad arguments are INVALID_ARGUMENT naming the argument', async () => {
    expect((await failure(ledger.submit({ method: '' }))).details.argument).toBe('call.method');
    expect((await failure(ledger.submit({ method: 'Put', args: ['k', () => 1] }))).details.argument).toBe('args[1]');
    expect((await failure(ledger.submit({ contract: 'cc:', method: 'Put' }))).details.argument).toBe('call.contract');
  });

  test('a receipt of an unknown transaction is NOT_FOUND', async () => {
    expect((await failure(ledger.receiptOf('00'.repeat(32)))).code).toBe('NOT_FOUND');
  });
});

describe('concurrent read-modify-write', () => {
  const concurrency = 8;

  test('without the runner, concurrent Increments of one key hit OCC_CONFLICT', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: concurrency }, () => ledger.submit({ method: 'Increment', args: ['contended-raw', 1] })),
    );
    const rejected = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as LedgerError] : []));
    expect(rejected.length).toBeGreaterThan(0);
    for (const error of rejected) {
      expect(error.code).toBe('OCC_CONFLICT');
      expect(error.retryable).toBe(true);
      expect(error.details).toMatchObject({ validationCode: 'MVCC_READ_CONFLICT', txId: expect.any(String) });
    }
    const committed = concurrency - rejected.length;
    expect(await ledger.evaluate({ method: 'Get', args: ['contended-raw'] })).toBe(committed);
  });

  test('with the runner, every one of N concurrent Increments commits: the final value is N', async () => {
    let retries = 0;
    const results = await Promise.all(
      Array.from({ length: concurrency }, () =>
        ledger.transaction(
          { method: 'Increment', args: ['contended-runner', 1] },
          {
            retries: 30,
            onRetry: () => {
              retries += 1;
            },
          },
        ),
      ),
    );
    expect(await ledger.evaluate({ method: 'Get', args: ['contended-runner'] })).toBe(concurrency);
    expect(results.map((result) => result.result).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: concurrency }, (_, index) => index + 1),
    );
    expect(retries).toBeGreaterThan(0);
  });

  test('the runner re-runs a function as a whole and does not retry other errors', async () => {
    const attempts: number[] = [];
    const value = await ledger.transaction(async (attempt) => {
      attempts.push(attempt);
      const current = Number(await ledger.evaluate({ method: 'Get', args: ['contended-runner'] }));
      await ledger.submit({ method: 'Put', args: ['copied', current] });
      return current;
    });
    expect(value).toBe(concurrency);
    expect(attempts).toEqual([0]);
    let calls = 0;
    const error = await failure(
      ledger.transaction(async () => {
        calls += 1;
        return ledger.submit({ method: 'Fail', args: ['[NOPE] no'] });
      }),
    );
    expect(error.code).toBe('CONTRACT_REVERTED');
    expect(calls).toBe(1);
  });
});

describe('history', () => {
  test('every revision oldest first, with receipts located in their blocks, and time windows', async () => {
    const writes = [
      await ledger.submit({ method: 'Put', args: ['tracked', { step: 1 }] }),
      await ledger.submit({ method: 'Put', args: ['tracked', { step: 2 }] }),
      await ledger.submit({ method: 'Delete', args: ['tracked'] }),
      await ledger.submit({ method: 'Put', args: ['tracked', { step: 3 }] }),
    ];
    const revisions = await ledger.history('tracked');
    expect(revisions.map(({ version, value, deleted }) => ({ version, value, deleted }))).toEqual([
      { version: 0, value: { step: 1 }, deleted: false },
      { version: 1, value: { step: 2 }, deleted: false },
      { version: 2, value: null, deleted: true },
      { version: 3, value: { step: 3 }, deleted: false },
    ]);
    for (const [index, revision] of revisions.entries()) {
      const written = writes[index];
      expect(revision.key).toBe('tracked');
      expect(revision.receipt.txId).toBe(written?.txId);
      expect(revision.receipt.position.block).toBe(written?.position.block);
      expect(revision.receipt.position.index).toBeGreaterThanOrEqual(0);
      expect(revision.receipt.timestamp).toBe(written?.timestamp);
      expect(revision.receipt.proof).toMatchObject({ transaction: index === 2 ? 'Delete' : 'Put', mspId: 'Org1MSP' });
    }

    // Version 1 is active from its commit until version 2's.
    const during = new Date(Date.parse(revisions[1]?.receipt.timestamp as string) + 1);
    const window = await ledger.history('tracked', { from: during, to: during });
    expect(window.map((revision) => revision.version)).toEqual([1]);
    const fromThird = await ledger.history('tracked', { from: new Date(revisions[2]?.receipt.timestamp as string) });
    expect(fromThird.map((revision) => revision.version)).toEqual([2, 3]);
    expect(await ledger.history('never-written')).toEqual([]);
    expect((await ledger.verify(revisions[2] as (typeof revisions)[number])).ok).toBe(true);
    const changed = { ...(revisions[1] as (typeof revisions)[number]), value: { step: 20 } };
    const rejected = await ledger.verify(changed);
    expect(rejected.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(['revision-value']);
  });

  test('a chaincode without the history transaction is UNSUPPORTED, naming the historyTransaction option', async () => {
    const misnamed = await net.connect('Org1', { historyTransaction: 'KeyHistory' });
    const error = await failure(misnamed.history('tracked'));
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.details).toMatchObject({ option: 'historyTransaction', transaction: 'KeyHistory' });
    expect(error.message).toContain('historyTransaction');
  });
});

describe('a network that goes away', () => {
  test('calls retry, then fail with UNAVAILABLE; a submit spanning the restart commits', async () => {
    const impatient = await net.connect('Org1', { retry: { retries: 2, baseDelayMs: 50, maxDelayMs: 100 } });
    expect(await impatient.evaluate({ method: 'Get', args: ['pallet-1'] })).toEqual({ owner: 'Acme' });
    await net.network.down();
    const write = await failure(impatient.submit({ method: 'Put', args: ['while-down', 1] }));
    expect(write.code).toBe('UNAVAILABLE');
    expect(write.retryable).toBe(true);
    expect(write.details).toMatchObject({ grpcStatus: 'UNAVAILABLE', operation: 'submit' });
    const read = await failure(impatient.evaluate({ method: 'Get', args: ['pallet-1'] }));
    expect(read.code).toBe('UNAVAILABLE');

    // About 75 s of retries (equal jitter, 0.5 to 1 s each): a restart on a busy machine fits.
    const patient = await net.connect('Org1', { retry: { retries: 100, baseDelayMs: 250, maxDelayMs: 1_000 } });
    const spanning = patient.submit({ method: 'Put', args: ['across-restart', 1] });
    // Observed now so a failure while the network starts is not an unhandled rejection.
    const settled = spanning.then(
      (receipt) => ({ receipt }),
      (error: unknown) => ({ error }),
    );
    const { FabricNetwork } = await import('@ledgerkit/fabric-network');
    await FabricNetwork.up({ dir: net.dir });
    const outcome = await settled;
    expect(outcome).not.toHaveProperty('error');
    const receipt = await spanning;
    expect(receipt.position.block).toBeGreaterThan(0);
    expect(await patient.evaluate({ method: 'Get', args: ['across-restart'] })).toBe(1);
    // The first connection recovers too.
    expect(await impatient.evaluate({ method: 'Get', args: ['across-restart'] })).toBe(1);
  });
});
