import {
  anySignal,
  type CallOptions,
  type ErrorCode,
  type EventsOptions,
  type HistoryOptions,
  InvalidArgumentError,
  isLedgerError,
  type JsonObject,
  type JsonValue,
  type LedgerCall,
  LedgerError,
  type LedgerEvent,
  type Receipt,
  type RetryOptions,
  type Revision,
  raceSignal,
  receiptFormatVersion,
  retry,
  sleep,
  type TrustAnchor,
  throwIfAborted,
  type Verification,
  type VerificationBundle,
  type VerifyOptions,
  verification,
} from '@ledgerkit/core';
import type { Abi } from 'abitype';
import {
  type FunctionFragment,
  getAddress,
  Interface,
  type InterfaceAbi,
  type JsonRpcApiProvider,
  keccak256,
  type LogDescription,
  toQuantity,
  type Wallet,
} from 'ethers';
import type { ContractArtifact, ContractConfig, TypedContract } from '../contract-types.js';
import type { EthereumEvidence, EthereumReceiptProof } from '../ethereum-evidence.js';
import type { DeployOptions, EthereumLedger, EthereumNative, StateProofSelector } from '../ethereum-ledger.js';
import { fetchEthereumEvidence } from '../fetch-evidence.js';
import { isWellFormedSubject, verifyEthereumReceipt } from '../verify-receipt.js';
import { toAbitypeValue } from './abi-values.js';
import { toJson } from './json.js';
import { NonceSequencer } from './nonce-sequencer.js';
import { type ErrorContext, findNonceRefusal, toLedgerError } from './rpc-errors.js';

/** A registered contract. */
interface Target {
  name: string;
  address: string;
  abi: Abi;
  iface: Interface;
}

type RawLog = {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  transactionIndex: string;
  logIndex: string;
};

type RawReceipt = {
  transactionHash: string;
  transactionIndex: string;
  blockHash: string;
  blockNumber: string;
  status: string;
  gasUsed: string;
  contractAddress: string | null;
};

/** Settings resolved by `connectEthereum`. */
export interface LedgerSettings {
  provider: JsonRpcApiProvider;
  chainId: bigint;
  account: string;
  wallet: Wallet | undefined;
  contracts: Record<string, ContractConfig>;
  confirmations: number;
  pollingIntervalMs: number;
  retry: RetryOptions;
  stateProofs: StateProofSelector | undefined;
  startBlock: number;
  maxBlockRange: number;
  onClose: (() => Promise<void>) | undefined;
  revertCodes: Readonly<Record<string, ErrorCode>>;
  persist: ((receipt: Receipt) => Promise<unknown>) | undefined;
}

const feeCacheMs = 2_000;
const timestampCacheSize = 4_096;
// How long a receipt may be missing before the node is asked whether it still knows the transaction.
const forgottenCheckMs = 1_000;

export class EthereumLedgerImpl implements EthereumLedger {
  readonly kind = 'ethereum' as const;
  readonly trustModel = 'decentralized' as const;
  readonly id: string;
  readonly native: EthereumNative;

  readonly #settings: LedgerSettings;
  readonly #provider: JsonRpcApiProvider;
  readonly #targets = new Map<string, Target>();
  readonly #byAddress = new Map<string, Target>();
  readonly #sequencer: NonceSequencer;
  readonly #closing = new AbortController();
  /** Block timestamps by number, with the hash they were read for: a restarted or reorganised chain re-mines numbers. */
  readonly #timestamps = new Map<number, { hash: string; timestamp: number }>();
  /** Addresses seen holding code; a contract cannot lose its code except by self-destruct. */
  readonly #hasCode = new Set<string>();
  #fees: { at: number; value: Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> } | undefined;
  #closed = false;

