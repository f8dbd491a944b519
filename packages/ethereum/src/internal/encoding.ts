import { concat, encodeRlp, hexlify, type RlpStructuredDataish, Signature, Transaction, toBeArray } from 'ethers';

/** A block, transaction or receipt exactly as the JSON-RPC node returned it. */
export type RawObject = Record<string, unknown>;

/** An RLP quantity: minimal big-endian bytes, empty for zero. */
export function quantity(value: unknown): string {
  return hexlify(toBeArray(BigInt(value as string)));
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new Error(`missing field ${field}`);
  return value;
}

/**
 * The RLP encoding of a block header from its JSON-RPC fields, in the order of the
 * Ethereum yellow paper and later forks (London base fee, Shanghai withdrawals, Cancun
 * blob gas and beacon root, Prague requests). Optional fields are appended while present.
 */
export function encodeHeader(block: RawObject): string {
  const fields: RlpStructuredDataish[] = [
    text(block.parentHash, 'parentHash'),
    text(block.sha3Uncles, 'sha3Uncles'),
    text(block.miner, 'miner'),
    text(block.stateRoot, 'stateRoot'),
    text(block.transactionsRoot, 'transactionsRoot'),
    text(block.receiptsRoot, 'receiptsRoot'),
    text(block.logsBloom, 'logsBloom'),
    quantity(block.difficulty ?? '0x0'),
    quantity(block.number),
    quantity(block.gasLimit),
    quantity(block.gasUsed),
    quantity(block.timestamp),
    text(block.extraData, 'extraData'),
    text(block.mixHash ?? block.prevRandao, 'mixHash'),
    text(block.nonce, 'nonce'),
  ];
  const optional: Array<[string, 'hash' | 'quantity']> = [
    ['baseFeePerGas', 'quantity'],
    ['withdrawalsRoot', 'hash'],
    ['blobGasUsed', 'quantity'],
    ['excessBlobGas', 'quantity'],
    ['parentBeaconBlockRoot', 'hash'],
    ['requestsHash', 'hash'],
  ];
  for (const [name, kind] of optional) {
    const value = block[name];
    if (value === undefined || value === null) break;
    fields.push(kind === 'quantity' ? quantity(value) : text(value, name));
  }
  return encodeRlp(fields);
}

/** The consensus encoding of a receipt (EIP-2718 typed envelope for typed transactions). */
export function encodeReceipt(receipt: RawObject): string {
  const logs = (receipt.logs as RawObject[]).map((log) => [
    text(log.address, 'address'),
    (log.topics as string[]).map((topic) => topic),
    text(log.data, 'data'),
  ]);
  const body = encodeRlp([
    quantity(receipt.status ?? '0x1'),
    quantity(receipt.cumulativeGasUsed),
    text(receipt.logsBloom, 'logsBloom'),
    logs,
  ]);
  const type = Number(BigInt((receipt.type as string | undefined) ?? '0x0'));
  return type === 0 ? body : concat([hexlify(new Uint8Array([type])), body]);
}

/** The signed consensus encoding of a transaction, rebuilt from its JSON-RPC fields. */
export function encodeTransaction(tx: RawObject): string {
  const type = Number(BigInt((tx.type as string | undefined) ?? '0x0'));
  const transaction = Transaction.from({
    type,
    to: (tx.to as string | null) ?? null,
    nonce: Number(BigInt(text(tx.nonce, 'nonce'))),
    gasLimit: BigInt(text(tx.gas, 'gas')),
    data: text(tx.input, 'input'),
    value: BigInt(text(tx.value, 'value')),
    chainId: tx.chainId === undefined ? 0n : BigInt(tx.chainId as string),
    ...(type === 0 || type === 1 ? { gasPrice: BigInt(text(tx.gasPrice, 'gasPrice')) } : {}),
    ...(type >= 2
      ? {
          maxFeePerGas: BigInt(text(tx.maxFeePerGas, 'maxFeePerGas')),
          maxPriorityFeePerGas: BigInt(text(tx.maxPriorityFeePerGas, 'maxPriorityFeePerGas')),
        }
      : {}),
    ...(type >= 1 ? { accessList: (tx.accessList as []) ?? [] } : {}),
    ...(type === 3
      ? {
          maxFeePerBlobGas: BigInt(text(tx.maxFeePerBlobGas, 'maxFeePerBlobGas')),
          blobVersionedHashes: tx.blobVersionedHashes as string[],
        }
      : {}),
    ...(type === 4 ? { authorizationList: tx.authorizationList as [] } : {}),
    signature: Signature.from({
      r: text(tx.r, 'r'),
      s: text(tx.s, 's'),
      v: type === 0 ? BigInt(text(tx.v, 'v')) : 27 + Number(BigInt((tx.yParity ?? tx.v) as string)),
    }),
  });
  return transaction.serialized;
}
