// Starts a real two-organization Fabric network (1 Raft orderer, 1 peer per org, native
// processes from @ledgerkit/fabric-network), deploys the test key-value chaincode with the
// default majority endorsement policy (both orgs endorse), submits transactions through the
// raw fabric-gateway objects behind connectFabric's ledger (`native`), and verifies their
// receipts against blocks read through qscc — then tampers with the blocks and receipts and
// checks that the specific check fails.
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject, sign, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Contract, Network } from '@hyperledger/fabric-gateway';
import { common, ledger, msp, peer } from '@hyperledger/fabric-protos';
import {
  isLedgerError,
  type Receipt,
  type Revision,
  retry,
  type TrustAnchor,
  type Verification,
  verification,
} from '@ledgerkit/core';
import {
  bitString,
  boolean,
  derToPem,
  explicit,
  extension,
  integer,
  objectIdentifier,
  sequence,
  set,
  signCertificate,
  utcTime,
  utf8String,
} from '@ledgerkit/core/der';
import { FabricNetwork, type OrganizationAccess } from '@ledgerkit/fabric-network';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FabricBlockSource, fetchFabricEvidence, qsccBlockSource, whereIs } from '../src/evidence.js';
import { connectFabric, type FabricLedger } from '../src/index.js';
import { commitHash, updateBatchBytes } from '../src/verify/commit-hash.js';
import { commitHashOf, decodeBlock, decodeEndorserTransaction, decodeEnvelope } from '../src/verify/decode.js';
import { verifyFabricReceipt } from '../src/verify/fabric-receipt.js';
import { type FabricTransactionInput, verifyFabricTransaction } from '../src/verify/transaction.js';
import { genesisBlockHash, mspRoots } from './anchors.js';
import { claimNetworkDir, networkDirPrefix } from './global-setup.js';

const chaincodePath = fileURLToPath(new URL('./fixtures/ledger-chaincode', import.meta.url));
const channel = 'verify';

/** Org's user on the test chaincode, with deadlines generous for a loaded machine. */
function ledgerFor(org: OrganizationAccess): Promise<FabricLedger> {
  return connectFabric({
    connectionProfile: org.connectionProfilePath,
    channel,
    chaincode: 'kv',
    deadlines: { evaluateMs: 30_000, endorseMs: 60_000, submitMs: 30_000, commitStatusMs: 120_000 },
  });
}

/** Retries, for up to a minute, while discovery has not yet learned the just-deployed chaincode (gRPC 9). */
function whenDiscovered<T>(call: () => Promise<T>): Promise<T> {
  return retry(call, {
    retries: 240,
    baseDelayMs: 250,
    maxDelayMs: 250,
    jitter: 'none',
    shouldRetry: (error) => (error as { code?: number }).code === 9,
  });
}

interface Submitted {
  receipt: Receipt;
  code: number;
}

async function submitStep(contract: Contract, transaction: string, args: string[]) {
  const proposal = contract.newProposal(transaction, { arguments: args });
  return whenDiscovered(() => proposal.endorse());
}

/** Builds the receipt FabricLedger.submit produces, reading the timestamp from the block. */
async function receiptOf(
  source: FabricBlockSource,
  txId: string,
  blockNumber: number,
  transaction: string,
  code: number,
): Promise<Submitted> {
  const block = common.Block.deserializeBinary(await source.blockByNumber(blockNumber));
  const envelope = block
    .getData()
    ?.getDataList_asU8()
    .map((bytes) => common.Envelope.deserializeBinary(bytes))
    .map((item) => common.Payload.deserializeBinary(item.getPayload_asU8()))
    .map((payload) =>
      common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array()),
    )
    .find((header) => header.getTxId() === txId);
  const time = envelope?.getTimestamp();
  if (!time) throw new Error(`transaction ${txId} not in block ${blockNumber}`);
  return {
    code,
    receipt: {
      backend: 'fabric',
      ledger: channel,
      txId,
      position: { block: blockNumber, index: -1 },
      timestamp: new Date(time.getSeconds() * 1000 + Math.floor(time.getNanos() / 1_000_000)).toISOString(),
      proof: { chaincode: 'kv', transaction, mspId: 'Org1MSP', validationCode: 'VALID' },
    },
  };
}

async function submit(
  contract: Contract,
  source: FabricBlockSource,
  transaction: string,
  args: string[],
): Promise<Submitted> {
  const endorsed = await submitStep(contract, transaction, args);
  const status = await (await endorsed.submit()).getStatus();
  return receiptOf(source, endorsed.getTransactionId(), Number(status.blockNumber), transaction, status.code);
}

function checkOf(result: Verification, name: string) {
  const check = result.checks.find((candidate) => candidate.name === name);
  if (!check) throw new Error(`no check ${name} in ${result.checks.map((item) => item.name).join(', ')}`);
  return check;
}

