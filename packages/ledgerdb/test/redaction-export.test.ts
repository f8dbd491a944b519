// Redaction and journal export on a real SQLite ledger file: redacted data leaves the file,
// proofs and audit still pass, tampering behind the ledger's back (changed data, a forged
// redaction, restored data) is found; exports verify offline, as JSON Lines and Ion, and a
// tampered, dropped or reordered line fails a named check.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { JsonObject, TrustAnchor } from '@ledgerkit/core';
import { beforeEach, describe, expect, test } from 'vitest';
import {
  asLedger,
  formatJournalExport,
  openLedgerDatabase,
  readJournalExport,
  verifyJournalExport as verifyFromRoot,
} from '../src/index.js';
import { verifyJournalExport } from '../src/verify.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
let path: string;

beforeEach(async () => {
  path = join(mkdtempSync(join(tmpdir(), 'ledgerdb-redact-')), 'people.ledger');
  const ledger = await openLedgerDatabase({ path, signingKey: privateKey });
  await ledger.createTable('people');
  await ledger.transaction((tx) => tx.insert('people', { name: 'Ada', ssn: 'SECRET-ADA', qty: 1.5 }, { id: 'p1' }));
  await ledger.transaction((tx) => tx.update('people', 'p1', { name: 'Ada' }));
  await ledger.transaction((tx) => tx.insert('people', { name: 'Bob', ssn: 'SECRET-BOB' }, { id: 'p2' }));
  await ledger.transaction((tx) => tx.update('people', 'p2', { name: 'Bob' }));
  await ledger.close();
});

const raw = (work: (db: DatabaseSync) => void) => {
  const db = new DatabaseSync(path);
  try {
    work(db);
  } finally {
    db.close();
  }
};

