// Writes the golden receipt vectors in testdata/receipts/ from a real chain (Hardhat's in-process
// EDR): valid bundles (subject + evidence + anchor) and tampered copies of them, each naming the
// check that must fail. The vectors are kept forever: every later verifier must still accept the
// valid ones and reject the tampered ones (test/receipt-vectors.test.ts). Regenerate only to add
// vectors; never to make a changed verifier pass.
//   npm run build -w @ledgerkit/ethereum && node scripts/generate-receipt-vectors.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { supplyChainArtifact, supplyChainRoles } from '@ledgerkit/contracts-ethereum';
import { AbiCoder, type Eip1193Provider, keccak256, toQuantity } from 'ethers';
import { createHardhatRuntimeEnvironment } from 'hardhat/hre';
import { connectEthereum } from '../dist/index.js';

type Hex = `0x${string}`;
/** A vector as the tampering steps edit it: plain JSON, any field reachable. */
// biome-ignore lint/suspicious/noExplicitAny: the steps edit arbitrary JSON fields of a copy
type Editable = { subject: any; evidence: any; anchor: any };
const owner = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const carrier = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const out = new URL('../testdata/receipts/', import.meta.url);

/** Slot of `_roles[role].hasRole[account]` in OpenZeppelin 5's AccessControl (`_roles` at slot 0). */
function hasRoleSlot(role: string, account: string): string {
  const coder = AbiCoder.defaultAbiCoder();
  const roleData = keccak256(coder.encode(['bytes32', 'uint256'], [role, 0]));
  return keccak256(coder.encode(['address', 'bytes32'], [account, roleData]));
}

function write(name: string, vector: Record<string, unknown>): void {
  writeFileSync(new URL(name, out), `${JSON.stringify(vector, null, 2)}\n`);
}

const hre = await createHardhatRuntimeEnvironment({});
const connection = await hre.network.create();
const provider = connection.provider as unknown as Eip1193Provider;
const ledger = await connectEthereum({
  provider,
  account: owner,
  stateProofs: (call) =>
    call.method === 'grantRole' ? [hasRoleSlot(call.args?.[0] as string, call.args?.[1] as string)] : [],
});
try {
  const { contract } = await ledger.deploy(supplyChainArtifact, [ledger.account as Hex], { name: 'SupplyChain' });
  const receipt = await contract.submit('grantRole', [supplyChainRoles.carrier, carrier as Hex]);
  await provider.request({ method: 'hardhat_mine', params: ['0x2'] });
  const [revision] = await ledger.history(supplyChainRoles.carrier);
  if (!revision) throw new Error('no RoleGranted revision');
  const anchorBlock = receipt.position.block + 2;
  const block = (await provider.request({
    method: 'eth_getBlockByNumber',
    params: [toQuantity(anchorBlock), false],
  })) as { hash: string };
  const anchor = { type: 'ethereum-block', number: anchorBlock, hash: block.hash };
  const receiptBundle = await ledger.evidence(receipt);
  const revisionBundle = await ledger.evidence(revision);
  const generated = { generator: 'scripts/generate-receipt-vectors.ts', node: 'hardhat 3 EDR (in-process)' };

  mkdirSync(new URL('valid/', out), { recursive: true });
  mkdirSync(new URL('tampered/', out), { recursive: true });
  const valid = (name: string, description: string, bundle: typeof receiptBundle, withAnchor: boolean) =>
    write(`valid/${name}.json`, {
      ...generated,
      description,
      subject: bundle.subject,
      evidence: bundle.evidence,
      ...(withAnchor ? { anchor } : {}),
      expect: { ok: true },
    });
  valid('receipt-anchored', 'grantRole receipt with a storage proof, anchored 2 blocks later', receiptBundle, true);
  valid('receipt-served-head', 'the same receipt against the head the node served (no anchor)', receiptBundle, false);
  valid('revision-anchored', 'RoleGranted revision (history of the carrier role)', revisionBundle, true);

  const tampered = (
    name: string,
    description: string,
    failingCheck: string,
    base: typeof receiptBundle,
    change: (vector: Editable) => void,
  ) => {
    const vector = structuredClone({ subject: base.subject, evidence: base.evidence, anchor }) as unknown as Editable;
    change(vector);
    write(`tampered/${name}.json`, { ...generated, description, ...vector, expect: { ok: false, failingCheck } });
  };
  tampered('other-chain', 'the receipt names chain 1', 'chain-id', receiptBundle, (v) => {
    v.subject.ledger = '1';
  });
  tampered('other-block-hash', 'the receipt names another block hash', 'block-hash', receiptBundle, (v) => {
    v.subject.position.blockHash = `0x${'cd'.repeat(32)}`;
  });
  tampered('other-tx-id', 'the receipt names another transaction', 'transaction-in-block', receiptBundle, (v) => {
    v.subject.txId = `0x${'ab'.repeat(32)}`;
  });
  tampered(
    'moved-index',
    'the receipt claims another index in its block',
    'transaction-in-block',
    receiptBundle,
    (v) => {
      v.subject.position.index += 1;
    },
  );
  tampered('anchor-hash', 'the anchor hash is not the chain the headers form', 'header-chain', receiptBundle, (v) => {
    v.anchor.hash = `0x${'12'.repeat(32)}`;
  });
  tampered('anchor-type', 'an anchor of another backend', 'anchor-type', receiptBundle, (v) => {
    v.anchor = { type: 'fabric-config-block', hash: '00'.repeat(32) };
  });
  tampered(
    'forged-header-link',
    'a header after the receipt block names another parent',
    'header-chain',
    receiptBundle,
    (v) => {
      v.evidence.headers[0].parentHash = `0x${'00'.repeat(32)}`;
    },
  );
  tampered('forged-state-root', "the block's state root is replaced", 'block-hash', receiptBundle, (v) => {
    v.evidence.block.stateRoot = `0x${'00'.repeat(32)}`;
  });
  tampered('truncated-account-proof', 'the account proof lost its last node', 'account-proof', receiptBundle, (v) => {
    v.evidence.stateProof.accountProof.pop();
  });
  tampered(
    'storage-value',
    'the proven role slot claims another value',
    `storage-proof:${(receipt.proof as { storageSlots: string[] }).storageSlots[0]}`,
    receiptBundle,
    (v) => {
      v.evidence.stateProof.storageProof[0].value = '0x2';
    },
  );
  tampered(
    'receipt-status',
    'the receipt of the transaction claims failure',
    'receipt-in-block',
    receiptBundle,
    (v) => {
      v.evidence.receipts[v.subject.position.index].status = '0x0';
    },
  );
  tampered('revision-value', "the revision's account is changed", 'revision-value', revisionBundle, (v) => {
    v.subject.value.account = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
  });
  tampered('revision-key', 'the revision claims another key', 'revision-log', revisionBundle, (v) => {
    v.subject.key = supplyChainRoles.manufacturer;
  });
  console.log(`wrote vectors to ${out.pathname}`);
} finally {
  await ledger.close();
  await connection.close();
}
