// TypeScript tests (run by `hardhat test nodejs`, after it compiles the contracts): Counter
// deployed on a fresh in-process Hardhat network by @ledgerkit/testing's fixture, used
// through a @ledgerkit/ethereum ledger, and every receipt verified against the chain.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isLedgerError } from '@ledgerkit/core';
import { deployHardhatFixture, type HardhatFixture } from '@ledgerkit/testing/hardhat';
import { artifacts } from 'hardhat';

// Hardhat writes the artifact's type when it compiles, so calls are checked against the ABI.
const counterArtifact = await artifacts.readArtifact('Counter');

describe('Counter', () => {
  let fixture: HardhatFixture<typeof counterArtifact.abi>;

  before(async () => {
    fixture = await deployHardhatFixture({ contract: counterArtifact, args: [5n], accounts: 2 });
  });

  after(async () => {
    await fixture?.close();
  });

  it('starts at the constructor argument', async () => {
    assert.equal(await fixture.contract.read('count', []), 5n);
  });

  it('increments, and the receipt verifies against the chain', async () => {
    const restore = await fixture.snapshot();
    const receipt = await fixture.contract.submit('increment', []);
    assert.equal(await fixture.contract.read('count', []), 6n);
    const verification = await fixture.ledger.verify(receipt);
    assert.equal(verification.ok, true, JSON.stringify(verification.checks));
    await restore();
    assert.equal(await fixture.contract.read('count', []), 5n);
  });

  it('lets any funded account increment', async () => {
    const asOther = await fixture.contractAs(1);
    const receipt = await asOther.submit('incrementBy', [10n]);
    assert.equal((await fixture.ledger.verify(receipt)).ok, true);
    assert.equal(await fixture.contract.read('count', []), 15n);
  });

  it('refuses a zero increment with the decoded custom error', async () => {
    await assert.rejects(fixture.contract.submit('incrementBy', [0n]), (error: unknown) => {
      assert.equal(isLedgerError(error, 'CONTRACT_REVERTED'), true);
      assert.equal((error as { details: { errorName?: string } }).details.errorName, 'ZeroIncrement');
      return true;
    });
  });

  it('a receipt of another transaction does not verify as this one', async () => {
    const receipt = await fixture.contract.submit('increment', []);
    const forged = { ...receipt, position: { ...receipt.position, index: receipt.position.index + 1 } };
    assert.equal((await fixture.ledger.verify(forged)).ok, false);
  });
});