describe('redaction on a SQLite file', () => {
  test('the data leaves the file; history shows the hash; audit and proofs pass', async () => {
    const ledger = await openLedgerDatabase({ path });
    const before = await ledger.digest();
    await ledger.redactRevision('people', 'p1', 0);
    const [redacted] = await ledger.history('people', 'p1');
    expect(redacted).toMatchObject({ metadata: { version: 0 }, dataHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(redacted?.data).toBeUndefined();
    // The unified view: not a delete, its value gone.
    const [unified] = await asLedger(ledger).history('people/p1');
    expect(unified).toMatchObject({ value: null, deleted: false });
    expect((await asLedger(ledger).verify(unified as never)).ok).toBe(true);
    expect(await ledger.audit({ against: before })).toMatchObject({ ok: true, redacted: 1 });
    await ledger.close();
    const file = readFileSync(path);
    expect(file.includes('SECRET-ADA')).toBe(false);
    expect(file.includes('SECRET-BOB')).toBe(true);
  });

  test('changed data behind the ledger is found by audit and by the proof', async () => {
    raw((db) => db.prepare(`UPDATE leaves SET data = replace(data, 'SECRET-BOB', 'SECRET-EVE')`).run());
    const ledger = await openLedgerDatabase({ path });
    const audit = await ledger.audit();
    expect(audit.ok).toBe(false);
    expect(audit.firstMismatch?.reason).toMatch(/does not match its hash/);
    const { verifyRevisionProof } = await import('../src/index.js');
    const proof = await ledger.proof('people', 'p2', 0);
    const result = verifyRevisionProof(proof, await ledger.digest());
    expect(result.checks.find((check) => !check.ok)?.name).toBe('data-hash');
    await ledger.close();
  });

  test('a forged redaction (data deleted, nothing journaled) and restored data after a redaction are found', async () => {
    raw((db) => db.prepare(`UPDATE leaves SET data = NULL WHERE data LIKE '%SECRET-BOB%'`).run());
    let ledger = await openLedgerDatabase({ path });
    expect((await ledger.audit()).firstMismatch?.reason).toMatch(/no journaled redaction/);
    await ledger.close();

    path = join(mkdtempSync(join(tmpdir(), 'ledgerdb-redact-')), 'again.ledger');
    ledger = await openLedgerDatabase({ path });
    await ledger.createTable('people');
    await ledger.transaction((tx) => tx.insert('people', { ssn: 'X' }, { id: 'p1' }));
    await ledger.transaction((tx) => tx.update('people', 'p1', { ssn: 'Y' }));
    await ledger.redactRevision('people', 'p1', 0);
    await ledger.close();
    raw((db) => db.prepare(`UPDATE leaves SET data = '{"ssn":"X"}' WHERE leaf = 0`).run());
    ledger = await openLedgerDatabase({ path });
    expect((await ledger.audit()).firstMismatch?.reason).toMatch(/still stored/);
    await ledger.close();
  });
});

describe('journal export', () => {
  async function exported(
    options: Parameters<Awaited<ReturnType<typeof openLedgerDatabase>>['exportJournal']>[0] = {},
  ) {
    const ledger = await openLedgerDatabase({ path, signingKey: privateKey });
    if ((await ledger.revision('people', 'p1', 0)).data !== undefined) {
      await ledger.redactRevision('people', 'p1', 0);
      await ledger.transaction((tx) => tx.insert('people', { name: 'Cy' }, { id: 'p3' }));
    }
    const records = await ledger.exportJournal(options);
    const digest = await ledger.digest();
    await ledger.close();
    return { records, digest };
  }

  test('a whole journal and a range verify, as JSON Lines and as Ion text, against a pinned digest', async () => {
    const { records, digest } = await exported();
    const anchor: TrustAnchor = {
      type: 'ledgerdb-digest',
      digest: digest as unknown as JsonObject,
      publicKey: publicKeyPem,
    };
    const jsonl = formatJournalExport(records, 'jsonl');
    const ion = formatJournalExport(records, 'ion');
    expect(ion.startsWith('{')).toBe(true);
    expect(ion).not.toContain('{"');
    const results = [
      verifyJournalExport(jsonl, anchor),
      verifyFromRoot(readJournalExport(ion), anchor),
      verifyJournalExport(readJournalExport(jsonl)),
    ];
    for (const result of results) expect(result.checks.filter((check) => !check.ok)).toEqual([]);
    expect(results[0]?.anchor?.explicit).toBe(true);
    expect(results[2]?.anchor?.explicit).toBe(false);
    // The redacted revision is in the export as its hash only.
    expect(jsonl).not.toContain('SECRET-ADA');
    expect(jsonl).toContain('SECRET-BOB');

    const range = (await exported({ from: 2, to: 3 })).records;
    const header = range[0] as { fromSeq: number; toSeq: number; startNodes: string[] };
    expect(header).toMatchObject({ fromSeq: 2, toSeq: 3 });
    expect(header.startNodes.length).toBeGreaterThan(0);
    const result = verifyJournalExport(range);
    expect(result.checks.filter((check) => !check.ok)).toEqual([]);
  });

  test('a tampered, a dropped and a reordered line each fail a named check', async () => {
    const { records } = await exported({ from: 1 });
    const lines = formatJournalExport(records, 'jsonl').trimEnd().split('\n');
    const failing = (text: string[]) =>
      verifyJournalExport(text.join('\n'))
        .checks.filter((check) => !check.ok)
        .map((check) => check.name);
    expect(failing(lines)).toEqual([]);
    const bobIndex = lines.findIndex((line) => line.includes('SECRET-BOB'));
    const tampered = [...lines];
    tampered[bobIndex] = (tampered[bobIndex] as string).replace('SECRET-BOB', 'SECRET-EVE');
    expect(failing(tampered)).toContain('revision-data');
    const dropped = lines.filter((_, i) => i !== 2);
    expect(failing(dropped)).toContain('leaf-sequence');
    const reordered = [...lines];
    [reordered[2], reordered[3]] = [reordered[3] as string, reordered[2] as string];
    expect(failing(reordered)).toContain('leaf-sequence');
    // A line edited consistently (its hash recomputed) still breaks the root.
    const block = records.findIndex((record) => record.type === 'block');
    const edited = structuredClone(records);
    const target = edited[block] as { block: { txTime: string }; hash: string };
    target.block.txTime = '2000-01-01T00:00:00.000Z';
    const { leafHashOf } = await import('../src/index.js');
    target.hash = leafHashOf(target.block);
    expect(
      verifyJournalExport(edited)
        .checks.filter((check) => !check.ok)
        .map((check) => check.name),
    ).toContain('range-root');
    // The last line cut off, and a wrong anchor.
    expect(failing(lines.slice(0, -1))).toContain('export-format');
    const wrong: TrustAnchor = {
      type: 'ledgerdb-digest',
      digest: { ...(records.at(-1) as unknown as { digest: JsonObject }).digest, rootHash: 'ab'.repeat(32) },
    };
    expect(verifyJournalExport(lines.join('\n'), wrong).checks.find((check) => !check.ok)?.name).toBe('anchor');
  });

  test('bad ranges are typed errors', async () => {
    const ledger = await openLedgerDatabase({ path });
    await expect(ledger.exportJournal({ from: 9 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(ledger.exportJournal({ from: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(ledger.exportJournal({ to: new Date('x') })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const byTime = await ledger.exportJournal({ from: new Date(0), to: new Date() });
    expect(byTime[0]).toMatchObject({ fromSeq: 0, toSeq: 3 });
    await ledger.close();
  });
});
