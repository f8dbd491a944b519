// Decodes the parts of Fabric blocks that verification reads into plain objects, keeping the
// exact bytes that signatures and hashes cover (signed fields are taken as stored, never
// re-serialized). Each function throws on bytes that are not the protobuf it expects. Field
// numbers are those of fabric-protos (common/common.proto, peer/transaction.proto,
// peer/proposal*.proto, ledger/rwset/**); read with a wire-format reader, so this runs in a browser.
import { utf8Text } from './bytes.js';
import {
  boolField,
  bytesField,
  int32Field,
  messageField,
  numberField,
  parseMessage,
  repeatedBytes,
  stringField,
  uintField,
} from './protobuf.js';

/** `common.HeaderType` values the verifier meets. */
export const headerTypeConfig = 1;
export const headerTypeEndorserTransaction = 3;

/** `common.BlockMetadataIndex`. */
const metadataIndex = { signatures: 0, lastConfig: 1, transactionsFilter: 2, commitHash: 4 } as const;

/** A decoded `common.Block`. */
export interface DecodedBlock {
  number: number;
  previousHash: Uint8Array;
  dataHash: Uint8Array;
  /** Serialized envelopes, in order. */
  data: Uint8Array[];
  /** Raw metadata entries by `common.BlockMetadataIndex`. */
  metadata: Uint8Array[];
}

/** One signature in a block's SIGNATURES metadata. */
export interface BlockSignature {
  signatureHeader: Uint8Array;
  signature: Uint8Array;
  /** Creator of the signature header (a serialized identity); empty with BFT identifier headers. */
  creator: Uint8Array;
  /** Consenter id of a BFT identifier header, 0 when absent. */
  identifier: number;
}

/** The SIGNATURES metadata: the signed value and who signed. */
export interface BlockSignatures {
  /** `OrdererBlockMetadata` bytes (last config index and consenter metadata), signed with the header. */
  value: Uint8Array;
  signatures: BlockSignature[];
  /** Last config block number: from `OrdererBlockMetadata`, else the pre-1.4.1 LAST_CONFIG entry. */
  lastConfig: number | undefined;
}

/** A decoded endorsement. */
export interface DecodedEndorsement {
  /** Serialized identity of the endorsing peer. */
  endorser: Uint8Array;
  signature: Uint8Array;
}

/** One key write of a read-write set; `collection` is empty for public data. */
export interface DecodedWrite {
  namespace: string;
  collection: string;
  /** Key bytes (a key hash for collections). */
  key: Uint8Array;
  isDelete: boolean;
  /** Value bytes (a value hash for collections). */
  value: Uint8Array;
  isPurge: boolean;
}

