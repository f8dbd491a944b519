import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Ledger } from '@ledgerkit/core';
import {
  type EthereumConfig,
  type FabricConfig,
  type LedgerConfig,
  type LedgerdbConfig,
  parseLedgerUrl,
  validateContracts,
  validateLedgerConfig,
} from './ledger-config.js';
import { loadOptional } from './load-optional.js';

/**
 * Opens a {@link Ledger} on any backend from one config. The backend's adapter package
 * (`@ledgerkit/ledgerdb`, `@ledgerkit/ethereum`, `@ledgerkit/fabric`) is an optional peer
 * dependency, imported only when a config names its backend; `ethereum:edr` also needs `hardhat`.
 *
 * @param config - a {@link LedgerConfig} object or a ledger URL: `ledgerdb:./data/ledger.db`,
 *   `ledgerdb+https://host:8443?token=…`, `ethereum:edr`, `ethereum+http://127.0.0.1:8545`,
 *   `fabric:./org1/connection.json?channel=mychannel&chaincode=assets` (see {@link parseLedgerUrl})
 * @returns the open ledger; call `close()` when done
 * @throws InvalidArgumentError whose `details.argument` names the bad field (`config.url`, …)
 * @throws LedgerError `UNSUPPORTED` when the backend's package is not installed;
 *   `details.package` names it
 * @throws LedgerError from the adapter while connecting (`UNAVAILABLE`, …)
 * @example
 * ```ts
 * const ledger = await connectLedger('ledgerdb:./data/ledger.db')
 * const receipt = await ledger.submit({ method: 'insert', args: ['assets', { owner: 'Acme' }] })
 * console.log((await ledger.verify(receipt)).ok)
 * await ledger.close()
 * ```
 */
export async function connectLedger(config: LedgerConfig | string): Promise<Ledger> {
  const checked = typeof config === 'string' ? parseLedgerUrl(config) : validateLedgerConfig(config);
  switch (checked.backend) {
    case 'ledgerdb':
      return checked.path !== undefined ? openLedgerdbFile(checked) : openLedgerdbServer(checked);
    case 'ethereum':
      return openEthereum(checked);
    case 'fabric':
      return openFabric(checked);
  }
}

const ledgerdbPackage = '@ledgerkit/ledgerdb';

async function openLedgerdbFile(config: LedgerdbConfig): Promise<Ledger> {
  const { asLedger, openLedgerDatabase } = await loadOptional(
    ledgerdbPackage,
    'a ledgerdb ledger',
    () => import('@ledgerkit/ledgerdb'),
  );
  const database = await openLedgerDatabase({
    path: config.path as string,
    ...(config.name === undefined ? {} : { name: config.name }),
    ...(config.signingKey === undefined ? {} : { signingKey: config.signingKey }),
  });
  return asLedger(database);
}

async function openLedgerdbServer(config: LedgerdbConfig): Promise<Ledger> {
  const { LedgerdbClient } = await loadOptional(
    ledgerdbPackage,
    'a ledgerdb server',
    () => import('@ledgerkit/ledgerdb/client'),
  );
  return (await LedgerdbClient.connect({
    url: config.url as string,
    token: config.token as string,
    ...(config.publicKey === undefined ? {} : { publicKey: config.publicKey }),
  })) as unknown as Ledger;
}

const ethereumPackage = '@ledgerkit/ethereum';

async function openEthereum(config: EthereumConfig): Promise<Ledger> {
  const contracts = { ...(config.contractsFile ? await readContracts(config.contractsFile) : {}), ...config.contracts };
  const ethereum = await loadOptional(ethereumPackage, 'an ethereum ledger', () => import('@ledgerkit/ethereum'));
  const options = {
    ...(config.account === undefined ? {} : { account: config.account }),
    ...(Object.keys(contracts).length === 0 ? {} : { contracts: contracts as never }),
    ...(config.confirmations === undefined ? {} : { confirmations: config.confirmations }),
  };
  if (config.url !== 'edr')
    return (await ethereum.connectEthereum({ ...options, url: config.url })) as unknown as Ledger;
  // A runtime environment without a config file: ethereum:edr needs no Hardhat project.
  const { createHardhatRuntimeEnvironment } = await loadOptional(
    'hardhat',
    'ethereum:edr',
    () => import('hardhat/hre'),
  );
  const hre = await createHardhatRuntimeEnvironment({});
  return (await ethereum.connectHardhatNetwork({ ...options, hre })) as unknown as Ledger;
}

async function readContracts(path: string): Promise<Record<string, { address: string; abi: readonly unknown[] }>> {
  let contracts: unknown;
  try {
    contracts = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InvalidArgumentError('config.contractsFile', `cannot read contracts from ${path}`, { path }, error);
  }
  validateContracts(contracts, 'config.contractsFile');
  return contracts as Record<string, { address: string; abi: readonly unknown[] }>;
}

async function openFabric(config: FabricConfig): Promise<Ledger> {
  const { connectFabric } = await loadOptional(
    '@ledgerkit/fabric',
    'a fabric ledger',
    () => import('@ledgerkit/fabric'),
  );
  return (await connectFabric({
    connectionProfile: config.connectionProfile,
    chaincode: config.chaincode,
    ...(config.channel === undefined ? {} : { channel: config.channel }),
    ...(config.organization === undefined ? {} : { organization: config.organization }),
    ...(config.identity === undefined ? {} : { identity: config.identity }),
  })) as unknown as Ledger;
}