function failedNames(result: Verification): string[] {
  return result.checks.filter((check) => !check.ok).map((check) => check.name);
}

/**
 * Fetches the evidence from `source` (and copies from `witnesses`) and verifies against it, as
 * `FabricLedger.verify` does: a missing block is a failed `block-located` check.
 */
async function verifyOnline(
  subject: Receipt | Revision,
  source: FabricBlockSource,
  options: { witnesses?: FabricBlockSource[]; anchor?: TrustAnchor } = {},
): Promise<Verification> {
  const receipt = 'receipt' in subject ? subject.receipt : subject;
  let evidence: Awaited<ReturnType<typeof fetchFabricEvidence>>;
  try {
    evidence = await fetchFabricEvidence(source, subject, options.witnesses ? { witnesses: options.witnesses } : {});
  } catch (error) {
    if (!isLedgerError(error, 'NOT_FOUND')) throw error;
    return verification([
      {
        name: 'block-located',
        ok: false,
        detail: `no block ${receipt.position.block}${await whereIs(source, receipt.txId)}`,
      },
    ]);
  }
  const result = await verifyFabricReceipt(subject, evidence, options.anchor);
  const located = result.checks.find((check) => check.name === 'block-located');
  if (located && !located.ok) located.detail += await whereIs(source, receipt.txId);
  return result;
}

/** The blocks offline verification needs, fetched once. */
interface Blocks {
  block: Uint8Array;
  previousBlock: Uint8Array;
  configBlock: Uint8Array;
}

async function blocksOf(source: FabricBlockSource, receipt: Receipt): Promise<Blocks> {
  return {
    block: await source.blockByNumber(receipt.position.block),
    previousBlock: await source.blockByNumber(receipt.position.block - 1),
    configBlock: await source.blockByNumber(0),
  };
}

/** Verifies `receipt` offline against its blocks, some of them replaced by tampered copies. */
function verifyWith(
  receipt: Receipt,
  blocks: Blocks,
  replaced: Pick<Partial<FabricTransactionInput>, 'block' | 'previousBlock' | 'configBlock' | 'witnessBlocks'> = {},
): Verification {
  return verifyFabricTransaction({ txId: receipt.txId, ...blocks, ...replaced, receipt });
}

/** Rewrites the transaction `txId` of a block: `edit` receives its decoded layers. */
function rewriteTransaction(
  blockBytes: Uint8Array,
  txId: string,
  edit: (layers: {
    envelope: common.Envelope;
    payload: common.Payload;
    transaction: peer.Transaction;
    actionPayload: peer.ChaincodeActionPayload;
    endorsed: peer.ChaincodeEndorsedAction;
  }) => void,
): Uint8Array {
  const block = common.Block.deserializeBinary(blockBytes);
  const data = block.getData() as common.BlockData;
  const entries = data.getDataList_asU8().map((bytes) => {
    const envelope = common.Envelope.deserializeBinary(bytes);
    const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
    const header = common.ChannelHeader.deserializeBinary(
      payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(),
    );
    if (header.getTxId() !== txId) return bytes;
    const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
    const action = transaction.getActionsList()[0] as peer.TransactionAction;
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    const endorsed = actionPayload.getAction() as peer.ChaincodeEndorsedAction;
    edit({ envelope, payload, transaction, actionPayload, endorsed });
    actionPayload.setAction(endorsed);
    action.setPayload(actionPayload.serializeBinary());
    payload.setData(transaction.serializeBinary());
    envelope.setPayload(payload.serializeBinary());
    return envelope.serializeBinary();
  });
  data.setDataList(entries);
  return block.serializeBinary();
}

/**
 * Decodes a block and sets the validation code of `txId` to VALID in its transactions filter,
 * as a lying peer would; the caller stores `metadata` back into `block`.
 */
function withValidCode(
  blockBytes: Uint8Array,
  txId: string,
): { block: common.Block; metadata: Uint8Array[]; filter: Buffer } {
  const block = common.Block.deserializeBinary(blockBytes);
  const metadata = (block.getMetadata() as common.BlockMetadata).getMetadataList_asU8();
  const filter = Buffer.from(metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER] as Uint8Array);
  filter[indexOfTransaction(blockBytes, txId)] = peer.TxValidationCode.VALID;
  metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER] = filter;
  return { block, metadata, filter };
}

/** Recomputes the header's data hash after a rewrite, as a careful forger would. */
function resealDataHash(blockBytes: Uint8Array): Uint8Array {
  const block = common.Block.deserializeBinary(blockBytes);
  const hash = createHash('sha256');
  for (const entry of block.getData()?.getDataList_asU8() ?? []) hash.update(entry);
  block.getHeader()?.setDataHash(hash.digest());
  return block.serializeBinary();
}

