import type { Receipt } from '@ledgerkit/core';
import { LedgerError } from '@ledgerkit/core';
import type {
  ConnectOptions,
  ConstructorArgs,
  ContractArtifact,
  EthereumLedger,
  TypedContract,
} from '@ledgerkit/ethereum';
import type { ArtifactManager } from 'hardhat/types/artifacts';
import type { NetworkManager } from 'hardhat/types/network';

/** Any contract ABI (abitype's `Abi`, as `@ledgerkit/ethereum` uses it). */
type Abi = ContractArtifact['abi'];

/** An account with a known private key and a balance on the fixture's chain. */
export interface FundedAccount {
  /** Checksummed address. */
  readonly address: string;
  /** 0x-prefixed private key; `connectEthereum({ account: privateKey })` signs with it. */
  readonly privateKey: string;
}

/** Options of {@link deployHardhatFixture}. */
export interface HardhatFixtureOptions<TAbi extends Abi> {
  /**
   * The contract to deploy: its name in the Hardhat project's artifacts (`'Counter'` or
   * `'contracts/Counter.sol:Counter'`, read with `hre.artifacts.readArtifact`), or an artifact.
   */
  contract: string | ContractArtifact<TAbi>;
  /** Constructor arguments (default none). */
  args?: ConstructorArgs<TAbi>;
  /** Funded accounts besides the deployer (default 3). */
  accounts?: number;
  /** Balance of each account in wei (default 10,000 ether). */
  balance?: bigint;
  /**
   * The Hardhat runtime environment (default: `import('hardhat')`, the project's config as
   * `hardhat test` loads it).
   */
  hre?: { network: NetworkManager; artifacts: ArtifactManager };
  /** Network of the Hardhat config to start (default: its default network). */
  network?: string;
  /** More options of the ledgers (`confirmations`, `stateProofs`, `revertCodes`...). */
  connect?: Omit<ConnectOptions, 'url' | 'provider' | 'account' | 'contracts' | 'onClose'>;
}

/** A contract deployed on a fresh in-process Hardhat network, and ledgers on it. */
export interface HardhatFixture<TAbi extends Abi = Abi> {
  /** A `@ledgerkit/ethereum` ledger signing as the deployer, with the contract registered. */
  readonly ledger: EthereumLedger;
  /** Typed access to the deployed contract through {@link ledger}. */
  readonly contract: TypedContract<TAbi>;
  /** Receipt of the deployment transaction. */
  readonly deployment: Receipt;
  /** The account that deployed the contract. */
  readonly deployer: FundedAccount;
  /** The other funded accounts. */
  readonly accounts: readonly FundedAccount[];
  /** The network's EIP-1193 provider, for requests the ledger does not make. */
  readonly provider: { request(args: { method: string; params?: unknown[] }): Promise<unknown> };
  /**
   * A ledger on the same chain signing as another account, with the contract registered;
   * closed by {@link close}.
   *
   * @param account - one of {@link accounts}, or its index
   * @returns the ledger
   */
  ledgerAs(account: FundedAccount | number): Promise<EthereumLedger>;
  /**
   * The deployed contract with its ABI types, through a ledger signing as another account
   * ({@link ledgerAs}).
   *
   * @param account - one of {@link accounts}, or its index
   * @returns typed access to the contract as that account
   */
  contractAs(account: FundedAccount | number): Promise<TypedContract<TAbi>>;
  /**
   * Snapshot of the chain (`evm_snapshot`): the returned function reverts to it, so tests can
   * share one deployment and still start from the same state. The accounts keep their
   * nonces across the revert, so the ledgers' next transactions are accepted.
   *
   * @returns a function that reverts the chain to the snapshot (usable once)
   */
  snapshot(): Promise<() => Promise<void>>;
  /** Closes every ledger and the network. */
  close(): Promise<void>;
}

const ether = 10n ** 18n;

/**
 * Starts a fresh Hardhat 3 network (`network.create()`: in-process EDR for `edr-simulated`
 * networks), funds new accounts, deploys a contract and connects a `@ledgerkit/ethereum`
 * ledger to it, for tests of Solidity projects. Every account has a private key the test
 * knows, so receipts are signed locally and verify like on a public chain.
 *
 * @param options - the contract, its constructor arguments and the accounts to fund
 * @returns the deployed contract, the accounts and the ledgers; call `close()` after the tests
 * @throws LedgerError `UNSUPPORTED` when `hardhat` or `@ledgerkit/ethereum` is not installed;
 *   `NOT_FOUND` when the artifact of a contract name does not exist (compile first: `hardhat
 *   test` does); `CONTRACT_REVERTED` when the constructor reverts
 * @example
 * ```ts
 * const fixture = await deployHardhatFixture({ contract: 'Counter', args: [5n] })
 * const receipt = await fixture.contract.submit('increment', [])
 * assert.equal((await fixture.ledger.verify(receipt)).ok, true)
 * await fixture.close()
 * ```
 */
