// Integration tests of the Ethereum ledger against both nodes: Hardhat's in-process EDR
// network and an anvil child process started (and stopped) here.

import { custodianSlot, supplyChainAbi, supplyChainArtifact, supplyChainRoles } from '@ledgerkit/contracts-ethereum';
import { isLedgerError, type LedgerEvent, type Receipt } from '@ledgerkit/core';
import { BrowserProvider, Contract, type Eip1193Provider, id as hashText } from 'ethers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeRevert, type EthereumLedger, type StateProof, verifyStateProof } from '../src/index.js';
import { developmentKeys, type Node, startAnvilNode, startEdr } from './backends.js';

type Hex = `0x${string}`;
const asHex = (value: string) => value as Hex;
const id = (text: string) => asHex(hashText(text));
let counter = 0;
const freshId = () => id(`asset-${process.pid}-${Date.now()}-${counter++}`);

async function deploySupplyChain(ledger: EthereumLedger, carrier: string) {
  const { contract, receipt } = await ledger.deploy(supplyChainArtifact, [asHex(ledger.account)], {
    name: 'SupplyChain',
  });
  await contract.submit('grantRole', [supplyChainRoles.manufacturer, asHex(ledger.account)]);
  await contract.submit('grantRole', [supplyChainRoles.carrier, asHex(carrier)]);
  return { contract, receipt };
}

async function collect(iterable: AsyncIterable<LedgerEvent>, count: number, signal?: AbortController) {
  const events: LedgerEvent[] = [];
  for await (const event of iterable) {
    events.push(event);
    if (events.length >= count) break;
  }
  signal?.abort();
  return events;
}

