import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Receipt, Revision, TrustAnchor, VerificationBundle } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import { commitReceipt } from './internal/receipt.js';
import { asLedger } from './ledger-adapter.js';
import { openLedgerDatabase } from './ledger-database.js';
import { type LedgerdbEvidence, verifyLedgerdbReceipt } from './receipt-verifier.js';

interface Vector {
  description: string;
  bundle: VerificationBundle;
  anchor?: TrustAnchor;
  expect: { ok: boolean; failing?: string[] };
}

const directory = join(import.meta.dirname, '..', 'testdata', 'receipts');
const vectors = readdirSync(directory)
  .filter((file) => file.endsWith('.json'))
  .map((file) => [file, JSON.parse(readFileSync(join(directory, file), 'utf8')) as Vector] as const);

describe('golden receipt vectors (kept forever: every verifier version must agree)', () => {
  test('there are valid and tampered vectors', () => {
    expect(vectors.filter(([, v]) => v.expect.ok).length).toBeGreaterThanOrEqual(3);
    expect(vectors.filter(([, v]) => !v.expect.ok).length).toBeGreaterThanOrEqual(6);
    // Both journal formats: format 1 (leaves hold the data) and format 2 (leaves hold its hash).
    const v2 = vectors.filter(([file]) => file.includes('-v2-'));
    expect(v2.filter(([, v]) => v.expect.ok).length).toBeGreaterThanOrEqual(3);
    expect(v2.filter(([, v]) => !v.expect.ok).length).toBeGreaterThanOrEqual(3);
    expect(vectors.filter(([file]) => !file.includes('-v2-')).length).toBeGreaterThanOrEqual(10);
  });

  test.each(vectors)('%s', async (_file, vector) => {
    const result = await verifyLedgerdbReceipt(vector.bundle.subject, vector.bundle.evidence, vector.anchor);
    const failing = result.checks.filter((check) => !check.ok).map((check) => check.name);
    expect(result.ok, JSON.stringify(result.checks, null, 2)).toBe(vector.expect.ok);
    if (vector.expect.ok) {
      expect(failing).toEqual([]);
      expect(result.anchor).toMatchObject({ type: 'ledgerdb-digest', explicit: vector.anchor !== undefined });
    } else {
      for (const name of vector.expect.failing ?? []) expect(failing).toContain(name);
    }
  });
});

