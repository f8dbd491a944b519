// Integration test on a real Fabric network: @ledgerkit/testing starts one organization's
// peer and an orderer as native processes (@ledgerkit/fabric-network) in a temporary
// directory, deploys this project (its built dist/) as a chaincode server, and the tests
// call it through @ledgerkit/fabric and verify the receipts. afterAll stops the network
// and deletes its directory.
import { join } from 'node:path';
import { isLedgerError } from '@ledgerkit/core';
import { connectFabric, type FabricLedger } from '@ledgerkit/fabric';
import { type FabricNetworkFixture, startFabricNetwork } from '@ledgerkit/testing/fabric-network';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Asset } from '../dist/index.js';

const projectDir = join(__dirname, '..');
const channel = 'mychannel';

describe('AssetContract on a local Fabric network', () => {
  let fabric: FabricNetworkFixture | undefined;
  let ledger: FabricLedger;

  beforeAll(async () => {
    fabric = await startFabricNetwork({ orgs: 1, channel });
    await fabric.network.deployChaincode({ name: 'assets', path: projectDir });
    ledger = await connectFabric({
      connectionProfile: fabric.network.organization('Org1').connectionProfilePath,
      channel,
      chaincode: 'assets',
    });
  });

  afterAll(async () => {
    await ledger?.close();
    await fabric?.close();
  });

  test('creates an asset and the receipt verifies against the channel', async () => {
    const receipt = await ledger.submit({ method: 'CreateAsset', args: ['a1', 'pallet'] });
    expect(receipt.backend).toBe('fabric');
    const verification = await ledger.verify(receipt);
    expect(verification.ok, JSON.stringify(verification.checks, null, 2)).toBe(true);
    const asset = (await ledger.evaluate({ method: 'ReadAsset', args: ['a1'] })) as Asset;
    expect(asset).toMatchObject({ id: 'a1', description: 'pallet' });
  });

  test('a rejected transaction is an error with the chaincode message, and writes nothing', async () => {
    const error = await ledger
      .submit({ method: 'CreateAsset', args: ['a1', 'again'] })
      .catch((caught: unknown) => caught);
    expect(isLedgerError(error)).toBe(true);
    // The chaincode's `[CODE]` prefix, parsed by @ledgerkit/fabric.
    expect((error as { details: { reasonCode?: string } }).details.reasonCode).toBe('ALREADY_EXISTS');
    const asset = (await ledger.evaluate({ method: 'ReadAsset', args: ['a1'] })) as Asset;
    expect(asset.description).toBe('pallet');
  });
});
