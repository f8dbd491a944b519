// Connecting as a new user would, and the typed errors every backend shares: a provider of the
// wrong kind, a missing Hardhat config, several signers on one chain, a contract name bound to an
// address without code, access-control reverts, deadlines and aborts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { supplyChainAbi, supplyChainArtifact, supplyChainRoles } from '@ledgerkit/contracts-ethereum';
import { isLedgerError } from '@ledgerkit/core';
import { type Eip1193Provider, id as hashText, JsonRpcProvider, Wallet } from 'ethers';
import { createHardhatRuntimeEnvironment } from 'hardhat/hre';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectEthereum, connectHardhatNetwork, type EthereumLedger } from '../src/index.js';
import { type AnvilTestNode, developmentKeys, startAnvilNode } from './backends.js';

type Hex = `0x${string}`;
const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('connectEthereum', () => {
  let anvil: AnvilTestNode;
  beforeAll(async () => {
    anvil = await startAnvilNode();
  }, 60_000);
  afterAll(async () => {
    await anvil?.stop();
  });

  test('an ethers provider instead of an EIP-1193 one is INVALID_ARGUMENT naming provider', async () => {
    const ethersProvider = new JsonRpcProvider(anvil.url);
    try {
      const error = await caught(connectEthereum({ provider: ethersProvider as unknown as Eip1193Provider }));
      expect(isLedgerError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as { details: { argument: string } }).details.argument).toBe('provider');
    } finally {
      ethersProvider.destroy();
    }
  });

  test('a named contract with no code at its address is NOT_FOUND on submit and evaluate', async () => {
    const nowhere = Wallet.createRandom().address;
    const ledger = await connectEthereum({
      url: anvil.url,
      account: developmentKeys[0],
      contracts: { SupplyChain: { address: nowhere, abi: supplyChainAbi } },
    });
    try {
      const submit = await caught(ledger.submit({ method: 'renounceRole', args: [supplyChainRoles.admin, nowhere] }));
      expect(isLedgerError(submit, 'NOT_FOUND')).toBe(true);
      expect((submit as { details: unknown }).details).toMatchObject({ contract: 'SupplyChain', address: nowhere });
      const evaluate = await caught(ledger.evaluate({ method: 'hasRole', args: [supplyChainRoles.admin, nowhere] }));
      expect(isLedgerError(evaluate, 'NOT_FOUND')).toBe(true);
    } finally {
      await ledger.close();
    }
  });

  test('access-control reverts are PERMISSION_DENIED with the decoded revert; aborts are ABORTED or TIMEOUT', async () => {
    const owner = await connectEthereum({ url: anvil.url, account: developmentKeys[0] });
    const { contract } = await owner.deploy(supplyChainArtifact, [owner.account as Hex], { name: 'SupplyChain' });
    const stranger = await connectEthereum({
      url: anvil.url,
      account: developmentKeys[2],
      contracts: { SupplyChain: { address: contract.address, abi: supplyChainAbi } },
    });
    try {
      const denied = await caught(
        stranger.submit({ method: 'grantRole', args: [supplyChainRoles.carrier, stranger.account] }),
      );
      expect(isLedgerError(denied, 'PERMISSION_DENIED')).toBe(true);
      expect((denied as { details: unknown }).details).toMatchObject({
        errorName: 'AccessControlUnauthorizedAccount',
        errorArgs: [stranger.account, supplyChainRoles.admin],
      });

      const read = { method: 'hasRole', args: [supplyChainRoles.admin, owner.account] };
      const aborted = await caught(stranger.evaluate(read, { signal: AbortSignal.abort() }));
      expect(isLedgerError(aborted, 'ABORTED')).toBe(true);
      const timedOut = await caught(
        stranger.evaluate(read, { signal: AbortSignal.abort(new DOMException('deadline', 'TimeoutError')) }),
      );
      expect(isLedgerError(timedOut, 'TIMEOUT')).toBe(true);
      const submitTimedOut = await caught(
        owner.submit(
          { contract: 'SupplyChain', method: 'grantRole', args: [supplyChainRoles.carrier, owner.account] },
          { signal: AbortSignal.timeout(0) },
        ),
      );
      expect(isLedgerError(submitTimedOut, 'TIMEOUT')).toBe(true);
    } finally {
      await stranger.close();
      await owner.close();
    }
  });
});

describe('connectHardhatNetwork', () => {
  test('without a Hardhat config the error is the real cause (HHE3), typed NOT_FOUND', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ledgerkit-no-hardhat-'));
    const cwd = process.cwd();
    process.chdir(directory);
    try {
      const error = await caught(connectHardhatNetwork());
      expect(isLedgerError(error, 'NOT_FOUND')).toBe(true);
      expect((error as { details: unknown }).details).toMatchObject({ hardhatError: 'HHE3' });
    } finally {
      process.chdir(cwd);
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test('several signers on one chain: one network connection, one ledger per account', async () => {
    const hre = await createHardhatRuntimeEnvironment({});
    const connection = await hre.network.create();
    const provider = connection.provider as unknown as Eip1193Provider;
    let maker: EthereumLedger | undefined;
    let carrier: EthereumLedger | undefined;
    try {
      maker = await connectEthereum({ provider, account: developmentKeys[0] });
      const { contract } = await maker.deploy(supplyChainArtifact, [maker.account as Hex], { name: 'SupplyChain' });
      await contract.submit('grantRole', [supplyChainRoles.manufacturer, maker.account as Hex]);
      carrier = await connectEthereum({
        provider,
        account: developmentKeys[1],
        contracts: { SupplyChain: { address: contract.address, abi: supplyChainAbi } },
      });
      expect(carrier.id).toBe(maker.id);
      await contract.submit('grantRole', [supplyChainRoles.carrier, carrier.account as Hex]);
      const asset = hashText(`signers-${Date.now()}`) as Hex;
      await contract.submit('registerAsset', [asset, hashText('p') as Hex, hashText('d') as Hex]);
      const expiry = BigInt(Math.floor(Date.now() / 1000) + 86_400);
      await contract.submit('offerCustody', [asset, carrier.account as Hex, expiry]);
      const accepted = await carrier.submit({ method: 'acceptCustody', args: [asset] });
      expect((await carrier.verify(accepted)).ok).toBe(true);
      expect(await carrier.evaluate({ method: 'getAsset', args: [asset] })).toMatchObject({
        custodian: carrier.account,
      });
    } finally {
      await carrier?.close();
      await maker?.close();
      await connection.close();
    }
  });
});