describe('verifyLedgerdbReceipt', () => {
  const valid = vectors.find(([file]) => file === 'valid-receipt.json')?.[1] as Vector;

  test('malformed subjects and evidence are failed named checks, never exceptions', async () => {
    const inputs: [unknown, unknown][] = [
      [null, null],
      [{}, {}],
      [{ backend: 'ledgerdb' }, 'not evidence'],
      [valid.bundle.subject, { ...valid.bundle.evidence, block: 42 }],
      [valid.bundle.subject, { ...valid.bundle.evidence, consistency: { oldSize: 'x', proof: [7] } }],
      [{ ...(valid.bundle.subject as Receipt), proof: { auditPath: 'nope', treeSize: -1 } }, valid.bundle.evidence],
      [{ ...(valid.bundle.subject as Receipt), version: 99 }, valid.bundle.evidence],
    ];
    for (const [subject, evidence] of inputs) {
      const result = await verifyLedgerdbReceipt(subject as Receipt, evidence as LedgerdbEvidence, valid.anchor);
      expect(result.ok).toBe(false);
      expect(result.checks.some((check) => !check.ok && check.name.length > 0)).toBe(true);
    }
  });

  // Found by the fault suite's fuzzer (packages/fault-suite): a null anchor threw a TypeError.
  test('a null anchor is no anchor: the served digest is used, and the result says so', async () => {
    const noAnchor = vectors.find(([file]) => file === 'valid-no-anchor.json')?.[1] as Vector;
    const result = await verifyLedgerdbReceipt(
      noAnchor.bundle.subject as Receipt,
      noAnchor.bundle.evidence as unknown as LedgerdbEvidence,
      null as unknown as undefined,
    );
    expect(result.ok).toBe(true);
    expect(result.anchor?.explicit).toBe(false);
  });

  test('an audit path of the wrong shape fails proof-format, named apart from a path that leads elsewhere', async () => {
    const receipt = valid.bundle.subject as Receipt;
    const proof = receipt.proof as { auditPath: string[]; treeSize: number };
    const failing = async (changed: Record<string, unknown>) => {
      const subject = { ...receipt, proof: { ...proof, ...changed } } as Receipt;
      const evidence = valid.bundle.evidence as unknown as LedgerdbEvidence;
      const result = await verifyLedgerdbReceipt(subject, evidence, valid.anchor);
      return result.checks.filter((check) => !check.ok).map((check) => check.name);
    };
    expect(await failing({})).toEqual([]);
    expect(await failing({ auditPath: proof.auditPath.slice(0, -1) })).toContain('proof-format');
    expect(await failing({ auditPath: [...proof.auditPath, 'ab'.repeat(32)] })).toContain('proof-format');
    expect(await failing({ auditPath: undefined })).toContain('proof-format');
    expect(await failing({ auditPath: proof.auditPath.map((hash) => hash.slice(2)) })).toContain('proof-format');
    const elsewhere = await failing({ auditPath: proof.auditPath.map(() => 'cd'.repeat(32)) });
    expect(elsewhere).not.toContain('proof-format');
    expect(elsewhere.length).toBeGreaterThan(0);
  });

  test('a receipt verifies against any later signed digest; a digest before it does not reach it', async () => {
    const database = await openLedgerDatabase({ name: 'later' });
    await database.createTable('t');
    const ledger = asLedger(database);
    const receipt = await ledger.submit({ method: 'insert', args: ['t', { n: 0 }, { id: 'a' }] });
    expect(receipt.version).toBe(1);
    const early = await database.digest();
    for (let i = 1; i < 20; i++) {
      await ledger.submit({ method: 'insert', args: ['t', { n: i }, { id: `d${i}` }] });
      const anchor: TrustAnchor = { type: 'ledgerdb-digest', digest: { ...(await database.digest()) } };
      const result = await ledger.verify(JSON.parse(JSON.stringify(receipt)), { anchor });
      expect(result.ok, JSON.stringify(result.checks)).toBe(true);
      expect(result.anchor?.explicit).toBe(true);
    }
    const implicit = await ledger.verify(receipt);
    expect(implicit).toMatchObject({ ok: true, anchor: { explicit: false } });
    // A receipt written after the anchor cannot be in the anchor's journal.
    const late = await ledger.submit({ method: 'insert', args: ['t', { n: 99 }, { id: 'late' }] });
    const result = await ledger.verify(late, { anchor: { type: 'ledgerdb-digest', digest: { ...early } } });
    expect(result.ok).toBe(false);
    // An anchor the journal never reached is a failed check too.
    const beyond = { ...(await database.digest()), treeSize: 10_000 };
    expect((await ledger.verify(receipt, { anchor: { type: 'ledgerdb-digest', digest: { ...beyond } } })).ok).toBe(
      false,
    );
    await ledger.close();
  });

  test('a revision and a deleted revision verify with their values; a changed value fails revision-data', async () => {
    const database = await openLedgerDatabase({ name: 'revisions' });
    await database.createTable('t');
    const ledger = asLedger(database);
    await ledger.submit({ method: 'insert', args: ['t', { n: 1 }, { id: 'a' }] });
    await ledger.submit({ method: 'delete', args: ['t', 'a'] });
    const history = (await ledger.history('t/a')) as Revision[];
    expect(history.map((revision) => revision.deleted)).toEqual([false, true]);
    for (const revision of history) {
      const bundle = await ledger.evidence(revision);
      expect((await verifyLedgerdbReceipt(bundle.subject, bundle.evidence)).ok).toBe(true);
      const changed = { ...revision, value: { n: 2 } };
      const result = await verifyLedgerdbReceipt(changed, bundle.evidence);
      expect(result.checks.find((check) => check.name === 'revision-data')?.ok).toBe(false);
    }
    await ledger.close();
  });
  test('a commit that only redacted has a receipt without revisions whose block records the redaction', async () => {
    const database = await openLedgerDatabase({ name: 'redacts' });
    await database.createTable('t');
    await database.transaction((tx) => tx.insert('t', { secret: 'x' }, { id: 'a' }));
    await database.transaction((tx) => tx.update('t', 'a', { secret: 'y' }));
    const summary = (await database.transaction((tx) => tx.redact('t', 'a', 0))).commit;
    if (!summary) throw new Error('the redaction committed nothing');
    const ledger = asLedger(database);
    const receipt = commitReceipt('redacts', summary);
    const bundle = await ledger.evidence(receipt);
    const good = await verifyLedgerdbReceipt(bundle.subject, bundle.evidence);
    expect(good.ok, JSON.stringify(good.checks.filter((check) => !check.ok))).toBe(true);
    expect(good.checks.find((check) => check.name === 'transaction')?.detail).toMatch(
      /which redacted t\/a@0 and wrote no revision/,
    );
    // The receipt's redactions are the block's: another revision named, or none, fails.
    for (const redactions of [[{ ...summary.redactions?.[0], version: 1 }], []]) {
      const forged = structuredClone(bundle.subject) as Receipt;
      (forged.proof as Record<string, unknown>).redactions = redactions;
      const result = await verifyLedgerdbReceipt(forged, bundle.evidence);
      expect(result.ok).toBe(false);
      expect(result.checks.find((check) => !check.ok)?.name).toBe('transaction');
    }
    // A receipt claiming no revisions for a block that has some does not verify.
    const write = (await database.transaction((tx) => tx.insert('t', { n: 1 }, { id: 'b' }))).commit;
    if (!write) throw new Error('the insert committed nothing');
    const empty = commitReceipt('redacts', { ...write, revisions: [] });
    const emptyBundle = await ledger.evidence(commitReceipt('redacts', write));
    expect((await verifyLedgerdbReceipt(empty, emptyBundle.evidence)).ok).toBe(false);
    await database.close();
  });

  test('a commit receipt binds its revisions: a forged table, id, version or leaf index fails a named check', async () => {
    const database = await openLedgerDatabase({ name: 'labels' });
    await database.createTable('t');
    const ledger = asLedger(database);
    await ledger.submit({ method: 'insert', args: ['t', { n: 0 }, { id: 'a' }] });
    const receipt = await ledger.submit({
      method: 'execute',
      args: [
        [
          { op: 'update', table: 't', id: 'a', data: { n: 1 } },
          { op: 'insert', table: 't', id: 'b', data: { n: 2 } },
        ],
      ],
    });
    const bundle = await ledger.evidence(receipt);
    const good = await verifyLedgerdbReceipt(bundle.subject, bundle.evidence);
    expect(good.ok, JSON.stringify(good.checks)).toBe(true);
    expect(good.checks.find((check) => check.name === 'revision-labels')?.detail).toMatch(/prove the labels of all 2/);
    const forgeries: [Record<string, unknown>, string][] = [
      [{ table: 'u' }, 'revision-labels'],
      [{ id: 'c' }, 'revision-labels'],
      [{ version: 0 }, 'revision-labels'],
      [{ leafIndex: 0 }, 'revision-leaves'],
    ];
    for (const [change, failing] of forgeries) {
      const subject = JSON.parse(JSON.stringify(bundle.subject)) as Receipt & {
        proof: { revisions: Record<string, unknown>[] };
      };
      Object.assign(subject.proof.revisions[0] as object, change);
      const result = await verifyLedgerdbReceipt(subject, bundle.evidence);
      expect(result.ok, JSON.stringify(change)).toBe(false);
      expect(result.checks.filter((check) => !check.ok).map((check) => check.name)).toContain(failing);
      // Evidence fetched for the forged receipt does not help it either (a label naming no
      // revision is a failed evidence check).
      expect((await ledger.verify(subject)).ok, JSON.stringify(change)).toBe(false);
    }
    // Evidence without revision bodies (the format before them) still verifies, and says what it left unproven.
    const { revisions: _omitted, ...older } = bundle.evidence as unknown as LedgerdbEvidence;
    const old = await verifyLedgerdbReceipt(bundle.subject, older);
    expect(old.ok).toBe(true);
    expect(old.checks.find((check) => check.name === 'revision-labels')?.detail).toMatch(/not/);
    // A body the backend withheld (a table the reader may not read) leaves that label
    // unproven, and the result says so; the others are still proven.
    const withheld = structuredClone(bundle.evidence) as unknown as LedgerdbEvidence;
    (withheld.revisions as unknown[])[1] = null;
    const partial = await verifyLedgerdbReceipt(bundle.subject, withheld);
    expect(partial.ok).toBe(true);
    expect(partial.checks.find((check) => check.name === 'revision-labels')?.detail).toMatch(/withheld revisions 1/);
    // Journal format 2: a body's leaf commits to its data's hash, so evidence whose body data
    // was changed fails revision-labels; a body without its data is a redacted one, and says so.
    const changedData = structuredClone(bundle.evidence) as unknown as LedgerdbEvidence;
    const second = (changedData.revisions as { data?: unknown; dataHash?: string }[])[1] as {
      data?: unknown;
      dataHash?: string;
    };
    expect(second.dataHash).toMatch(/^[0-9a-f]{64}$/);
    second.data = { n: 3 };
    const changed = await verifyLedgerdbReceipt(bundle.subject, changedData);
    expect(changed.ok).toBe(false);
    expect(changed.checks.find((check) => check.name === 'revision-labels')?.detail).toMatch(
      /revision body 1 is inconsistent: the data hashes to/,
    );
    delete second.data;
    expect((await verifyLedgerdbReceipt(bundle.subject, changedData)).ok).toBe(true);
    const forgedFirst = JSON.parse(JSON.stringify(bundle.subject)) as Receipt & {
      proof: { revisions: Record<string, unknown>[] };
    };
    (forgedFirst.proof.revisions[0] as Record<string, unknown>).id = 'c';
    expect((await verifyLedgerdbReceipt(forgedFirst, withheld)).ok).toBe(false);
    await ledger.close();
  });
});
