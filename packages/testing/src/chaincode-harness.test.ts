import { createHash } from 'node:crypto';
import { isLedgerError } from '@ledgerkit/core';
import { type Context, Contract, JSONSerializer } from 'fabric-contract-api';
import { ClientIdentity } from 'fabric-shim';
import { describe, expect, test } from 'vitest';
import { ChaincodeHarness } from './chaincode-harness.js';
import { HarnessClientIdentity } from './client-identity.js';

class KeyValueContract extends Contract {
  constructor() {
    super('kv');
  }
  async Put(ctx: Context, key: string, value: string): Promise<void> {
    await ctx.stub.putState(key, Buffer.from(value));
    ctx.stub.setEvent('first', Buffer.from('ignored'));
    ctx.stub.setEvent('Put', Buffer.from(key));
  }
  async PutThenGet(ctx: Context, key: string, value: string): Promise<string> {
    await ctx.stub.putState(key, Buffer.from(value));
    return Buffer.from(await ctx.stub.getState(key)).toString();
  }
  async Get(ctx: Context, key: string): Promise<string> {
    return Buffer.from(await ctx.stub.getState(key)).toString();
  }
  async Increment(ctx: Context, key: string): Promise<number> {
    const next = Number(Buffer.from(await ctx.stub.getState(key)).toString() || '0') + 1;
    await ctx.stub.putState(key, Buffer.from(String(next)));
    return next;
  }
  async Delete(ctx: Context, key: string): Promise<void> {
    await ctx.stub.deleteState(key);
  }
  async Range(ctx: Context, start: string, end: string): Promise<string> {
    const keys: string[] = [];
    for await (const kv of ctx.stub.getStateByRange(start, end)) keys.push(kv.key);
    return JSON.stringify(keys);
  }
  async CountThenAdd(ctx: Context, key: string): Promise<number> {
    let count = 0;
    for await (const _ of ctx.stub.getStateByRange('', '')) count++;
    await ctx.stub.putState(key, Buffer.from('x'));
    return count;
  }
  async Page(ctx: Context, pageSize: string, bookmark: string): Promise<string> {
    const { iterator, metadata } = await ctx.stub.getStateByRangeWithPagination('', '', Number(pageSize), bookmark);
    const keys: string[] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) keys.push(next.value.key);
    return JSON.stringify({ keys, ...metadata });
  }
  async FirstThenWrite(ctx: Context, start: string, end: string): Promise<void> {
    const iterator = await ctx.stub.getStateByRange(start, end);
    await iterator.next();
    await iterator.close();
    await ctx.stub.putState('first-read', Buffer.from('x'));
  }
  async PutMany(ctx: Context, count: string): Promise<void> {
    for (let n = 0; n < Number(count); n++) await ctx.stub.putState(`k${String(n).padStart(3, '0')}`, Buffer.from('v'));
  }
  async PageThenWrite(ctx: Context): Promise<void> {
    await ctx.stub.getStateByRangeWithPagination('', '', 1, '');
    await ctx.stub.putState('k', Buffer.from('v'));
  }
  async Owned(ctx: Context, owner: string, pageSize: string, bookmark: string): Promise<string> {
    const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(
      'owner~id',
      [owner],
      Number(pageSize),
      bookmark,
    );
    const ids: string[] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      ids.push(ctx.stub.splitCompositeKey(next.value.key).attributes[1] ?? '');
    }
    return JSON.stringify({ ids, ...metadata });
  }
  async Own(ctx: Context, owner: string, id: string): Promise<string> {
    const key = ctx.stub.createCompositeKey('owner~id', [owner, id]);
    await ctx.stub.putState(key, Buffer.from([0]));
    return key;
  }
  async History(ctx: Context, key: string): Promise<string> {
    const entries: unknown[] = [];
    for await (const entry of ctx.stub.getHistoryForKey(key)) {
      entries.push({
        txId: entry.txId,
        isDelete: entry.isDelete,
        value: Buffer.from(entry.value).toString(),
        // A plain number here, as on a peer (getTxTimestamp's seconds is a Long).
        seconds: Number(entry.timestamp.seconds),
      });
    }
    return JSON.stringify(entries);
  }
  async Fail(): Promise<void> {
    throw new Error('no way');
  }
  async Whoami(ctx: Context): Promise<string> {
    const seconds = ctx.stub.getTxTimestamp().seconds.toNumber();
    return JSON.stringify({
      id: ctx.clientIdentity.getID(),
      mspId: ctx.clientIdentity.getMSPID(),
      role: ctx.clientIdentity.getAttributeValue('role'),
      isAdmin: ctx.clientIdentity.assertAttributeValue('role', 'admin'),
      txId: ctx.stub.getTxID(),
      channel: ctx.stub.getChannelID(),
      seconds,
      date: ctx.stub.getDateTimestamp().toISOString(),
    });
  }
  async PutPrivate(ctx: Context, key: string): Promise<void> {
    const secret = ctx.stub.getTransient().get('secret');
    if (!secret) throw new Error('secret missing');
    await ctx.stub.putPrivateData('secrets', key, secret);
  }
  async ReadPrivate(ctx: Context, key: string): Promise<string> {
    return JSON.stringify({
      value: Buffer.from(await ctx.stub.getPrivateData('secrets', key)).toString(),
      hash: Buffer.from(await ctx.stub.getPrivateDataHash('secrets', key)).toString('hex'),
    });
  }
  async ReturnValue(_ctx: Context, kind: string): Promise<unknown> {
    return { object: { a: 1 }, list: [1, 2], text: 'plain', number: 4.5, nothing: undefined }[kind];
  }
  async PeerMsp(ctx: Context): Promise<string> {
    return ctx.stub.getMspID();
  }
  // What each write resolves to: fabric-shim resolves it to the peer's (empty) response payload.
  async WriteResults(ctx: Context, key: string): Promise<string> {
    const results = [
      await ctx.stub.putState(key, Buffer.from('v')),
      await ctx.stub.deleteState(key),
      await ctx.stub.putPrivateData('secrets', key, Buffer.from('v')),
      await ctx.stub.deletePrivateData('secrets', key),
      await ctx.stub.purgePrivateData('secrets', key),
    ] as unknown[];
    return JSON.stringify(results.map((result) => (Buffer.isBuffer(result) ? result.length : typeof result)));
  }
  async PurgePrivate(ctx: Context, key: string): Promise<void> {
    await ctx.stub.purgePrivateData('secrets', key);
  }
  async UseUndeclaredCollection(ctx: Context): Promise<void> {
    await ctx.stub.putPrivateData('nope', 'k', Buffer.from('v'));
  }
  async CallOther(ctx: Context, key: string): Promise<string> {
    const response = await ctx.stub.invokeChaincode('counter', ['Increment', key], '');
    return `${response.status}:${Buffer.from(response.payload ?? []).toString()}`;
  }
  async _helper(): Promise<void> {}
}

