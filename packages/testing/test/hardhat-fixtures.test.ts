// deployHardhatFixture on Hardhat's in-process EDR network (started in this test process by
// `network.create()`), with KeyValue.sol compiled by the npm solc package.
import { isLedgerError } from '@ledgerkit/core';
import { createHardhatRuntimeEnvironment } from 'hardhat/hre';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployHardhatFixture, type HardhatFixture } from '../src/hardhat.js';
import { keyValueArtifact } from './fixtures/ethereum/key-value.js';

let hre: Awaited<ReturnType<typeof createHardhatRuntimeEnvironment>>;
let fixture: HardhatFixture;

beforeAll(async () => {
  hre = await createHardhatRuntimeEnvironment({});
  fixture = await deployHardhatFixture({ hre, contract: keyValueArtifact() as never, accounts: 2 });
});

afterAll(async () => {
  await fixture?.close();
});

describe('deployHardhatFixture', () => {
  it('deploys the contract with the deployer and funds every account', async () => {
    expect(fixture.contract.name).toBe('KeyValue');
    expect(fixture.accounts).toHaveLength(2);
    expect(await fixture.contract.read('owner' as never, [] as never)).toBe(fixture.deployer.address);
    for (const account of [fixture.deployer, ...fixture.accounts]) {
      const balance = await fixture.provider.request({ method: 'eth_getBalance', params: [account.address, 'latest'] });
      expect(BigInt(balance as string) > 9_000n * 10n ** 18n).toBe(true);
    }
  });

  it('submits through the ledger and verifies the receipt', async () => {
    const receipt = await fixture.contract.submit('put' as never, ['colour', 'blue'] as never);
    const result = await fixture.ledger.verify(receipt);
    expect(result.ok).toBe(true);
    expect(await fixture.contract.read('get' as never, ['colour'] as never)).toBe('blue');
  });

  it('gives a ledger signing as another funded account on the same chain', async () => {
    const stranger = await fixture.ledgerAs(0);
    expect(stranger.account).toBe(fixture.accounts[0]?.address);
    const error = await stranger
      .contract('KeyValue')
      .submit('put' as never, ['colour', 'red'] as never)
      .catch((caught: unknown) => caught);
    expect(isLedgerError(error, 'PERMISSION_DENIED')).toBe(true);
    expect(await stranger.contract('KeyValue').read('get' as never, ['colour'] as never)).toBe('blue');
    const asStranger = await fixture.contractAs(fixture.accounts[1] as never);
    expect(asStranger.address).toBe(fixture.contract.address);
    const refused = await asStranger
      .submit('put' as never, ['colour', 'green'] as never)
      .catch((caught: unknown) => caught);
    expect(isLedgerError(refused, 'PERMISSION_DENIED')).toBe(true);
    await expect(fixture.ledgerAs(5)).rejects.toSatisfy((caught) => isLedgerError(caught, 'INVALID_ARGUMENT'));
  });

  it('reverts the chain to a snapshot', async () => {
    const revert = await fixture.snapshot();
    await fixture.contract.submit('put' as never, ['snapshot', 'before revert'] as never);
    await revert();
    const error = await fixture.contract.read('get' as never, ['snapshot'] as never).catch((caught: unknown) => caught);
    expect(isLedgerError(error, 'NOT_FOUND')).toBe(true);
    // The ledger sends again after the revert (its nonce was kept).
    const receipt = await fixture.contract.submit('put' as never, ['snapshot', 'after revert'] as never);
    expect((await fixture.ledger.verify(receipt)).ok).toBe(true);
  });

  it('is NOT_FOUND for a contract name without an artifact, and starts no network', async () => {
    const error = await deployHardhatFixture({ hre, contract: 'NoSuchContract' }).catch((caught: unknown) => caught);
    expect(isLedgerError(error, 'NOT_FOUND')).toBe(true);
  });

  it('closes its ledgers and the network', async () => {
    const own = await deployHardhatFixture({ hre, contract: keyValueArtifact() as never, accounts: 0 });
    await own.close();
    await own.close();
    await expect(own.provider.request({ method: 'eth_blockNumber', params: [] })).rejects.toThrow();
  });
});
