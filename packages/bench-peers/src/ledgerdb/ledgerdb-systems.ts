import { join } from 'node:path';
import {
  type ConsistencyProof,
  type Digest,
  type DocumentRevision,
  type LedgerDatabase,
  openLedgerDatabase,
  type RevisionProof,
} from '@ledgerkit/ledgerdb';
import { verifyConsistencyProof, verifyRevisionProof } from '@ledgerkit/ledgerdb/verify';
import type { PeerSystem } from '../peer-system.ts';
import { benchDocument, preloadBatch } from '../peer-system.ts';
import { LedgerdbHttp } from './http.ts';
import type { LedgerdbServer } from './server.ts';

const table = 'docs';
const readId = (index: number) => `r-${index}`;
const historyId = 'history-doc';

function checkRead(proof: RevisionProof, digest: Digest, index: number): void {
  const verdict = verifyRevisionProof(proof, digest);
  if (!verdict.ok) throw new Error(`verified read: ${verdict.checks.filter((c) => !c.ok).map((c) => c.name)}`);
  if ((proof.revision.data as { n?: number } | undefined)?.n !== index)
    throw new Error('verified read: wrong document');
}

function checkConsistency(proof: ConsistencyProof, old: Digest, current: Digest): void {
  if (!verifyConsistencyProof(proof, old, current).ok) throw new Error('consistency proof does not verify');
}

/** ledgerdb embedded in this process (SQLite file, every commit fsynced). */
export class LedgerdbEmbedded implements PeerSystem {
  readonly info = {
    id: 'ledgerdb-embedded',
    label: 'ledgerdb (embedded)',
    version: '0.1.0',
    settings: { storage: 'SQLite WAL, synchronous=FULL', transport: 'in process', documentsPerTransaction: 1000 },
  };
  readonly #ledger: LedgerDatabase;
  #trusted: Digest | undefined;
  #old: Digest | undefined;

  private constructor(ledger: LedgerDatabase) {
    this.#ledger = ledger;
  }

  /** Opens a new ledger file in `dir` with its table. */
  static async open(dir: string): Promise<LedgerdbEmbedded> {
    const ledger = await openLedgerDatabase({
      path: join(dir, 'embedded.ledger'),
      limits: { documentsPerTransaction: 1000 },
    });
    await ledger.createTable(table);
    return new LedgerdbEmbedded(ledger);
  }

  async openClients(): Promise<void> {}

  async writeOne(_client: number, sequence: number): Promise<void> {
    await this.#ledger.transaction((tx) => tx.insert(table, benchDocument(sequence)));
  }

