// Runs the built `ledgerdb` command (bin/ledgerdb.js, which loads dist/cli.js) as a user
// would, against ledger files in a temporary directory. `turbo run test` builds first.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AuditReport, Digest, ExportedBlock, Revision, RevisionProof } from '../src/index.js';

const bin = fileURLToPath(new URL('../bin/ledgerdb.js', import.meta.url));
const builtCli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface CommitOutput {
  id: string;
  txId: string;
  seq: number;
  version: number;
  hash: string;
}

interface VerificationOutput {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

let directory: string;
let ledgerCount = 0;

/** Runs `node bin/ledgerdb.js ...args` in `cwd` (default: the temporary directory). */
function ledgerdb(args: readonly string[], cwd = directory): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [bin, ...args], { cwd }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** Runs a command that must succeed and parses its JSON output. */
async function json<T>(args: readonly string[], cwd = directory): Promise<T> {
  const run = await ledgerdb(args, cwd);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** A new ledger file with a `shipments` table; returns the `--db` arguments. */
async function newLedger(extra: readonly string[] = []): Promise<string[]> {
  ledgerCount++;
  const db = ['--db', join(directory, `ledger-${ledgerCount}.ledger`), ...extra];
  expect(await json([...db, 'create-table', 'shipments'])).toEqual({ table: 'shipments', indexes: [] });
  return db;
}

async function insert(db: readonly string[], document: object): Promise<CommitOutput> {
  return json<CommitOutput>([...db, 'insert', 'shipments', JSON.stringify(document)]);
}

beforeAll(async () => {
  if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: build the package first (npm run build)`);
  directory = await mkdtemp(join(tmpdir(), 'ledgerdb-cli-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('ledgerdb command', { timeout: 60_000 }, () => {
  test('--help lists the commands and the exit codes', async () => {
    const { code, stdout } = await ledgerdb(['--help']);
    expect(code).toBe(0);
    for (const command of ['create-table', 'insert', 'history', 'proof', 'verify-proof', 'audit', 'export']) {
      expect(stdout).toContain(command);
    }
    expect(stdout).toContain('Exit codes');
    expect(stdout).toMatch(/3 +verification failed/);
  });

  test('insert then get returns the document, and insert prints where it was committed', async () => {
    const db = await newLedger();
    const inserted = await insert(db, { sku: 'A-1', qty: 5, owner: { name: 'Acme' } });
    expect(Object.keys(inserted).sort()).toEqual(['hash', 'id', 'seq', 'txId', 'version']);
    expect(inserted).toMatchObject({ seq: 0, version: 0 });
    expect(inserted.id).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(inserted.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await json([...db, 'get', 'shipments', inserted.id])).toEqual({
      sku: 'A-1',
      qty: 5,
      owner: { name: 'Acme' },
    });
  });

  test('create-index adds the path to the table', async () => {
    const db = await newLedger();
    expect(await json([...db, 'create-index', 'shipments', 'owner.name'])).toEqual({
      table: 'shipments',
      indexes: ['owner.name'],
    });
  });

  test('update and delete make versions 1 and 2, and history shows all three', async () => {
    const db = await newLedger();
    const { id } = await insert(db, { sku: 'B', qty: 1 });
    const updated = await json<CommitOutput>([...db, 'update', 'shipments', id, '{"sku":"B","qty":2}']);
    expect(updated).toMatchObject({ id, seq: 1, version: 1 });
    expect(await json([...db, 'get', 'shipments', id])).toEqual({ sku: 'B', qty: 2 });
    const deleted = await json<CommitOutput>([...db, 'delete', 'shipments', id]);
    expect(deleted).toMatchObject({ id, seq: 2, version: 2 });

    const history = await json<Revision[]>([...db, 'history', 'shipments', id]);
    expect(history.map((revision) => revision.metadata.version)).toEqual([0, 1, 2]);
    expect(history.map((revision) => revision.data)).toEqual([{ sku: 'B', qty: 1 }, { sku: 'B', qty: 2 }, undefined]);
    expect(history.map((revision) => revision.hash)).toEqual([expect.any(String), updated.hash, deleted.hash]);

    const gone = await ledgerdb([...db, 'get', 'shipments', id]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toBe(`ledgerdb: document shipments/${id} does not exist [NOT_FOUND]\n`);
  });

  test('digest describes the journal: two leaves (revision and block) per single-document commit', async () => {
    const db = await newLedger();
    expect(await json<Digest>([...db, 'digest'])).toMatchObject({ treeSize: 0, tip: null });
    await insert(db, { sku: 'C' });
    const { txId, seq } = await insert(db, { sku: 'D' });
    const digest = await json<Digest>([...db, 'digest']);
    expect(digest).toMatchObject({ treeSize: 4, tip: { seq } });
    expect(digest.rootHash).toMatch(/^[0-9a-f]{64}$/);
    expect(digest.signature).toBeUndefined();
    expect(txId).toMatch(/^[0-9A-Za-z]{22}$/);
  });

  test('a proof verifies offline in a separate invocation without --db, touching no database', async () => {
    const db = await newLedger();
    const { id } = await insert(db, { sku: 'E', qty: 1 });
    await json([...db, 'update', 'shipments', id, '{"sku":"E","qty":2}']);
    await insert(db, { sku: 'F' });
    const proof = await json<RevisionProof>([...db, 'proof', 'shipments', id]);
    expect(proof.revision.metadata).toMatchObject({ id, version: 1 });
    const first = await json<RevisionProof>([...db, 'proof', 'shipments', id, '--version', '0']);
    expect(first.revision).toMatchObject({ data: { sku: 'E', qty: 1 }, metadata: { version: 0 } });
    const digest = await json<Digest>([...db, 'digest']);

    // The verifier runs in a directory holding only the two files it is given.
    const offline = join(directory, 'offline');
    await mkdir(offline);
    await writeFile(join(offline, 'proof.json'), JSON.stringify(proof));
    await writeFile(join(offline, 'digest.json'), JSON.stringify(digest));
    const verification = await json<VerificationOutput>(
      ['verify-proof', '--proof', 'proof.json', '--digest', 'digest.json'],
      offline,
    );
    expect(verification.ok).toBe(true);
    expect(verification.checks.map((check) => [check.name, check.ok])).toEqual([
      ['revision-hash', true],
      ['digest-match', true],
      ['inclusion-proof', true],
    ]);
    expect((await readdir(offline)).sort()).toEqual(['digest.json', 'proof.json']);
  });

  test('proof --digest proves against an earlier digest', async () => {
    const db = await newLedger();
    const { id } = await insert(db, { sku: 'G' });
    const digestFile = join(directory, `digest-${ledgerCount}.json`);
    await writeFile(digestFile, (await ledgerdb([...db, 'digest'])).stdout);
    await insert(db, { sku: 'H' });
    const proofFile = join(directory, `proof-${ledgerCount}.json`);
    const proof = await ledgerdb([...db, 'proof', 'shipments', id, '--digest', digestFile]);
    expect(proof.code).toBe(0);
    expect(JSON.parse(proof.stdout)).toMatchObject({ treeSize: 2 });
    await writeFile(proofFile, proof.stdout);
    expect(
      await json<VerificationOutput>(['verify-proof', '--proof', proofFile, '--digest', digestFile]),
    ).toMatchObject({ ok: true });
  });

  test('a proof whose revision data was changed fails verification with exit code 3', async () => {
    const db = await newLedger();
    const { id } = await insert(db, { sku: 'I', qty: 10 });
    const proof = await json<RevisionProof>([...db, 'proof', 'shipments', id]);
    const digestFile = join(directory, `digest-${ledgerCount}.json`);
    await writeFile(digestFile, (await ledgerdb([...db, 'digest'])).stdout);
    const tamperedFile = join(directory, `tampered-${ledgerCount}.json`);
    await writeFile(
      tamperedFile,
      JSON.stringify({ ...proof, revision: { ...proof.revision, data: { sku: 'I', qty: 1 } } }),
    );

    const run = await ledgerdb(['verify-proof', '--proof', tamperedFile, '--digest', digestFile]);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('');
    const verification = JSON.parse(run.stdout) as VerificationOutput;
    expect(verification.ok).toBe(false);
    expect(verification.checks.find((check) => check.name === 'revision-hash')?.ok).toBe(false);
    expect(verification.checks.find((check) => check.name === 'inclusion-proof')?.ok).toBe(false);
  });

  test('audit re-derives the journal and reports ok, also against a trusted digest', async () => {
    const db = await newLedger();
    const { id } = await insert(db, { sku: 'J' });
    await json([...db, 'delete', 'shipments', id]);
    const digestFile = join(directory, `digest-${ledgerCount}.json`);
    await writeFile(digestFile, (await ledgerdb([...db, 'digest'])).stdout);
    await insert(db, { sku: 'K' });
    const report = await json<AuditReport>([...db, 'audit']);
    expect(report).toMatchObject({ ok: true, treeSize: 6, blocks: 3, revisions: 3 });
    expect(await json<AuditReport>([...db, 'audit', '--against', digestFile])).toMatchObject({ ok: true });
  });

  test('export prints one JSON line per block, with its revisions', async () => {
    const db = await newLedger();
    const { id } = await insert(db, { sku: 'L' });
    await json([...db, 'update', 'shipments', id, '{"sku":"L","qty":3}']);
    await insert(db, { sku: 'M' });
    const run = await ledgerdb([...db, 'export']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    const blocks = lines.map((line) => JSON.parse(line) as ExportedBlock);
    const digest = await json<Digest>([...db, 'digest']);
    expect(blocks).toHaveLength((digest.tip?.seq ?? -1) + 1);
    expect(blocks.map((entry) => entry.block.seq)).toEqual([0, 1, 2]);
    expect(blocks.flatMap((entry) => entry.revisions.map((revision) => revision.metadata.id))[1]).toBe(id);
    expect(blocks.at(-1)?.block.hash).toBe(digest.tip?.blockHash);
  });

  describe('bad input exits 2 with one line naming the problem, and commits nothing', () => {
    const cases: [string, (db: string[], id: string) => string[], RegExp][] = [
      ['an unknown command', (db) => [...db, 'launch'], /unknown command 'launch'.*\[INVALID_ARGUMENT\]/],
      ['an unknown option', (db, id) => [...db, 'get', 'shipments', id, '--bogus'], /'--bogus'.*\[INVALID_ARGUMENT\]/],
      ['a missing argument', (db) => [...db, 'insert', 'shipments'], /missing argument JSON.*\[INVALID_ARGUMENT\]/],
      ['malformed JSON', (db) => [...db, 'insert', 'shipments', '{"sku":'], /malformed JSON.*\[INVALID_ARGUMENT\]/],
      [
        'a document that is not an object',
        (db) => [...db, 'insert', 'shipments', '[1]'],
        /JSON object.*\[INVALID_ARGUMENT\]/,
      ],
      [
        'an invalid table name',
        (db) => [...db, 'insert', 'ship-ments', '{}'],
        /table name "ship-ments".*\[INVALID_ARGUMENT\]/,
      ],
      ['an unknown table', (db) => [...db, 'insert', 'parcels', '{}'], /table parcels does not exist \[NOT_FOUND\]/],
      [
        'an unknown id to get',
        (db) => [...db, 'get', 'shipments', 'nope'],
        /shipments\/nope does not exist \[NOT_FOUND\]/,
      ],
      [
        'an unknown id to update',
        (db) => [...db, 'update', 'shipments', 'nope', '{}'],
        /shipments\/nope.*\[NOT_FOUND\]/,
      ],
      ['an unknown id to delete', (db) => [...db, 'delete', 'shipments', 'nope'], /shipments\/nope.*\[NOT_FOUND\]/],
      ['an unknown id to history', (db) => [...db, 'history', 'shipments', 'nope'], /shipments\/nope.*\[NOT_FOUND\]/],
      ['an unknown version to prove', (db, id) => [...db, 'proof', 'shipments', id, '--version', '9'], /\[NOT_FOUND\]/],
      [
        'a bad version',
        (db, id) => [...db, 'proof', 'shipments', id, '--version', 'x'],
        /--version.*\[INVALID_ARGUMENT\]/,
      ],
      ['an existing table', (db) => [...db, 'create-table', 'shipments'], /already exists \[ALREADY_EXISTS\]/],
      ['a missing --db', () => ['digest'], /digest needs --db FILE \[INVALID_ARGUMENT\]/],
      ['--db for verify-proof', (db) => [...db, 'verify-proof'], /takes no --db \[INVALID_ARGUMENT\]/],
    ];

    let db: string[];
    let id: string;
    let before: Digest;

    beforeAll(async () => {
      db = await newLedger();
      ({ id } = await insert(db, { sku: 'N' }));
      before = await json<Digest>([...db, 'digest']);
    });

    test.each(cases)('%s', async (_name, args, message) => {
      const run = await ledgerdb(args(db, id));
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^ledgerdb: [^\n]+ \[[A-Z_]+\]\n$/);
      expect(run.stderr).toMatch(message);
      const after = await json<Digest>([...db, 'digest']);
      expect(after).toEqual(before);
    });

    test('a command other than create-table does not create a missing database file', async () => {
      const missing = join(directory, 'missing.ledger');
      const run = await ledgerdb(['--db', missing, 'digest']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/missing\.ledger does not exist.*\[NOT_FOUND\]/);
      expect(existsSync(missing)).toBe(false);
    });
  });

  describe('signed digests', () => {
    let keys: { privateKey: string; publicKey: string; otherPublicKey: string };

    beforeAll(async () => {
      const owner = generateKeyPairSync('ed25519');
      const other = generateKeyPairSync('ed25519');
      keys = {
        privateKey: join(directory, 'owner.key.pem'),
        publicKey: join(directory, 'owner.pub.pem'),
        otherPublicKey: join(directory, 'other.pub.pem'),
      };
      await writeFile(keys.privateKey, owner.privateKey.export({ type: 'pkcs8', format: 'pem' }));
      await writeFile(keys.publicKey, owner.publicKey.export({ type: 'spki', format: 'pem' }));
      await writeFile(keys.otherPublicKey, other.publicKey.export({ type: 'spki', format: 'pem' }));
    });

    async function signedProofFiles(signed: boolean): Promise<{ proof: string; digest: string }> {
      const db = await newLedger(signed ? ['--signing-key', keys.privateKey] : []);
      const { id } = await insert(db, { sku: 'O' });
      const digest = await json<Digest>([...db, 'digest']);
      expect(digest.signature === undefined).toBe(!signed);
      const files = {
        proof: join(directory, `proof-${ledgerCount}.json`),
        digest: join(directory, `d-${ledgerCount}.json`),
      };
      await writeFile(files.digest, JSON.stringify(digest));
      await writeFile(files.proof, (await ledgerdb([...db, 'proof', 'shipments', id])).stdout);
      return files;
    }

    test('--signing-key signs digests, and verify-proof --public-key checks the signature', async () => {
      const files = await signedProofFiles(true);
      const digest = JSON.parse(await readFile(files.digest, 'utf8')) as Digest;
      expect(digest.signature).toMatch(/^[0-9a-f]{128}$/);
      const verification = await json<VerificationOutput>([
        'verify-proof',
        '--proof',
        files.proof,
        '--digest',
        files.digest,
        '--public-key',
        keys.publicKey,
      ]);
      expect(verification.ok).toBe(true);
      expect(verification.checks.find((check) => check.name === 'digest-signature')).toMatchObject({ ok: true });
    });

    test('verify-proof --public-key fails with exit code 3 on another key or an unsigned digest', async () => {
      const signed = await signedProofFiles(true);
      const wrongKey = await ledgerdb([
        'verify-proof',
        '--proof',
        signed.proof,
        '--digest',
        signed.digest,
        '--public-key',
        keys.otherPublicKey,
      ]);
      expect(wrongKey.code).toBe(3);
      expect(JSON.parse(wrongKey.stdout)).toMatchObject({ ok: false });

      const unsigned = await signedProofFiles(false);
      const run = await ledgerdb([
        'verify-proof',
        '--proof',
        unsigned.proof,
        '--digest',
        unsigned.digest,
        '--public-key',
        keys.publicKey,
      ]);
      expect(run.code).toBe(3);
      const verification = JSON.parse(run.stdout) as VerificationOutput;
      expect(verification.checks.find((check) => check.name === 'digest-signature')).toMatchObject({ ok: false });
    });

    test('a key file that is not a PEM key is bad input', async () => {
      const files = await signedProofFiles(true);
      const run = await ledgerdb([
        'verify-proof',
        '--proof',
        files.proof,
        '--digest',
        files.digest,
        '--public-key',
        bin,
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^ledgerdb: --public-key file .* is not a PEM public key \[INVALID_ARGUMENT\]\n$/);
    });
  });
});
