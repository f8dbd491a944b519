import type { PeerSystem } from '../peer-system.ts';
import { benchDocument, preloadBatch } from '../peer-system.ts';
import { ImmudbClient, type ImmudbState } from './client.ts';
import { txHeaderAlh, verifyEntry, verifyStateConsistency } from './verify.ts';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const database = 'bench';
const databaseSettings = { maxConcurrency: { value: 128 } };

/** immudb through its gRPC API: documents are JSON values under keys. */
export class ImmudbSystem implements PeerSystem {
  readonly info;
  serverPid?: number;
  readonly #address: string;
  readonly #protoDir: string;
  #clients: ImmudbClient[];
  #trusted: ImmudbState | undefined;
  #old: ImmudbState | undefined;
  #historyKey = Buffer.from('history:doc');

  private constructor(address: string, protoDir: string, client: ImmudbClient, flags: string[], version: string) {
    this.#address = address;
    this.#protoDir = protoDir;
    this.#clients = [client];
    this.info = {
      id: 'immudb',
      label: `immudb ${version} (gRPC)`,
      version,
      settings: {
        flags: flags.filter((f) => !f.startsWith('--dir=')).join(' '),
        transport: 'gRPC, one HTTP/2 connection per client',
        synced: true,
      },
    };
  }

  /**
   * Creates the benchmark's database and connects the first client. immudb admits 30
   * concurrent transactions per database by default and refuses more ("max concurrency
   * limit exceeded"), so the database allows 128 for the 64-client workload.
   */
  static async connect(address: string, protoDir: string, flags: string[], version: string): Promise<ImmudbSystem> {
    const client = await ImmudbClient.connect({ address, protoDir, database, createWith: databaseSettings });
    return new ImmudbSystem(address, protoDir, client, flags, version);
  }

  #client(index = 0): ImmudbClient {
    return this.#clients[index % this.#clients.length] as ImmudbClient;
  }

  async openClients(count: number): Promise<void> {
    while (this.#clients.length < count) {
      this.#clients.push(await ImmudbClient.connect({ address: this.#address, protoDir: this.#protoDir, database }));
    }
  }

  async writeOne(client: number, sequence: number): Promise<void> {
    await this.#client(client).set([{ key: Buffer.from(`w:${sequence}`), value: json(benchDocument(sequence)) }]);
  }

  async writeBatch(sequence: number, size: number): Promise<void> {
    const entries = Array.from({ length: size }, (_, i) => ({
      key: Buffer.from(`b:${sequence}:${i}`),
      value: json(benchDocument(i)),
    }));
    await this.#client().set(entries);
  }

  async preloadReads(count: number): Promise<void> {
    for (let start = 0; start < count; start += preloadBatch) {
      const size = Math.min(preloadBatch, count - start);
      await this.#client().set(
        Array.from({ length: size }, (_, i) => ({
          key: Buffer.from(`r:${start + i}`),
          value: json(benchDocument(start + i)),
        })),
      );
    }
    // Trust on first use, as immudb's clients (and ledgerdb's) do without a signing key:
    // the header is fetched and its Alh recomputed, so the state is self-consistent.
    const { txId } = await this.#client().currentState();
    const { tx } = await this.#client().verifiableTxById(txId, txId);
    this.#trusted = { txId, txHash: txHeaderAlh(tx.header) };
  }

  async verifiedRead(index: number): Promise<void> {
    const key = Buffer.from(`r:${index}`);
    const trusted = this.#trusted as ImmudbState;
    const answer = await this.#client().verifiableGet(key, trusted.txId);
    const { value } = verifyEntry(key, answer, trusted);
    if ((JSON.parse(value.toString()) as { n: number }).n !== index) throw new Error('verified read: wrong document');
  }

  async prepareHistory(revisions: number): Promise<void> {
    for (let v = 0; v < revisions; v++)
      await this.#client().set([{ key: this.#historyKey, value: json(benchDocument(v)) }]);
  }

  async history(): Promise<number> {
    return (await this.#client().history(this.#historyKey, 1000)).length;
  }

  async markOldState(): Promise<void> {
    this.#old = this.#trusted;
  }

  async consistencyCheck(): Promise<void> {
    const old = this.#old as ImmudbState;
    const { txId } = await this.#client().currentState();
    const { dualProof } = await this.#client().verifiableTxById(txId, old.txId);
    const target = dualProof.targetTxHeader;
    if (!target) throw new Error('consistency: no target header');
    if (!verifyStateConsistency(old, { txId, txHash: txHeaderAlh(target) }, dualProof)) {
      throw new Error('consistency proof does not verify');
    }
  }

  async close(): Promise<void> {
    for (const client of this.#clients) client.close();
    this.#clients = [];
  }
}