  async writeBatch(_sequence: number, size: number): Promise<void> {
    await this.#ledger.transaction(async (tx) => {
      for (let i = 0; i < size; i++) await tx.insert(table, benchDocument(i));
    });
  }

  async preloadReads(count: number): Promise<void> {
    for (let start = 0; start < count; start += preloadBatch) {
      await this.#ledger.transaction(async (tx) => {
        for (let i = start; i < Math.min(count, start + preloadBatch); i++) {
          await tx.insert(table, benchDocument(i), { id: readId(i) });
        }
      });
    }
    this.#trusted = await this.#ledger.digest();
  }

  async verifiedRead(index: number): Promise<void> {
    const digest = this.#trusted as Digest;
    checkRead(await this.#ledger.proof(table, readId(index), 0, digest), digest, index);
  }

  async prepareHistory(revisions: number): Promise<void> {
    await this.#ledger.transaction((tx) => tx.insert(table, benchDocument(0), { id: historyId }));
    for (let v = 1; v < revisions; v++) {
      await this.#ledger.transaction((tx) => tx.update(table, historyId, benchDocument(v)));
    }
  }

  async history(): Promise<number> {
    return (await this.#ledger.history(table, historyId)).length;
  }

  async markOldState(): Promise<void> {
    this.#old = this.#trusted;
  }

  async consistencyCheck(): Promise<void> {
    const old = this.#old as Digest;
    const current = await this.#ledger.digest();
    checkConsistency(await this.#ledger.consistencyProof(old, current), old, current);
  }

  async close(): Promise<void> {
    await this.#ledger.close();
  }
}

/** ledgerdb's HTTP server in its own process, reached over loopback HTTP/1.1 keep-alive. */
export class LedgerdbOverHttp implements PeerSystem {
  readonly info = {
    id: 'ledgerdb-server',
    label: 'ledgerdb serve (HTTP)',
    version: '0.1.0',
    settings: {
      storage: 'SQLite WAL, synchronous=FULL',
      transport: 'HTTP/1.1 keep-alive, one connection per client',
      documentsPerTransaction: 1000,
    },
  };
  readonly #server: LedgerdbServer;
  readonly serverPid: number;
  #clients: LedgerdbHttp[];
  #trusted: Digest | undefined;
  #old: Digest | undefined;

  private constructor(server: LedgerdbServer) {
    this.#server = server;
    this.serverPid = server.process.pid;
    this.#clients = [new LedgerdbHttp(server.url, server.token)];
  }

  /** Connects to a started server and creates the table. */
  static async connect(server: LedgerdbServer): Promise<LedgerdbOverHttp> {
    const system = new LedgerdbOverHttp(server);
    await system.#client().call('POST', '/v1/tables', { name: table });
    return system;
  }

  #client(index = 0): LedgerdbHttp {
    return this.#clients[index % this.#clients.length] as LedgerdbHttp;
  }

  async openClients(count: number): Promise<void> {
    while (this.#clients.length < count) this.#clients.push(new LedgerdbHttp(this.#server.url, this.#server.token));
  }

  async writeOne(client: number, sequence: number): Promise<void> {
    await this.#client(client).call('POST', '/v1/transactions', {
      statements: [{ op: 'insert', table, data: benchDocument(sequence) }],
    });
  }

  async writeBatch(_sequence: number, size: number): Promise<void> {
    const statements = Array.from({ length: size }, (_, i) => ({ op: 'insert', table, data: benchDocument(i) }));
    await this.#client().call('POST', '/v1/transactions', { statements });
  }

  async preloadReads(count: number): Promise<void> {
    for (let start = 0; start < count; start += preloadBatch) {
      const statements = [];
      for (let i = start; i < Math.min(count, start + preloadBatch); i++) {
        statements.push({ op: 'insert', table, id: readId(i), data: benchDocument(i) });
      }
      await this.#client().call('POST', '/v1/transactions', { statements });
    }
    this.#trusted = await this.#client().call<Digest>('GET', '/v1/digest');
  }

  async verifiedRead(index: number): Promise<void> {
    const digest = this.#trusted as Digest;
    const proof = await this.#client().call<RevisionProof>(
      'GET',
      `/v1/tables/${table}/documents/${readId(index)}/revisions/0/proof?treeSize=${digest.treeSize}`,
    );
    checkRead(proof, digest, index);
  }

  async prepareHistory(revisions: number): Promise<void> {
    await this.#client().call('POST', '/v1/transactions', {
      statements: [{ op: 'insert', table, id: historyId, data: benchDocument(0) }],
    });
    for (let v = 1; v < revisions; v++) {
      await this.#client().call('POST', '/v1/transactions', {
        statements: [{ op: 'update', table, id: historyId, data: benchDocument(v) }],
      });
    }
  }

  async history(): Promise<number> {
    const { revisions } = await this.#client().call<{ revisions: DocumentRevision[] }>(
      'GET',
      `/v1/tables/${table}/documents/${historyId}/history`,
    );
    return revisions.length;
  }

  async markOldState(): Promise<void> {
    this.#old = this.#trusted;
  }

  async consistencyCheck(): Promise<void> {
    const old = this.#old as Digest;
    const current = await this.#client().call<Digest>('GET', '/v1/digest');
    const proof = await this.#client().call<ConsistencyProof>(
      'GET',
      `/v1/consistency?from=${old.treeSize}&to=${current.treeSize}`,
    );
    checkConsistency(proof, old, current);
  }

  async close(): Promise<void> {
    for (const client of this.#clients) client.close();
    this.#clients = [];
  }
}
