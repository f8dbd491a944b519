// Scenario: anvil is SIGKILLed during a burst of 50 concurrent submits from one account
// and started again on the same port and `--state` file. anvil keeps its chain in memory
// and writes the state file only at exit and when asked: the ledger is connected with
// `persist: anvil.persist`, so a receipt is handed out only once its block is in the
// file. Afterwards every submit must have a receipt the restarted chain holds (same block
// hash) or a typed error; a failure whose transaction the chain holds anyway is counted;
// the account's nonces have no gap (nothing stuck in the pool); nothing hangs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { supplyChainArtifact, supplyChainRoles } from '@ledgerkit/contracts-ethereum';
import { isLedgerError, type Receipt } from '@ledgerkit/core';
import { connectEthereum } from '@ledgerkit/ethereum';
import { type AnvilNode, startAnvil } from '@ledgerkit/ethereum/testing';
import { id as hashText, JsonRpcProvider } from 'ethers';
import { afterAll, expect, test } from 'vitest';
import { ErrorTally, reportAndAssert, tally } from '../../src/report.ts';

type Hex = `0x${string}`;
// anvil's first development account.
const key = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const burst = 50;
const killAfterAcknowledged = 15;

const directory = mkdtempSync(join(tmpdir(), 'ledgerkit-fault-anvil-'));
const stateFile = join(directory, 'state.json');
let anvil: AnvilNode | undefined;

afterAll(async () => {
  await anvil?.stop();
  rmSync(directory, { recursive: true, force: true });
});

test('anvil SIGKILLed during 50 concurrent submits: each submit has a durable receipt or a typed error, no nonce gap', async () => {
  anvil = await startAnvil({ stateFile });
  const { port } = anvil;
  const node = anvil;
  const ledger = await connectEthereum({
    url: node.url,
    account: key,
    retry: { retries: 8, baseDelayMs: 50, maxDelayMs: 1_000 },
    persist: () => node.persist(),
  });
  try {
    const { contract } = await ledger.deploy(supplyChainArtifact, [ledger.account as Hex], { name: 'SupplyChain' });
    await contract.submit('grantRole', [supplyChainRoles.manufacturer, ledger.account as Hex]);

    const started = Date.now();
    let acknowledgedSoFar = 0;
    let restartedAt = 0;
    let firstAfterRestart: number | undefined;
    const outcomes = await (async () => {
      const submits = Array.from({ length: burst }, async (_, n) => {
        const receipt = await contract.submit(
          'registerAsset',
          [hashText(`fault-${started}-${n}`) as Hex, hashText('product') as Hex, hashText('data') as Hex],
          // Bounded: a submit that waited forever would be a silent drop.
          { signal: AbortSignal.timeout(30_000) },
        );
        acknowledgedSoFar++;
        if (restartedAt > 0 && firstAfterRestart === undefined) firstAfterRestart = Date.now();
        return receipt;
      });
      while (acknowledgedSoFar < killAfterAcknowledged) await new Promise((resolve) => setTimeout(resolve, 2));
      node.process.kill('SIGKILL');
      await new Promise((resolve) => node.process.once('exit', resolve));
      await new Promise((resolve) => setTimeout(resolve, 300));
      anvil = await startAnvil({ stateFile, port });
      restartedAt = Date.now();
      return Promise.allSettled(submits);
    })();

    const rpc = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true });
    try {
      const errors = new ErrorTally();
      const acknowledged: string[] = [];
      const found: string[] = [];
      let failedButCommitted = 0;
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') {
          const receipt: Receipt = outcome.value;
          acknowledged.push(receipt.txId);
          const onChain = (await rpc.send('eth_getTransactionReceipt', [receipt.txId])) as {
            blockHash: string;
          } | null;
          // Present only in the very block the receipt names.
          if (onChain && onChain.blockHash === receipt.position.blockHash) found.push(receipt.txId);
        } else {
          const code = errors.add(outcome.reason);
          expect(code, String(outcome.reason)).not.toBe('UNTYPED');
          const txId = isLedgerError(outcome.reason) ? outcome.reason.details.txId : undefined;
          if (typeof txId === 'string' && (await rpc.send('eth_getTransactionReceipt', [txId]))) failedButCommitted++;
        }
      }
      // Verifiable on the restarted chain: block header, inclusion and account proof.
      let verified = 0;
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled' && (await ledger.verify(outcome.value)).ok) verified++;
      }
      const latest = Number(await rpc.send('eth_getTransactionCount', [ledger.account, 'latest']));
      const pending = Number(await rpc.send('eth_getTransactionCount', [ledger.account, 'pending']));
      // Nonces 0..latest-1 are mined by definition; a gap would leave later ones queued.
      const noNonceGap = pending === latest;
      const counts = tally(acknowledged, found);
      if (failedButCommitted > 0) errors.byCode.FAILED_BUT_COMMITTED = failedButCommitted;
      reportAndAssert({
        scenario: 'ethereum.anvil-sigkill',
        ...counts,
        errorsByCode: errors.byCode,
        recoveryMs: firstAfterRestart === undefined ? null : firstAfterRestart - restartedAt,
        ok: noNonceGap && failedButCommitted === 0 && verified === counts.acknowledged && outcomes.length === burst,
      });
      expect(noNonceGap).toBe(true);
      expect(verified).toBe(counts.acknowledged);
      // The deployment and the role grant were persisted before the burst: the chain kept them.
      expect(latest).toBeGreaterThanOrEqual(2 + counts.acknowledged);
    } finally {
      rpc.destroy();
    }
  } finally {
    await ledger.close();
  }
});