  constructor(settings: LedgerSettings) {
    this.#settings = settings;
    this.#provider = settings.provider;
    this.id = settings.chainId.toString();
    this.native = { provider: settings.provider, account: settings.account, wallet: settings.wallet };
    for (const [name, config] of Object.entries(settings.contracts)) this.#register(name, config.address, config.abi);
    this.#sequencer = new NonceSequencer(async () =>
      Number(BigInt((await this.#rpc('getNonce', 'eth_getTransactionCount', [settings.account, 'pending'])) as string)),
    );
  }

  get account(): string {
    return this.#settings.account;
  }

  get confirmations(): number {
    return this.#settings.confirmations;
  }

  contract<TAbi extends Abi>(name: string): TypedContract<TAbi> {
    const target = this.#resolve(name);
    return this.#typed<TAbi>(target);
  }

  async deploy<const TAbi extends Abi>(
    artifact: ContractArtifact<TAbi>,
    args: readonly unknown[],
    options: DeployOptions = {},
  ): Promise<{ contract: TypedContract<TAbi>; receipt: Receipt }> {
    const name = options.name ?? artifact.contractName;
    if (!name) throw new InvalidArgumentError('options.name', 'a deployed contract needs a name');
    const iface = new Interface(artifact.abi as InterfaceAbi);
    let data: string;
    try {
      data = `${artifact.bytecode}${iface.encodeDeploy(args).slice(2)}`;
    } catch (error) {
      throw new InvalidArgumentError('args', 'constructor arguments do not match the ABI', {}, error);
    }
    const context = {
      operation: 'deploy',
      contract: name,
      method: 'constructor',
      interfaces: [iface],
      revertCodes: this.#settings.revertCodes,
    };
    const { receipt, raw } = await this.#transact(undefined, data, context, [], options);
    if (!raw.contractAddress) throw new LedgerError('COMMIT_FAILED', 'the deployment created no contract');
    const target = this.#register(name, raw.contractAddress, artifact.abi);
    const proof = receipt.proof as unknown as EthereumReceiptProof;
    proof.contract = target.address;
    return { contract: this.#typed<TAbi>(target), receipt };
  }

  async submit(call: LedgerCall, options: CallOptions = {}): Promise<Receipt> {
    this.#assertOpen();
    const target = this.#resolve(call.contract);
    const fragment = this.#function(target, call.method);
    const data = this.#encode(target, fragment, call.args ?? []);
    const slots = this.#settings.stateProofs?.({ ...call, contract: target.name }, target.address) ?? [];
    const context = {
      operation: 'submit',
      contract: target.name,
      method: fragment.name,
      interfaces: this.#interfaces(),
      revertCodes: this.#settings.revertCodes,
    };
    await this.#assertHasCode(target, context, options.signal);
    const { receipt } = await this.#transact(target.address, data, context, slots, options);
    return receipt;
  }

  async evaluate(call: LedgerCall, options: CallOptions = {}): Promise<unknown> {
    const { fragment, result } = await this.#call(call, options);
    const values = fragment.outputs.map((_output, index) => toJson(result[index]));
    if (fragment.outputs.length === 1) {
      const [only] = fragment.outputs;
      return only?.isTuple() && only.components.every((component) => component.name !== '')
        ? toJson(result[0])
        : values[0];
    }
    return values;
  }

  async history(key: string, options: HistoryOptions = {}): Promise<Revision[]> {
    this.#assertOpen();
    const topic = keyTopic(key);
    const logs = await this.#logs(
      [...this.#byAddress.keys()],
      this.#settings.startBlock,
      'latest',
      [null, topic],
      options.signal,
    );
    const revisions: Revision[] = [];
    for (const log of logs) {
      const decoded = this.#decodeLog(log);
      if (!decoded) continue;
      const receipt = await this.#receiptOfLog(log, decoded.name);
      const time = Date.parse(receipt.timestamp);
      if (options.from && time < options.from.getTime()) continue;
      if (options.to && time > options.to.getTime()) continue;
      revisions.push({
        key,
        version: revisions.length,
        value: { event: decoded.name, ...decoded.args },
        deleted: false,
        receipt,
      });
    }
    return revisions;
  }

  async *events(options: EventsOptions = {}): AsyncIterable<LedgerEvent> {
    this.#assertOpen();
    const signal = anySignal(options.signal, this.#closing.signal);
    let cursor = options.from;
    if (cursor?.blockHash) await this.#assertStillCanonical(cursor.block, cursor.blockHash, signal);
    let next = cursor ? cursor.block : this.#settings.startBlock;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const head = Number(BigInt((await this.#provider.send('eth_blockNumber', [])) as string));
        const safe = head - (this.#settings.confirmations - 1);
        if (safe < next) {
          failures = 0;
          await sleep(this.#settings.pollingIntervalMs, signal);
          continue;
        }
        const to = Math.min(safe, next + this.#settings.maxBlockRange - 1);
        const logs = await this.#provider.send('eth_getLogs', [
          { address: [...this.#byAddress.keys()], fromBlock: toQuantity(next), toBlock: toQuantity(to) },
        ]);
        failures = 0;
        for (const log of sortLogs(logs as RawLog[])) {
          const block = Number(BigInt(log.blockNumber));
          const index = Number(BigInt(log.logIndex));
          if (cursor && (block < cursor.block || (block === cursor.block && index <= cursor.index))) continue;
          const decoded = this.#decodeLog(log);
          const checkpoint = { block, index, blockHash: log.blockHash };
          cursor = checkpoint;
          if (!decoded) continue;
          if (signal.aborted) return;
          yield { checkpoint, txId: log.transactionHash, name: decoded.name, payload: decoded.args };
        }
        next = to + 1;
      } catch (error) {
        if (signal.aborted) return;
        const ledgerError = toLedgerError(error, { operation: 'events' });
        if (!ledgerError.retryable) throw ledgerError;
        // The node is away (restarting, network): keep the cursor and reconnect with backoff.
        failures += 1;
        // An abort ends the wait; the loop condition then ends the stream.
        await sleep(Math.min(5_000, 50 * 2 ** Math.min(failures, 7)), signal).catch(() => undefined);
      }
    }
  }

  async verify(subject: Receipt | Revision, options: VerifyOptions = {}): Promise<Verification> {
    const anchor = options.anchor;
    if ((anchor && anchor.type !== 'ethereum-block') || !isWellFormedSubject(subject)) {
      // The format and anchor-type checks fail before any evidence is needed.
      return verifyEthereumReceipt(subject, {} as EthereumEvidence, anchor);
    }
    if (anchor && !Number.isSafeInteger(anchor.number)) {
      return verification([{ name: 'anchor-format', ok: false, detail: 'the anchor block number is not an integer' }]);
    }
    let evidence: EthereumEvidence;
    try {
      evidence = await this.#evidence(subject, anchor, options.signal);
    } catch (error) {
      if (isLedgerError(error, 'ABORTED') || isLedgerError(error, 'TIMEOUT') || isLedgerError(error, 'UNAVAILABLE')) {
        throw error;
      }
      // What the node cannot serve (a block it does not have, a receipt of another chain)
      // is a failed check, not an exception.
      const detail = error instanceof Error ? ((error as LedgerError).shortMessage ?? error.message) : String(error);
      return verification([{ name: 'evidence', ok: false, detail: `the node cannot serve the evidence: ${detail}` }]);
    }
    return verifyEthereumReceipt(subject, evidence, anchor);
  }

  async evidence(subject: Receipt | Revision, options: CallOptions = {}): Promise<VerificationBundle> {
    if (!isWellFormedSubject(subject)) {
      throw new InvalidArgumentError('subject', 'not an Ethereum receipt or revision of this ledger');
    }
    const evidence = await this.#evidence(subject, undefined, options.signal);
    return {
      format: 'ledgerkit.verification-bundle',
      version: 1,
      subject,
      evidence: evidence as unknown as VerificationBundle['evidence'],
    };
  }

  async #evidence(
    subject: Receipt | Revision,
    anchor: TrustAnchor | undefined,
    signal: AbortSignal | undefined,
  ): Promise<EthereumEvidence> {
    this.#assertOpen();
    const receipt = typeof subject === 'object' && subject !== null && 'receipt' in subject ? subject.receipt : subject;
    const eventName = (receipt?.proof as Partial<EthereumReceiptProof> | undefined)?.event;
    const contract = (receipt?.proof as Partial<EthereumReceiptProof> | undefined)?.contract;
    const method = (receipt?.proof as Partial<EthereumReceiptProof> | undefined)?.method;
    const target =
      contract && /^0x[0-9a-fA-F]{40}$/.test(contract) ? this.#byAddress.get(getAddress(contract)) : undefined;
    let event: string | undefined;
    if ('receipt' in subject && eventName && target) event = target.iface.getEvent(eventName)?.format('json');
    // The ABI fragments of the function the receipt names let the verifier bind the name to the
    // transaction's selector (served, so untrusted: a forged fragment must still match the selector).
    const functions =
      target && method && method !== 'constructor'
        ? target.iface.fragments
            .filter((fragment): fragment is FunctionFragment => fragment.type === 'function')
            .filter((fragment) => fragment.name === method || fragment.format('sighash') === method)
            .map((fragment) => fragment.format('json'))
        : [];
    const toBlock = anchor?.type === 'ethereum-block' ? anchor.number : undefined;
    const client = { send: (method: string, params: unknown[]) => this.#rpc('evidence', method, params, signal) };
    return fetchEthereumEvidence(client, subject, {
      ...(toBlock === undefined ? {} : { toBlock }),
      ...(event === undefined ? {} : { event }),
      ...(functions.length > 0 ? { functions } : {}),
      ...(signal ? { signal } : {}),
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort(new LedgerError('ABORTED', 'the ledger was closed'));
    await this.#settings.onClose?.();
  }

  #typed<TAbi extends Abi>(target: Target): TypedContract<TAbi> {
    return {
      name: target.name,
      address: target.address,
      abi: target.abi as TAbi,
      submit: (method, args, options) =>
        this.submit({ contract: target.name, method: method as string, args: args as readonly unknown[] }, options),
      read: async (method, args, options) => {
        const { fragment, result } = await this.#call(
          { contract: target.name, method: method as string, args: args as readonly unknown[] },
          options ?? {},
        );
        const values = fragment.outputs.map((output, index) => toAbitypeValue(output, result[index]));
        // biome-ignore lint/suspicious/noExplicitAny: the ABI's types are applied by the TypedContract signature
        return (values.length === 1 ? values[0] : values.length === 0 ? undefined : values) as any;
      },
    };
  }

  async #call(call: LedgerCall, options: CallOptions) {
    this.#assertOpen();
    const target = this.#resolve(call.contract);
    const fragment = this.#function(target, call.method);
    const data = this.#encode(target, fragment, call.args ?? []);
    const context = {
      operation: 'evaluate',
      contract: target.name,
      method: fragment.name,
      interfaces: this.#interfaces(),
      revertCodes: this.#settings.revertCodes,
    };
    await this.#assertHasCode(target, context, options.signal);
    const output = (await this.#rpc(
      context,
      'eth_call',
      [{ from: this.#settings.account, to: target.address, data }, 'latest'],
      options.signal,
    )) as string;
    try {
      return { target, fragment, result: target.iface.decodeFunctionResult(fragment, output) };
    } catch (error) {
      throw new LedgerError('INTERNAL', `could not decode the result of ${fragment.name}`, {
        details: { contract: target.name, output },
        cause: error,
      });
    }
  }

  async #transact(
    to: string | undefined,
    data: string,
    context: ErrorContext,
    storageSlots: readonly string[],
    options: CallOptions,
  ): Promise<{ receipt: Receipt; raw: RawReceipt }> {
    const { signal } = options;
    const request = { from: this.#settings.account, ...(to ? { to } : {}), data };
    const [gasEstimate, fees] = await Promise.all([
      this.#rpc(context, 'eth_estimateGas', [request], signal),
      this.#settings.wallet ? this.#feeData() : undefined,
    ]);
    // Estimates are exact for the state they ran on; leave room for state changed by earlier
    // transactions of the same batch.
    const gasLimit = (BigInt(gasEstimate as string) * 6n) / 5n;
    throwIfAborted(signal);
    const sendContext = { ...context, operation: 'send' };
    // The signed transaction, kept to send again if the node forgets it (a restart that
    // lost its pool or rolled back its chain); undefined for node-signed transactions.
    let sent: { signed: string; nonce: number } | undefined;
    const hash = await this.#sendWithNonce(async (nonce) => {
      let txId: string | undefined;
      try {
        const wallet = this.#settings.wallet;
        if (wallet && fees) {
          const signed = await wallet.signTransaction({
            type: 2,
            chainId: this.#settings.chainId,
            nonce,
            to: to ?? null,
            data,
            gasLimit,
            ...fees,
          });
          txId = keccak256(signed);
          sent = { signed, nonce };
          return await this.#sendRaw(signed, txId, sendContext, signal);
        }
        sent = undefined;
        return (await this.#provider.send('eth_sendTransaction', [
          { ...request, nonce: toQuantity(nonce), gas: toQuantity(gasLimit) },
        ])) as string;
      } catch (error) {
        // The hash is known before the node answers: a caller can look the transaction up
        // when the answer was lost (the node may have taken it before it went away).
        throw toLedgerError(error, txId ? { ...sendContext, txId } : sendContext);
      }
    }, signal);
    for (let round = 0; ; round++) {
      const raw = await this.#waitForReceipt(hash, sent, context, signal);
      if (BigInt(raw.status) !== 1n) {
        throw new LedgerError('CONTRACT_REVERTED', 'the transaction was mined but reverted', {
          details: { ...where(context), txId: hash, block: Number(BigInt(raw.blockNumber)) },
        });
      }
      const block = Number(BigInt(raw.blockNumber));
      const proof: EthereumReceiptProof & JsonObject = {
        contract: to ?? raw.contractAddress ?? '',
        method: context.method ?? '',
        confirmations: this.#settings.confirmations,
        storageSlots: [...storageSlots],
        gasUsed: BigInt(raw.gasUsed).toString(),
      };
      try {
        const receipt: Receipt = {
          version: receiptFormatVersion,
          backend: 'ethereum',
          ledger: this.id,
          txId: hash,
          position: { block, index: Number(BigInt(raw.transactionIndex)), blockHash: raw.blockHash },
          timestamp: new Date((await this.#timestamp(block, raw.blockHash)) * 1000).toISOString(),
          proof,
        };
        await this.#persist(receipt, context);
        return { receipt, raw };
      } catch (error) {
        // The node went away or lost the block between the receipt and now (killed before it
        // persisted, restarted from an older state): wait for the transaction again, which
        // sends it again if the restarted node forgot it.
        const again = isLedgerError(error, 'UNAVAILABLE') || isLedgerError(error, 'NOT_FOUND');
        if (!again || round >= 2) throw error;
      }
    }
  }

  /**
   * Sends a signed transaction, again while the node is unreachable: the same bytes are the
   * same transaction, so a node that took it before the answer was lost answers "already
   * known" (or, once mined, "nonce too low" while it knows the hash), never a second copy.
   */
  async #sendRaw(
    signed: string,
    hash: string,
    context: ErrorContext,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    let unreachableBefore = false;
    return retry(
      async () => {
        try {
          return (await raceSignal(this.#provider.send('eth_sendRawTransaction', [signed]), signal)) as string;
        } catch (error) {
          const typed = toLedgerError(error, { ...context, txId: hash });
          if (typed.code === 'UNAVAILABLE') {
            unreachableBefore = true;
            throw typed;
          }
          if (unreachableBefore && (/already (known|imported)/i.test(typed.message) || findNonceRefusal(typed))) {
            if (await this.#provider.send('eth_getTransactionByHash', [hash]).catch(() => null)) return hash;
          }
          throw typed;
        }
      },
      {
        ...this.#settings.retry,
        shouldRetry: (error) => isLedgerError(error, 'UNAVAILABLE'),
        ...(signal ? { signal } : {}),
      },
    );
  }

  /** Runs the `persist` option before a receipt is handed out; its failure is the submit's. */
  async #persist(receipt: Receipt, context: ErrorContext): Promise<void> {
    const persist = this.#settings.persist;
    if (!persist) return;
    try {
      await persist(receipt);
    } catch (error) {
      throw new LedgerError(
        isLedgerError(error) ? error.code : 'UNAVAILABLE',
        'the transaction was mined but persist() failed: it may not survive a node restart',
        {
          details: { ...where(context), txId: receipt.txId, block: receipt.position.block },
          cause: error,
        },
      );
    }
  }

  /**
   * Sends with the next nonce. A nonce the node refuses as too low (another client used the
   * account) or too high (the node's chain went back, e.g. a reverted snapshot or a restart
   * from an older state) was not consumed, so the sequencer re-reads the node's nonce and
   * the send is tried again. The refusal is read from the node's structured error: on
   * Hardhat's in-process network ethers wraps "Nonce too high" as "could not coalesce error".
   */
  async #sendWithNonce(send: (nonce: number) => Promise<string>, signal: AbortSignal | undefined): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#sequencer.send(send);
      } catch (error) {
        const nonceRefused = isLedgerError(error, 'COMMIT_FAILED') && findNonceRefusal(error) !== undefined;
        if (!nonceRefused || attempt >= 3) throw error;
        throwIfAborted(signal);
      }
    }
  }

  async #waitForReceipt(
    hash: string,
    sent: { signed: string; nonce: number } | undefined,
    context: ErrorContext,
    signal: AbortSignal | undefined,
  ): Promise<RawReceipt> {
    const confirmations = this.#settings.confirmations;
    let checkedAt = Date.now();
    for (let attempt = 0; ; attempt++) {
      const receipt = (await this.#rpc(context, 'eth_getTransactionReceipt', [hash], signal)) as RawReceipt | null;
      if (receipt) {
        if (confirmations <= 1) return receipt;
        const head = Number(BigInt((await this.#rpc(context, 'eth_blockNumber', [], signal)) as string));
        if (head - Number(BigInt(receipt.blockNumber)) + 1 >= confirmations) {
          // Re-read: a reorganisation while waiting may have moved the transaction.
          const settled = (await this.#rpc(context, 'eth_getTransactionReceipt', [hash], signal)) as RawReceipt | null;
          if (settled && settled.blockHash === receipt.blockHash) return settled;
        }
      } else if (Date.now() - checkedAt >= forgottenCheckMs) {
        checkedAt = Date.now();
        await this.#resendIfForgotten(hash, sent, context, signal);
      }
      // Automining nodes answer within milliseconds; ramp up to the polling interval.
      await sleep(Math.min(this.#settings.pollingIntervalMs, 2 ** attempt), signal);
    }
  }

  /**
   * A node that restarted (anvil killed and started again, from its last state dump or
   * fresh) no longer knows a transaction it accepted: waiting for its receipt would last
   * forever. The same signed transaction is sent again while its nonce is still free;
   * when another transaction took that nonce, the submit fails with `COMMIT_FAILED`
   * (`details.reason: 'dropped'`). The node's chain may have rolled back, so the nonce and
   * the contracts' code are read from it again.
   */
  async #resendIfForgotten(
    hash: string,
    sent: { signed: string; nonce: number } | undefined,
    context: ErrorContext,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const known = await this.#rpc(context, 'eth_getTransactionByHash', [hash], signal);
    if (known) return;
    this.#sequencer.reset();
    this.#hasCode.clear();
    const details = { ...where(context), txId: hash, reason: 'dropped' };
    if (!sent) {
      throw new LedgerError('COMMIT_FAILED', 'the node no longer knows the transaction (it restarted or dropped it)', {
        details,
      });
    }
    const mined = Number(
      BigInt(
        (await this.#rpc(context, 'eth_getTransactionCount', [this.#settings.account, 'latest'], signal)) as string,
      ),
    );
    if (mined > sent.nonce) {
      throw new LedgerError('COMMIT_FAILED', 'the node dropped the transaction and another one took its nonce', {
        details: { ...details, nonce: sent.nonce, accountNonce: mined },
      });
    }
    try {
      await this.#provider.send('eth_sendRawTransaction', [sent.signed]);
    } catch (error) {
      const typed = toLedgerError(error, { ...context, operation: 'send', txId: hash });
      // Unreachable again: the next check sends it again. "already known": the node has it.
      if (typed.code === 'UNAVAILABLE' || /already (known|imported)/i.test(typed.message)) return;
      if (findNonceRefusal(typed) === 'too-low') {
        throw new LedgerError('COMMIT_FAILED', 'the node dropped the transaction and another one took its nonce', {
          details: { ...details, nonce: sent.nonce },
          cause: typed,
        });
      }
      throw typed;
    }
  }

  async #timestamp(block: number, blockHash?: string): Promise<number> {
    const cached = this.#timestamps.get(block);
    if (cached !== undefined && (blockHash === undefined || cached.hash === blockHash)) return cached.timestamp;
    const raw = (await this.#rpc({ operation: 'getBlock' }, 'eth_getBlockByNumber', [toQuantity(block), false])) as {
      timestamp: string;
      hash: string;
    } | null;
    if (!raw || (blockHash && raw.hash !== blockHash)) {
      throw new LedgerError('NOT_FOUND', `block ${block} is not (or no longer) on the chain`, { details: { block } });
    }
    const timestamp = Number(BigInt(raw.timestamp));
    if (this.#timestamps.size >= timestampCacheSize) this.#timestamps.clear();
    this.#timestamps.set(block, { hash: raw.hash, timestamp });
    return timestamp;
  }

  #feeData(): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
    const now = Date.now();
    if (this.#fees && now - this.#fees.at < feeCacheMs) return this.#fees.value;
    const value = (async () => {
      const [block, tip] = await Promise.all([
        this.#rpc({ operation: 'getFees' }, 'eth_getBlockByNumber', ['latest', false]) as Promise<{
          baseFeePerGas?: string;
        }>,
        this.#rpc({ operation: 'getFees' }, 'eth_maxPriorityFeePerGas', []).catch(() => '0x3b9aca00'),
      ]);
      const baseFee = BigInt(block.baseFeePerGas ?? '0x0');
      const maxPriorityFeePerGas = BigInt(tip as string);
      // Twice the base fee survives six full blocks of base-fee increases.
      return { maxFeePerGas: baseFee * 2n + maxPriorityFeePerGas, maxPriorityFeePerGas };
    })();
    this.#fees = { at: now, value };
    value.catch(() => {
      this.#fees = undefined;
    });
    return value;
  }

  async #rpc(
    context: ErrorContext | string,
    method: string,
    params: unknown[],
    signal?: AbortSignal,
  ): Promise<unknown> {
    const errorContext = typeof context === 'string' ? { operation: context } : context;
    return retry(
      async () => {
        try {
          return await raceSignal(this.#provider.send(method, params), signal);
        } catch (error) {
          throw toLedgerError(error, errorContext);
        }
      },
      { ...this.#settings.retry, ...(signal ? { signal } : {}) },
    );
  }

  async #logs(
    addresses: string[],
    fromBlock: number,
    toBlock: number | 'latest',
    topics: Array<string | null>,
    signal?: AbortSignal,
  ) {
    const logs = (await this.#rpc(
      'getLogs',
      'eth_getLogs',
      [
        {
          address: addresses,
          fromBlock: toQuantity(fromBlock),
          toBlock: toBlock === 'latest' ? toBlock : toQuantity(toBlock),
          topics,
        },
      ],
      signal,
    )) as RawLog[];
    return sortLogs(logs);
  }

  async #receiptOfLog(log: RawLog, event: string): Promise<Receipt> {
    const block = Number(BigInt(log.blockNumber));
    const target = this.#byAddress.get(getAddress(log.address));
    return {
      backend: 'ethereum',
      version: receiptFormatVersion,
      ledger: this.id,
      txId: log.transactionHash,
      position: { block, index: Number(BigInt(log.transactionIndex)), blockHash: log.blockHash },
      timestamp: new Date((await this.#timestamp(block, log.blockHash)) * 1000).toISOString(),
      proof: {
        contract: target?.address ?? getAddress(log.address),
        method: '',
        event,
        logIndex: Number(BigInt(log.logIndex)),
        confirmations: 1,
        storageSlots: [],
      },
    };
  }

  #decodeLog(log: RawLog): { name: string; args: JsonObject } | undefined {
    const target = this.#byAddress.get(getAddress(log.address));
    let description: LogDescription | null = null;
    try {
      description = target?.iface.parseLog({ topics: log.topics, data: log.data }) ?? null;
    } catch {
      return undefined;
    }
    if (!description) return undefined;
    const args: JsonObject = {};
    description.fragment.inputs.forEach((input, index) => {
      args[input.name || String(index)] = toJson(description.args[index]) as JsonValue;
    });
    return { name: description.name, args };
  }

  async #assertStillCanonical(block: number, blockHash: string, signal: AbortSignal): Promise<void> {
    const raw = (await this.#rpc('events', 'eth_getBlockByNumber', [toQuantity(block), false], signal)) as {
      hash: string;
    } | null;
    if (raw?.hash !== blockHash) {
      throw new LedgerError('DIGEST_INCONSISTENT', 'the checkpoint block is no longer on the chain (reorganisation)', {
        details: { block, expected: blockHash, found: raw?.hash ?? null },
      });
    }
  }

  /**
   * A call to an address without code "succeeds" on Ethereum (nothing runs, nothing fails), so
   * a named contract must have code before a transaction or call goes to it.
   */
  async #assertHasCode(target: Target, context: ErrorContext, signal: AbortSignal | undefined): Promise<void> {
    if (this.#hasCode.has(target.address)) return;
    const code = (await this.#rpc(context, 'eth_getCode', [target.address, 'latest'], signal)) as string;
    if (code === '0x' || code === '') {
      throw new LedgerError('NOT_FOUND', `no contract code at ${target.name}'s address on this chain`, {
        details: { contract: target.name, address: target.address, chainId: this.id },
      });
    }
    this.#hasCode.add(target.address);
  }

  #register(name: string, address: string, abi: Abi): Target {
    const target: Target = { name, address: getAddress(address), abi, iface: new Interface(abi as InterfaceAbi) };
    this.#targets.set(name, target);
    this.#byAddress.set(target.address, target);
    return target;
  }

  #resolve(contract: string | undefined): Target {
    if (contract === undefined) {
      if (this.#targets.size === 1) return [...this.#targets.values()][0] as Target;
      throw new InvalidArgumentError('call.contract', 'name the contract: the ledger knows several', {
        contracts: [...this.#targets.keys()],
      });
    }
    const target =
      this.#targets.get(contract) ??
      (/^0x[0-9a-fA-F]{40}$/.test(contract) ? this.#byAddress.get(getAddress(contract)) : undefined);
    if (!target) {
      throw new InvalidArgumentError('call.contract', `unknown contract '${contract}'`, {
        contracts: [...this.#targets.keys()],
      });
    }
    return target;
  }

  #function(target: Target, method: string): FunctionFragment {
    let fragment: FunctionFragment | null = null;
    try {
      fragment = target.iface.getFunction(method);
    } catch (error) {
      throw new InvalidArgumentError('call.method', `'${method}' is ambiguous in ${target.name}`, {}, error);
    }
    if (!fragment) throw new InvalidArgumentError('call.method', `${target.name} has no function '${method}'`);
    return fragment;
  }

  #encode(target: Target, fragment: FunctionFragment, args: readonly unknown[]): string {
    try {
      return target.iface.encodeFunctionData(fragment, args as unknown[]);
    } catch (error) {
      throw new InvalidArgumentError(
        'call.args',
        `arguments do not match ${target.name}.${fragment.format()}`,
        {},
        error,
      );
    }
  }

  #interfaces(): Interface[] {
    return [...this.#targets.values()].map((target) => target.iface);
  }

  #assertOpen(): void {
    if (this.#closed) throw new LedgerError('ABORTED', 'the ledger is closed');
  }
}

/** The topic a history key is matched against: 32-byte hex as is, anything else hashed. */
function keyTopic(key: string): string {
  const bare = key.includes(':') ? key.slice(key.lastIndexOf(':') + 1) : key;
  if (/^0x[0-9a-fA-F]{64}$/.test(bare)) return bare.toLowerCase();
  throw new InvalidArgumentError(
    'key',
    'an Ethereum history key is a 32-byte hex id (the first indexed event argument)',
    {
      key,
    },
  );
}

function sortLogs(logs: RawLog[]): RawLog[] {
  return [...logs].sort((a, b) => {
    const block = Number(BigInt(a.blockNumber) - BigInt(b.blockNumber));
    return block !== 0 ? block : Number(BigInt(a.logIndex) - BigInt(b.logIndex));
  });
}

/** The parts of an error context that belong in an error's details. */
function where(context: ErrorContext): { operation: string; contract?: string; method?: string } {
  return {
    operation: context.operation,
    ...(context.contract === undefined ? {} : { contract: context.contract }),
    ...(context.method === undefined ? {} : { method: context.method }),
  };
}
