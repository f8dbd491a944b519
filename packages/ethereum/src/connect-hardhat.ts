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
 * @throws LedgerError `UNSUPPORTED` when `hardhat` is not installed
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
    throw new LedgerError('UNSUPPORTED', 'connectHardhatNetwork needs the hardhat package', { cause: error });
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
