// Writes the golden receipt vectors in testdata/receipts/ from real embedded ledgers:
// valid receipts and revisions with their evidence and a signed digest as anchor, and
// tampered copies, each naming the check that must fail. Run after a build:
//   npm run build && node scripts/generate-receipt-vectors.ts
// The vectors are kept forever: later verifiers must accept the valid ones and reject the
// tampered ones, so a vector file that exists is never rewritten: running this again only
// adds vectors. The first set comes from journal format 1 ledgers (revision leaves hold the
// data), the `*-v2-*` set from format 2 (leaves hold the data's hash; one revision redacted).
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonObject, Receipt, Revision, TrustAnchor, VerificationBundle } from '@ledgerkit/core';
import { asLedger, openLedgerDatabase } from '@ledgerkit/ledgerdb';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'testdata', 'receipts');
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

interface Vector {
  description: string;
  bundle: VerificationBundle;
  anchor?: TrustAnchor;
  expect: { ok: boolean; failing?: string[] };
}

const flipFirstByte = (hex: string) =>
  (Number.parseInt(hex.slice(0, 2), 16) ^ 1).toString(16).padStart(2, '0') + hex.slice(2);
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

async function ledgerWithWrites(name: string, journalFormat: 1 | 2 = 1) {
  const database = await openLedgerDatabase({ name, signingKey: privateKey, journalFormat });
  await database.createTable('shipments');
  const ledger = asLedger(database);
  const receipts: Receipt[] = [];
  receipts.push(await ledger.submit({ method: 'insert', args: ['shipments', { sku: 'A-1', qty: 5 }, { id: 'p1' }] }));
  receipts.push(await ledger.submit({ method: 'update', args: ['shipments', 'p1', { sku: 'A-1', qty: 7 }] }));
  receipts.push(await ledger.submit({ method: 'insert', args: ['shipments', { sku: 'B-2', qty: 1 }, { id: 'p2' }] }));
  return { database, ledger, receipts };
}

const main = await ledgerWithWrites('golden');
const other = await ledgerWithWrites('golden-other');
// Commits after the receipts: the anchor is a later digest, reached by a consistency proof.
for (let i = 0; i < 5; i++) {
  await main.ledger.submit({ method: 'insert', args: ['shipments', { sku: `later-${i}`, qty: i }, { id: `l${i}` }] });
}
const digest = (await main.database.digest()) as unknown as JsonObject;
const anchor: TrustAnchor = { type: 'ledgerdb-digest', digest, publicKey: publicKeyPem };

const receipt = main.receipts[1] as Receipt;
const receiptBundle = await main.ledger.evidence(receipt);
const [, revision] = (await main.ledger.history('shipments/p1')) as Revision[];
const revisionBundle = await main.ledger.evidence(revision as Revision);
// A receipt as written before format versions and commit-time proofs: no `version`, no
// `treeSize`/`auditPath`; its evidence carries an inclusion proof instead.
const { version: _version, ...legacy } = clone(receipt);
const { treeSize: _size, auditPath: _path, ...legacyProof } = legacy.proof as JsonObject;
const legacyReceipt = { ...legacy, proof: legacyProof } as Receipt;
const legacyBundle = await main.ledger.evidence(legacyReceipt);
const foreign = other.receipts[1] as Receipt;

const vectors: Record<string, Vector> = {
  'valid-receipt': {
    description: 'a commit receipt with its commit-time proof, a consistency proof to a later signed digest',
    bundle: receiptBundle,
    anchor,
    expect: { ok: true },
  },
  'valid-revision': {
    description: 'a history revision (value and receipt) against the signed digest',
    bundle: revisionBundle,
    anchor,
    expect: { ok: true },
  },
  'valid-legacy-receipt': {
    description: 'a receipt without format version or commit-time proof (read as version 1)',
    bundle: legacyBundle,
    anchor,
    expect: { ok: true },
  },
  'valid-no-anchor': {
    description: "a commit receipt verified against the evidence's own digest (anchor.explicit false)",
    bundle: receiptBundle,
    expect: { ok: true },
  },
  'tampered-value': {
    description: 'the revision with one value changed',
    bundle: { ...clone(revisionBundle), subject: { ...clone(revision as Revision), value: { sku: 'A-1', qty: 8 } } },
    anchor,
    expect: { ok: false, failing: ['revision-data'] },
  },
  'tampered-position': {
    description: 'the receipt moved to another block',
    bundle: { ...clone(receiptBundle), subject: { ...clone(receipt), position: { block: 2, index: 0 } } },
    anchor,
    expect: { ok: false, failing: ['block-position'] },
  },
  'tampered-other-ledger': {
    description: "a valid receipt of another ledger, with this ledger's evidence and anchor for its position",
    bundle: { ...(await main.ledger.evidence(foreign)), subject: foreign },
    anchor,
    expect: { ok: false, failing: ['ledger', 'block-hash'] },
  },
  'tampered-truncated-proof': {
    description: "the receipt's commit-time audit path without its last hash",
    bundle: {
      ...clone(receiptBundle),
      subject: {
        ...clone(receipt),
        proof: {
          ...clone(receipt.proof as JsonObject),
          auditPath: ((receipt.proof as JsonObject).auditPath as string[]).slice(0, -1),
        },
      },
    },
    anchor,
    expect: { ok: false, failing: ['proof-format', 'inclusion-proof'] },
  },
  'tampered-anchor-type': {
    description: 'an Ethereum block as the anchor of a ledgerdb receipt',
    bundle: receiptBundle,
    anchor: { type: 'ethereum-block', number: 1, hash: `0x${'ab'.repeat(32)}` },
    expect: { ok: false, failing: ['anchor-type'] },
  },
  'tampered-bad-signature': {
    description: 'the anchor digest with one byte of its signature changed',
    bundle: receiptBundle,
    anchor: { ...anchor, digest: { ...digest, signature: flipFirstByte(digest.signature as string) } },
    expect: { ok: false, failing: ['digest-signature'] },
  },
};

