// What the ledger reads from blocks beyond verification: the transactions a block event or a
// receipt lists, who submitted one, and a proposal's time. Blocks are decoded once, by
// verify/decode.ts; block events arrive as fabric-protos objects and are viewed in its shape.
import { common, gateway, msp, peer } from '@hyperledger/fabric-protos';
import {
  type DecodedBlock,
  type DecodedEnvelope,
  decodeEnvelope,
  decodeFirstInvocation,
  headerTypeEndorserTransaction,
  timestampToDate,
  transactionsFilter,
} from '../verify/decode.js';
import { validationCodeName } from '../verify/validation-codes.js';

/** What a block says about one of its transactions. */
export interface BlockTransaction {
  /** Position within the block's data (0-based). */
  index: number;
  /** Empty when the envelope does not decode. */
  txId: string;
  /** Validation code name from the block's transaction filter, e.g. `VALID`. */
  validationCode: string;
  /** The decoded envelope, undefined when it does not decode; see {@link transactionDetails}. */
  envelope: DecodedEnvelope | undefined;
}

/** Who submitted a transaction, when, and what it invoked; undefined where it cannot be read. */
export interface TransactionDetails {
  /** Channel header timestamp, ISO 8601 (millisecond precision). */
  timestamp: string | undefined;
  /** MSP id of the submitting client. */
  mspId: string | undefined;
  /** Invoked chaincode, for endorser transactions. */
  chaincode: string | undefined;
  /** First invocation argument: the transaction name as sent (`contract:Method` or `Method`). */
  transaction: string | undefined;
}

/**
 * A block that fabric-gateway delivered as a `common.Block` object, in the shape of
 * {@link DecodedBlock} (views of its bytes, nothing re-serialized).
 *
 * @param block - a block from block events
 * @returns the decoded block
 */
export function fromProtoBlock(block: common.Block): DecodedBlock {
  const header = block.getHeader();
  return {
    number: Number(header?.getNumber() ?? 0),
    previousHash: header?.getPreviousHash_asU8() ?? new Uint8Array(),
    dataHash: header?.getDataHash_asU8() ?? new Uint8Array(),
    data: block.getData()?.getDataList_asU8() ?? [],
    metadata: block.getMetadata()?.getMetadataList_asU8() ?? [],
  };
}

/**
 * A block's transactions in order: index, id, validation code and envelope. A malformed
 * envelope is listed with an empty id.
 *
 * @param block - the decoded block
 * @returns one entry per data entry
 */
export function blockTransactions(block: DecodedBlock): BlockTransaction[] {
  const filter = transactionsFilter(block);
  return block.data.map((envelopeBytes, index): BlockTransaction => {
    let envelope: DecodedEnvelope | undefined;
    try {
      envelope = decodeEnvelope(envelopeBytes);
    } catch {
      // Listed without an id.
    }
    return {
      index,
      txId: envelope?.txId ?? '',
      validationCode: index < filter.length ? validationCodeName(filter[index] as number) : 'NOT_VALIDATED',
      envelope,
    };
  });
}

/**
 * Reads a transaction's submitter, time and invocation, for the one transaction a receipt
 * is about (block events need only the ids).
 *
 * @param envelope - {@link BlockTransaction.envelope}
 * @returns what could be read
 */
export function transactionDetails(envelope: DecodedEnvelope | undefined): TransactionDetails {
  const details: TransactionDetails = {
    timestamp: undefined,
    mspId: undefined,
    chaincode: undefined,
    transaction: undefined,
  };
  if (!envelope) return details;
  details.timestamp = timestampToDate(envelope.timestamp).toISOString();
  try {
    details.mspId = msp.SerializedIdentity.deserializeBinary(envelope.creator).getMspid();
    const invocation =
      envelope.headerType === headerTypeEndorserTransaction ? decodeFirstInvocation(envelope) : undefined;
    if (invocation) {
      details.chaincode = invocation.chaincode;
      details.transaction = invocation.functionName;
    }
  } catch {
    // A malformed envelope is reported with what could be read.
  }
  return details;
}

/**
 * The channel-header timestamp of a proposal, as fabric-gateway serializes it
 * (`gateway.ProposedTransaction`).
 *
 * @param proposedTransaction - `Proposal.getBytes()`
 * @returns ISO 8601 time, millisecond precision
 */
export function proposalTimestamp(proposedTransaction: Uint8Array): string | undefined {
  const signed = gateway.ProposedTransaction.deserializeBinary(proposedTransaction).getProposal();
  if (!signed) return undefined;
  const proposal = peer.Proposal.deserializeBinary(signed.getProposalBytes_asU8());
  const header = common.Header.deserializeBinary(proposal.getHeader_asU8());
  const timestamp = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8()).getTimestamp();
  return timestamp
    ? timestampToDate({ seconds: timestamp.getSeconds(), nanos: timestamp.getNanos() }).toISOString()
    : undefined;
}
