import type { Network } from '@hyperledger/fabric-gateway';
import { InvalidArgumentError, LedgerError } from '@ledgerkit/core';
import { toLedgerError } from './internal/gateway-errors.js';

/** Where verification reads blocks from: any peer of the channel, or an archive. */
export interface FabricBlockSource {
  /**
   * Serialized `common.Block` of block `number` on the channel.
   *
   * @throws LedgerError `NOT_FOUND` when the channel has no such block
   */
  blockByNumber(number: number): Promise<Uint8Array>;
  /**
   * Serialized `common.Block` holding transaction `txId`.
   *
   * @throws LedgerError `NOT_FOUND` when the channel has no such transaction
   */
  blockByTxId(txId: string): Promise<Uint8Array>;
}

/** Options of {@link qsccBlockSource}. */
export interface QsccBlockSourceOptions {
  /** Deadline of each query in milliseconds; defaults to the gateway's evaluate deadline. */
  timeoutMs?: number;
}

// One source per network and deadline, so that the blocks verification caches per source
// (previous and config blocks) are reused by callers that ask for a source per receipt.
const sources = new WeakMap<Network, Map<number | undefined, FabricBlockSource>>();

/**
 * Reads blocks through the qscc system chaincode (`GetBlockByNumber`, `GetBlockByTxID`) of a
 * fabric-gateway network, as the gateway's peer has them. The blocks are not trusted:
 * verification checks them against the orderer's signature and the channel's MSPs. Calls with
 * the same network and options return the same source.
 *
 * @param network - a fabric-gateway `Network` (the channel)
 * @param options - per-query deadline
 * @returns the block source
 * @throws InvalidArgumentError when `timeoutMs` is not a positive number
 * @example
 * ```ts
 * const source = qsccBlockSource(gateway.getNetwork('mychannel'));
 * const result = await verifyFabricReceipt(receipt, source);
 * ```
 */
export function qsccBlockSource(network: Network, options: QsccBlockSourceOptions = {}): FabricBlockSource {
  const { timeoutMs } = options;
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs > 0)) {
    throw new InvalidArgumentError('options.timeoutMs', 'timeoutMs must be a positive number of milliseconds', {
      timeoutMs,
    });
  }
  let byTimeout = sources.get(network);
  if (!byTimeout) {
    byTimeout = new Map();
    sources.set(network, byTimeout);
  }
  const existing = byTimeout.get(timeoutMs);
  if (existing) return existing;
  const channel = network.getName();
  const qscc = network.getContract('qscc');
  const query = async (transaction: string, argument: string): Promise<Uint8Array> => {
    try {
      const proposal = qscc.newProposal(transaction, { arguments: [channel, argument] });
      return await proposal.evaluate(timeoutMs === undefined ? undefined : { deadline: Date.now() + timeoutMs });
    } catch (error) {
      const typed = toLedgerError(error, { operation: 'qscc query', channel, chaincode: 'qscc', transaction });
      // qscc answers an unknown block or transaction with an error response (status 500).
      if (typed.code === 'CONTRACT_REVERTED') {
        throw new LedgerError('NOT_FOUND', `${transaction}(${argument}) on channel ${channel} found nothing`, {
          details: { channel, transaction, argument, reason: typed.details.reason },
          cause: error,
        });
      }
      throw typed;
    }
  };
  const source: FabricBlockSource = {
    blockByNumber: (number) => {
      if (!Number.isSafeInteger(number) || number < 0) {
        return Promise.reject(
          new InvalidArgumentError('number', 'a block number is a non-negative integer', { number }),
        );
      }
      return query('GetBlockByNumber', String(number));
    },
    blockByTxId: (txId) => query('GetBlockByTxID', txId),
  };
  byTimeout.set(timeoutMs, source);
  return source;
}
