import { type Receipt, type Verification, type VerificationCheck, verification } from '@ledgerkit/core';
import { encodeRlp, keccak256, toBeHex, zeroPadValue } from 'ethers';
import { encodeHeader, encodeReceipt, encodeTransaction, quantity, type RawObject } from './internal/encoding.js';
import { orderedTrieRoot, provenValue } from './internal/tries.js';

/** The one method of a JSON-RPC client that verification needs (ethers providers have it). */
export interface JsonRpcClient {
  /** Sends a JSON-RPC request and resolves with its result. */
  send(method: string, params: unknown[]): Promise<unknown>;
}

/** An `eth_getProof` (EIP-1186) answer. */
export interface StateProof {
  address: string;
  accountProof: string[];
  balance: string;
  codeHash: string;
  nonce: string;
  storageHash: string;
  storageProof: Array<{ key: string; value: string; proof: string[] }>;
}

/** What an Ethereum receipt's `proof` holds. */
export interface EthereumReceiptProof {
  /** Contract the transaction called (or created). */
  contract: string;
  /** Function called. */
  method: string;
  /** Confirmations the submitter waited for. */
  confirmations: number;
  /** Storage slots (32-byte hex) of `contract` to prove at the receipt's block. */
  storageSlots: string[];
}

/**
 * Verifies an account and storage proof (`eth_getProof`) against a block's state root:
 * the account (nonce, balance, storage root, code hash) under `keccak256(address)` in the
 * state trie, and each storage value under `keccak256(slot)` in the account's storage trie.
 *
 * @param stateRoot - the trusted block header's `stateRoot`
 * @param proof - the node's `eth_getProof` answer (untrusted)
 * @returns one check per proof: `account-proof`, then `storage-proof:<slot>`
 */
export async function verifyStateProof(stateRoot: string, proof: StateProof): Promise<VerificationCheck[]> {
  const checks: VerificationCheck[] = [];
  const account = encodeRlp([quantity(proof.nonce), quantity(proof.balance), proof.storageHash, proof.codeHash]);
  checks.push(
    await check('account-proof', async () => {
      const value = await provenValue(stateRoot, keccak256(proof.address), proof.accountProof);
      return value === account
        ? [true, `account ${proof.address} (storage root ${proof.storageHash}) is in state root ${stateRoot}`]
        : [false, `state root ${stateRoot} proves ${value ?? 'no account'}, the node claimed ${account}`];
    }),
  );
  for (const slot of proof.storageProof) {
    const key = zeroPadValue(toBeHex(BigInt(slot.key)), 32);
    checks.push(
      await check(`storage-proof:${key}`, async () => {
        const value = await provenValue(proof.storageHash, keccak256(key), slot.proof);
        const claimed = BigInt(slot.value) === 0n ? null : encodeRlp(quantity(slot.value));
        return value === claimed
          ? [true, `slot ${key} = ${toBeHex(BigInt(slot.value), 32)} under storage root ${proof.storageHash}`]
          : [
              false,
              `storage root ${proof.storageHash} proves ${value ?? 'an empty slot'}, the node claimed ${slot.value}`,
            ];
      }),
    );
  }
  return checks;
}

/**
 * Verifies an Ethereum receipt against the chain without trusting its issuer: re-fetches
 * the block, recomputes its header hash, recomputes the transactions and receipts tries
 * and compares them with the header, checks the confirmations, and verifies an account
 * and storage proof of the called contract against the header's state root.
 *
 * The trust anchor is the block hash: compare it with a second node or a block explorer to
 * rule out a lying node.
 *
 * @param client - a JSON-RPC client of any node of the same chain
 * @param receipt - the receipt to verify
 * @returns the checks, each named, and `ok` when all passed
 */