class CounterContract extends Contract {
  async Increment(ctx: Context, key: string): Promise<number> {
    const next = Number(Buffer.from(await ctx.stub.getState(key)).toString() || '0') + 1;
    await ctx.stub.putState(key, Buffer.from(String(next)));
    ctx.stub.setEvent('CounterIncremented', Buffer.from(key));
    return next;
  }
}

function setup() {
  const harness = new ChaincodeHarness({ startTime: '2025-03-01T10:00:00Z' });
  harness.deploy('kv', [KeyValueContract], { collections: ['secrets'] });
  const alice = harness.identity({ mspId: 'Org1MSP', name: 'alice', attributes: { role: 'admin' } });
  const call = (transaction: string, ...args: string[]) => ({ as: alice, chaincode: 'kv', transaction, args });
  return { harness, alice, call };
}

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    if (isLedgerError(error)) return { code: error.code, ...error.details };
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('world state', () => {
  test('reads do not see the same transaction’s writes', async () => {
    const { harness, call } = setup();
    expect((await harness.submit(call('PutThenGet', 'a', '1'))).text).toBe('');
    expect((await harness.evaluate(call('Get', 'a'))).text).toBe('1');
  });

  test('evaluate never commits', async () => {
    const { harness, call } = setup();
    await harness.evaluate(call('Put', 'a', '1'));
    expect(harness.getState('kv', 'a')).toBeUndefined();
    expect(harness.events).toHaveLength(0);
  });

  test('deleteState removes the key', async () => {
    const { harness, call } = setup();
    await harness.submit(call('Put', 'a', '1'));
    await harness.submit(call('Delete', 'a'));
    expect(harness.getState('kv', 'a')).toBeUndefined();
  });
});

