import {
  type ErrorCode,
  InvalidArgumentError,
  LedgerError,
  type Receipt,
  type RetryOptions,
  retry,
} from '@ledgerkit/core';
import {
  BrowserProvider,
  type Eip1193Provider,
  FetchRequest,
  getAddress,
  type JsonRpcApiProvider,
  JsonRpcProvider,
  Network,
  Wallet,
} from 'ethers';
import type { ContractConfig } from './contract-types.js';
import type { EthereumLedger, StateProofSelector } from './ethereum-ledger.js';
import { EthereumLedgerImpl } from './internal/ethereum-ledger-impl.js';
import { defaultRevertCodes, toLedgerError } from './internal/rpc-errors.js';

/** Options of {@link connectEthereum}. */
export interface ConnectOptions<TContracts extends Record<string, ContractConfig> = Record<string, ContractConfig>> {
  /** JSON-RPC URL of a node (anvil, `hardhat node`, geth, a provider's endpoint). */
  url?: string;
  /** An EIP-1193 provider instead of a URL, e.g. Hardhat's `(await network.create()).provider`. */
  provider?: Eip1193Provider;
  /**
   * Who signs: a private key (signed locally), an address unlocked on the node, or the
   * index of one of the node's accounts (`eth_accounts`). Default: node account 0.
   */
  account?: string | number;
  /** Contracts already deployed, by name; ABIs `as const` give typed calls. */
  contracts?: TContracts;
  /** Blocks a transaction or event must be buried under, counting its own (default 1). */
  confirmations?: number;
  /** How often to poll for receipts and new blocks (default 100 ms; use ~1,000 ms for public chains). */
  pollingIntervalMs?: number;
  /** Backoff of requests that find the node unreachable (default: 6 retries from 50 ms up to 2 s). */
  retry?: RetryOptions;
  /** Storage slots that receipts prove with `eth_getProof` (default: none, account proof only). */
  stateProofs?: StateProofSelector;
  /** First block `events()` and `history()` read (default 0; set it to the deployment block). */
  startBlock?: number;
  /** Largest block range of one `eth_getLogs` request (default 2,000). */
  maxBlockRange?: number;
  /** Timeout of one JSON-RPC request over HTTP (default 30 s). */
  requestTimeoutMs?: number;
  /**
   * Error codes for the contracts' custom errors, by error name, added to the defaults:
   * `AccessControlUnauthorizedAccount` and `OwnableUnauthorizedAccount` (OpenZeppelin) are
   * `PERMISSION_DENIED`, `NotFound` is `NOT_FOUND`; any other revert is `CONTRACT_REVERTED`.
   * The decoded revert is in the error's details either way.
   */
  revertCodes?: Readonly<Record<string, ErrorCode>>;
  /** Called by `close()` after the ledger stopped, to release what the caller opened. */
  onClose?: () => Promise<void>;
  /**
   * Called with each receipt before `submit` or `deploy` returns it, to make the block
   * durable first. A node that keeps its chain in memory loses every block since its last
   * state dump when it is killed (anvil on SIGKILL): pass anvil's `persist` (from
   * `startAnvil({ stateFile })`) so that a returned receipt survives a crash. A failure
   * becomes the submit's error (its code, else `UNAVAILABLE`; `details.txId` names the
   * mined transaction).
   */
  persist?: (receipt: Receipt) => Promise<unknown>;
}

const defaultRetry: RetryOptions = { retries: 6, baseDelayMs: 50, maxDelayMs: 2_000 };

/**
 * Connects to an Ethereum node and returns a {@link EthereumLedger}.
 *
 * @param options - the node (`url` or `provider`), the signing account and the contracts
 * @returns the ledger; call `close()` when done
 * @throws LedgerError `UNAVAILABLE` when the node cannot be reached after the retries,
 *   `INVALID_ARGUMENT` when neither `url` nor `provider` is given, or `provider` is not an
 *   EIP-1193 provider (e.g. an ethers provider: pass its URL, or Hardhat's `connection.provider`)
 * @example
 * ```ts
 * import { supplyChainAbi } from '@ledgerkit/contracts-ethereum'
 * const ledger = await connectEthereum({
 *   url: 'http://127.0.0.1:8545',
 *   contracts: { SupplyChain: { address, abi: supplyChainAbi } },
 * })
 * const receipt = await ledger.contract('SupplyChain').submit('acceptCustody', [assetId])
 * console.log(await ledger.verify(receipt))
 * ```
 */