function indexOfTransaction(blockBytes: Uint8Array, txId: string): number {
  const block = common.Block.deserializeBinary(blockBytes);
  return (block.getData()?.getDataList_asU8() ?? []).findIndex((bytes) => {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(bytes).getPayload_asU8());
    return (
      common.ChannelHeader.deserializeBinary(
        payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(),
      ).getTxId() === txId
    );
  });
}

/** A certificate with OU=peer for `mspId`, issued by a CA of our own making (not the org's). */
function selfMadeIdentity(mspId: string): { serialized: Uint8Array; key: KeyObject } {
  const ca = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const leaf = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const name = (cn: string, ou?: string) =>
    sequence(
      set(sequence(objectIdentifier('2.5.4.10'), utf8String('org1.example.com'))),
      ...(ou ? [set(sequence(objectIdentifier('2.5.4.11'), utf8String(ou)))] : []),
      set(sequence(objectIdentifier('2.5.4.3'), utf8String(cn))),
    );
  const ecdsaWithSha256 = sequence(objectIdentifier('1.2.840.10045.4.3.2'));
  const toBeSigned = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(Buffer.from([0x42, 0x17])),
    ecdsaWithSha256,
    name('ca.org1.example.com'),
    sequence(utcTime(new Date('2020-01-01T00:00:00Z')), utcTime(new Date('2049-01-01T00:00:00Z'))),
    name('peer0.org1.example.com', 'peer'),
    leaf.publicKey.export({ type: 'spki', format: 'der' }),
  );
  const certificate = sequence(toBeSigned, ecdsaWithSha256, bitString(sign('sha256', toBeSigned, ca.privateKey)));
  const identity = new msp.SerializedIdentity();
  identity.setMspid(mspId);
  identity.setIdBytes(Buffer.from(derToPem('CERTIFICATE', certificate)));
  return { serialized: identity.serializeBinary(), key: leaf.privateKey };
}

/** A self-signed CA certificate nobody in the network knows. */
function selfSignedCa(signingKey: KeyObject, publicKey: KeyObject): Buffer {
  const name = sequence(set(sequence(objectIdentifier('2.5.4.3'), utf8String('ca.stranger.example.com'))));
  return signCertificate({
    serialNumber: Buffer.from([7]),
    issuer: name,
    subject: name,
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2049-01-01T00:00:00Z'),
    publicKey,
    signingKey,
    extensions: [extension('2.5.29.19', true, sequence(boolean(true)))],
  });
}

/** An RFC 5280 v2 CRL revoking the certificate with serial `serial` (hex), signed by `key`. */
function revocationListOf(serial: string, key: KeyObject): Buffer {
  const ecdsaWithSha256 = sequence(objectIdentifier('1.2.840.10045.4.3.2'));
  const time = utcTime(new Date());
  const toBeSigned = sequence(
    integer(Buffer.from([1])),
    ecdsaWithSha256,
    sequence(set(sequence(objectIdentifier('2.5.4.3'), utf8String('ca.org2.example.com')))),
    time,
    sequence(sequence(integer(Buffer.from(serial.length % 2 === 0 ? serial : `0${serial}`, 'hex')), time)),
  );
  return sequence(toBeSigned, ecdsaWithSha256, bitString(sign('sha256', toBeSigned, key)));
}

function mspOf(endorsement: peer.Endorsement): string {
  return msp.SerializedIdentity.deserializeBinary(endorsement.getEndorser_asU8()).getMspid();
}