/** The endorsed action of an endorser transaction. */
export interface DecodedAction {
  /** The per-action signature header bytes (part of the proposal hash). */
  signatureHeader: Uint8Array;
  chaincodeProposalPayload: Uint8Array;
  proposalResponsePayload: Uint8Array;
  endorsements: DecodedEndorsement[];
  proposalHash: Uint8Array;
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
  payload: Uint8Array;
  signature: Uint8Array;
  headerType: number;
  channelHeader: Uint8Array;
  channelId: string;
  txId: string;
  /** Channel header timestamp: seconds since the epoch and nanoseconds. */
  timestamp: { seconds: number; nanos: number };
  signatureHeader: Uint8Array;
  creator: Uint8Array;
  nonce: Uint8Array;
  /** The payload's data (a `peer.Transaction` or a `common.ConfigEnvelope`). */
  data: Uint8Array;
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

/**
 * Decodes a serialized `common.Block`.
 *
 * @param bytes - the block
 * @returns header fields, data entries and raw metadata entries
 * @throws Error when the bytes are not a block with a header
 */
export function decodeBlock(bytes: Uint8Array): DecodedBlock {
  const block = parseMessage(bytes);
  if (!block.has(1)) throw new Error('the block has no header');
  const header = messageField(block, 1);
  return {
    number: numberField(header, 1),
    previousHash: bytesField(header, 2),
    dataHash: bytesField(header, 3),
    data: repeatedBytes(messageField(block, 2), 1),
    metadata: repeatedBytes(messageField(block, 3), 1),
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
  const metadata = parseMessage(block.metadata[metadataIndex.signatures] ?? new Uint8Array());
  const value = bytesField(metadata, 1);
  let lastConfig: number | undefined;
  if (value.length > 0) {
    const orderer = parseMessage(value);
    lastConfig = orderer.has(1) ? numberField(messageField(orderer, 1), 1) : undefined;
  } else {
    const legacy = block.metadata[metadataIndex.lastConfig];
    if (legacy && legacy.length > 0) {
      lastConfig = numberField(parseMessage(bytesField(parseMessage(legacy), 1)), 1);
    }
  }
  const signatures = repeatedBytes(metadata, 2).map((entry) => {
    const item = parseMessage(entry);
    const signatureHeader = bytesField(item, 1);
    const creator = signatureHeader.length > 0 ? bytesField(parseMessage(signatureHeader), 1) : new Uint8Array();
    const identifierBytes = bytesField(item, 3);
    const identifier = identifierBytes.length > 0 ? numberField(parseMessage(identifierBytes), 1) : 0;
    return { signatureHeader, signature: bytesField(item, 2), creator, identifier };
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
export function transactionsFilter(block: DecodedBlock): Uint8Array {
  return block.metadata[metadataIndex.transactionsFilter] ?? new Uint8Array();
}

/**
 * The peer's commit hash of a block (COMMIT_HASH metadata).
 *
 * @param block - the decoded block
 * @returns the hash, or undefined when the peer recorded none
 * @throws Error when the entry does not decode
 */
export function commitHashOf(block: DecodedBlock): Uint8Array | undefined {
  const entry = block.metadata[metadataIndex.commitHash];
  if (!entry || entry.length === 0) return undefined;
  const value = bytesField(parseMessage(entry), 1);
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
  const envelope = parseMessage(bytes);
  const payloadBytes = bytesField(envelope, 1);
  const payload = parseMessage(payloadBytes);
  if (!payload.has(1)) throw new Error('the envelope payload has no header');
  const header = messageField(payload, 1);
  const channelHeaderBytes = bytesField(header, 1);
  const signatureHeaderBytes = bytesField(header, 2);
  const channelHeader = parseMessage(channelHeaderBytes);
  const signatureHeader = parseMessage(signatureHeaderBytes);
  const timestamp = messageField(channelHeader, 3);
  return {
    payload: payloadBytes,
    signature: bytesField(envelope, 2),
    headerType: int32Field(channelHeader, 1),
    channelHeader: channelHeaderBytes,
    channelId: stringField(channelHeader, 4),
    txId: stringField(channelHeader, 5),
    timestamp: { seconds: Number(BigInt.asIntN(64, uintField(timestamp, 1))), nanos: int32Field(timestamp, 2) },
    signatureHeader: signatureHeaderBytes,
    creator: bytesField(signatureHeader, 1),
    nonce: bytesField(signatureHeader, 2),
    data: bytesField(payload, 2),
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
  return repeatedBytes(parseMessage(envelope.data), 1).map((actionBytes) => {
    const action = parseMessage(actionBytes);
    const actionPayload = parseMessage(bytesField(action, 2));
    if (!actionPayload.has(2)) throw new Error('the transaction action has no endorsed action');
    const endorsed = messageField(actionPayload, 2);
    const proposalResponsePayload = bytesField(endorsed, 1);
    const response = parseMessage(proposalResponsePayload);
    const chaincodeAction = messageField(response, 2);
    const chaincodeProposalPayload = bytesField(actionPayload, 1);
    return {
      signatureHeader: bytesField(action, 1),
      chaincodeProposalPayload,
      proposalResponsePayload,
      endorsements: repeatedBytes(endorsed, 2).map((bytes) => {
        const endorsement = parseMessage(bytes);
        return { endorser: bytesField(endorsement, 1), signature: bytesField(endorsement, 2) };
      }),
      proposalHash: bytesField(response, 1),
      ...decodeInvocation(chaincodeProposalPayload),
      ...decodeReadWriteSet(bytesField(chaincodeAction, 1)),
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
  const action = repeatedBytes(parseMessage(envelope.data), 1)[0];
  if (!action) return undefined;
  return decodeInvocation(bytesField(parseMessage(bytesField(parseMessage(action), 2)), 1));
}

function decodeInvocation(chaincodeProposalPayload: Uint8Array): Pick<DecodedAction, 'chaincode' | 'functionName'> {
  const invocation = messageField(parseMessage(chaincodeProposalPayload), 1);
  const spec = messageField(invocation, 1);
  const firstArgument = repeatedBytes(messageField(spec, 3), 1)[0];
  return {
    chaincode: stringField(messageField(spec, 2), 2),
    functionName: firstArgument ? utf8Text(firstArgument) : '',
  };
}

function decodeReadWriteSet(bytes: Uint8Array): Pick<DecodedAction, 'writes' | 'hasMetadataWrites'> {
  const writes: DecodedWrite[] = [];
  let hasMetadataWrites = false;
  if (bytes.length === 0) return { writes, hasMetadataWrites };
  for (const namespaceBytes of repeatedBytes(parseMessage(bytes), 2)) {
    const namespaceSet = parseMessage(namespaceBytes);
    const namespace = stringField(namespaceSet, 1);
    const kv = messageField(namespaceSet, 2);
    for (const writeBytes of repeatedBytes(kv, 3)) {
      const write = parseMessage(writeBytes);
      writes.push({
        namespace,
        collection: '',
        key: bytesField(write, 1),
        isDelete: boolField(write, 2),
        value: bytesField(write, 3),
        isPurge: false,
      });
    }
    if (repeatedBytes(kv, 4).length > 0) hasMetadataWrites = true;
    for (const collectionBytes of repeatedBytes(namespaceSet, 3)) {
      const collectionSet = parseMessage(collectionBytes);
      const hashed = messageField(collectionSet, 2);
      for (const writeBytes of repeatedBytes(hashed, 2)) {
        const write = parseMessage(writeBytes);
        writes.push({
          namespace,
          collection: stringField(collectionSet, 1),
          key: bytesField(write, 1),
          isDelete: boolField(write, 2),
          value: bytesField(write, 3),
          isPurge: boolField(write, 4),
        });
      }
      if (repeatedBytes(hashed, 3).length > 0) hasMetadataWrites = true;
    }
  }
  return { writes, hasMetadataWrites };
}
