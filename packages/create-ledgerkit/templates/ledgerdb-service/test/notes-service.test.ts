// Starts the notes service on a real HTTP port over a ledger in a temporary SQLite file, and
// checks its answers the way a client that does not trust the service would: proofs are
// verified with @ledgerkit/ledgerdb/verify against a signed digest the client pinned.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LedgerDatabase, openLedgerDatabase } from '@ledgerkit/ledgerdb';
import {
  type Digest,
  type RevisionProof,
  verifyDigestSignature,
  verifyRevisionProof,
} from '@ledgerkit/ledgerdb/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNotesTable, notesService } from '../src/notes-service.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
let dir: string;
let ledger: LedgerDatabase;
let server: ReturnType<typeof notesService>;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notes-service-'));
  ledger = await openLedgerDatabase({ path: join(dir, 'notes.ledger'), signingKey: privateKey });
  await ensureNotesTable(ledger);
  server = notesService(ledger);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await ledger?.close();
  await rm(dir, { recursive: true, force: true });
});

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

describe('notes service', () => {
  it('stores a note and proves it against a signed digest the client verifies', async () => {
    const created = await call<{ id: string }>('POST', '/notes', { text: 'pallet 42 left the warehouse' });
    expect(created.status).toBe(201);
    const digest = (await call<Digest>('GET', '/digest')).body;
    expect(verifyDigestSignature(digest, publicKey)).toBe(true);

    const proof = (await call<RevisionProof>('GET', `/notes/${created.body.id}/proof?version=0`)).body;
    const result = verifyRevisionProof(proof, digest, { publicKey });
    expect(result.ok).toBe(true);
    expect(proof.revision.data).toEqual({ text: 'pallet 42 left the warehouse' });
  });

  it('proves an old revision against a digest pinned before the update', async () => {
    const { body: note } = await call<{ id: string }>('POST', '/notes', { text: 'first' });
    const pinned = (await call<Digest>('GET', '/digest')).body;
    const updated = await call<{ version: number }>('PUT', `/notes/${note.id}`, { text: 'second' });
    expect(updated.body.version).toBe(1);
    expect((await call('GET', `/notes/${note.id}`)).body).toEqual({ text: 'second' });

    const old = (await call<RevisionProof>('GET', `/notes/${note.id}/proof?version=0&treeSize=${pinned.treeSize}`))
      .body;
    expect(verifyRevisionProof(old, pinned).ok).toBe(true);
    expect((await call<unknown[]>('GET', `/notes/${note.id}/history`)).body).toHaveLength(2);
  });

  it('a changed note fails verification with a named check', async () => {
    const { body: note } = await call<{ id: string }>('POST', '/notes', { text: 'temperature 4 C' });
    const digest = (await call<Digest>('GET', '/digest')).body;
    const proof = (await call<RevisionProof>('GET', `/notes/${note.id}/proof?version=0`)).body;
    const forged = { ...proof, revision: { ...proof.revision, data: { text: 'temperature 9 C' } } };
    const result = verifyRevisionProof(forged, digest);
    expect(result.ok).toBe(false);
    expect(result.checks.filter((check) => !check.ok).map((check) => check.name)).toContain('data-hash');
  });

  it('rejects a digest signed by another key', async () => {
    const digest = (await call<Digest>('GET', '/digest')).body;
    expect(verifyDigestSignature(digest, generateKeyPairSync('ed25519').publicKey)).toBe(false);
  });

  it('answers 404 for a missing note and 400 for a bad body', async () => {
    expect((await call('GET', '/notes/nope')).status).toBe(404);
    expect((await call('POST', '/notes', { title: 'no text' })).status).toBe(400);
  });
});
