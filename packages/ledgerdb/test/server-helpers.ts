// Starts real ledger servers for tests: an in-process Fastify server listening on a free
// loopback port over a fresh SQLite ledger, with tokens created through the tokens file.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LedgerDatabase, openLedgerDatabase as openLedger } from '../src/index.js';
import {
  createServer,
  createToken,
  type LedgerServer,
  parseRoles,
  readTokensFile,
  type ServerOptions,
  TokenRegistry,
} from '../src/server.js';

export interface TestServer {
  url: string;
  dir: string;
  path: string;
  ledger: LedgerDatabase;
  server: LedgerServer;
  /** Token text by name. */
  tokens: Record<string, string>;
  close(): Promise<void>;
}

/** Default tokens: admin (everything), writer/reader on `orders`, auditor. */
export const defaultRoles: Record<string, string[]> = {
  admin: ['admin', 'read:*', 'write:*'],
  writer: ['read:orders', 'write:orders'],
  reader: ['read:orders'],
  auditor: ['auditor'],
  other: ['read:secrets', 'write:secrets'],
};

export async function startTestServer(
  options: {
    roles?: Record<string, string[]>;
    tables?: string[];
    path?: string;
    name?: string;
    server?: Partial<Omit<ServerOptions, 'ledger' | 'tokens'>>;
  } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerdb-server-'));
  const path = options.path ?? join(dir, 'test.ledger');
  const tokensPath = join(dir, 'tokens.json');
  const tokens: Record<string, string> = {};
  for (const [name, roles] of Object.entries(options.roles ?? defaultRoles)) {
    tokens[name] = (await createToken(tokensPath, name, parseRoles(roles))).token;
  }
  const ledger = await openLedger({ path, ...(options.name ? { name: options.name } : {}) });
  const existing = new Set((await ledger.tables()).map((table) => table.name));
  for (const table of options.tables ?? ['orders', 'secrets']) {
    if (!existing.has(table)) await ledger.createTable(table);
  }
  const registry = new TokenRegistry((await readTokensFile(tokensPath)).tokens);
  const server = await createServer({ ledger, tokens: registry, closeLedger: true, ...options.server });
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  return { url, dir, path, ledger, server, tokens, close: () => server.close() };
}

/** A JSON request with a bearer token; returns status, headers and parsed body. */
export async function api(
  base: string,
  method: string,
  path: string,
  options: {
    token?: string | undefined;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(new URL(path, base), { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}