describe('MVCC', () => {
  test('a transaction whose read was overwritten after endorsement fails with MVCC_READ_CONFLICT', async () => {
    const { harness, call } = setup();
    await harness.submit(call('Increment', 'n'));
    const first = await harness.endorse(call('Increment', 'n'));
    const second = await harness.endorse(call('Increment', 'n'));
    expect(second.text).toBe('2');
    await harness.commit(first);
    expect(await codeOf(harness.commit(second))).toMatchObject({
      code: 'MVCC_READ_CONFLICT',
      validationCode: 'MVCC_READ_CONFLICT',
    });
    expect(Buffer.from(harness.getState('kv', 'n') ?? []).toString()).toBe('2');
  });

  test('a read of a missing key conflicts with its creation', async () => {
    const { harness, call } = setup();
    const first = await harness.endorse(call('Increment', 'fresh'));
    const second = await harness.endorse(call('Increment', 'fresh'));
    await harness.commit(first);
    expect(await codeOf(harness.commit(second))).toMatchObject({ code: 'MVCC_READ_CONFLICT' });
  });

  test('blind writes do not conflict', async () => {
    const { harness, call } = setup();
    const first = await harness.endorse(call('Put', 'a', '1'));
    const second = await harness.endorse(call('Put', 'a', '2'));
    await harness.commit(first);
    await harness.commit(second);
    expect(Buffer.from(harness.getState('kv', 'a') ?? []).toString()).toBe('2');
  });

  test('within one block, a later transaction is validated against the earlier valid ones', async () => {
    const { harness, call } = setup();
    const first = await harness.endorse(call('Increment', 'n'));
    const second = await harness.endorse(call('Increment', 'n'));
    const results = await harness.commitBlock([first, second]);
    expect(results.map((result) => result.validationCode)).toEqual(['VALID', 'MVCC_READ_CONFLICT']);
    expect(results[0]?.blockNumber).toBe(results[1]?.blockNumber);
  });

  test('a range query that a new key would change fails with PHANTOM_READ_CONFLICT', async () => {
    const { harness, call } = setup();
    await harness.submit(call('Put', 'a', '1'));
    const counting = await harness.endorse(call('CountThenAdd', 'z'));
    await harness.submit(call('Put', 'b', '1'));
    expect(await codeOf(harness.commit(counting))).toMatchObject({
      code: 'COMMIT_FAILED',
      validationCode: 'PHANTOM_READ_CONFLICT',
    });
  });

  test('a range is validated as far as the peer read it, in batches of 100 plus one, not as far as the chaincode looked', async () => {
    const { harness, call } = setup();
    await harness.submit(call('PutMany', '150'));
    const validation = async (insert: string) => {
      const reader = await harness.endorse(call('FirstThenWrite', 'k', 'l'));
      await harness.submit(call('Put', insert, 'new'));
      const [result] = await harness.commitBlock([reader]);
      return result?.validationCode;
    };
    expect(await validation('k099x')).toBe('PHANTOM_READ_CONFLICT');
    expect(await validation('k100x')).toBe('VALID');
    expect(await validation('k149x')).toBe('VALID');
  });

  test('committing the same endorsement twice fails with DUPLICATE_TXID', async () => {
    const { harness, call } = setup();
    const endorsement = await harness.endorse(call('Put', 'a', '1'));
    await harness.commit(endorsement);
    expect(await codeOf(harness.commit(endorsement))).toMatchObject({
      code: 'COMMIT_FAILED',
      validationCode: 'DUPLICATE_TXID',
    });
  });
});

