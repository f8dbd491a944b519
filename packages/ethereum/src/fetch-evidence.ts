import { LedgerError, type Receipt, type Revision, throwIfAborted } from '@ledgerkit/core';
import { toQuantity } from 'ethers';
import type { EthereumEvidence, EthereumReceiptProof, RpcObject } from './ethereum-evidence.js';
import type { StateProof } from './verify-state-proof.js';

/** The one method of a JSON-RPC client that fetching evidence needs (ethers providers have it). */
export interface JsonRpcClient {
  /** Sends a JSON-RPC request and resolves with its result. */
  send(method: string, params: unknown[]): Promise<unknown>;
}

/** Options of {@link fetchEthereumEvidence}. */
export interface FetchEvidenceOptions {
  /** Block to fetch headers up to (the anchor's number); default the node's head. */
  toBlock?: number;
  /** For a revision: the ABI fragment (JSON) of the event its value was decoded from. */
  event?: string;
  /** For a function call's receipt: the ABI fragments (JSON) of the functions named its `method`. */
  functions?: string[];
  /** Aborts the fetch. */
  signal?: AbortSignal;
}

/** Header fields only: a header chain needs no transactions, uncles or withdrawals. */
const bodyFields = new Set(['transactions', 'uncles', 'withdrawals', 'size', 'totalDifficulty']);

/**
 * Fetches from a node what {@link verifyEthereumReceipt} needs: the receipt's block with its
 * transactions and receipts, the contract's account/storage proof and code at that block,
 * and the headers from the next block up to `toBlock` (or the head). Nothing fetched is
 * trusted; the verifier checks it all against an anchor.
 *
 * @param client - a JSON-RPC client of any node of the chain
 * @param subject - a receipt or revision
 * @param options - the last block to fetch, the event fragment of a revision, a signal
 * @returns the evidence as plain JSON
 * @throws LedgerError `NOT_FOUND` when the node has no block at the receipt's position or
 *   none at `toBlock`; `INVALID_ARGUMENT` for a subject that is not an Ethereum receipt
 */
export async function fetchEthereumEvidence(
  client: JsonRpcClient,
  subject: Receipt | Revision,
  options: FetchEvidenceOptions = {},
): Promise<EthereumEvidence> {
  const receipt = 'receipt' in subject ? subject.receipt : subject;
  const proof = (receipt.proof ?? {}) as Partial<EthereumReceiptProof>;
  if (
    receipt.backend !== 'ethereum' ||
    typeof proof.contract !== 'string' ||
    !Number.isSafeInteger(receipt.position?.block)
  ) {
    throw new LedgerError('INVALID_ARGUMENT', 'not an Ethereum receipt', { details: { backend: receipt.backend } });
  }
  const { signal } = options;
  const number = receipt.position.block;
  const tag = toQuantity(number);
  const block = (await client.send('eth_getBlockByNumber', [tag, true])) as RpcObject | null;
  if (!block) throw new LedgerError('NOT_FOUND', `the node has no block ${number}`, { details: { block: number } });
  throwIfAborted(signal);
  const transactions = block.transactions as RpcObject[];
  const [receipts, stateProof, code, head] = await Promise.all([
    blockReceipts(client, tag, transactions),
    client.send('eth_getProof', [proof.contract, proof.storageSlots ?? [], tag]) as Promise<StateProof>,
    client.send('eth_getCode', [proof.contract, tag]) as Promise<string>,
    options.toBlock === undefined
      ? client.send('eth_blockNumber', []).then((value) => Number(BigInt(value as string)))
      : Promise.resolve(options.toBlock),
  ]);
  throwIfAborted(signal);
  const headers: RpcObject[] = [];
  // A few requests at a time: enough to hide latency, few enough not to be rate limited.
  for (let next = number + 1; next <= head; next += 8) {
    const batch = Array.from({ length: Math.min(8, head - next + 1) }, (_, offset) => next + offset);
    const fetched = await Promise.all(
      batch.map((n) => client.send('eth_getBlockByNumber', [toQuantity(n), false]) as Promise<RpcObject | null>),
    );
    for (const [offset, header] of fetched.entries()) {
      if (!header) {
        throw new LedgerError('NOT_FOUND', `the node has no block ${batch[offset]}`, {
          details: { block: batch[offset] },
        });
      }
      headers.push(Object.fromEntries(Object.entries(header).filter(([field]) => !bodyFields.has(field))));
    }
    throwIfAborted(signal);
  }
  return {
    block,
    receipts,
    stateProof,
    code,
    headers,
    ...(options.event === undefined ? {} : { event: options.event }),
    ...(options.functions === undefined ? {} : { functions: options.functions }),
  };
}

async function blockReceipts(client: JsonRpcClient, tag: string, transactions: RpcObject[]): Promise<RpcObject[]> {
  try {
    const receipts = (await client.send('eth_getBlockReceipts', [tag])) as RpcObject[] | null;
    if (Array.isArray(receipts)) return receipts;
  } catch {
    // Not every node has eth_getBlockReceipts (Hardhat's EDR does not); fetch one by one.
  }
  return Promise.all(
    transactions.map(async (tx) => (await client.send('eth_getTransactionReceipt', [tx.hash])) as RpcObject),
  );
}