// Journal format 2: the same writes, then revision 0 of p1 redacted.
const v2 = await ledgerWithWrites('golden-v2', 2);
await v2.database.redactRevision('shipments', 'p1', 0);
for (let i = 0; i < 3; i++) {
  await v2.ledger.submit({ method: 'insert', args: ['shipments', { sku: `later-${i}`, qty: i }, { id: `l${i}` }] });
}
const v2Digest = (await v2.database.digest()) as unknown as JsonObject;
const v2Anchor: TrustAnchor = { type: 'ledgerdb-digest', digest: v2Digest, publicKey: publicKeyPem };
const v2Receipt = v2.receipts[1] as Receipt;
const v2ReceiptBundle = await v2.ledger.evidence(v2Receipt);
const [v2Redacted, v2Revision] = (await v2.ledger.history('shipments/p1')) as Revision[];
const v2RevisionBundle = await v2.ledger.evidence(v2Revision as Revision);
const v2RedactedBundle = await v2.ledger.evidence(v2Redacted as Revision);
const v2Evidence = v2RevisionBundle.evidence as JsonObject;
const v2Body = v2Evidence.revision as JsonObject;

Object.assign(vectors, {
  'valid-v2-receipt': {
    description:
      'journal format 2: a commit receipt, its revision bodies carrying dataHash, against a later signed digest',
    bundle: v2ReceiptBundle,
    anchor: v2Anchor,
    expect: { ok: true },
  },
  'valid-v2-revision': {
    description: 'journal format 2: a history revision whose data hashes to the dataHash its leaf commits to',
    bundle: v2RevisionBundle,
    anchor: v2Anchor,
    expect: { ok: true },
  },
  'valid-v2-redacted-revision': {
    description: 'journal format 2: a redacted revision (dataHash, no data; value null, not deleted) still verifies',
    bundle: v2RedactedBundle,
    anchor: v2Anchor,
    expect: { ok: true },
  },
  'tampered-v2-data': {
    description: 'journal format 2: the value and the evidence body data changed alike, dataHash kept',
    bundle: {
      ...clone(v2RevisionBundle),
      subject: { ...clone(v2Revision as Revision), value: { sku: 'A-1', qty: 8 } },
      evidence: { ...clone(v2Evidence), revision: { ...clone(v2Body), data: { sku: 'A-1', qty: 8 } } },
    },
    anchor: v2Anchor,
    expect: { ok: false, failing: ['revision-data'] },
  },
  'tampered-v2-data-hash': {
    description: 'journal format 2: the evidence body with another dataHash',
    bundle: {
      ...clone(v2RevisionBundle),
      evidence: {
        ...clone(v2Evidence),
        revision: { ...clone(v2Body), dataHash: flipFirstByte(v2Body.dataHash as string) },
      },
    },
    anchor: v2Anchor,
    expect: { ok: false, failing: ['revision-hash'] },
  },
  'tampered-v2-redacted-as-deleted': {
    description: 'journal format 2: a redacted revision claimed to be a delete',
    bundle: { ...clone(v2RedactedBundle), subject: { ...clone(v2Redacted as Revision), deleted: true } },
    anchor: v2Anchor,
    expect: { ok: false, failing: ['revision-data'] },
  },
} satisfies Record<string, Vector>);

await mkdir(out, { recursive: true });
let written = 0;
for (const [name, vector] of Object.entries(vectors)) {
  const file = join(out, `${name}.json`);
  // Kept forever: an existing vector is never rewritten.
  if (existsSync(file)) continue;
  await writeFile(file, `${JSON.stringify(vector, null, 2)}\n`);
  written++;
}
await main.ledger.close();
await other.ledger.close();
await v2.ledger.close();
console.log(`wrote ${written} new vectors to ${out} (${Object.keys(vectors).length - written} kept as they were)`);
