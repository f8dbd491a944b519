import {
  check,
  checkAsync,
  type Receipt,
  type Revision,
  type TrustAnchor,
  type Verification,
  type VerificationAnchor,
  type VerificationCheck,
  verification,
} from '@ledgerkit/core';
import { EventFragment, FunctionFragment, Interface, keccak256, Transaction } from 'ethers';
import type { EthereumEvidence, EthereumReceiptProof, RpcObject } from './ethereum-evidence.js';
import { encodeHeader, encodeReceipt, encodeTransaction } from './internal/encoding.js';
import { canonicalJson, toJson } from './internal/json.js';
import { orderedTrieRoot } from './internal/tries.js';
import { verifyStateProof } from './verify-state-proof.js';

/**
 * Verifies an Ethereum receipt or revision against a trusted block, with no I/O: the
 * receipt's block header hashes to the receipt's block hash and links by `parentHash`, header
 * by header, to the anchor block's hash; the transaction (whose signature names the chain id)
 * and its receipt (status 1) are in the block's transactions and receipts tries; the anchor
 * buries the block under enough confirmations; the called contract's account, storage slots
 * and code are proven against the block's state root. For a revision, the log that carries
 * its value is in the receipt and decodes to exactly that value.
 *
 * Without an anchor the last header of the evidence (the head the node served) is the
 * anchor, and the result says so (`anchor.explicit === false`): it then trusts that node.
 *
 * @param subject - a receipt or a revision (untrusted)
 * @param evidence - blocks, receipts and proofs as {@link EthereumEvidence} (untrusted)
 * @param anchor - an `ethereum-block` the verifier trusts, at or after the receipt's block
 * @returns every check, named; malformed input is a failed check, never an exception
 */
