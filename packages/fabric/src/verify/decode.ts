// Decodes the parts of Fabric blocks that verification reads into plain objects, keeping the
// exact bytes that signatures and hashes cover (signed fields are taken as stored, never
// re-serialized). Each function throws on bytes that are not the protobuf it expects.
import { common, ledger, peer } from '@hyperledger/fabric-protos';

const headerTypeEndorserTransaction = common.HeaderType.ENDORSER_TRANSACTION;
const headerTypeConfig = common.HeaderType.CONFIG;

export { headerTypeConfig, headerTypeEndorserTransaction };

/** A decoded `common.Block`. */
export interface DecodedBlock {
  number: number;
  previousHash: Buffer;
  dataHash: Buffer;
  /** Serialized envelopes, in order. */
  data: Buffer[];
  /** Raw metadata entries by `common.BlockMetadataIndex`. */
  metadata: Buffer[];
}

/** One signature in a block's SIGNATURES metadata. */
export interface BlockSignature {
  signatureHeader: Buffer;
  signature: Buffer;
  /** Creator of the signature header (a serialized identity); empty with BFT identifier headers. */
  creator: Buffer;
  /** Consenter id of a BFT identifier header, 0 when absent. */
  identifier: number;
}

/** The SIGNATURES metadata: the signed value and who signed. */
export interface BlockSignatures {
  /** `OrdererBlockMetadata` bytes (last config index and consenter metadata), signed with the header. */
  value: Buffer;
  signatures: BlockSignature[];
  /** Last config block number: from `OrdererBlockMetadata`, else the pre-1.4.1 LAST_CONFIG entry. */
  lastConfig: number | undefined;
}

/** A decoded endorsement. */
export interface DecodedEndorsement {
  /** Serialized identity of the endorsing peer. */
  endorser: Buffer;
  signature: Buffer;
}

/** One key write of a read-write set; `collection` is empty for public data. */
export interface DecodedWrite {
  namespace: string;
  collection: string;
  /** Key bytes (a key hash for collections). */
  key: Buffer;
  isDelete: boolean;
  /** Value bytes (a value hash for collections). */
  value: Buffer;
  isPurge: boolean;
}

/** The endorsed action of an endorser transaction. */
export interface DecodedAction {
  /** The per-action signature header bytes (part of the proposal hash). */
  signatureHeader: Buffer;
  chaincodeProposalPayload: Buffer;
  proposalResponsePayload: Buffer;
  endorsements: DecodedEndorsement[];
  proposalHash: Buffer;
  /** Chaincode name and function (first argument) of the invocation. */
  chaincode: string;
  functionName: string;
  /** The writes of the read-write set (the reads are not decoded: verification does not use them). */
  writes: DecodedWrite[];
  /** Whether the set holds key-level endorsement metadata writes. */
  hasMetadataWrites: boolean;
}

/** A decoded envelope. */
export interface DecodedEnvelope {
  payload: Buffer;
  signature: Buffer;
  headerType: number;
  channelHeader: Buffer;
  channelId: string;
  txId: string;
  /** Channel header timestamp: seconds since the epoch and nanoseconds. */
  timestamp: { seconds: number; nanos: number };
  signatureHeader: Buffer;
  creator: Buffer;
  nonce: Buffer;
  /** The payload's data (a `peer.Transaction` or a `common.ConfigEnvelope`). */
  data: Buffer;
}

/**
 * A protobuf timestamp as a `Date` (millisecond precision, as Fabric clients read it).
 *
 * @param timestamp - seconds since the epoch and nanoseconds
 * @returns the time
 */
export function timestampToDate(timestamp: { seconds: number; nanos: number }): Date {
  return new Date(Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1_000_000));
}

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Decodes a serialized `common.Block`.
 *
 * @param bytes - the block
 * @returns header fields, data entries and raw metadata entries
 * @throws Error when the bytes are not a block with a header
 */
export function decodeBlock(bytes: Uint8Array): DecodedBlock {
  const block = common.Block.deserializeBinary(bytes);
  const header = block.getHeader();
  if (!header) throw new Error('the block has no header');
  return {
    number: header.getNumber(),
    previousHash: toBuffer(header.getPreviousHash_asU8()),
    dataHash: toBuffer(header.getDataHash_asU8()),
    data: (block.getData()?.getDataList_asU8() ?? []).map(toBuffer),
    metadata: (block.getMetadata()?.getMetadataList_asU8() ?? []).map(toBuffer),
  };
}

