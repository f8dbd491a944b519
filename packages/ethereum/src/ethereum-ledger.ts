import type { CallOptions, Ledger, LedgerCall, Receipt } from '@ledgerkit/core';
import type { Abi } from 'abitype';
import type { JsonRpcApiProvider, Wallet } from 'ethers';
import type { ConstructorArgs, ContractArtifact, ContractConfig, TypedContract } from './contract-types.js';

/** The underlying ethers objects, for what the unified interface does not cover. */
export interface EthereumNative {
  /** The ethers provider every request goes through. */
  provider: JsonRpcApiProvider;
  /** Address that signs and pays. */
  account: string;
  /** The local signer when the ledger signs with a private key; undefined for node accounts. */
  wallet: Wallet | undefined;
}

/**
 * Chooses the storage slots a receipt proves with `eth_getProof` when it is verified,
 * e.g. the asset's custodian slot for a custody transfer.
 *
 * @param call - the submitted call, with `contract` resolved to its name
 * @param address - the contract's address
 * @returns 32-byte hex slots of that contract
 */
export type StateProofSelector = (call: LedgerCall & { contract: string }, address: string) => readonly string[];

/** Options of {@link EthereumLedger.deploy}. */
export interface DeployOptions extends CallOptions {
  /** Name to register the contract under (default: the artifact's `contractName`). */
  name?: string;
}

/**
 * A {@link Ledger} on an Ethereum chain, with typed access to its contracts.
 *
 * Calls: `submit({ contract, method, args })` sends a transaction to a registered contract
 * (by name or address; omit `contract` when only one is registered) and resolves after the
 * configured confirmations; `evaluate` runs `eth_call` and returns JSON (bigints as decimal
 * strings, structs as objects). History keys are 32-byte hex ids matched against the first
 * indexed argument of the contracts' events. Event checkpoints are `(block, logIndex,
 * blockHash)`.
 *
 * @typeParam TContracts - the contracts given to {@link connectEthereum}, for typed access
 */
export interface EthereumLedger<TContracts extends Record<string, ContractConfig> = Record<string, ContractConfig>>
  extends Ledger<EthereumNative> {
  /** Address that signs and pays for transactions. */
  readonly account: string;
  /** Confirmations `submit` waits for. */
  readonly confirmations: number;

  /**
   * Typed access to a registered contract.
   *
   * @param name - a contract given at connect time
   * @returns submit/read with argument and result types from its ABI
   * @throws LedgerError `INVALID_ARGUMENT` for an unknown name
   * @example
   * ```ts
   * const chain = ledger.contract('SupplyChain')
   * await chain.submit('registerAsset', [assetId, productHash, documentHash])
   * const asset = await chain.read('getAsset', [assetId]) // { custodian, registeredAt, ... }
   * ```
   */
  contract<TName extends keyof TContracts & string>(name: TName): TypedContract<TContracts[TName]['abi']>;
  /** @see contract — for contracts registered by {@link deploy} or a name known only at run time */
  contract<TAbi extends Abi>(name: string): TypedContract<TAbi>;

  /**
   * Deploys a contract from a Hardhat artifact and registers it with the ledger.
   *
   * @param artifact - ABI and creation bytecode
   * @param args - constructor arguments
   * @param options - name to register it under, abort signal
   * @returns the typed contract and the deployment receipt
   * @throws LedgerError `CONTRACT_REVERTED` when the constructor reverts
   */
  deploy<const TAbi extends Abi>(
    artifact: ContractArtifact<TAbi>,
    args: ConstructorArgs<TAbi>,
    options?: DeployOptions,
  ): Promise<{ contract: TypedContract<TAbi>; receipt: Receipt }>;
}