export async function verifyEthereumReceipt(client: JsonRpcClient, receipt: Receipt): Promise<Verification> {
  const checks: VerificationCheck[] = [];
  const proof = receipt.proof as Partial<EthereumReceiptProof> | undefined;
  const blockHash = receipt.position.blockHash;
  if (receipt.backend !== 'ethereum' || !blockHash || typeof proof?.contract !== 'string') {
    return verification([{ name: 'receipt-format', ok: false, detail: 'not an Ethereum receipt with a block hash' }]);
  }
  const chainId = BigInt((await client.send('eth_chainId', [])) as string).toString();
  checks.push({
    name: 'chain-id',
    ok: chainId === receipt.ledger,
    detail: `node serves chain ${chainId}, receipt names chain ${receipt.ledger}`,
  });

  const blockTag = toBeHex(receipt.position.block);
  const block = (await client.send('eth_getBlockByNumber', [blockTag, true])) as RawObject | null;
  if (!block) {
    checks.push({ name: 'block-hash', ok: false, detail: `block ${receipt.position.block} not found` });
    return verification(checks);
  }
  const computedHash = keccak256(encodeHeader(block));
  checks.push({
    name: 'block-hash',
    ok: computedHash === block.hash && block.hash === blockHash,
    detail: `header of block ${receipt.position.block} hashes to ${computedHash}; canonical ${String(block.hash)}; receipt ${blockHash}`,
  });

  const transactions = block.transactions as RawObject[];
  checks.push(
    await check('transaction-in-block', async () => {
      const atIndex = transactions[receipt.position.index];
      if (atIndex?.hash !== receipt.txId) {
        return [
          false,
          `transaction ${receipt.position.index} of the block is ${String(atIndex?.hash)}, not ${receipt.txId}`,
        ];
      }
      const encoded = transactions.map(encodeTransaction);
      const mismatch = encoded.findIndex((item, index) => keccak256(item) !== transactions[index]?.hash);
      if (mismatch >= 0) return [false, `transaction ${mismatch} does not hash to its claimed hash`];
      const root = await orderedTrieRoot(encoded);
      return root === block.transactionsRoot
        ? [true, `transactions trie of ${transactions.length} recomputed to ${root} = header transactionsRoot`]
        : [false, `transactions trie recomputed to ${root}, header has ${String(block.transactionsRoot)}`];
    }),
  );

  checks.push(
    await check('receipt-in-block', async () => {
      const receipts = await blockReceipts(client, blockTag, transactions);
      const ours = receipts[receipt.position.index];
      if (ours?.transactionHash !== receipt.txId) return [false, 'the block has no receipt for the transaction'];
      if (BigInt((ours.status as string) ?? '0x0') !== 1n) return [false, 'the transaction failed (status 0)'];
      const root = await orderedTrieRoot(receipts.map(encodeReceipt));
      return root === block.receiptsRoot
        ? [true, `receipts trie of ${receipts.length} recomputed to ${root} = header receiptsRoot; status 1`]
        : [false, `receipts trie recomputed to ${root}, header has ${String(block.receiptsRoot)}`];
    }),
  );

  const head = Number(BigInt((await client.send('eth_blockNumber', [])) as string));
  const confirmations = head - receipt.position.block + 1;
  const required = proof.confirmations ?? 1;
  checks.push({
    name: 'confirmations',
    ok: confirmations >= required,
    detail: `${confirmations} confirmations (head ${head}), ${required} required`,
  });

  const slots = proof.storageSlots ?? [];
  const state = (await client.send('eth_getProof', [proof.contract, slots, blockTag])) as StateProof;
  checks.push(...(await verifyStateProof(String(block.stateRoot), state)));
  const code = (await client.send('eth_getCode', [proof.contract, blockTag])) as string;
  checks.push({
    name: 'contract-code',
    ok: keccak256(code) === state.codeHash && code !== '0x',
    detail: `code of ${proof.contract} hashes to ${keccak256(code)}; proven code hash ${state.codeHash}`,
  });
  return verification(checks);
}

async function blockReceipts(client: JsonRpcClient, blockTag: string, transactions: RawObject[]): Promise<RawObject[]> {
  try {
    const receipts = (await client.send('eth_getBlockReceipts', [blockTag])) as RawObject[] | null;
    if (Array.isArray(receipts)) return receipts;
  } catch {
    // Not every node has eth_getBlockReceipts (Hardhat's EDR does not); fetch one by one.
  }
  return Promise.all(
    transactions.map(async (tx) => (await client.send('eth_getTransactionReceipt', [tx.hash])) as RawObject),
  );
}

async function check(name: string, run: () => Promise<[boolean, string]>): Promise<VerificationCheck> {
  try {
    const [ok, detail] = await run();
    return { name, ok, detail };
  } catch (error) {
    return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}