describe('keys and queries', () => {
  test('composite keys use U+0000 delimiters and split back', async () => {
    const { harness, call } = setup();
    const key = (await harness.submit(call('Own', 'bob', 'a1'))).text;
    expect(key).toBe('\u0000owner~id\u0000bob\u0000a1\u0000');
  });

  test('range queries exclude composite keys and order keys by UTF-8 bytes', async () => {
    const { harness, call } = setup();
    for (const key of ['b', 'a', '\u{10000}', '\uffff']) await harness.submit(call('Put', key, '1'));
    await harness.submit(call('Own', 'bob', 'a1'));
    expect((await harness.evaluate(call('Range', '', ''))).json()).toEqual(['a', 'b', '\uffff', '\u{10000}']);
    expect((await harness.evaluate(call('Range', 'a', 'b'))).json()).toEqual(['a']);
  });

  test('range queries reject a composite start key like fabric-shim', async () => {
    const { harness, call } = setup();
    expect(await codeOf(harness.evaluate(call('Range', '\u0000x', '')))).toMatchObject({ code: 'CONTRACT_REVERTED' });
  });

  test('pagination returns pages, a bookmark to the next key, and an empty bookmark at the end', async () => {
    const { harness, call } = setup();
    for (const key of ['a', 'b', 'c', 'd', 'e']) await harness.submit(call('Put', key, '1'));
    const first = (await harness.evaluate(call('Page', '2', ''))).json();
    expect(first).toEqual({ keys: ['a', 'b'], fetchedRecordsCount: 2, bookmark: 'c' });
    const last = (await harness.evaluate(call('Page', '2', 'e'))).json();
    expect(last).toEqual({ keys: ['e'], fetchedRecordsCount: 1, bookmark: '' });
  });

  test('partial composite key queries page through one owner’s keys only', async () => {
    const { harness, call } = setup();
    for (const id of ['a1', 'a2', 'a3']) await harness.submit(call('Own', 'bob', id));
    await harness.submit(call('Own', 'carol', 'c1'));
    const page = (await harness.evaluate(call('Owned', 'bob', '2', ''))).json<{ ids: string[]; bookmark: string }>();
    expect(page.ids).toEqual(['a1', 'a2']);
    const rest = (await harness.evaluate(call('Owned', 'bob', '2', page.bookmark))).json();
    expect(rest).toMatchObject({ ids: ['a3'], fetchedRecordsCount: 1, bookmark: '' });
  });

  test('writes after a paginated query are refused with the peer’s message', async () => {
    const { harness, call } = setup();
    const refused = (await codeOf(harness.submit(call('PageThenWrite')))) as { message: string; txId: string };
    expect(refused).toMatchObject({ code: 'CONTRACT_REVERTED' });
    expect(refused.message).toBe(
      `PUT_STATE failed: transaction ID: ${refused.txId}: txid [${refused.txId}]: unsuppored transaction. ` +
        'Transaction has already performed a paginated query. Writes are not allowed',
    );
  });

  test('page size 0 without a bookmark is a plain range query: no metadata, and writes stay allowed', async () => {
    const { harness, call } = setup();
    for (const key of ['a', 'b']) await harness.submit(call('Put', key, '1'));
    expect((await harness.evaluate(call('Page', '0', ''))).json()).toEqual({ keys: ['a', 'b'] });
    expect((await harness.evaluate(call('Page', '1', 'c'))).json()).toEqual({ keys: [] });
  });

  test('an empty key is a key, as on a LevelDB peer', async () => {
    const { harness, call } = setup();
    await harness.submit(call('Put', '', 'empty'));
    expect((await harness.evaluate(call('Get', ''))).text).toBe('empty');
  });
});

