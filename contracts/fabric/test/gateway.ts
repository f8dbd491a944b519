// Test helper: the supply-chain contract through raw @hyperledger/fabric-gateway (the
// `native` objects of a @ledgerkit/fabric connection), as one identity, connected to its
// organization's gateway peer. Clients share a session that
// records every committed submit (transaction id, name, block), so tests can compare
// history and events with it, and that waits after each commit until every client's
// gateway peer has the block: a submit's commit status comes from one peer only, and the
// next call may go through another organization's peer.
import type { Contract, Network } from '@hyperledger/fabric-gateway';
import { connectFabric, type FabricLedger } from '@ledgerkit/fabric';
import type { IdentityFiles, OrganizationAccess } from '@ledgerkit/fabric-network';

/** One transaction that committed successfully. */
export interface CommittedTransaction {
  transactionId: string;
  name: string;
  args: string[];
  blockNumber: bigint;
}

/** What the clients of one test file share. */
export interface Session {
  readonly channel: string;
  readonly committed: CommittedTransaction[];
  readonly clients: SupplyChainClient[];
}

const decoder = new TextDecoder();

export class SupplyChainClient {
  readonly #ledger: FabricLedger;
  readonly #network: Network;
  readonly #contract: Contract;
  readonly #session: Session;
  /** Blocks the gateway peer has committed, as its filtered block events report them. */
  #height = 0n;
  #closeBlocks: (() => void) | undefined;

  /** The @ledgerkit/fabric ledger this client's gateway connection belongs to. */
  get ledger(): FabricLedger {
    return this.#ledger;
  }

  private constructor(ledger: FabricLedger, session: Session) {
    this.#ledger = ledger;
    this.#session = session;
    ({ network: this.#network, contract: this.#contract } = ledger.native);
  }

  /** Connects as `identity` (an MSP id and its certificate and key files) through `org`'s gateway peer. */
  static async connect(
    org: OrganizationAccess,
    identity: IdentityFiles & { mspId: string },
    session: Session,
  ): Promise<SupplyChainClient> {
    const ledger = await connectFabric({
      connectionProfile: org.connectionProfilePath,
      identity: {
        certificatePath: identity.certificatePath,
        privateKeyPath: identity.privateKeyPath,
        mspId: identity.mspId,
      },
      channel: session.channel,
      chaincode: 'supplychain',
      deadlines: { evaluateMs: 30_000, endorseMs: 60_000, submitMs: 30_000, commitStatusMs: 120_000 },
    });
    const supplyChain = new SupplyChainClient(ledger, session);
    await supplyChain.#followBlocks();
    session.clients.push(supplyChain);
    return supplyChain;
  }

  async #followBlocks(): Promise<void> {
    const blocks = await this.#network.getFilteredBlockEvents({ startBlock: 0n });
    this.#closeBlocks = () => blocks.close();
    void (async () => {
      try {
        for await (const block of blocks) this.#height = BigInt(block.getNumber()) + 1n;
      } catch {
        // Closed by close(); nothing more to follow.
      }
    })();
  }

  /** Waits until this client's gateway peer has committed block `blockNumber`. */
  async hasBlock(blockNumber: bigint, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#height <= blockNumber) {
      if (Date.now() > deadline) throw new Error(`the gateway peer did not commit block ${blockNumber} in time`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Chaincode events of the contract from `startBlock` on, as the gateway peer delivers them. */
  chaincodeEvents(startBlock: bigint) {
    return this.#network.getChaincodeEvents('supplychain', { startBlock });
  }

  /**
   * Submits and waits for the commit, then until every client's peer has the block; returns
   * the parsed result and records the transaction in the session.
   */
  async submit<T>(name: string, ...args: string[]): Promise<T> {
    const submitted = await whenDiscovered(() => this.#contract.submitAsync(name, { arguments: args }));
    const status = await submitted.getStatus();
    if (!status.successful) throw new Error(`${name} did not commit: validation code ${status.code}`);
    this.#session.committed.push({
      transactionId: submitted.getTransactionId(),
      name,
      args,
      blockNumber: status.blockNumber,
    });
    await Promise.all(this.#session.clients.map((client) => client.hasBlock(status.blockNumber)));
    return JSON.parse(decoder.decode(submitted.getResult())) as T;
  }

  /** Evaluates on the gateway peer; returns the parsed result. */
  async evaluate<T>(name: string, ...args: string[]): Promise<T> {
    const result = await whenDiscovered(() => this.#contract.evaluateTransaction(name, ...args));
    return JSON.parse(decoder.decode(result)) as T;
  }

  async close(): Promise<void> {
    this.#closeBlocks?.();
    await this.#ledger.close();
  }
}

/**
 * Retries while discovery has not yet learned, through gossip, which peers run the
 * just-deployed chaincode (gRPC FAILED_PRECONDITION = 9, without a chaincode response).
 */
async function whenDiscovered<T>(call: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      const message = String((error as Error).message);
      const discovering = (error as { code?: number }).code === 9 && !/chaincode response|\[[A-Z_]+\]/.test(message);
      if (!discovering || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * The contract's rejection code (`[FORBIDDEN] …` → `FORBIDDEN`) from a failed call, looked
 * for in the error message and in each endorsing peer's message.
 */
export async function rejectionOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    const details = (error as { details?: { message?: string }[] }).details ?? [];
    const texts = [String((error as Error).message), ...details.map((detail) => String(detail.message))];
    for (const text of texts) {
      const code = /\[([A-Z_]+)\]/.exec(text)?.[1];
      if (code) return code;
    }
    return `unexpected error: ${texts.join(' | ')}`;
  }
  return 'no rejection';
}
