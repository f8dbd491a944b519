// SupplyChain.sol on Hardhat's in-process EDR chain, one Ledger per account: the chain the
// scenario's test, the demo and the web app each start.
import type { TrustAnchor } from '@ledgerkit/core';
import { connectEthereum, type EthereumLedger } from '@ledgerkit/ethereum';
import { type Eip1193Provider, getAddress } from 'ethers';
import type { Role } from './domain.ts';
import { deploySupplyChainContract } from './ethereum-deploy.ts';
import { ethereumSupplyChain } from './ethereum-supply-chain.ts';
import type { SupplyChain } from './port.ts';

/** One account of {@link EdrSupplyChain}, granted its role at deployment. */
export interface EdrParty {
  /** The account's address, checksummed. */
  account: string;
  /** The account's own Ledger, with the contract registered as `SupplyChain`. */
  ledger: EthereumLedger;
  /** The port acting as this account. */
  supplyChain: SupplyChain;
}

/** A running EDR chain with SupplyChain.sol deployed. */
export interface EdrSupplyChain<Parties extends readonly EdrParty[] = readonly EdrParty[]> {
  /** The chain's EIP-1193 provider. */
  provider: Eip1193Provider;
  /** One party per role asked for, in the same order (accounts 1, 2, …; account 0 is the admin). */
  parties: Parties;
  /**
   * The block hash an auditor reads itself (in production: from its own node or a light client).
   *
   * @returns an `ethereum-block` anchor for the chain's current head
   */
  headAnchor(): Promise<Extract<TrustAnchor, { type: 'ethereum-block' }>>;
  /** Closes every account's Ledger and the chain. */
  stop(): Promise<void>;
}

/**
 * Starts an in-process EDR chain, deploys SupplyChain.sol from account 0 and grants account
 * `i + 1` the role `roles[i]`.
 *
 * @param roles - the role of each party, in order
 * @returns the chain and its parties; call `stop()` when done
 * @throws Error when the chain has too few accounts, LedgerError when the deployment fails
 * (whatever started is stopped then)
 */
export async function startEdrSupplyChain<const Roles extends readonly Role[]>(
  roles: Roles,
): Promise<EdrSupplyChain<{ [K in keyof Roles]: EdrParty }>> {
  // Loaded here, not at the top: the other backends' users need not load Hardhat.
  const { createHardhatRuntimeEnvironment } = await import('hardhat/hre');
  const hre = await createHardhatRuntimeEnvironment({});
  const connection = await hre.network.create();
  const provider = connection.provider as unknown as Eip1193Provider;
  const ledgers: EthereumLedger[] = [];
  const stop = async () => {
    let failure: unknown;
    for (const ledger of ledgers) await ledger.close().catch((error: unknown) => (failure ??= error));
    await connection.close();
    if (failure !== undefined) throw failure;
  };
  try {
    const accounts = (await provider.request({ method: 'eth_accounts', params: [] })) as string[];
    if (accounts.length <= roles.length)
      throw new Error(`EDR has ${accounts.length} accounts, ${roles.length + 1} needed`);
    const admin = await connectEthereum({ provider, account: 0 });
    ledgers.push(admin);
    const granted = roles.map((role, index) => ({ account: getAddress(accounts[index + 1] as string), role }));
    const { address, abi } = await deploySupplyChainContract(
      admin,
      Object.fromEntries(granted.map(({ account, role }) => [account, role])),
    );
    const parties: EdrParty[] = [];
    for (const [index, { account }] of granted.entries()) {
      const ledger = await connectEthereum({
        provider,
        account: index + 1,
        contracts: { SupplyChain: { address, abi } },
      });
      ledgers.push(ledger);
      parties.push({ account, ledger, supplyChain: await ethereumSupplyChain(ledger) });
    }
    return {
      provider,
      parties: parties as unknown as { [K in keyof Roles]: EdrParty },
      async headAnchor() {
        const head = (await provider.request({ method: 'eth_getBlockByNumber', params: ['latest', false] })) as {
          number: string;
          hash: string;
        };
        return { type: 'ethereum-block', number: Number(BigInt(head.number)), hash: head.hash };
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