export async function connectEthereum<
  const TContracts extends Record<string, ContractConfig> = Record<never, ContractConfig>,
>(options: ConnectOptions<TContracts>): Promise<EthereumLedger<TContracts>> {
  const retryOptions = { ...defaultRetry, ...options.retry };
  const connection = await openProvider(options, retryOptions);
  const { provider, chainId } = connection;
  let account: string;
  let wallet: Wallet | undefined;
  if (typeof options.account === 'string' && /^0x[0-9a-fA-F]{64}$/.test(options.account)) {
    wallet = new Wallet(options.account);
    account = wallet.address;
  } else if (typeof options.account === 'string') {
    account = getAddress(options.account);
  } else {
    const accounts = (await provider.send('eth_accounts', [])) as string[];
    const chosen = accounts[options.account ?? 0];
    if (!chosen) {
      throw new LedgerError('INVALID_ARGUMENT', 'the node has no such account; pass a private key', {
        details: { account: options.account ?? 0, available: accounts.length },
      });
    }
    account = getAddress(chosen);
  }
  const confirmations = options.confirmations ?? 1;
  if (!Number.isInteger(confirmations) || confirmations < 1) {
    throw new LedgerError('INVALID_ARGUMENT', 'confirmations must be a positive integer', {
      details: { confirmations },
    });
  }
  const ledger = new EthereumLedgerImpl({
    provider,
    chainId,
    account,
    wallet,
    contracts: options.contracts ?? {},
    confirmations,
    pollingIntervalMs: options.pollingIntervalMs ?? 100,
    retry: retryOptions,
    stateProofs: options.stateProofs,
    startBlock: options.startBlock ?? 0,
    maxBlockRange: options.maxBlockRange ?? 2_000,
    revertCodes: { ...defaultRevertCodes, ...options.revertCodes },
    persist: options.persist,
    onClose: async () => {
      provider.destroy();
      await options.onClose?.();
    },
  });
  return ledger as unknown as EthereumLedger<TContracts>;
}

async function openProvider(
  options: ConnectOptions<Record<string, ContractConfig>>,
  retryOptions: RetryOptions,
): Promise<{ provider: JsonRpcApiProvider; chainId: bigint }> {
  if (options.provider) {
    const eip1193 = options.provider;
    if (typeof (eip1193 as Partial<Eip1193Provider>).request !== 'function') {
      throw new InvalidArgumentError(
        'provider',
        'provider must be an EIP-1193 provider (with request({ method, params })); for an ethers provider pass its url',
        { given: (eip1193 as object)?.constructor?.name ?? typeof eip1193 },
      );
    }
    let chainId: bigint;
    try {
      chainId = BigInt((await eip1193.request({ method: 'eth_chainId', params: [] })) as string);
    } catch (error) {
      throw toLedgerError(error, { operation: 'connect' });
    }
    const provider = new BrowserProvider(eip1193, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1 });
    return { provider, chainId };
  }
  if (!options.url) {
    throw new LedgerError('INVALID_ARGUMENT', 'connectEthereum needs a url or a provider');
  }
  const request = new FetchRequest(options.url);
  request.timeout = options.requestTimeoutMs ?? 30_000;
  // The chain id is read once, with backoff, so an unreachable node is a typed error
  // instead of ethers' endless network detection.
  const probe = new JsonRpcProvider(request.clone(), undefined, { staticNetwork: Network.from(1n), batchMaxCount: 1 });
  let chainId: bigint;
  try {
    chainId = await retry(async () => {
      try {
        return BigInt((await probe.send('eth_chainId', [])) as string);
      } catch (error) {
        throw toLedgerError(error, { operation: 'connect' });
      }
    }, retryOptions);
  } finally {
    probe.destroy();
  }
  const network = Network.from(chainId);
  const provider = new JsonRpcProvider(request, network, {
    staticNetwork: network,
    batchMaxCount: 1,
    cacheTimeout: -1,
  });
  return { provider, chainId };
}