describe('history, time and events', () => {
  test('getHistoryForKey lists committed changes newest first with delete markers', async () => {
    const { harness, call } = setup();
    const put1 = await harness.submit(call('Put', 'a', '1'));
    const put2 = await harness.submit(call('Put', 'a', '2'));
    const deleted = await harness.submit(call('Delete', 'a'));
    const history = (await harness.evaluate(call('History', 'a'))).json();
    expect(history).toEqual([
      { txId: deleted.txId, isDelete: true, value: '', seconds: deleted.timestamp.getTime() / 1000 },
      { txId: put2.txId, isDelete: false, value: '2', seconds: put2.timestamp.getTime() / 1000 },
      { txId: put1.txId, isDelete: false, value: '1', seconds: put1.timestamp.getTime() / 1000 },
    ]);
  });

  test('timestamps come from the harness clock', async () => {
    const { harness, call } = setup();
    harness.setTime('2030-06-01T00:00:00Z');
    const first = (await harness.evaluate(call('Whoami'))).json<{ date: string; seconds: number }>();
    expect(first.date).toBe('2030-06-01T00:00:00.000Z');
    expect(first.seconds).toBe(Date.parse('2030-06-01T00:00:00Z') / 1000);
    harness.advanceTime(60_000);
    expect((await harness.evaluate(call('Whoami'))).json()).toMatchObject({ date: '2030-06-01T00:01:01.000Z' });
  });

  test('one event per transaction: the last setEvent wins, emitted only on commit', async () => {
    const { harness, call } = setup();
    const result = await harness.submit(call('Put', 'a', '1'));
    expect(harness.events).toEqual([
      { chaincode: 'kv', name: 'Put', payload: Buffer.from('a'), txId: result.txId, blockNumber: result.blockNumber },
    ]);
  });

  test('a failing transaction rejects with CONTRACT_REVERTED and the chaincode message', async () => {
    const { harness, call } = setup();
    expect(await codeOf(harness.submit(call('Fail')))).toMatchObject({ code: 'CONTRACT_REVERTED', message: 'no way' });
  });

  test('unknown and underscore-prefixed functions are not transactions', async () => {
    const { harness, call } = setup();
    expect(await codeOf(harness.submit(call('Nope')))).toMatchObject({ code: 'CONTRACT_REVERTED' });
    expect(await codeOf(harness.submit(call('_helper')))).toMatchObject({ code: 'CONTRACT_REVERTED' });
  });

  test('dispatch splits at the first colon and checks the argument count like fabric-contract-api', async () => {
    const { harness, call } = setup();
    expect((await harness.evaluate(call(':Get', 'missing'))).text).toBe('');
    expect((await harness.evaluate(call('kv:Get', 'missing'))).text).toBe('');
    expect(await codeOf(harness.evaluate(call('kv:Get:x', 'missing')))).toMatchObject({
      message: "You've asked to invoke a function that does not exist: kv:Get:x",
    });
    expect(await codeOf(harness.evaluate(call('Put', 'only-key')))).toMatchObject({
      message: 'Expected 2 parameters, but 1 have been supplied',
    });
  });

  test('results are serialized by the installed fabric-contract-api, failures included', async () => {
    const { harness, call } = setup();
    for (const kind of ['object', 'list', 'text', 'number', 'nothing']) {
      const value = { object: { a: 1 }, list: [1, 2], text: 'plain', number: 4.5, nothing: undefined }[kind];
      let expected: { text: string } | { message: string };
      try {
        expected = { text: Buffer.from(new JSONSerializer().toBuffer(value, {}) ?? []).toString() };
      } catch (error) {
        expected = { message: (error as Error).message };
      }
      const outcome = await harness.evaluate(call('ReturnValue', kind)).then(
        (result) => ({ text: result.text }),
        (error: { details: { message: string } }) => ({ message: error.details.message }),
      );
      expect(outcome, kind).toEqual(expected);
    }
  });

  test('getMspID is the peer’s MSP id, not the caller’s: the peerMspId option, else it throws like fabric-shim', async () => {
    const { harness, call } = setup();
    // Whatever the environment running the tests holds, check both the unset and the set case.
    const saved = process.env.CORE_PEER_LOCALMSPID;
    try {
      delete process.env.CORE_PEER_LOCALMSPID;
      expect(await codeOf(harness.evaluate(call('PeerMsp')))).toMatchObject({
        message: 'CORE_PEER_LOCALMSPID is unset in chaincode process',
      });
      process.env.CORE_PEER_LOCALMSPID = 'Org3MSP';
      expect((await harness.evaluate(call('PeerMsp'))).text).toBe('Org3MSP');
    } finally {
      if (saved === undefined) delete process.env.CORE_PEER_LOCALMSPID;
      else process.env.CORE_PEER_LOCALMSPID = saved;
    }
    const withPeer = new ChaincodeHarness({ peerMspId: 'Org2MSP' });
    withPeer.deploy('kv', [KeyValueContract], { collections: ['secrets'] });
    const alice = withPeer.identity({ mspId: 'Org1MSP', name: 'alice' });
    expect((await withPeer.evaluate({ as: alice, transaction: 'PeerMsp' })).text).toBe('Org2MSP');
  });
});