export async function verifyEthereumReceipt(
  subject: Receipt | Revision,
  evidence: EthereumEvidence,
  anchor?: TrustAnchor,
): Promise<Verification> {
  const revision = isRevision(subject) ? subject : undefined;
  const receipt = (revision ? revision.receipt : subject) as Receipt;
  const proof = (isObject(receipt?.proof) ? receipt.proof : {}) as Partial<EthereumReceiptProof>;
  const format = check('receipt-format', () => {
    const problem = receiptProblem(receipt);
    return [problem === undefined, problem ?? `Ethereum receipt, format version ${receipt.version ?? 1}`];
  });
  if (!format.ok) return verification([format]);
  if (revision) {
    const revisionFormat = check('revision-format', () => {
      const ok =
        typeof revision.key === 'string' &&
        Number.isSafeInteger(revision.version) &&
        revision.version >= 0 &&
        typeof revision.deleted === 'boolean';
      return [
        ok,
        ok
          ? `revision ${revision.version} of ${revision.key}`
          : 'a revision needs a key, an integer version and deleted',
      ];
    });
    if (!revisionFormat.ok) return verification([format, revisionFormat]);
  }
  if (anchor && anchor.type !== 'ethereum-block') {
    return verification([
      {
        name: 'anchor-type',
        ok: false,
        detail: `an Ethereum receipt verifies against an ethereum-block anchor, not ${anchor.type}`,
      },
    ]);
  }

  const checks: VerificationCheck[] = [];
  const position = receipt.position;
  const block = (evidence?.block ?? {}) as RpcObject;
  const transactions = (Array.isArray(block.transactions) ? block.transactions : []) as RpcObject[];
  const transaction = transactions[position.index];

  checks.push(
    check('chain-id', () => {
      if (!transaction) return [false, `the block has no transaction ${position.index}`];
      const chainId = Transaction.from(encodeTransaction(transaction)).chainId.toString();
      return [
        chainId === receipt.ledger,
        `the transaction is signed for chain ${chainId}, the receipt names chain ${receipt.ledger}`,
      ];
    }),
  );

  let blockHash: string | undefined;
  checks.push(
    check('block-hash', () => {
      blockHash = keccak256(encodeHeader(block));
      const number = Number(BigInt(block.number as string));
      const ok = blockHash === String(position.blockHash).toLowerCase() && number === position.block;
      return [
        ok,
        `header of block ${number} hashes to ${blockHash}; the receipt names block ${position.block} ${position.blockHash}`,
      ];
    }),
  );

  checks.push(
    check('timestamp', () => {
      const blockTime = Number(BigInt(block.timestamp as string)) * 1000;
      // A time without a zone would be read in the verifying machine's zone.
      const zoned = typeof receipt.timestamp === 'string' && /(?:Z|[+-]\d{2}:?\d{2})$/i.test(receipt.timestamp);
      const claimed = zoned ? Date.parse(receipt.timestamp) : Number.NaN;
      return [
        claimed === blockTime,
        `block ${position.block} has timestamp ${new Date(blockTime).toISOString()}; the receipt says ${receipt.timestamp}`,
      ];
    }),
  );

  let trusted: { number: number; hash: string } | undefined;
  checks.push(
    check('header-chain', () => {
      if (!blockHash) return [false, 'the receipt block header does not hash'];
      const chain = linkHeaders(position.block, blockHash, Array.isArray(evidence?.headers) ? evidence.headers : []);
      if (!anchor) {
        const head = chain.at(-1) as { number: number; hash: string };
        trusted = head;
        return [
          true,
          `${chain.length - 1} headers link block ${position.block} to the served head ${head.number} ${head.hash}`,
        ];
      }
      const target = anchor as Extract<TrustAnchor, { type: 'ethereum-block' }>;
      if (target.number < position.block) {
        return [false, `the anchor block ${target.number} precedes the receipt's block ${position.block}`];
      }
      const reached = chain.find((link) => link.number === target.number);
      if (!reached) {
        return [
          false,
          `the evidence's headers end at block ${chain.at(-1)?.number}, before the anchor block ${target.number}`,
        ];
      }
      if (reached.hash !== String(target.hash).toLowerCase()) {
        return [false, `the headers lead to ${reached.hash} at block ${target.number}, the anchor is ${target.hash}`];
      }
      trusted = reached;
      return [
        true,
        `${target.number - position.block} headers link block ${position.block} to the anchor ${target.number} ${target.hash}`,
      ];
    }),
  );

  checks.push(
    await checkAsync('transaction-in-block', async () => {
      if (transaction?.hash !== receipt.txId) {
        return [
          false,
          `transaction ${position.index} of the block is ${String(transaction?.hash)}, not ${receipt.txId}`,
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

  const receipts = (Array.isArray(evidence?.receipts) ? evidence.receipts : []) as RpcObject[];
  checks.push(
    await checkAsync('receipt-in-block', async () => {
      const ours = receipts[position.index];
      if (receipts.length !== transactions.length) {
        return [false, `${receipts.length} receipts for ${transactions.length} transactions`];
      }
      if (ours?.transactionHash !== receipt.txId) return [false, 'the block has no receipt for the transaction'];
      if (BigInt((ours.status as string) ?? '0x0') !== 1n) return [false, 'the transaction failed (status 0)'];
      const root = await orderedTrieRoot(receipts.map(encodeReceipt));
      return root === block.receiptsRoot
        ? [true, `receipts trie of ${receipts.length} recomputed to ${root} = header receiptsRoot; status 1`]
        : [false, `receipts trie recomputed to ${root}, header has ${String(block.receiptsRoot)}`];
    }),
  );

  checks.push(
    check('confirmations', () => {
      if (!trusted) return [false, 'no trusted block to count confirmations to'];
      const confirmations = trusted.number - position.block + 1;
      const required = proof.confirmations ?? 1;
      // The receipt claims the depth its submitter waited for: a later anchor proves at
      // least that many, never more than the anchor shows.
      if (!Number.isSafeInteger(required) || required < 1) {
        return [false, `the receipt claims ${String(required)} confirmations, not a positive integer`];
      }
      return [
        confirmations >= required,
        `${confirmations} confirmations proven (receipt block ${position.block}, anchor block ${trusted.number}); the receipt claims ${required}`,
      ];
    }),
  );

  const stateProof = evidence?.stateProof;
  checks.push(
    ...(await checkStateProof(String(block.stateRoot), stateProof, proof)),
    check('contract-code', () => {
      const code = String(evidence?.code);
      const codeHash = keccak256(code);
      const ok = codeHash === stateProof?.codeHash?.toLowerCase() && code !== '0x';
      return [ok, `code of ${proof.contract} hashes to ${codeHash}; proven code hash ${String(stateProof?.codeHash)}`];
    }),
  );

  checks.push(methodCheck(proof, transaction, evidence?.functions));
  if (proof.gasUsed !== undefined) checks.push(gasUsedCheck(proof.gasUsed, receipts, position.index));

  if (revision) checks.push(...revisionChecks(revision, receipt, proof, receipts, evidence?.event));

  const used: VerificationAnchor | undefined = anchor
    ? {
        type: 'ethereum-block',
        explicit: true,
        detail: `block ${anchor.number} ${anchor.hash}, chosen by the verifier`,
      }
    : trusted
      ? {
          type: 'ethereum-block',
          explicit: false,
          detail: `block ${trusted.number} ${trusted.hash}, the head the node that served the evidence reported (trusted, not checked)`,
        }
      : undefined;
  return verification(checks, used);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRevision(subject: Receipt | Revision): subject is Revision {
  return isObject(subject) && 'receipt' in subject;
}

/** What makes a value not an Ethereum receipt, or undefined when it is one. */
function receiptProblem(receipt: unknown): string | undefined {
  if (!isObject(receipt)) return 'the receipt is not an object';
  if (receipt.backend !== 'ethereum') return `the receipt is from backend ${String(receipt.backend)}, not ethereum`;
  if (receipt.version !== undefined && receipt.version !== 1)
    return `unknown receipt format version ${String(receipt.version)}`;
  if (typeof receipt.txId !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(receipt.txId))
    return 'txId is not a 32-byte hex hash';
  const position = receipt.position;
  if (!isObject(position) || !Number.isSafeInteger(position.block) || !Number.isSafeInteger(position.index)) {
    return 'position needs an integer block and index';
  }
  if (typeof position.blockHash !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(position.blockHash)) {
    return 'position.blockHash is not a 32-byte hex hash';
  }
  if (typeof receipt.ledger !== 'string') return 'ledger (the chain id) is not a string';
  const proof = receipt.proof;
  if (!isObject(proof) || typeof proof.contract !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(proof.contract)) {
    return 'proof.contract is not an address';
  }
  if (
    proof.storageSlots !== undefined &&
    !(
      Array.isArray(proof.storageSlots) &&
      proof.storageSlots.every((slot) => typeof slot === 'string' && /^0x[0-9a-fA-F]{1,64}$/.test(slot))
    )
  ) {
    return 'proof.storageSlots are not 32-byte hex slots';
  }
  return undefined;
}

/**
 * Whether a subject is well-formed enough to fetch evidence for (the format checks of
 * {@link verifyEthereumReceipt} pass).
 */
export function isWellFormedSubject(subject: unknown): boolean {
  if (isRevision(subject as Receipt | Revision)) {
    const revision = subject as Revision;
    return (
      receiptProblem(revision.receipt) === undefined &&
      typeof revision.key === 'string' &&
      Number.isSafeInteger(revision.version) &&
      typeof revision.deleted === 'boolean'
    );
  }
  return receiptProblem(subject) === undefined;
}

/**
 * Hashes each header after the receipt's block and checks it names the one before as its
 * parent, so the chain of hashes from the receipt's block to the last header is unbroken.
 */
function linkHeaders(
  number: number,
  hash: string,
  headers: readonly RpcObject[],
): Array<{ number: number; hash: string }> {
  const chain = [{ number, hash }];
  for (const header of headers) {
    const previous = chain.at(-1) as { number: number; hash: string };
    const headerNumber = Number(BigInt(header.number as string));
    if (headerNumber !== previous.number + 1) {
      throw new Error(`header ${headerNumber} does not follow block ${previous.number}`);
    }
    if (String(header.parentHash).toLowerCase() !== previous.hash) {
      throw new Error(
        `header ${headerNumber} names parent ${String(header.parentHash)}, block ${previous.number} hashes to ${previous.hash}`,
      );
    }
    chain.push({ number: headerNumber, hash: keccak256(encodeHeader(header)) });
  }
  return chain;
}

async function checkStateProof(
  stateRoot: string,
  stateProof: EthereumEvidence['stateProof'] | undefined,
  proof: Partial<EthereumReceiptProof>,
): Promise<VerificationCheck[]> {
  const matches = check('state-proof-subject', () => {
    // Exactly the slots proven: a receipt naming a slot the proof lacks (or the proof one the
    // receipt does not name, or either one twice) claims what the evidence does not show.
    const wanted = (proof.storageSlots ?? []).map((slot) => BigInt(slot)).sort(compareBigInt);
    const given = (stateProof?.storageProof ?? []).map((slot) => BigInt(slot.key)).sort(compareBigInt);
    const ok =
      String(stateProof?.address).toLowerCase() === String(proof.contract).toLowerCase() &&
      wanted.length === given.length &&
      wanted.every((slot, i) => slot === given[i]);
    return [
      ok,
      `proof of ${String(stateProof?.address)} with ${given.length} slots; the receipt names ${proof.contract} with ${wanted.length}${ok ? ', the same' : ''}`,
    ];
  });
  if (!matches.ok || !stateProof) return [matches];
  return [matches, ...(await verifyStateProof(stateRoot, stateProof))];
}

function compareBigInt(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The receipt's `method` against the proven transaction: the transaction goes to the
 * receipt's contract (none for `constructor`, a deployment) and its input starts with the
 * selector of a function of that name, from the ABI fragments the evidence carries.
 */
function methodCheck(
  proof: Partial<EthereumReceiptProof>,
  transaction: RpcObject | undefined,
  functions: unknown,
): VerificationCheck {
  return check('method', () => {
    if (!transaction) return [false, 'no transaction to read the call from'];
    const method = proof.method;
    if (typeof method !== 'string') {
      return method === undefined ? [true, 'the receipt names no method'] : [false, 'the method is not a string'];
    }
    const to = transaction.to == null ? null : String(transaction.to).toLowerCase();
    if (method === 'constructor') {
      return [
        to === null,
        to === null ? 'the transaction is a deployment' : `the transaction calls ${to}, not a deployment`,
      ];
    }
    if (to !== String(proof.contract).toLowerCase()) {
      return [false, `the transaction calls ${String(to)}, the receipt names ${String(proof.contract)}`];
    }
    // A receipt rebuilt from a log (a history revision) names no function.
    if (method === '') return [true, `a call of ${to}; the receipt names no function`];
    const selector = String(transaction.input ?? transaction.data ?? '')
      .slice(0, 10)
      .toLowerCase();
    if (functions === undefined) {
      // Evidence written before it carried the ABI fragments: still accepted, but unproven.
      return [
        true,
        `older evidence format without the function's ABI fragment: the transaction calls selector ${selector}; the name ${method} is not proven`,
      ];
    }
    if (!Array.isArray(functions)) return [false, "the evidence's function fragments are not a list"];
    const match = functions
      .map((json) => FunctionFragment.from(JSON.parse(String(json))))
      .find((fragment) => fragment.name === method && fragment.selector === selector);
    return match
      ? [true, `the transaction calls ${match.format('sighash')} (selector ${selector}) of ${to}`]
      : [false, `selector ${selector} is no function named ${method} in the evidence's ABI fragments`];
  });
}

/** The receipt's `gasUsed` against the proven receipts' cumulative gas (the trie holds no per-transaction gas). */
function gasUsedCheck(claimed: unknown, receipts: readonly RpcObject[], index: number): VerificationCheck {
  return check('gas-used', () => {
    const cumulative = (i: number) => BigInt(receipts[i]?.cumulativeGasUsed as string);
    const used = cumulative(index) - (index === 0 ? 0n : cumulative(index - 1));
    const ok = typeof claimed === 'string' && /^\d+$/.test(claimed) && BigInt(claimed) === used;
    return [ok, `the proven receipts give the transaction ${used} gas; the receipt says ${String(claimed)}`];
  });
}

/** The log that wrote a revision: in the receipt, of the contract, for the key, with the value. */
function revisionChecks(
  revision: Revision,
  receipt: Receipt,
  proof: Partial<EthereumReceiptProof>,
  receipts: readonly RpcObject[],
  event: string | undefined,
): VerificationCheck[] {
  let found: { topics: string[]; data: string } | undefined;
  let fragment: EventFragment | undefined;
  const logCheck = check('revision-log', () => {
    if (!Number.isSafeInteger(proof.logIndex)) return [false, 'the revision receipt names no log index'];
    let index = 0;
    for (const [position, item] of receipts.entries()) {
      const logs = (Array.isArray(item.logs) ? item.logs : []) as RpcObject[];
      if (position === receipt.position.index) {
        const log = logs[(proof.logIndex as number) - index];
        if (!log || (proof.logIndex as number) < index) break;
        fragment = EventFragment.from(JSON.parse(String(event)));
        const topics = (log.topics as string[]).map((topic) => topic.toLowerCase());
        const keyTopic = revisionKeyTopic(revision.key);
        const ok =
          String(log.address).toLowerCase() === String(proof.contract).toLowerCase() &&
          topics[0] === fragment.topicHash &&
          topics[1] === keyTopic &&
          (proof.event === undefined || proof.event === fragment.name);
        found = { topics, data: String(log.data) };
        return [
          ok,
          `log ${proof.logIndex} of the block (in the proven receipt): ${fragment.name} of ${String(log.address)} for key topic ${String(topics[1])}`,
        ];
      }
      index += logs.length;
    }
    return [false, `the transaction's receipt has no log ${String(proof.logIndex)}`];
  });
  const valueCheck = check('revision-value', () => {
    if (!found || !fragment) return [false, 'no proven log to read the value from'];
    const iface = new Interface([fragment]);
    const decoded = iface.decodeEventLog(fragment, found.data, found.topics);
    const args: Record<string, unknown> = {};
    fragment.inputs.forEach((input, index) => {
      args[input.name || String(index)] = toJson(decoded[index]);
    });
    const proven = { event: fragment.name, ...args };
    const ok = canonicalJson(proven) === canonicalJson(revision.value);
    // A revision is an event the contract emitted: it records a value, never a deletion.
    if (revision.deleted !== false) return [false, 'the revision claims a deletion; an event log records none'];
    return [
      ok,
      ok
        ? `the log decodes to the revision's value (not a deletion)`
        : `the log decodes to ${canonicalJson(proven)}, the revision claims ${canonicalJson(revision.value)}`,
    ];
  });
  return [logCheck, valueCheck];
}

/** The topic a revision's key is matched against: its 32-byte hex id (after the last `:`). */
export function revisionKeyTopic(key: string): string {
  const bare = key.includes(':') ? key.slice(key.lastIndexOf(':') + 1) : key;
  if (!/^0x[0-9a-fA-F]{64}$/.test(bare)) throw new Error(`the key ${key} is not a 32-byte hex id`);
  return bare.toLowerCase();
}
