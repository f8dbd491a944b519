// The verify leg against both nodes: evidence fetched once and checked by the pure verifier
// against anchors the test chooses, proofs of absence, and revisions whose value is checked
// against the log in the proven receipt.
import { custodianSlot, supplyChainArtifact, supplyChainRoles } from '@ledgerkit/contracts-ethereum';
import type { Receipt, Revision, TrustAnchor } from '@ledgerkit/core';
import { id as hashText, toQuantity, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EthereumLedger } from '../src/index.js';
import { type EthereumEvidence, type StateProof, verifyEthereumReceipt, verifyStateProof } from '../src/verify.js';
import { developmentKeys, type Node, startAnvilNode, startEdr } from './backends.js';

type Hex = `0x${string}`;
let counter = 0;
const freshId = () => hashText(`verify-${process.pid}-${Date.now()}-${counter++}`) as Hex;
const failing = (result: { checks: Array<{ name: string; ok: boolean }> }) =>
  result.checks.filter((check) => !check.ok).map((check) => check.name);

describe.each([
  ['edr', startEdr],
  ['anvil', startAnvilNode],
] as const)('on %s', (_name, start) => {
  let node: Node;
  let ledger: EthereumLedger;
  let address: string;
  let receipt: Receipt;
  let history: Revision[];
  let asset: Hex;

  const request = (method: string, params: unknown[]) => node.eip1193.request({ method, params });
  /** An anchor read from the node directly, not through the ledger under test. */
  const blockAnchor = async (number?: number): Promise<TrustAnchor & { type: 'ethereum-block' }> => {
    const tag = number === undefined ? 'latest' : toQuantity(number);
    const block = (await request('eth_getBlockByNumber', [tag, false])) as { number: string; hash: string };
    return { type: 'ethereum-block', number: Number(BigInt(block.number)), hash: block.hash };
  };

  beforeAll(async () => {
    node = await start();
    ledger = await node.connect({
      account: developmentKeys[0],
      stateProofs: (call) => (typeof call.args?.[0] === 'string' ? [custodianSlot(call.args[0])] : []),
    });
    const { contract } = await ledger.deploy(supplyChainArtifact, [ledger.account as Hex], { name: 'SupplyChain' });
    address = contract.address;
    await contract.submit('grantRole', [supplyChainRoles.manufacturer, ledger.account as Hex]);
    asset = freshId();
    receipt = await contract.submit('registerAsset', [asset, hashText('p') as Hex, hashText('d') as Hex]);
    await node.mine(3);
    history = await ledger.history(asset);
  }, 60_000);

  afterAll(async () => {
    await ledger?.close();
    await node?.stop();
  });

  test('without an anchor: checked against the served head, and the result says it trusted the node', async () => {
    const result = await ledger.verify(receipt);
    expect(failing(result)).toEqual([]);
    expect(result.anchor).toMatchObject({ type: 'ethereum-block', explicit: false });
    const head = await blockAnchor();
    expect(result.checks.find((check) => check.name === 'confirmations')?.detail).toContain(
      `${head.number - receipt.position.block + 1} confirmations`,
    );
  });

  test('with an anchor: a later trusted block proves the receipt block through the parentHash links', async () => {
    const anchor = await blockAnchor(receipt.position.block + 2);
    const result = await ledger.verify(receipt, { anchor });
    expect(failing(result)).toEqual([]);
    expect(result.anchor).toMatchObject({ type: 'ethereum-block', explicit: true });
    expect(result.checks.find((check) => check.name === 'confirmations')?.detail).toContain('3 confirmations');

    const wrongHash = await ledger.verify(receipt, { anchor: { ...anchor, hash: `0x${'12'.repeat(32)}` } });
    expect(failing(wrongHash)).toEqual(['header-chain', 'confirmations']);
    const before = await ledger.verify(receipt, { anchor: await blockAnchor(receipt.position.block - 1) });
    expect(failing(before)).toContain('header-chain');
    const wrongType = await ledger.verify(receipt, { anchor: { type: 'fabric-config-block', hash: 'ab' } });
    expect(wrongType.ok).toBe(false);
    expect(failing(wrongType)).toEqual(['anchor-type']);
  });

  test('a bundle from evidence() survives JSON and verifies offline; tampering fails named checks', async () => {
    const bundle = JSON.parse(JSON.stringify(await ledger.evidence(receipt)));
    expect(bundle).toMatchObject({ format: 'ledgerkit.verification-bundle', version: 1 });
    const evidence = bundle.evidence as EthereumEvidence;
    const anchor = await blockAnchor(receipt.position.block + 1);
    expect(failing(await verifyEthereumReceipt(bundle.subject, evidence, anchor))).toEqual([]);

    const otherChain = { ...receipt, ledger: '1' };
    expect(failing(await verifyEthereumReceipt(otherChain, evidence, anchor))).toEqual(['chain-id']);
    const otherIndex = { ...receipt, position: { ...receipt.position, index: 1 } };
    expect(failing(await verifyEthereumReceipt(otherIndex, evidence, anchor))).toContain('transaction-in-block');
    const forgedHeader = structuredClone(evidence);
    forgedHeader.headers[0] = { ...forgedHeader.headers[0], parentHash: `0x${'00'.repeat(32)}` };
    expect(failing(await verifyEthereumReceipt(receipt, forgedHeader, anchor))).toEqual([
      'header-chain',
      'confirmations',
    ]);
    const forgedState = structuredClone(evidence);
    forgedState.block.stateRoot = `0x${'00'.repeat(32)}`;
    expect(failing(await verifyEthereumReceipt(receipt, forgedState, anchor))).toContain('block-hash');
    const truncated = structuredClone(evidence);
    truncated.stateProof.accountProof = truncated.stateProof.accountProof.slice(0, 1);
    expect(failing(await verifyEthereumReceipt(receipt, truncated, anchor))).toEqual(['account-proof']);
    const droppedReceipt = structuredClone(evidence);
    droppedReceipt.receipts = [];
    // Without the block's receipts the transaction's gas is not proven either.
    expect(failing(await verifyEthereumReceipt(receipt, droppedReceipt, anchor))).toEqual([
      'receipt-in-block',
      'gas-used',
    ]);

    // Malformed input: failed checks, never an exception.
    expect((await verifyEthereumReceipt(receipt, {} as EthereumEvidence, anchor)).ok).toBe(false);
    expect((await verifyEthereumReceipt({} as Receipt, evidence)).checks).toMatchObject([
      { name: 'receipt-format', ok: false },
    ]);
    expect((await verifyEthereumReceipt(receipt, null as unknown as EthereumEvidence)).ok).toBe(false);
  });

  test('revisions verify through their receipt and the log; a changed value fails revision-value', async () => {
    expect(history.map((revision) => (revision.value as { event: string }).event)).toEqual(['AssetRegistered']);
    const revision = history[0] as Revision;
    const result = await ledger.verify(revision);
    expect(failing(result)).toEqual([]);
    expect(result.checks.map((check) => check.name)).toContain('revision-value');

    const changed = structuredClone(revision);
    (changed.value as Record<string, unknown>).product = hashText('other');
    expect(failing(await ledger.verify(changed))).toEqual(['revision-value']);
    const otherKey = { ...structuredClone(revision), key: freshId() };
    expect(failing(await ledger.verify(otherKey))).toContain('revision-log');
    const bundle = JSON.parse(JSON.stringify(await ledger.evidence(revision)));
    expect(failing(await verifyEthereumReceipt(bundle.subject, bundle.evidence))).toEqual([]);
    expect(failing(await verifyEthereumReceipt(changed, bundle.evidence))).toEqual(['revision-value']);
  });

  test('a receipt of a block the node does not have is a failed check, not an exception', async () => {
    const far = { ...receipt, position: { ...receipt.position, block: 1_000_000 } };
    const result = await ledger.verify(far);
    expect(result.ok).toBe(false);
    expect(failing(result)).toEqual(['evidence']);
  });

  test('proofs of absence: an address never used, and storage of an account with none', async () => {
    const head = await blockAnchor();
    const block = (await request('eth_getBlockByNumber', [toQuantity(head.number), false])) as { stateRoot: string };
    const unused = Wallet.createRandom().address;
    const slot = `0x${'00'.repeat(31)}01`;
    const absent = (await request('eth_getProof', [unused, [slot], toQuantity(head.number)])) as StateProof;
    const absentChecks = await verifyStateProof(block.stateRoot, absent);
    expect(absentChecks.map((check) => check.ok)).toEqual([true, true]);
    expect(absentChecks[0]?.detail).toContain('absence');
    // A funded account without code or storage: its storage proof is under the empty root.
    const funded = new Wallet(developmentKeys[2]).address;
    const eoa = (await request('eth_getProof', [funded, [slot], toQuantity(head.number)])) as StateProof;
    expect((await verifyStateProof(block.stateRoot, eoa)).map((check) => check.ok)).toEqual([true, true]);
    // Both EDR and anvil answer with the empty node; geth answers with no node at all.
    expect(eoa.storageProof[0]?.proof).toEqual(['0x80']);
    const gethStyle = { ...eoa, storageProof: eoa.storageProof.map((one) => ({ ...one, proof: [] })) };
    expect((await verifyStateProof(block.stateRoot, gethStyle)).map((check) => check.ok)).toEqual([true, true]);
    // A slot of the contract never written: absent from a non-empty storage trie.
    const unwritten = custodianSlot(freshId());
    const contract = (await request('eth_getProof', [address, [unwritten], toQuantity(head.number)])) as StateProof;
    expect((await verifyStateProof(block.stateRoot, contract)).map((check) => check.ok)).toEqual([true, true]);
    // The absent account claimed to hold a balance fails.
    expect((await verifyStateProof(block.stateRoot, { ...absent, balance: '0x1' }))[0]?.ok).toBe(false);
  });
});