describe('identity', () => {
  test('the contract sees the caller’s MSP id, id and attributes; tx id and channel', async () => {
    const { harness, call } = setup();
    const result = await harness.evaluate(call('Whoami'));
    expect(result.json()).toMatchObject({
      id: 'x509::/C=US/OU=client/CN=alice::/C=US/O=Org1MSP/CN=ca.org1msp.example.com',
      mspId: 'Org1MSP',
      role: 'admin',
      isAdmin: true,
      txId: result.txId,
      channel: 'mychannel',
    });
  });

  test('behaves like fabric-shim’s ClientIdentity for the same certificate', () => {
    const { harness } = setup();
    const identity = harness.identity({
      mspId: 'Org2MSP',
      name: 'bob/x',
      attributes: { role: 'carrier', 'hf.EnrollmentID': 'bob' },
    });
    const creator = { mspid: identity.mspId, idBytes: Buffer.from(identity.certificate) };
    const stub = { getCreator: () => creator, getChannelID: () => 'c', getTxID: () => 't' };
    const theirs = new ClientIdentity(stub as never);
    const ours = new HarnessClientIdentity(creator);
    expect(ours.getID()).toBe(theirs.getID());
    expect(ours.getMSPID()).toBe(theirs.getMSPID());
    for (const name of ['role', 'hf.EnrollmentID', 'missing']) {
      expect(ours.getAttributeValue(name)).toBe(theirs.getAttributeValue(name));
      expect(ours.assertAttributeValue(name, 'carrier')).toBe(theirs.assertAttributeValue(name, 'carrier'));
    }
    // fabric-shim 2.5 has no getX509Certificate (Go's cid has); neither has the harness.
    expect('getX509Certificate' in ours).toBe(false);
    expect(ours.getID()).toContain('CN=bob\\/x');
  });
});

