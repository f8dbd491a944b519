import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isLedgerError } from '@ledgerkit/core';
import type { LedgerDatabase } from '@ledgerkit/ledgerdb';

/** The table the service keeps its notes in. */
export const notesTable = 'notes';

/**
 * An HTTP service over a ledgerdb ledger. Clients never have to trust it: every note comes
 * with a proof they check against a digest they hold.
 *
 * - `POST /notes` `{ "text": "..." }` → `201 { id, version, txId }`
 * - `PUT /notes/:id` `{ "text": "..." }` → `200 { id, version, txId }`
 * - `GET /notes/:id` → the current note
 * - `GET /notes/:id/history` → every revision, oldest first
 * - `GET /digest` → the ledger's current (signed) digest
 * - `GET /notes/:id/proof?version=N[&treeSize=T]` → inclusion proof of revision N against the
 *   current digest, or against the digest of `treeSize` leaves the client already holds
 *
 * @param ledger - an open ledger with the notes table
 * @returns a server, not yet listening
 */
export function notesService(ledger: LedgerDatabase): Server {
  return createServer((request, response) => {
    handle(ledger, request, response).catch((error: unknown) => {
      const status =
        error instanceof SyntaxError || error instanceof BadRequest || isLedgerError(error, 'INVALID_ARGUMENT')
          ? 400
          : isLedgerError(error, 'NOT_FOUND')
            ? 404
            : 500;
      send(response, status, { error: error instanceof Error ? error.message : String(error) });
    });
  });
}

/**
 * Creates the notes table unless it exists.
 *
 * @param ledger - an open ledger
 */
export async function ensureNotesTable(ledger: LedgerDatabase): Promise<void> {
  const tables = await ledger.tables();
  if (!tables.some((table) => table.name === notesTable)) await ledger.createTable(notesTable);
}

async function handle(ledger: LedgerDatabase, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const [, resource, id, sub] = url.pathname.split('/');
  if (request.method === 'GET' && resource === 'digest' && id === undefined) {
    return send(response, 200, await ledger.digest());
  }
  if (resource !== 'notes') return send(response, 404, { error: `no route ${url.pathname}` });
  if (request.method === 'POST' && id === undefined) {
    const text = await readText(request);
    const { value, commit } = await ledger.transaction((tx) => tx.insert(notesTable, { text }));
    return send(response, 201, { id: value, version: 0, txId: commit?.txId });
  }
  if (id === undefined) return send(response, 404, { error: `no route ${request.method} ${url.pathname}` });
  if (request.method === 'PUT' && sub === undefined) {
    const text = await readText(request);
    const { value: found, commit } = await ledger.transaction(async (tx) => {
      if ((await tx.get(notesTable, id)) === undefined) return false;
      await tx.update(notesTable, id, { text });
      return true;
    });
    if (!found) return send(response, 404, { error: `no note ${id}` });
    const version = commit?.revisions.find((revision) => revision.id === id)?.version;
    return send(response, 200, { id, version, txId: commit?.txId });
  }
  if (request.method !== 'GET') return send(response, 405, { error: `${request.method} is not allowed here` });
  if (sub === undefined) {
    const { value: note } = await ledger.transaction((tx) => tx.get(notesTable, id));
    return note === undefined ? send(response, 404, { error: `no note ${id}` }) : send(response, 200, note);
  }
  if (sub === 'history') return send(response, 200, await ledger.history(notesTable, id));
  if (sub === 'proof') {
    const version = Number(url.searchParams.get('version') ?? '0');
    const treeSize = url.searchParams.get('treeSize');
    const digest = treeSize === null ? undefined : await digestOfSize(ledger, Number(treeSize));
    return send(response, 200, await ledger.proof(notesTable, id, version, digest));
  }
  return send(response, 404, { error: `no route ${url.pathname}` });
}

/** The digest the ledger had at `treeSize` leaves: proofs against a digest the client pinned. */
async function digestOfSize(ledger: LedgerDatabase, treeSize: number) {
  const current = await ledger.digest();
  return { ledger: current.ledger, treeSize, rootHash: await ledger.rootHashAt(treeSize), tip: null };
}

async function readText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: unknown };
  if (typeof body.text !== 'string') throw new BadRequest('body must be { "text": string }');
  return body.text;
}

/** A request the client got wrong: answered 400. */
class BadRequest extends Error {}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
