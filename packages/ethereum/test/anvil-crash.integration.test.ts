// anvil SIGKILLed (no state dump at exit) and started again on the same port: what a
// submit does when the node forgot its transaction, and what `persist` keeps.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { supplyChainArtifact, supplyChainRoles } from '@ledgerkit/contracts-ethereum';
import { JsonRpcProvider } from 'ethers';
import { afterEach, expect, test } from 'vitest';
import { connectEthereum } from '../src/index.js';
import { type AnvilNode, startAnvil } from '../src/testing.js';
import { developmentKeys } from './backends.js';

type Hex = `0x${string}`;
const nodes: AnvilNode[] = [];
const directories: string[] = [];

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.stop()));
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

async function crash(node: AnvilNode): Promise<void> {
  const exited = new Promise((resolve) => node.process.once('exit', resolve));
  node.process.kill('SIGKILL');
  await exited;
}

test('a transaction the restarted node forgot is sent again (same bytes) and its submit returns a receipt', async () => {
  // The first node takes transactions into its pool without mining them, then dies.
  const first = await startAnvil({ args: ['--no-mining'] });
  nodes.push(first);
  const ledger = await connectEthereum({
    url: first.url,
    account: developmentKeys[0],
    retry: { retries: 10, baseDelayMs: 50, maxDelayMs: 500 },
  });
  try {
    const deploying = ledger.deploy(supplyChainArtifact, [ledger.account as Hex], { name: 'SupplyChain' });
    const rpc = new JsonRpcProvider(first.url, undefined, { staticNetwork: true });
    await expect
      .poll(async () => Number(await rpc.send('eth_getTransactionCount', [ledger.account, 'pending'])), {
        timeout: 10_000,
      })
      .toBe(1);
    rpc.destroy();
    await crash(first);
    const second = await startAnvil({ port: first.port });
    nodes.push(second);
    const { contract, receipt } = await deploying;
    expect(receipt.position.block).toBe(1);
    // The nonce was read again from the restarted node: the next submit does not wait behind a gap.
    const next = await contract.submit('grantRole', [supplyChainRoles.manufacturer, ledger.account as Hex], {
      signal: AbortSignal.timeout(10_000),
    });
    expect(next.position.block).toBe(2);
    expect((await ledger.verify(next)).ok).toBe(true);
  } finally {
    await ledger.close();
  }
});

test('persist: receipts handed out survive a SIGKILL; without it the restarted chain lacks them and verify says so', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'ledgerkit-anvil-crash-'));
  directories.push(directory);
  const stateFile = join(directory, 'state.json');
  const first = await startAnvil({ stateFile });
  nodes.push(first);
  const durable = await connectEthereum({ url: first.url, account: developmentKeys[0], persist: first.persist });
  const volatile = await connectEthereum({ url: first.url, account: developmentKeys[1] });
  try {
    const { contract, receipt: deployed } = await durable.deploy(supplyChainArtifact, [durable.account as Hex], {
      name: 'SupplyChain',
    });
    const { receipt: unpersisted } = await volatile.deploy(supplyChainArtifact, [volatile.account as Hex], {
      name: 'SupplyChain',
    });
    const granted = await contract.submit('grantRole', [supplyChainRoles.manufacturer, durable.account as Hex]);
    // The last persist ran after the volatile deployment, so only a later block is at risk.
    const { receipt: lost } = await volatile.deploy(supplyChainArtifact, [volatile.account as Hex], {
      name: 'SupplyChain',
    });
    await crash(first);
    const second = await startAnvil({ stateFile, port: first.port });
    nodes.push(second);
    expect((await durable.verify(deployed)).ok).toBe(true);
    expect((await durable.verify(granted)).ok).toBe(true);
    expect((await durable.verify(unpersisted)).ok).toBe(true);
    const verdict = await volatile.verify(lost);
    expect(verdict.ok).toBe(false);
    expect(verdict.checks.some((check) => !check.ok)).toBe(true);
  } finally {
    await durable.close();
    await volatile.close();
  }
});

test('persist needs a state file', async () => {
  const node = await startAnvil();
  nodes.push(node);
  await expect(node.persist()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
});