/**
 * Decodes the SIGNATURES metadata entry of a block.
 *
 * @param block - the decoded block
 * @returns the signed value, the signatures and the last config index
 * @throws Error when the entry does not decode
 */
export function decodeBlockSignatures(block: DecodedBlock): BlockSignatures {
  const metadata = common.Metadata.deserializeBinary(
    block.metadata[common.BlockMetadataIndex.SIGNATURES] ?? new Uint8Array(),
  );
  const value = toBuffer(metadata.getValue_asU8());
  let lastConfig: number | undefined;
  if (value.length > 0) {
    lastConfig = common.OrdererBlockMetadata.deserializeBinary(value).getLastConfig()?.getIndex();
  } else {
    const legacy = block.metadata[common.BlockMetadataIndex.LAST_CONFIG];
    if (legacy && legacy.length > 0) {
      const entry = common.Metadata.deserializeBinary(legacy);
      lastConfig = common.LastConfig.deserializeBinary(entry.getValue_asU8()).getIndex();
    }
  }
  const signatures = metadata.getSignaturesList().map((item) => {
    const signatureHeader = toBuffer(item.getSignatureHeader_asU8());
    const creator =
      signatureHeader.length > 0
        ? toBuffer(common.SignatureHeader.deserializeBinary(signatureHeader).getCreator_asU8())
        : Buffer.alloc(0);
    const identifierBytes = item.getIdentifierHeader_asU8();
    const identifier =
      identifierBytes.length > 0 ? common.IdentifierHeader.deserializeBinary(identifierBytes).getIdentifier() : 0;
    return { signatureHeader, signature: toBuffer(item.getSignature_asU8()), creator, identifier };
  });
  return { value, signatures, lastConfig };
}

/**
 * The peer's validation codes of a block's transactions (TRANSACTIONS_FILTER: one raw byte
 * per transaction, not a protobuf).
 *
 * @param block - the decoded block
 * @returns the filter bytes; empty when the peer recorded none
 */
export function transactionsFilter(block: DecodedBlock): Buffer {
  return block.metadata[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? Buffer.alloc(0);
}

/**
 * The peer's commit hash of a block (COMMIT_HASH metadata).
 *
 * @param block - the decoded block
 * @returns the hash, or undefined when the peer recorded none
 * @throws Error when the entry does not decode
 */
export function commitHashOf(block: DecodedBlock): Buffer | undefined {
  const entry = block.metadata[common.BlockMetadataIndex.COMMIT_HASH];
  if (!entry || entry.length === 0) return undefined;
  const value = toBuffer(common.Metadata.deserializeBinary(entry).getValue_asU8());
  return value.length > 0 ? value : undefined;
}

/**
 * Decodes an envelope down to its channel and signature headers.
 *
 * @param bytes - a serialized `common.Envelope` (one block data entry)
 * @returns the envelope's parts
 * @throws Error when a layer does not decode or a header is missing
 */
export function decodeEnvelope(bytes: Uint8Array): DecodedEnvelope {
  const envelope = common.Envelope.deserializeBinary(bytes);
  const payloadBytes = toBuffer(envelope.getPayload_asU8());
  const payload = common.Payload.deserializeBinary(payloadBytes);
  const header = payload.getHeader();
  if (!header) throw new Error('the envelope payload has no header');
  const channelHeaderBytes = toBuffer(header.getChannelHeader_asU8());
  const signatureHeaderBytes = toBuffer(header.getSignatureHeader_asU8());
  const channelHeader = common.ChannelHeader.deserializeBinary(channelHeaderBytes);
  const signatureHeader = common.SignatureHeader.deserializeBinary(signatureHeaderBytes);
  const timestamp = channelHeader.getTimestamp();
  return {
    payload: payloadBytes,
    signature: toBuffer(envelope.getSignature_asU8()),
    headerType: channelHeader.getType(),
    channelHeader: channelHeaderBytes,
    channelId: channelHeader.getChannelId(),
    txId: channelHeader.getTxId(),
    timestamp: { seconds: timestamp?.getSeconds() ?? 0, nanos: timestamp?.getNanos() ?? 0 },
    signatureHeader: signatureHeaderBytes,
    creator: toBuffer(signatureHeader.getCreator_asU8()),
    nonce: toBuffer(signatureHeader.getNonce_asU8()),
    data: toBuffer(payload.getData_asU8()),
  };
}

/**
 * Decodes the actions of an endorser transaction, with their read-write sets.
 *
 * @param envelope - a decoded envelope of type ENDORSER_TRANSACTION
 * @returns one entry per action (Fabric 2.x transactions hold exactly one)
 * @throws Error when a layer does not decode or the endorsed action is missing
 */
export function decodeEndorserTransaction(envelope: DecodedEnvelope): DecodedAction[] {
  const transaction = peer.Transaction.deserializeBinary(envelope.data);
  return transaction.getActionsList().map((action) => {
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    const endorsed = actionPayload.getAction();
    if (!endorsed) throw new Error('the transaction action has no endorsed action');
    const proposalResponsePayload = toBuffer(endorsed.getProposalResponsePayload_asU8());
    const response = peer.ProposalResponsePayload.deserializeBinary(proposalResponsePayload);
    const chaincodeAction = peer.ChaincodeAction.deserializeBinary(response.getExtension_asU8());
    const chaincodeProposalPayload = toBuffer(actionPayload.getChaincodeProposalPayload_asU8());
    const rwset = decodeReadWriteSet(chaincodeAction.getResults_asU8());
    return {
      signatureHeader: toBuffer(action.getHeader_asU8()),
      chaincodeProposalPayload,
      proposalResponsePayload,
      endorsements: endorsed.getEndorsementsList().map((endorsement) => ({
        endorser: toBuffer(endorsement.getEndorser_asU8()),
        signature: toBuffer(endorsement.getSignature_asU8()),
      })),
      proposalHash: toBuffer(response.getProposalHash_asU8()),
      ...decodeInvocation(chaincodeProposalPayload),
      ...rwset,
    };
  });
}

/**
 * The chaincode an endorser transaction invokes and its first argument, without decoding
 * the endorsements or the read-write set.
 *
 * @param envelope - a decoded envelope of type ENDORSER_TRANSACTION
 * @returns the first action's chaincode and function name; undefined when it holds no action
 * @throws Error when a layer does not decode
 */
export function decodeFirstInvocation(
  envelope: DecodedEnvelope,
): Pick<DecodedAction, 'chaincode' | 'functionName'> | undefined {
  const action = peer.Transaction.deserializeBinary(envelope.data).getActionsList()[0];
  if (!action) return undefined;
  return decodeInvocation(
    peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8()).getChaincodeProposalPayload_asU8(),
  );
}