describe('verifying Fabric receipts against a two-organization network', () => {
  let dir: string;
  let network: FabricNetwork | undefined;
  let org1Ledger: FabricLedger | undefined;
  let org2Ledger: FabricLedger | undefined;
  let witness: FabricBlockSource;
  let fabric: Network;
  let contract: Contract;
  let source: FabricBlockSource;
  let put: Submitted;
  let conflicted: Submitted;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), networkDirPrefix));
    // Marks the network as this run's, so a concurrent run's global setup leaves it alone.
    await claimNetworkDir(dir);
    network = await FabricNetwork.up({ dir, orgs: 2, peersPerOrg: 1, orderers: 1, channel });
    const deployed = await network.deployChaincode({ name: 'kv', path: chaincodePath });
    expect(deployed.policy).toBe("OutOf(2,'Org1MSP.peer','Org2MSP.peer')");
    org1Ledger = await ledgerFor(network.organization('Org1'));
    ({ network: fabric, contract } = org1Ledger.native);
    source = qsccBlockSource(fabric, { timeoutMs: 30_000 });
    // Org2's peer, through its own gateway, as a witness of what Org1's peer serves.
    org2Ledger = await ledgerFor(network.organization('Org2'));
    witness = qsccBlockSource(org2Ledger.native.network, { timeoutMs: 30_000 });
    put = await submit(contract, source, 'Put', ['pallet-1', JSON.stringify({ owner: 'Acme', weight: 42 })]);
    // Two increments endorsed against the same version of a key: the one ordered second is
    // invalidated with MVCC_READ_CONFLICT.
    await submit(contract, source, 'Put', ['counter', '0']);
    const first = await submitStep(contract, 'Increment', ['counter', '1']);
    const second = await submitStep(contract, 'Increment', ['counter', '2']);
    const [firstSubmitted, secondSubmitted] = await Promise.all([first.submit(), second.submit()]);
    const statuses = await Promise.all([firstSubmitted.getStatus(), secondSubmitted.getStatus()]);
    const loser = statuses.findIndex((status) => status.code !== 0);
    expect(loser).toBeGreaterThanOrEqual(0);
    const status = statuses[loser] as (typeof statuses)[number];
    const endorsed = loser === 0 ? first : second;
    conflicted = await receiptOf(
      source,
      endorsed.getTransactionId(),
      Number(status.blockNumber),
      'Increment',
      status.code,
    );
  });

  afterAll(async () => {
    await org1Ledger?.close();
    await org2Ledger?.close();
    await network?.down({ purge: true }).catch(() => {});
    await (await FabricNetwork.open(dir).catch(() => undefined))?.down({ purge: true });
    await rm(dir, { recursive: true, force: true });
  });

  test('a good receipt verifies with every check passing and endorsements from both orgs', async () => {
    const result = await verifyOnline(put.receipt, source);
    expect(failedNames(result)).toEqual([]);
    expect(result.ok).toBe(true);
    const names = result.checks.map((check) => check.name);
    for (const name of [
      'block-decodes',
      'block-located',
      'channel',
      'block-data-hash',
      'block-hash-chain',
      'channel-config',
      'orderer-signature',
      'tx-id',
      'creator-signature',
      'proposal',
      'endorsement:Org1MSP',
      'endorsement:Org2MSP',
      'validation-code',
      'commit-hash',
      'timestamp',
    ]) {
      expect(names).toContain(name);
    }
    expect(checkOf(result, 'orderer-signature').detail).toMatch(/OrdererMSP .* signed/);
    expect(checkOf(result, 'validation-code').detail).toMatch(/VALID \(0\)/);

    // The exact index verifies too; a wrong one does not.
    const blocks = await blocksOf(source, put.receipt);
    const index = indexOfTransaction(blocks.block, put.receipt.txId);
    const exact = { ...put.receipt, position: { block: put.receipt.position.block, index } };
    expect((await verifyOnline(exact, source)).ok).toBe(true);
    const wrongIndex = { ...put.receipt, position: { block: put.receipt.position.block, index: index + 1 } };
    expect(failedNames(await verifyOnline(wrongIndex, source))).toEqual(['block-located']);
  });

  test('an auditor with the blocks verifies offline with the same checks', async () => {
    const blocks = await blocksOf(source, put.receipt);
    const online = await verifyOnline(put.receipt, source);
    const offline = verifyWith(put.receipt, blocks);
    expect(offline.ok).toBe(true);
    expect(offline.checks.map((check) => check.name)).toEqual(online.checks.map((check) => check.name));
    // Without the previous block, the checks that need it are not made (and not listed).
    const alone = verifyFabricTransaction({
      txId: put.receipt.txId,
      block: blocks.block,
      configBlock: blocks.configBlock,
    });
    expect(alone.ok).toBe(true);
    expect(alone.checks.map((check) => check.name)).not.toContain('block-hash-chain');
  });

  test('a flipped byte in an endorsement signature fails that endorsement', async () => {
    const blocks = await blocksOf(source, put.receipt);
    const tampered = rewriteTransaction(blocks.block, put.receipt.txId, ({ endorsed }) => {
      const endorsement = endorsed.getEndorsementsList().find((item) => mspOf(item) === 'Org2MSP') as peer.Endorsement;
      const signature = Buffer.from(endorsement.getSignature_asU8());
      signature[signature.length - 5] = (signature[signature.length - 5] as number) ^ 0x01;
      endorsement.setSignature(signature);
    });
    const result = verifyWith(put.receipt, blocks, { block: tampered });
    expect(result.ok).toBe(false);
    expect(checkOf(result, 'endorsement:Org2MSP').ok).toBe(false);
    expect(checkOf(result, 'endorsement:Org1MSP').ok).toBe(true);
    expect(checkOf(result, 'block-data-hash').ok).toBe(false);

    // The client signed the whole envelope payload, endorsements included.
    expect(checkOf(result, 'creator-signature').ok).toBe(false);

    // A forger who also reseals the data hash breaks the orderer's signature instead.
    const resealed = verifyWith(put.receipt, blocks, { block: resealDataHash(tampered) });
    expect(failedNames(resealed).sort()).toEqual(['creator-signature', 'endorsement:Org2MSP', 'orderer-signature']);
    expect(checkOf(resealed, 'endorsement:Org2MSP').detail).toMatch(/signature/);
  });

  test('a changed write set in the proposal response payload fails every endorsement', async () => {
    const blocks = await blocksOf(source, put.receipt);
    const tampered = rewriteTransaction(blocks.block, put.receipt.txId, ({ endorsed }) => {
      const response = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
      const action = peer.ChaincodeAction.deserializeBinary(response.getExtension_asU8());
      const rwset = ledger.rwset.TxReadWriteSet.deserializeBinary(action.getResults_asU8());
      for (const namespace of rwset.getNsRwsetList()) {
        const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(namespace.getRwset_asU8());
        for (const write of kv.getWritesList()) {
          if (write.getKey() === 'pallet-1')
            write.setValue(Buffer.from(JSON.stringify({ owner: 'Mallory', weight: 42 })));
        }
        namespace.setRwset(kv.serializeBinary());
      }
      action.setResults(rwset.serializeBinary());
      response.setExtension$(action.serializeBinary());
      endorsed.setProposalResponsePayload(response.serializeBinary());
    });
    const result = verifyWith(put.receipt, blocks, { block: resealDataHash(tampered) });
    expect(failedNames(result).sort()).toEqual([
      'commit-hash',
      'creator-signature',
      'endorsement:Org1MSP',
      'endorsement:Org2MSP',
      'orderer-signature',
    ]);
  });

  test('a changed previous hash in the header fails the hash chain and the orderer signature', async () => {
    const blocks = await blocksOf(source, put.receipt);
    const block = common.Block.deserializeBinary(blocks.block);
    block.getHeader()?.setPreviousHash(createHash('sha256').update('another history').digest());
    const result = verifyWith(put.receipt, blocks, { block: block.serializeBinary() });
    expect(failedNames(result).sort()).toEqual(['block-hash-chain', 'orderer-signature']);
  });

  test('a substituted previous block fails the hash chain', async () => {
    const blocks = await blocksOf(source, put.receipt);
    const earlier = await source.blockByNumber(put.receipt.position.block - 2);
    const result = verifyWith(put.receipt, blocks, { previousBlock: earlier });
    expect(checkOf(result, 'block-hash-chain').ok).toBe(false);
    expect(checkOf(result, 'orderer-signature').ok).toBe(true);
    expect(checkOf(result, 'endorsement:Org1MSP').ok).toBe(true);
  });

  test('an MVCC-invalidated transaction fails validation-code, and flipping its code to VALID fails the commit hash', async () => {
    expect(conflicted.code).toBe(peer.TxValidationCode.MVCC_READ_CONFLICT);
    const result = await verifyOnline(conflicted.receipt, source);
    expect(failedNames(result)).toEqual(['validation-code']);
    expect(checkOf(result, 'validation-code').detail).toMatch(/MVCC_READ_CONFLICT \(11\)/);

    const blocks = await blocksOf(source, conflicted.receipt);
    const { block, metadata } = withValidCode(blocks.block, conflicted.receipt.txId);
    block.getMetadata()?.setMetadataList(metadata);
    const flipped = verifyWith(conflicted.receipt, blocks, { block: block.serializeBinary() });
    expect(failedNames(flipped)).toEqual(['commit-hash']);
  });

  test("another org's peer as witness: agreement passes, a peer that rewrote codes and commit hash is caught", async () => {
    const agreed = await verifyOnline(put.receipt, source, { witnesses: [witness] });
    expect(failedNames(agreed)).toEqual([]);
    expect(checkOf(agreed, 'peer-agreement').detail).toMatch(/identical/);

    // A lying peer flips the conflicted transaction to VALID and recomputes its commit hash:
    // every check on its own copy passes, only the comparison with Org2's copy fails.
    const blocks = await blocksOf(source, conflicted.receipt);
    const { block, metadata, filter } = withValidCode(blocks.block, conflicted.receipt.txId);
    const decoded = decodeBlock(blocks.block);
    const writes = decoded.data.flatMap((entry, index) => {
      if (filter[index] !== peer.TxValidationCode.VALID) return [];
      return [{ index, writes: decodeEndorserTransaction(decodeEnvelope(entry)).flatMap((action) => action.writes) }];
    });
    const previousCommitHash = commitHashOf(decodeBlock(blocks.previousBlock)) ?? Buffer.alloc(0);
    const forgedCommitHash = new common.Metadata();
    forgedCommitHash.setValue(commitHash(filter, updateBatchBytes(decoded.number, writes), previousCommitHash));
    metadata[common.BlockMetadataIndex.COMMIT_HASH] = forgedCommitHash.serializeBinary();
    block.getMetadata()?.setMetadataList(metadata);
    const forged = block.serializeBinary();

    const alone = verifyWith(conflicted.receipt, blocks, { block: forged });
    expect(failedNames(alone)).toEqual([]);
    const witnessed = verifyWith(conflicted.receipt, blocks, {
      block: forged,
      witnessBlocks: [await witness.blockByNumber(conflicted.receipt.position.block)],
    });
    expect(failedNames(witnessed)).toEqual(['peer-agreement']);
    expect(checkOf(witnessed, 'peer-agreement').detail).toMatch(/MVCC_READ_CONFLICT/);
  });

  test("an endorsement by a self-made CA's certificate under Org1MSP fails that endorsement", async () => {
    const blocks = await blocksOf(source, put.receipt);
    const { serialized, key } = selfMadeIdentity('Org1MSP');
    const tampered = rewriteTransaction(blocks.block, put.receipt.txId, ({ endorsed }) => {
      const payload = endorsed.getProposalResponsePayload_asU8();
      const forged = new peer.Endorsement();
      forged.setEndorser(serialized);
      forged.setSignature(sign('sha256', Buffer.concat([payload, serialized]), { key, dsaEncoding: 'der' }));
      endorsed.setEndorsementsList(
        endorsed.getEndorsementsList().map((item) => (mspOf(item) === 'Org1MSP' ? forged : item)),
      );
    });
    const result = verifyWith(put.receipt, blocks, { block: resealDataHash(tampered) });
    expect(failedNames(result).sort()).toEqual(['creator-signature', 'endorsement:Org1MSP', 'orderer-signature']);
    expect(checkOf(result, 'endorsement:Org1MSP').detail).toMatch(/not issued by a root or intermediate CA of Org1MSP/);
  });

  test('an endorser whose certificate its CA revoked in the channel config fails that endorsement', async () => {
    const blocks = await blocksOf(source, put.receipt);
    const endorser = common.Block.deserializeBinary(blocks.block);
    const index = indexOfTransaction(blocks.block, put.receipt.txId);
    const payload = common.Payload.deserializeBinary(
      common.Envelope.deserializeBinary(endorser.getData()?.getDataList_asU8()[index] as Uint8Array).getPayload_asU8(),
    );
    const action = peer.Transaction.deserializeBinary(
      payload.getData_asU8(),
    ).getActionsList()[0] as peer.TransactionAction;
    const endorsements = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8())
      .getAction()
      ?.getEndorsementsList() as peer.Endorsement[];
    const org2 = endorsements.find((item) => mspOf(item) === 'Org2MSP') as peer.Endorsement;
    const certificate = new X509Certificate(
      Buffer.from(msp.SerializedIdentity.deserializeBinary(org2.getEndorser_asU8()).getIdBytes_asU8()),
    );
    const caDir = join(dir, 'crypto/peerOrganizations/org2.example.com/ca');
    const caKey = createPrivateKey(await readFile(join(caDir, 'priv_sk')));
    const crl = revocationListOf(certificate.serialNumber, caKey);

    const config = common.Block.deserializeBinary(blocks.configBlock);
    const envelope = common.Envelope.deserializeBinary(config.getData()?.getDataList_asU8()[0] as Uint8Array);
    const configPayload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
    const configEnvelope = common.ConfigEnvelope.deserializeBinary(configPayload.getData_asU8());
    const application = configEnvelope.getConfig()?.getChannelGroup()?.getGroupsMap().get('Application');
    let revoked = false;
    application?.getGroupsMap().forEach((organization: common.ConfigGroup) => {
      const value = organization.getValuesMap().get('MSP');
      if (!value) return;
      const mspConfig = msp.MSPConfig.deserializeBinary(value.getValue_asU8());
      const fabricConfig = msp.FabricMSPConfig.deserializeBinary(mspConfig.getConfig_asU8());
      if (fabricConfig.getName() !== 'Org2MSP') return;
      fabricConfig.addRevocationList(Buffer.from(derToPem('X509 CRL', crl)));
      mspConfig.setConfig(fabricConfig.serializeBinary());
      value.setValue(mspConfig.serializeBinary());
      revoked = true;
    });
    expect(revoked).toBe(true);
    configPayload.setData(configEnvelope.serializeBinary());
    envelope.setPayload(configPayload.serializeBinary());
    config.getData()?.setDataList([envelope.serializeBinary()]);
    const configBlock = resealDataHash(config.serializeBinary());

    const result = verifyWith(put.receipt, blocks, { configBlock });
    expect(failedNames(result)).toEqual(['endorsement:Org2MSP']);
    expect(checkOf(result, 'endorsement:Org2MSP').detail).toMatch(/revoked by a CRL of Org2MSP/);
    // The config block is the trust anchor: the check reports its hash, which now differs.
    const genuine = verifyWith(put.receipt, blocks);
    expect(checkOf(result, 'channel-config').detail).not.toBe(checkOf(genuine, 'channel-config').detail);
  });

  test('receipts with a wrong txId, block or timestamp fail the matching check', async () => {
    const otherTxId = createHash('sha256').update('no such transaction').digest('hex');
    const wrongTx = await verifyOnline({ ...put.receipt, txId: otherTxId }, source);
    expect(failedNames(wrongTx)).toEqual(['block-located']);
    expect(checkOf(wrongTx, 'block-located').detail).toMatch(/knows no transaction/);
    expect(checkOf(wrongTx, 'orderer-signature').ok).toBe(true);

    const wrongBlock = await verifyOnline(
      { ...put.receipt, position: { block: put.receipt.position.block + 1, index: -1 } },
      source,
    );
    expect(failedNames(wrongBlock)).toEqual(['block-located']);
    expect(checkOf(wrongBlock, 'block-located').detail).toContain(`in block ${put.receipt.position.block}`);

    const missingBlock = await verifyOnline({ ...put.receipt, position: { block: 10_000, index: -1 } }, source);
    expect(failedNames(missingBlock)).toEqual(['block-located']);
    expect(checkOf(missingBlock, 'block-located').detail).toContain('no block 10000');

    const later = new Date(Date.parse(put.receipt.timestamp) + 1000).toISOString();
    const wrongTime = await verifyOnline({ ...put.receipt, timestamp: later }, source);
    expect(failedNames(wrongTime)).toEqual(['timestamp']);

    const wrongChannel = await verifyOnline({ ...put.receipt, ledger: 'another-channel' }, source);
    expect(failedNames(wrongChannel)).toEqual(['channel']);

    const wrongSubmitter = await verifyOnline(
      { ...put.receipt, proof: { ...put.receipt.proof, mspId: 'Org2MSP' } },
      source,
    );
    expect(failedNames(wrongSubmitter)).toEqual(['creator-signature']);
  });

  test('malformed or non-Fabric receipts are a failed receipt-format check, not an exception', async () => {
    const evidence = await fetchFabricEvidence(source, put.receipt);
    for (const malformed of [
      { ...put.receipt, backend: 'ethereum' },
      { ...put.receipt, txId: '' },
      { ...put.receipt, position: { block: -1, index: 0 } },
      { ...put.receipt, timestamp: 'yesterday' },
      { ...put.receipt, proof: { mspId: 7 } },
      null,
    ]) {
      const result = await verifyFabricReceipt(malformed as unknown as Receipt, evidence);
      expect(failedNames(result)).toEqual(['receipt-format']);
    }
    await expect(source.blockByNumber(10_000)).rejects.toSatisfy((error) => isLedgerError(error, 'NOT_FOUND'));
    expect(() => qsccBlockSource(fabric, { timeoutMs: 0 })).toThrow(/positive/);
    // One source per network and options, so its block cache serves every verification.
    expect(qsccBlockSource(fabric, { timeoutMs: 30_000 })).toBe(source);
  });

  test('garbage instead of a block is a failed block-decodes check, not an exception', async () => {
    const blocks = await blocksOf(source, put.receipt);
    const garbage = Buffer.from(blocks.block);
    garbage.fill(0xff, 0, 64);
    const result = verifyFabricTransaction({ txId: put.receipt.txId, ...blocks, block: garbage });
    expect(result.ok).toBe(false);
    expect(result.checks.some((check) => !check.ok)).toBe(true);
    const truncated = verifyFabricTransaction({
      txId: put.receipt.txId,
      ...blocks,
      block: blocks.block.subarray(0, 100),
    });
    expect(truncated.ok).toBe(false);
    expect(checkOf(truncated, 'block-decodes').ok).toBe(false);
  });

  test('a pinned config block hash anchors the verification; a wrong pinned hash fails anchor-config-block', async () => {
    const pinned = await genesisBlockHash(network as FabricNetwork);
    const served = await verifyOnline(put.receipt, source);
    expect(served.ok).toBe(true);
    expect(served.anchor?.explicit).toBe(false);
    expect(served.anchor?.detail).toMatch(/trusts the peer/);

    const anchored = await verifyOnline(put.receipt, source, { anchor: { type: 'fabric-config-block', hash: pinned } });
    expect(failedNames(anchored)).toEqual([]);
    expect(anchored.anchor).toMatchObject({ type: 'fabric-config-block', explicit: true });
    expect(checkOf(anchored, 'anchor-config-block').detail).toContain(pinned);

    const other = createHash('sha256').update('another channel').digest('hex');
    const wrong = await verifyOnline(put.receipt, source, { anchor: { type: 'fabric-config-block', hash: other } });
    expect(failedNames(wrong)).toEqual(['anchor-config-block']);
    const notHex = await verifyOnline(put.receipt, source, { anchor: { type: 'fabric-config-block', hash: 'xyz' } });
    expect(failedNames(notHex)).toEqual(['anchor-config-block']);
  });

  test("MSP roots as anchor: the network's roots verify, another root for Org2MSP fails its endorsement", async () => {
    const roots = await mspRoots(network as FabricNetwork);
    const anchored = await verifyOnline(put.receipt, source, { anchor: { type: 'fabric-msp-roots', roots } });
    expect(failedNames(anchored)).toEqual([]);
    expect(anchored.anchor).toMatchObject({ type: 'fabric-msp-roots', explicit: true });

    const stranger = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const strangerRoot = derToPem('CERTIFICATE', selfSignedCa(stranger.privateKey, stranger.publicKey));
    const swapped = await verifyOnline(put.receipt, source, {
      anchor: { type: 'fabric-msp-roots', roots: { ...roots, Org2MSP: [strangerRoot] } },
    });
    expect(failedNames(swapped)).toEqual(['endorsement:Org2MSP']);
    const withoutOrderer = await verifyOnline(put.receipt, source, {
      anchor: { type: 'fabric-msp-roots', roots: { Org1MSP: roots.Org1MSP ?? [], Org2MSP: roots.Org2MSP ?? [] } },
    });
    expect(failedNames(withoutOrderer)).toEqual(['orderer-signature']);
    const notPem = await verifyOnline(put.receipt, source, {
      anchor: { type: 'fabric-msp-roots', roots: { Org1MSP: ['x'] } },
    });
    expect(failedNames(notPem)).toEqual(['anchor-msp-roots']);
  });

  test('an anchor of another backend is a failed anchor-type check', async () => {
    const evidence = await fetchFabricEvidence(source, put.receipt);
    const result = await verifyFabricReceipt(put.receipt, evidence, {
      type: 'ethereum-block',
      number: 1,
      hash: '0x00',
    });
    expect(failedNames(result)).toEqual(['anchor-type']);
  });

  test('a revision verifies with its written value; a changed value fails revision-value', async () => {
    const revision: Revision = {
      key: 'pallet-1',
      version: 0,
      value: { weight: 42, owner: 'Acme' },
      deleted: false,
      receipt: put.receipt,
    };
    const good = await verifyOnline(revision, source);
    expect(failedNames(good)).toEqual([]);
    expect(checkOf(good, 'revision-value').ok).toBe(true);
    const changed = await verifyOnline({ ...revision, value: { weight: 43, owner: 'Acme' } }, source);
    expect(failedNames(changed)).toEqual(['revision-value']);
    const otherKey = await verifyOnline({ ...revision, key: 'pallet-2' }, source);
    expect(failedNames(otherKey)).toEqual(['revision-value']);
    const deleted = await verifyOnline({ ...revision, deleted: true, value: null }, source);
    expect(failedNames(deleted)).toEqual(['revision-value']);
  });

  test('evidence that is not Fabric blocks is a failed evidence-format check', async () => {
    const evidence = await fetchFabricEvidence(source, put.receipt);
    for (const bad of [
      {},
      { ...evidence, block: '!!' },
      { ...evidence, type: 'other' },
      { ...evidence, witnessBlocks: 'x' },
    ]) {
      expect(failedNames(await verifyFabricReceipt(put.receipt, bad))).toEqual(['evidence-format']);
    }
    const truncated = { ...evidence, block: evidence.block.slice(0, 200) };
    expect(failedNames(await verifyFabricReceipt(put.receipt, truncated))).toContain('block-decodes');
  });

  test('a block source fetches each block once: a second verification reads its cache; the same blocks verify offline', async () => {
    // Rates are measured by the bench (npm run bench -w @ledgerkit/fabric), not here: this
    // test checks each path once per receipt, so it takes seconds on a busy machine.
    const receipts: Receipt[] = [];
    for (let index = 0; index < 4; index++) {
      receipts.push((await submit(contract, source, 'Put', [`repeat-${index}`, String(index)])).receipt);
    }
    // A new source object (evidence caches blocks per source) that counts what it fetches.
    let fetches = 0;
    const counting: FabricBlockSource = {
      blockByNumber: (number) => {
        fetches += 1;
        return source.blockByNumber(number);
      },
      blockByTxId: (txId) => {
        fetches += 1;
        return source.blockByTxId(txId);
      },
    };
    for (const receipt of receipts) expect((await verifyOnline(receipt, counting)).ok).toBe(true);
    const firstPass = fetches;
    expect(firstPass).toBeGreaterThan(0);
    for (const receipt of receipts) expect((await verifyOnline(receipt, counting)).ok).toBe(true);
    expect(fetches).toBe(firstPass);
    for (const [index, receipt] of receipts.entries()) {
      expect(verifyWith(receipt, await blocksOf(source, receipt)).ok).toBe(true);
      // Each submit waited for its commit, so the next receipt is in a later block, which does not verify this one.
      const other = receipts[(index + 1) % receipts.length] as Receipt;
      expect(other.position.block).not.toBe(receipt.position.block);
      expect(verifyWith(receipt, await blocksOf(source, other)).ok).toBe(false);
    }
  });
});
