// Private data collections through deployChaincode's `collections` option, against a real
// one-organization network (1 orderer, 1 peer, native processes): the peer accepts the
// collections config file, chaincode writes and reads the declared collection, and a
// collection that was not declared is refused by the peer.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLedgerError } from '@ledgerkit/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FabricNetwork } from '../src/index.js';
import { claimNetworkDir } from '../src/testing.js';
import { gatewayFor, whenDiscovered } from './gateway-client.js';

const chaincodePath = fileURLToPath(new URL('./fixtures/private-notes', import.meta.url));
const decoder = new TextDecoder();

describe('deployChaincode with private data collections', () => {
  let dir: string;
  let network: FabricNetwork | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgerkit-fabric-collections-'));
    await claimNetworkDir(dir);
    network = await FabricNetwork.up({ dir, orgs: 1, channel: 'private' });
  });

  afterAll(async () => {
    await network?.down({ purge: true }).catch(() => {});
    await (await FabricNetwork.open(dir).catch(() => undefined))?.down({ purge: true });
    await rm(dir, { recursive: true, force: true });
  });

  test('invalid collections are BAD_OPTION before any lifecycle step', async () => {
    const live = network as FabricNetwork;
    for (const collections of [
      [{ name: '_implicit' }],
      [{ name: 'notes' }, { name: 'notes' }],
      [{ name: 'notes', policy: "AND('Org1MSP.member')" }],
      [{ name: 'notes', policy: "OR('Org9MSP.member')" }],
      [{ name: 'notes', requiredPeerCount: 2, maxPeerCount: 1 }],
    ]) {
      const error = await live.deployChaincode({ name: 'bad', path: chaincodePath, collections }).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(isLedgerError(error, 'INVALID_ARGUMENT'), JSON.stringify(collections)).toBe(true);
      expect((error as { details: Record<string, unknown> }).details).toMatchObject({
        reason: 'BAD_OPTION',
        option: 'collections',
      });
    }
    expect((await live.status()).chaincodes).toEqual([]);
  });

  test('the peer takes the collections config: private writes and reads work, undeclared collections fail', async () => {
    const live = network as FabricNetwork;
    await live.deployChaincode({
      name: 'notes',
      path: chaincodePath,
      collections: [{ name: 'notes', memberOnlyRead: true, memberOnlyWrite: true, blockToLive: 100 }],
    });
    const collectionsFile = join(dir, 'chaincodes', 'notes', 'notes_1.0-1', 'collections.json');
    expect(JSON.parse(await readFile(collectionsFile, 'utf8'))).toEqual([
      {
        name: 'notes',
        policy: "OR('Org1MSP.member')",
        requiredPeerCount: 0,
        maxPeerCount: 1,
        blockToLive: 100,
        memberOnlyRead: true,
        memberOnlyWrite: true,
      },
    ]);

    const org1 = await gatewayFor(live.organization('Org1'));
    try {
      const contract = org1.gateway.getNetwork('private').getContract('notes');
      const note = 'the price is 42';
      await whenDiscovered(() => contract.submit('WriteNote', { arguments: ['notes', 'n1'], transientData: { note } }));
      const read = JSON.parse(decoder.decode(await contract.evaluateTransaction('ReadNote', 'notes', 'n1')));
      expect(read).toEqual({
        note,
        hash: createHash('sha256').update(note).digest('hex'),
        sha256: createHash('sha256').update(note).digest('hex'),
      });

      const undeclared = await contract
        .submit('WriteNote', { arguments: ['elsewhere', 'n1'], transientData: { note } })
        .then(
          () => undefined,
          (reason: unknown) => reason as { details?: Array<{ message: string }> },
        );
      expect(undeclared?.details?.map((detail) => detail.message).join('\n')).toMatch(
        /collection private\/notes\/elsewhere could not be found/,
      );
    } finally {
      org1.close();
    }
  });
});