describe('private data, transient data and chaincode calls', () => {
  test('private data is written from transient data and its hash is SHA-256 of the value', async () => {
    const { harness, alice } = setup();
    await harness.submit({ as: alice, transaction: 'PutPrivate', args: ['k'], transient: { secret: 's3cret' } });
    const read = (await harness.evaluate({ as: alice, transaction: 'ReadPrivate', args: ['k'] })).json();
    expect(read).toEqual({ value: 's3cret', hash: createHash('sha256').update('s3cret').digest('hex') });
    expect(harness.getState('kv', 'k')).toBeUndefined();
  });

  test('purged private data is gone', async () => {
    const { harness, alice } = setup();
    await harness.submit({ as: alice, transaction: 'PutPrivate', args: ['k'], transient: { secret: 's' } });
    await harness.submit({ as: alice, transaction: 'PurgePrivate', args: ['k'] });
    expect(harness.getPrivateData('kv', 'secrets', 'k')).toBeUndefined();
    expect((await harness.evaluate({ as: alice, transaction: 'ReadPrivate', args: ['k'] })).json()).toEqual({
      value: '',
      hash: '',
    });
  });

  test('member-only collections refuse reads and writes of other organizations’ callers, not hashes', async () => {
    const harness = new ChaincodeHarness();
    harness.deploy('kv', [KeyValueContract], {
      collections: [{ name: 'secrets', members: ['Org1MSP'], memberOnlyRead: true, memberOnlyWrite: true }],
    });
    const alice = harness.identity({ mspId: 'Org1MSP', name: 'alice' });
    const bob = harness.identity({ mspId: 'Org2MSP', name: 'bob' });
    await harness.submit({ as: alice, transaction: 'PutPrivate', args: ['k'], transient: { secret: 's' } });
    const write = (await codeOf(
      harness.submit({ as: bob, transaction: 'PutPrivate', args: ['k'], transient: { secret: 'x' } }),
    )) as { message: string };
    expect(write.message).toMatch(
      /^PUT_STATE failed: transaction ID: \w+: tx creator does not have write access permission on privatedata in chaincodeName:kv collectionName: secrets$/,
    );
    const read = (await codeOf(harness.evaluate({ as: bob, transaction: 'ReadPrivate', args: ['k'] }))) as {
      message: string;
    };
    expect(read.message).toContain('GET_STATE failed: transaction ID: ');
    expect(read.message).toContain('tx creator does not have read access permission on privatedata');
    expect((await harness.evaluate({ as: alice, transaction: 'ReadPrivate', args: ['k'] })).json()).toMatchObject({
      value: 's',
    });
    expect(() => harness.deploy('other', [KeyValueContract], { collections: ['a', { name: 'a' }] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  test('an undeclared collection is refused with the peer’s message', async () => {
    const { harness, call } = setup();
    const refused = (await codeOf(harness.submit(call('UseUndeclaredCollection')))) as { txId: string };
    expect(refused).toMatchObject({
      code: 'CONTRACT_REVERTED',
      message: `PUT_STATE failed: transaction ID: ${refused.txId}: collection mychannel/kv/nope could not be found`,
    });
  });

  test('invokeChaincode runs the other chaincode in the same transaction; only the caller’s event is kept', async () => {
    const { harness, call } = setup();
    harness.deploy('counter', [CounterContract]);
    expect((await harness.submit(call('CallOther', 'n'))).text).toBe('200:1');
    expect(Buffer.from(harness.getState('counter', 'n') ?? []).toString()).toBe('1');
    expect(harness.events).toHaveLength(0);
  });

  test('writes resolve to an empty Buffer, as fabric-shim resolves them to the peer’s empty response', async () => {
    const { harness, call } = setup();
    expect((await harness.submit(call('WriteResults', 'w'))).json()).toEqual([0, 0, 0, 0, 0]);
  });

  test('misuse is reported with codes', async () => {
    const { harness, alice } = setup();
    expect(await codeOf(harness.submit({ as: alice, chaincode: 'missing', transaction: 'Get' }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(() => harness.deploy('kv', [KeyValueContract])).toThrow(expect.objectContaining({ code: 'ALREADY_EXISTS' }));
    expect(() => harness.advanceTime(-1)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
