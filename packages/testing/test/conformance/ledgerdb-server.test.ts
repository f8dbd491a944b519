import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isLedgerError, type JsonObject, type Receipt, type TrustAnchor } from '@ledgerkit/core';
import { asLedger, openLedgerDatabase } from '@ledgerkit/ledgerdb';
import { LedgerdbClient } from '@ledgerkit/ledgerdb/client';
import { postgresStorage } from '@ledgerkit/ledgerdb/postgres';
import { createToken, parseRoles } from '@ledgerkit/ledgerdb/server';
import { type PostgresServer, startPostgres } from '../../../../scripts/postgres-server.mjs';
import type { ConformanceBackend, ConformanceFactory } from '../../src/conformance/types.js';
import { runLedgerConformance } from '../../src/conformance.js';
import { ledgerdbWorkload } from '../fixtures/ledgerdb-workload.js';

// ledgerdb as a network service: `ledgerdb serve` as a separate process on a throwaway
// PostgreSQL, and the verifying LedgerdbClient (@ledgerkit/ledgerdb/client) as the Ledger.
// Restart stops that process and starts a new one on the same database; the rules of the
// service are a --rules module; identities are the server's bearer tokens.

const table = 'conformance';
const guarded = 'guarded';

const workload = ledgerdbWorkload(table, guarded);

const bin = join(dirname(fileURLToPath(import.meta.resolve('@ledgerkit/ledgerdb/package.json'))), 'bin', 'ledgerdb.js');
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const pinnedKey = publicKey.export({ type: 'spki', format: 'pem' }).toString();

interface Setup {
  dir: string;
  postgres: PostgresServer;
  tokens: Record<'admin' | 'reader' | 'auditor', string>;
  tokensFile: string;
  keyFile: string;
  rulesFile: string;
}

let setup: Setup | undefined;
let server: { child: ChildProcess; url: string; port: number } | undefined;
// The client opened last (open, reopen, restart), which close() closes.
let last: LedgerdbClient | undefined;

async function prepare(): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerkit-conformance-server-'));
  const postgres = await startPostgres();
  const tokensFile = join(dir, 'tokens.json');
  const token = async (name: string, roles: string[]) => (await createToken(tokensFile, name, parseRoles(roles))).token;
  const tokens = {
    admin: await token('admin', ['admin', 'read:*', 'write:*']),
    reader: await token('reader', ['read:*']),
    auditor: await token('auditor', ['auditor']),
  };
  const keyFile = join(dir, 'owner.pem');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const rulesFile = join(dir, 'rules.mjs');
  writeFileSync(
    rulesFile,
    `export default { ${guarded}: () => { throw new Error('the guarded table takes no writes'); } };\n`,
  );
  return { dir, postgres, tokens, tokensFile, keyFile, rulesFile };
}

/** Starts `ledgerdb serve` on the PostgreSQL database and waits for its listening line. */
async function startServer(s: Setup, port = 0): Promise<{ child: ChildProcess; url: string; port: number }> {
  const args = [
    bin,
    'serve',
    '--postgres',
    s.postgres.url,
    '--schema',
    'conformance',
    '--name',
    'main',
    '--tokens',
    s.tokensFile,
    '--signing-key',
    s.keyFile,
    '--rules',
    s.rulesFile,
    '--port',
    String(port),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`ledgerdb serve exited with ${code}: ${stderr}`)));
    lines.once('line', (line) => {
      try {
        resolve((JSON.parse(line) as { listening: string }).listening);
      } catch (error) {
        reject(error);
      }
    });
  });
  return { child, url, port: Number(new URL(url).port) };
}

/** SIGTERM, then waits for the graceful exit. */
async function stopServer(running: { child: ChildProcess }): Promise<void> {
  const { child } = running;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

async function connect(token: string): Promise<LedgerdbClient> {
  const running = server as { url: string };
  return LedgerdbClient.connect({ url: running.url, token, publicKey: pinnedKey, retry: { retries: 8 } });
}

const backendOf = (client: LedgerdbClient): ConformanceBackend => {
  last = client;
  return { ledger: client, workload };
};

const factory: ConformanceFactory = {
  open: async () => {
    setup = await prepare();
    server = await startServer(setup);
    const client = await connect(setup.tokens.admin);
    for (const name of [table, guarded]) {
      await client.createTable(name).catch((error: unknown) => {
        if (!isLedgerError(error, 'ALREADY_EXISTS')) throw error;
      });
    }
    return backendOf(client);
  },
  reopen: async (backend) => {
    await backend.ledger.close();
    return backendOf(await connect((setup as Setup).tokens.admin));
  },
  restart: async (backend) => {
    await backend.ledger.close();
    const port = (server as { port: number }).port;
    await stopServer(server as { child: ChildProcess });
    server = await startServer(setup as Setup, port);
    return backendOf(await connect((setup as Setup).tokens.admin));
  },
  unreachable: async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const client = new LedgerdbClient({
      url: `http://127.0.0.1:${port}`,
      token: (setup as Setup).tokens.admin,
      retry: { retries: 1, baseDelayMs: 10, maxDelayMs: 20 },
    });
    return { ledger: client, workload };
  },
  unauthorized: async () => ({ ledger: await connect((setup as Setup).tokens.reader), workload }),
  foreignReceipt: async (): Promise<Receipt> => {
    // Another ledger of the same kind: its own schema on the same PostgreSQL.
    const storage = postgresStorage({ connectionString: (setup as Setup).postgres.url, schema: 'other' });
    const other = await openLedgerDatabase({ storage, name: 'other' });
    try {
      if (!(await other.tables()).some((one) => one.name === table)) await other.createTable(table);
      const ledger = asLedger(other);
      return await ledger.submit(workload.write(`foreign-${Date.now()}`, { from: 'another ledger' }, false));
    } finally {
      await other.close();
    }
  },
  anchor: async (): Promise<TrustAnchor> => {
    // Out of band: an auditor's own connection, which checks the owner's signature.
    const auditor = await connect((setup as Setup).tokens.auditor);
    try {
      const digest = await auditor.digest();
      return { type: 'ledgerdb-digest', digest: { ...digest } as JsonObject, publicKey: pinnedKey };
    } finally {
      await auditor.close();
    }
  },
  close: async () => {
    await last?.close();
    if (server) await stopServer(server);
    if (setup) {
      await setup.postgres.stop();
      rmSync(setup.dir, { recursive: true, force: true });
    }
  },
};

runLedgerConformance('ledgerdb-server', factory);