export async function deployHardhatFixture<const TAbi extends Abi = Abi>(
  options: HardhatFixtureOptions<TAbi>,
): Promise<HardhatFixture<TAbi>> {
  const [hre, ethereum, ethers] = await Promise.all([
    options.hre ?? load('hardhat', () => import('hardhat')),
    load('@ledgerkit/ethereum', () => import('@ledgerkit/ethereum')),
    load('ethers', () => import('ethers')),
  ]);
  // A name gives the artifact Hardhat compiled; its ABI types come from the caller's TAbi.
  const artifact = (
    typeof options.contract === 'string' ? await readArtifact(hre, options.contract) : options.contract
  ) as ContractArtifact<TAbi>;
  const connection =
    options.network === undefined ? await hre.network.create() : await hre.network.create(options.network);
  const ledgers: EthereumLedger[] = [];
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const ledger of ledgers.splice(0).reverse()) await ledger.close().catch(() => {});
    await connection.close();
  };
  try {
    const provider = connection.provider;
    const balance = `0x${(options.balance ?? 10_000n * ether).toString(16)}`;
    const fund = async (): Promise<FundedAccount> => {
      const wallet = ethers.Wallet.createRandom();
      await provider.request({ method: 'hardhat_setBalance', params: [wallet.address, balance] });
      return { address: wallet.address, privateKey: wallet.privateKey };
    };
    const deployer = await fund();
    const accounts: FundedAccount[] = [];
    for (let index = 0; index < (options.accounts ?? 3); index++) accounts.push(await fund());

    const connect = async (account: FundedAccount, contracts: Record<string, { address: string; abi: Abi }> = {}) => {
      const ledger = await ethereum.connectEthereum({
        ...options.connect,
        provider: provider as never,
        account: account.privateKey,
        contracts,
      });
      ledgers.push(ledger as EthereumLedger);
      return ledger as EthereumLedger;
    };
    const ledger = await connect(deployer);
    const { contract, receipt } = await ledger.deploy(artifact, (options.args ?? []) as ConstructorArgs<TAbi>);
    const registered = { [contract.name]: { address: contract.address, abi: contract.abi as Abi } };
    const ledgerAs = async (account: FundedAccount | number) => {
      const chosen = typeof account === 'number' ? accounts[account] : account;
      if (chosen === undefined) {
        throw new LedgerError('INVALID_ARGUMENT', `no funded account ${String(account)}`, {
          details: { accounts: accounts.length },
        });
      }
      return connect(chosen, registered);
    };
    return {
      ledger,
      contract,
      deployment: receipt,
      deployer,
      accounts,
      provider: provider as HardhatFixture['provider'],
      ledgerAs,
      contractAs: async (account) => (await ledgerAs(account)).contract<TAbi>(contract.name),
      snapshot: async () => {
        const id = await provider.request({ method: 'evm_snapshot', params: [] });
        return async () => {
          // The ledgers count nonces locally; a reverted chain would refuse their next send
          // ("nonce too high"), so every account keeps the nonce it has now.
          const nonces = await Promise.all(
            [deployer, ...accounts].map(async ({ address }) => ({
              address,
              nonce: await provider.request({ method: 'eth_getTransactionCount', params: [address, 'latest'] }),
            })),
          );
          const reverted = await provider.request({ method: 'evm_revert', params: [id] });
          if (reverted !== true) throw new LedgerError('INTERNAL', `evm_revert to snapshot ${String(id)} failed`);
          for (const { address, nonce } of nonces) {
            await provider.request({ method: 'hardhat_setNonce', params: [address, nonce] });
          }
        };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function readArtifact(hre: { artifacts: ArtifactManager }, name: string): Promise<ContractArtifact> {
  if (!(await hre.artifacts.artifactExists(name))) {
    throw new LedgerError('NOT_FOUND', `no Hardhat artifact of ${name}; compile the contracts first (hardhat build)`, {
      details: { contract: name },
    });
  }
  const artifact = await hre.artifacts.readArtifact(name);
  return { abi: artifact.abi as Abi, bytecode: artifact.bytecode, contractName: artifact.contractName };
}

async function load<T>(name: string, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && String(error).includes(`'${name}'`)) {
      throw new LedgerError('UNSUPPORTED', `@ledgerkit/testing/hardhat needs ${name}: npm install -D ${name}`, {
        cause: error,
      });
    }
    throw error;
  }
}