function decodeInvocation(chaincodeProposalPayload: Uint8Array): Pick<DecodedAction, 'chaincode' | 'functionName'> {
  const invocation = peer.ChaincodeInvocationSpec.deserializeBinary(
    peer.ChaincodeProposalPayload.deserializeBinary(chaincodeProposalPayload).getInput_asU8(),
  ).getChaincodeSpec();
  const firstArgument = invocation?.getInput()?.getArgsList_asU8()[0];
  return {
    chaincode: invocation?.getChaincodeId()?.getName() ?? '',
    functionName: firstArgument ? Buffer.from(firstArgument).toString('utf8') : '',
  };
}

function decodeReadWriteSet(bytes: Uint8Array): Pick<DecodedAction, 'writes' | 'hasMetadataWrites'> {
  const writes: DecodedWrite[] = [];
  let hasMetadataWrites = false;
  if (bytes.length === 0) return { writes, hasMetadataWrites };
  for (const namespaceSet of ledger.rwset.TxReadWriteSet.deserializeBinary(bytes).getNsRwsetList()) {
    const namespace = namespaceSet.getNamespace();
    const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(namespaceSet.getRwset_asU8());
    for (const write of kv.getWritesList()) {
      writes.push({
        namespace,
        collection: '',
        key: Buffer.from(write.getKey(), 'utf8'),
        isDelete: write.getIsDelete(),
        value: toBuffer(write.getValue_asU8()),
        isPurge: false,
      });
    }
    if (kv.getMetadataWritesList().length > 0) hasMetadataWrites = true;
    for (const collectionSet of namespaceSet.getCollectionHashedRwsetList()) {
      const hashed = ledger.rwset.kvrwset.HashedRWSet.deserializeBinary(collectionSet.getHashedRwset_asU8());
      for (const write of hashed.getHashedWritesList()) {
        writes.push({
          namespace,
          collection: collectionSet.getCollectionName(),
          key: toBuffer(write.getKeyHash_asU8()),
          isDelete: write.getIsDelete(),
          value: toBuffer(write.getValueHash_asU8()),
          isPurge: write.getIsPurge(),
        });
      }
      if (hashed.getMetadataWritesList().length > 0) hasMetadataWrites = true;
    }
  }
  return { writes, hasMetadataWrites };
}
