import { LedgerError } from '@ledgerkit/core';
import type { NetworkManager } from 'hardhat/types/network';
import { type ConnectOptions, connectEthereum } from './connect.js';
import type { ContractConfig } from './contract-types.js';
import type { EthereumLedger } from './ethereum-ledger.js';

/** Options of {@link connectHardhatNetwork}. */
export interface HardhatNetworkOptions<TContracts extends Record<string, ContractConfig>>
  extends Omit<ConnectOptions<TContracts>, 'url' | 'provider'> {
  /** Network of the Hardhat config to start or join (default: Hardhat's default network). */
  network?: string;
  /**
   * The Hardhat runtime environment to use (e.g. from `createHardhatRuntimeEnvironment`);
   * default: `import('hardhat')`, which loads the project's `hardhat.config.ts`.
   */
  hre?: { network: NetworkManager };
}

/**
 * Starts a Hardhat 3 network connection with `network.create()` — in-process EDR for
 * `edr-simulated` networks — and connects a ledger to it. Needs `hardhat` installed and a
 * Hardhat config in the working directory (or above); `close()` closes the connection.
 *
 * @param options - network name and the options of {@link connectEthereum}
 * @returns the ledger
 * @throws LedgerError `UNSUPPORTED` when `hardhat` is not installed; `NOT_FOUND` when no
 *   Hardhat config file is found (HHE3; pass `hre` or run inside a Hardhat project);
 *   `INVALID_ARGUMENT` for any other Hardhat error loading the config, with its `HHE` code
 * @remarks Each call starts a new chain. For several signers on one chain, start the
 *   network once and call {@link connectEthereum} with the same `provider` and a different
 *   `account` for each (see the README).
 * @example
 * ```ts
 * const ledger = await connectHardhatNetwork({ confirmations: 1 })
 * const { contract } = await ledger.deploy(supplyChainArtifact, [ledger.account])
 * ```
 */
export async function connectHardhatNetwork<
  const TContracts extends Record<string, ContractConfig> = Record<never, ContractConfig>,
>(options: HardhatNetworkOptions<TContracts> = {}): Promise<EthereumLedger<TContracts>> {
  const { network, hre, ...rest } = options;
  let hardhat: { network: NetworkManager };
  try {
    hardhat = hre ?? (await import('hardhat'));
  } catch (error) {
    throw hardhatLoadError(error);
  }
  const connection = await (network === undefined ? hardhat.network.create() : hardhat.network.create(network));
  return connectEthereum<TContracts>({
    ...rest,
    provider: connection.provider,
    onClose: async () => {
      await connection.close();
      await rest.onClose?.();
    },
  });
}

/** What failed when `import('hardhat')` loaded the project: the package, or the project's config. */
function hardhatLoadError(error: unknown): LedgerError {
  const record = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    code?: unknown;
    errorCode?: unknown;
    message?: unknown;
  };
  const message = typeof record.message === 'string' ? record.message : String(error);
  if (record.name === 'HardhatError' && typeof record.errorCode === 'string') {
    const firstLine = message.split('\n')[0] ?? message;
    if (record.errorCode === 'HHE3') {
      return new LedgerError('NOT_FOUND', `${firstLine} Pass options.hre, or run inside a Hardhat project`, {
        details: { hardhatError: record.errorCode, cwd: globalThis.process?.cwd?.() },
        cause: error,
      });
    }
    return new LedgerError('INVALID_ARGUMENT', `Hardhat could not load the project: ${firstLine}`, {
      details: { hardhatError: record.errorCode },
      cause: error,
    });
  }
  if (record.code === 'ERR_MODULE_NOT_FOUND' && /['"]hardhat['"]/.test(message)) {
    return new LedgerError('UNSUPPORTED', 'connectHardhatNetwork needs the hardhat package: npm install hardhat', {
      cause: error,
    });
  }
  return new LedgerError('INTERNAL', `loading hardhat failed: ${message.split('\n')[0]}`, { cause: error });
}
