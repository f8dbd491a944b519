import { common, gateway, msp, peer } from '@hyperledger/fabric-protos';
import {
  decodeEnvelope,
  decodeFirstInvocation,
  headerTypeEndorserTransaction,
  timestampToDate,
} from '../verify/decode.js';
import { validationCodeName } from './gateway-errors.js';

/** What a block says about one of its transactions. */
export interface BlockTransaction {
  /** Position within the block's data (0-based). */
  index: number;
  txId: string;
  /** Validation code name from the block's transaction filter, e.g. `VALID`. */
  validationCode: string;
  /** Channel header timestamp, ISO 8601 (millisecond precision). */
  timestamp: string | undefined;
  /** MSP id of the submitting client. */
  mspId: string | undefined;
  /** Invoked chaincode, for endorser transactions. */
  chaincode: string | undefined;
  /** First invocation argument: the transaction name as sent (`contract:Method` or `Method`). */
  transaction: string | undefined;
}

/** A decoded block: its number and its transactions in order. */
export interface DecodedBlock {
  number: number;
  transactions: BlockTransaction[];
}

/**
 * Decodes a serialized `common.Block` far enough to locate transactions: number, and per
 * transaction its id, index, validation code, timestamp, creator MSP and invocation.
 *
 * @param bytes - a serialized block (from qscc or block events)
 * @returns the decoded block
 */
export function decodeBlock(bytes: Uint8Array | common.Block): DecodedBlock {
  const block = bytes instanceof Uint8Array ? common.Block.deserializeBinary(bytes) : bytes;
  const number = Number(block.getHeader()?.getNumber() ?? 0);
  const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER];
  const envelopes = block.getData()?.getDataList_asU8() ?? [];
  const transactions = envelopes.map((envelopeBytes, index) => {
    const transaction: BlockTransaction = {
      index,
      txId: '',
      validationCode: filter && index < filter.length ? validationCodeName(filter[index] as number) : 'NOT_VALIDATED',
      timestamp: undefined,
      mspId: undefined,
      chaincode: undefined,
      transaction: undefined,
    };
    try {
      const envelope = decodeEnvelope(envelopeBytes);
      transaction.txId = envelope.txId;
      transaction.timestamp = timestampToDate(envelope.timestamp).toISOString();
      transaction.mspId = msp.SerializedIdentity.deserializeBinary(envelope.creator).getMspid();
      const invocation =
        envelope.headerType === headerTypeEndorserTransaction ? decodeFirstInvocation(envelope) : undefined;
      if (invocation) {
        transaction.chaincode = invocation.chaincode;
        transaction.transaction = invocation.functionName;
      }
    } catch {
      // A malformed envelope is reported as found, with what could be read.
    }
    return transaction;
  });
  return { number, transactions };
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