describe.each([
  ['edr', startEdr],
  ['anvil', startAnvilNode],
] as const)('on %s', (_name, start) => {
  let node: Node;
  let maker: EthereumLedger;
  let carrier: EthereumLedger;
  let address: string;

  beforeAll(async () => {
    node = await start();
    maker = await node.connect({ account: developmentKeys[0] });
    const carrierAccount = (await node.eip1193.request({ method: 'eth_accounts', params: [] })) as string[];
    const { contract } = await deploySupplyChain(maker, carrierAccount[1] as string);
    address = contract.address;
    carrier = await node.connect({
      account: 1,
      contracts: { SupplyChain: { address, abi: supplyChainAbi } },
      stateProofs: (call) => (typeof call.args?.[0] === 'string' ? [custodianSlot(call.args[0])] : []),
    });
  }, 60_000);

  afterAll(async () => {
    await carrier?.close();
    await maker?.close();
    await node?.stop();
  });

  test('submit returns a receipt after the confirmations; evaluate and typed reads see the write', async () => {
    const asset = freshId();
    const receipt = await maker.submit({
      contract: 'SupplyChain',
      method: 'registerAsset',
      args: [asset, id('product'), id('doc')],
    });
    expect(receipt).toMatchObject({ backend: 'ethereum', ledger: maker.id, position: { index: 0 } });
    expect(receipt.txId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(Date.parse(receipt.timestamp)).not.toBeNaN();
    expect(JSON.parse(JSON.stringify(receipt))).toEqual(receipt);

    const json = (await maker.evaluate({ method: 'getAsset', args: [asset] })) as Record<string, unknown>;
    expect(json).toMatchObject({ custodian: maker.account, product: id('product'), checkpointCount: '0' });
    const typed = await maker.contract<typeof supplyChainAbi>('SupplyChain').read('getAsset', [asset]);
    expect(typed.custodian).toBe(maker.account);
    expect(typed.checkpointCount).toBe(0);
    expect(typeof typed.registeredAt).toBe('bigint');
  });

  test('history rebuilds an asset from event logs, oldest first, each with its receipt', async () => {
    const asset = freshId();
    const chain = maker.contract<typeof supplyChainAbi>('SupplyChain');
    await chain.submit('registerAsset', [asset, id('p'), id('d')]);
    const expiry = BigInt(Math.floor(Date.now() / 1000) + 86_400 * 365);
    await chain.submit('offerCustody', [asset, asHex(carrier.account), expiry]);
    await carrier.contract<typeof supplyChainAbi>('SupplyChain').submit('acceptCustody', [asset]);
    await carrier
      .contract<typeof supplyChainAbi>('SupplyChain')
      .submit('recordCheckpoint', [asset, id('NL-RTM'), -1850, id('d2')]);

    const history = await maker.history(asset);
    expect(history.map((revision) => (revision.value as { event: string }).event)).toEqual([
      'AssetRegistered',
      'CustodyOffered',
      'CustodyTransferred',
      'CheckpointRecorded',
    ]);
    expect(history.map((revision) => revision.version)).toEqual([0, 1, 2, 3]);
    expect(history[2]?.value).toMatchObject({ from: maker.account, to: carrier.account });
    expect(history[3]?.value).toMatchObject({ temperatureCentiCelsius: '-1850', sequence: '0' });
    const blocks = history.map((revision) => revision.receipt.position.block);
    expect([...blocks].sort((a, b) => a - b)).toEqual(blocks);
    expect((await maker.verify(history[2] as never)).ok).toBe(true);
  });

  test('reverts decode to the custom error name and arguments (submit, evaluate, raw ethers)', async () => {
    const asset = freshId();
    await maker.submit({ method: 'registerAsset', contract: 'SupplyChain', args: [asset, id('p'), id('d')] });
    const duplicate = await maker
      .submit({ contract: 'SupplyChain', method: 'registerAsset', args: [asset, id('p'), id('d')] })
      .catch((error: unknown) => error);
    expect(isLedgerError(duplicate, 'CONTRACT_REVERTED')).toBe(true);
    expect((duplicate as { details: unknown }).details).toMatchObject({
      errorName: 'AssetAlreadyRegistered',
      errorArgs: [asset],
      method: 'registerAsset',
    });

    const unauthorised = await carrier
      .contract<typeof supplyChainAbi>('SupplyChain')
      .submit('recordCheckpoint', [asset, id('x'), 1, id('d')])
      .catch((error: unknown) => error);
    expect((unauthorised as { details: unknown }).details).toMatchObject({
      errorName: 'NotCustodian',
      errorArgs: [asset, carrier.account],
    });

    const missing = freshId();
    const notFound = await maker.evaluate({ method: 'getAsset', args: [missing] }).catch((error: unknown) => error);
    expect(isLedgerError(notFound, 'CONTRACT_REVERTED')).toBe(true);
    expect((notFound as { details: unknown }).details).toMatchObject({
      errorName: 'AssetNotFound',
      errorArgs: [missing],
    });

    // The shapes ethers and EDR throw without the SDK in between decode the same way.
    const raw = new Contract(address, supplyChainAbi, new BrowserProvider(node.eip1193));
    const rawError = await raw
      .getFunction('getAsset')
      .staticCall(missing)
      .catch((error: unknown) => error);
    expect(decodeRevert(rawError, [supplyChainAbi])).toMatchObject({
      errorName: 'AssetNotFound',
      errorArgs: [missing],
    });
    const eip1193Error = await node.eip1193
      .request({
        method: 'eth_call',
        params: [{ to: address, data: raw.interface.encodeFunctionData('getAsset', [missing]) }, 'latest'],
      })
      .catch((error: unknown) => error);
    expect(decodeRevert(eip1193Error, [supplyChainAbi])?.errorName).toBe('AssetNotFound');
  });

  test('50 concurrent submits from one account land with consecutive nonces', async () => {
    const start = Number(
      await node.eip1193.request({ method: 'eth_getTransactionCount', params: [maker.account, 'latest'] }),
    );
    const receipts = await Promise.all(
      Array.from({ length: 50 }, () =>
        maker.submit({ contract: 'SupplyChain', method: 'registerAsset', args: [freshId(), id('p'), id('d')] }),
      ),
    );
    expect(new Set(receipts.map((receipt) => receipt.txId)).size).toBe(50);
    const nonces = await Promise.all(
      receipts.map(async (receipt) => {
        const tx = (await node.eip1193.request({ method: 'eth_getTransactionByHash', params: [receipt.txId] })) as {
          nonce: string;
        };
        return Number(tx.nonce);
      }),
    );
    expect(nonces.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, index) => start + index));
  });

  test('a failed send leaves no nonce gap: the next submits resync and land', async () => {
    let sends = 0;
    const flaky: Eip1193Provider = {
      request: async (request) => {
        // The third transaction never reaches the node: its send and the ledger's two retries
        // of the same bytes (sends are serialized) all fail.
        if (request.method === 'eth_sendRawTransaction' && ++sends >= 3 && sends <= 5) {
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8545'), { code: 'ECONNREFUSED' });
        }
        return node.eip1193.request(request);
      },
    };
    const ledger = await (await import('../src/index.js')).connectEthereum({
      provider: flaky,
      account: developmentKeys[2],
      retry: { retries: 2, baseDelayMs: 10 },
      contracts: { SupplyChain: { address, abi: supplyChainAbi } },
    });
    const before = Number(
      await node.eip1193.request({ method: 'eth_getTransactionCount', params: [ledger.account, 'latest'] }),
    );
    // renounceRole of a role the account lacks is a cheap no-op transaction.
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        ledger
          .contract<typeof supplyChainAbi>('SupplyChain')
          .submit('renounceRole', [supplyChainRoles.auditor, asHex(ledger.account)]),
      ),
    );
    const failed = results.filter((result) => result.status === 'rejected');
    expect(failed).toHaveLength(1);
    expect(isLedgerError((failed[0] as PromiseRejectedResult).reason, 'UNAVAILABLE')).toBe(true);
    await ledger
      .contract<typeof supplyChainAbi>('SupplyChain')
      .submit('renounceRole', [supplyChainRoles.auditor, asHex(ledger.account)]);
    const after = Number(
      await node.eip1193.request({ method: 'eth_getTransactionCount', params: [ledger.account, 'latest'] }),
    );
    const pending = Number(
      await node.eip1193.request({ method: 'eth_getTransactionCount', params: [ledger.account, 'pending'] }),
    );
    expect(after - before).toBe(8);
    expect(pending).toBe(after);
    await ledger.close();
  });

  test('events resume after a checkpoint across a client restart without gaps or duplicates', async () => {
    const chain = maker.contract<typeof supplyChainAbi>('SupplyChain');
    const startBlock = Number(await node.eip1193.request({ method: 'eth_blockNumber', params: [] })) + 1;
    const assets = [freshId(), freshId(), freshId(), freshId()];
    for (const asset of assets.slice(0, 2)) await chain.submit('registerAsset', [asset, id('p'), id('d')]);

    const first = await node.connect({ contracts: { SupplyChain: { address, abi: supplyChainAbi } }, startBlock });
    const stop = new AbortController();
    const seen = await collect(first.events({ signal: stop.signal }), 2, stop);
    await first.close();

    for (const asset of assets.slice(2)) await chain.submit('registerAsset', [asset, id('p'), id('d')]);
    const second = await node.connect({ contracts: { SupplyChain: { address, abi: supplyChainAbi } }, startBlock });
    const last = seen.at(-1);
    if (!last) throw new Error('no event delivered');
    const resumed = await collect(second.events({ from: last.checkpoint }), 2);
    await second.close();

    const ids = [...seen, ...resumed].map((event) => (event.payload as { assetId: string }).assetId);
    expect(ids).toEqual(assets);
    const checkpoints = [...seen, ...resumed].map((event) => event.checkpoint);
    for (let index = 1; index < checkpoints.length; index++) {
      const [previous, current] = [checkpoints[index - 1], checkpoints[index]];
      expect(current && previous && (current.block > previous.block || current.index > previous.index)).toBe(true);
    }
  });

  test('events and submit honour the confirmation depth', async () => {
    const deep = await node.connect({
      account: developmentKeys[0],
      confirmations: 3,
      pollingIntervalMs: 20,
      contracts: { SupplyChain: { address, abi: supplyChainAbi } },
    });
    const head = Number(await node.eip1193.request({ method: 'eth_blockNumber', params: [] }));
    const asset = freshId();
    let settled = false;
    const submitted = deep
      .contract<typeof supplyChainAbi>('SupplyChain')
      .submit('registerAsset', [asset, id('p'), id('d')])
      .then((receipt) => {
        settled = true;
        return receipt;
      });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);

    const stop = new AbortController();
    const delivered: LedgerEvent[] = [];
    const reading = (async () => {
      for await (const event of deep.events({ signal: stop.signal, from: { block: head, index: 1_000_000 } })) {
        delivered.push(event);
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(delivered).toHaveLength(0);
    await node.mine(2);
    const receipt: Receipt = await submitted;
    expect(receipt.position.block).toBe(head + 1);
    await expect.poll(() => delivered.length, { timeout: 5_000 }).toBe(1);
    stop.abort();
    await reading;
    expect((await deep.verify(receipt)).checks.find((check) => check.name === 'confirmations')?.ok).toBe(true);
    await deep.close();
  });

  test('verify checks the block, the tx and receipt tries, and the custodian storage proof', async () => {
    const asset = freshId();
    await maker.contract<typeof supplyChainAbi>('SupplyChain').submit('registerAsset', [asset, id('p'), id('d')]);
    const expiry = BigInt(Math.floor(Date.now() / 1000) + 86_400 * 365);
    await maker
      .contract<typeof supplyChainAbi>('SupplyChain')
      .submit('offerCustody', [asset, asHex(carrier.account), expiry]);
    const accepted = await carrier.submit({ contract: 'SupplyChain', method: 'acceptCustody', args: [asset] });

    const result = await maker.verify(accepted);
    expect(result.checks.map((check) => check.name)).toEqual([
      'chain-id',
      'block-hash',
      'timestamp',
      'header-chain',
      'transaction-in-block',
      'receipt-in-block',
      'confirmations',
      'state-proof-subject',
      'account-proof',
      `storage-proof:${custodianSlot(asset)}`,
      'contract-code',
      'method',
      'gas-used',
    ]);
    expect(result.checks.filter((check) => !check.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    // The adapter's evidence carries the called function's ABI fragment: the name is bound to the selector.
    const method = result.checks.find((check) => check.name === 'method');
    expect(method?.detail).toContain('acceptCustody');
    expect(method?.detail).not.toContain('not proven');
    const storage = result.checks.find((check) => check.name.startsWith('storage-proof'));
    expect(storage?.detail.toLowerCase()).toContain(carrier.account.slice(2).toLowerCase());

    const forged = structuredClone(accepted);
    forged.txId = `0x${'ab'.repeat(32)}`;
    const forgedResult = await maker.verify(forged);
    expect(forgedResult.ok).toBe(false);
    expect(forgedResult.checks.find((check) => check.name === 'transaction-in-block')?.ok).toBe(false);

    const otherBlock = structuredClone(accepted);
    otherBlock.position.blockHash = `0x${'cd'.repeat(32)}`;
    expect((await maker.verify(otherBlock)).checks.find((check) => check.name === 'block-hash')?.ok).toBe(false);

    const otherChain = { ...accepted, ledger: '1' };
    expect((await maker.verify(otherChain)).checks.find((check) => check.name === 'chain-id')?.ok).toBe(false);
  });

  test('tampered account and storage proofs are rejected', async () => {
    const asset = freshId();
    const receipt = await maker.submit({
      contract: 'SupplyChain',
      method: 'registerAsset',
      args: [asset, id('p'), id('d')],
    });
    const blockTag = `0x${receipt.position.block.toString(16)}`;
    const block = (await node.eip1193.request({ method: 'eth_getBlockByNumber', params: [blockTag, false] })) as {
      stateRoot: string;
    };
    const proof = (await node.eip1193.request({
      method: 'eth_getProof',
      params: [address, [custodianSlot(asset)], blockTag],
    })) as StateProof;
    const honest = await verifyStateProof(block.stateRoot, proof);
    expect(honest.map((check) => check.ok)).toEqual([true, true]);

    const flip = (hex: string, at: number) => `${hex.slice(0, at)}${hex[at] === '0' ? '1' : '0'}${hex.slice(at + 1)}`;
    const cases: Array<[string, StateProof, number]> = [
      [
        'account node byte',
        {
          ...proof,
          accountProof: proof.accountProof.map((node, i) =>
            i === proof.accountProof.length - 1 ? flip(node, 40) : node,
          ),
        },
        0,
      ],
      ['balance claim', { ...proof, balance: '0x1' }, 0],
      [
        'storage value claim',
        { ...proof, storageProof: proof.storageProof.map((slot) => ({ ...slot, value: `0x${'11'.repeat(20)}` })) },
        1,
      ],
      [
        'storage node byte',
        {
          ...proof,
          storageProof: proof.storageProof.map((slot) => ({
            ...slot,
            proof: slot.proof.map((node) => flip(node, 30)),
          })),
        },
        1,
      ],
      ['empty account proof', { ...proof, accountProof: [] }, 0],
    ];
    for (const [name, tampered, failing] of cases) {
      const checks = await verifyStateProof(block.stateRoot, tampered);
      expect(checks[failing]?.ok, name).toBe(false);
    }
    const wrongRoot = await verifyStateProof(`0x${'00'.repeat(32)}`, proof);
    expect(wrongRoot[0]?.ok).toBe(false);
  });
});

describe('node failures', () => {
  test('an unreachable node is a typed UNAVAILABLE error after the retries', async () => {
    const { connectEthereum } = await import('../src/index.js');
    const error = await connectEthereum({ url: 'http://127.0.0.1:9', retry: { retries: 2, baseDelayMs: 5 } }).catch(
      (caught: unknown) => caught,
    );
    expect(isLedgerError(error, 'UNAVAILABLE')).toBe(true);
  });

  test('anvil restart: submits reconnect with backoff and events continue without gaps or duplicates', async () => {
    const node = await startAnvilNode();
    try {
      const ledger = await node.connect({
        account: developmentKeys[0],
        retry: { retries: 10, baseDelayMs: 50, maxDelayMs: 1_000 },
      });
      const { contract } = await deploySupplyChain(ledger, ledger.account);
      const assets = Array.from({ length: 6 }, freshId);
      for (const asset of assets.slice(0, 3)) await contract.submit('registerAsset', [asset, id('p'), id('d')]);

      const stop = new AbortController();
      const delivered: LedgerEvent[] = [];
      const reading = (async () => {
        for await (const event of ledger.events({ signal: stop.signal })) {
          if (event.name === 'AssetRegistered') delivered.push(event);
          if (delivered.length === assets.length) break;
        }
      })();
      await expect.poll(() => delivered.length, { timeout: 5_000 }).toBe(3);

      await node.kill();
      const during = contract.submit('registerAsset', [assets[3] as Hex, id('p'), id('d')]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await node.revive();
      await during;
      await node.restart({ downMs: 200 });
      for (const asset of assets.slice(4)) await contract.submit('registerAsset', [asset, id('p'), id('d')]);
      await reading;
      stop.abort();
      expect(delivered.map((event) => (event.payload as { assetId: string }).assetId)).toEqual(assets);
      await ledger.close();
    } finally {
      await node.stop();
    }
  }, 60_000);
});

describe('connectHardhatNetwork', () => {
  test('starts an in-process EDR network with network.create() and closes it with the ledger', async () => {
    const { connectHardhatNetwork } = await import('../src/index.js');
    const { createHardhatRuntimeEnvironment } = await import('hardhat/hre');
    const ledger = await connectHardhatNetwork({ hre: await createHardhatRuntimeEnvironment({}) });
    const { contract, receipt } = await ledger.deploy(supplyChainArtifact, [asHex(ledger.account)]);
    expect(receipt.position.block).toBe(1);
    expect(await contract.read('hasRole', [supplyChainRoles.admin, asHex(ledger.account)])).toBe(true);
    expect((await ledger.verify(receipt)).ok).toBe(true);
    await ledger.close();
    await expect(ledger.submit({ method: 'renounceRole', args: [] })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
