// `ledgerkit verify` as an auditor runs it: the built bin, files on disk, exit codes.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Revision, VerificationBundle } from '@ledgerkit/core';
import type { EthereumLedger } from '@ledgerkit/ethereum';
import { startAnvil } from '@ledgerkit/ethereum/testing';
import { formatJournalExport, type LedgerDatabase } from '@ledgerkit/ledgerdb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isMalformedInputCheck } from '../src/commands/verify.js';
import { connectLedger } from '../src/index.js';
import { goldenVectors } from './golden-vectors.js';

const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let dir: string;
let counter = 0;

function ledgerkit(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

async function file(content: unknown): Promise<string> {
  const path = join(dir, `f${++counter}.json`);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** The same bundle with one byte of the revision's value changed. */
function changeOneByte(bundle: VerificationBundle): VerificationBundle | undefined {
  if (!('key' in bundle.subject)) return undefined;
  // A deleted or redacted revision has no data to change.
  if (bundle.subject.value === null) return undefined;
  const text = JSON.stringify(bundle.subject.value);
  const at = text.search(/[0-9a-zA-Z]/);
  if (at < 0) return undefined;
  const changed = text.slice(0, at) + (text[at] === 'x' ? 'y' : 'x') + text.slice(at + 1);
  return { ...bundle, subject: { ...bundle.subject, value: JSON.parse(changed) } as Revision };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ledgerkit-verify-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(['ledgerdb', 'ethereum', 'fabric'])('golden receipts of %s', (backend) => {
  test('every valid vector exits 0, every tampered one 1 (or 2 for malformed input)', async () => {
    const all = await goldenVectors(backend);
    expect(all.filter((vector) => vector.ok).length).toBeGreaterThan(0);
    expect(all.filter((vector) => !vector.ok).length).toBeGreaterThan(0);
    for (const vector of all) {
      const args = ['verify', await file(vector.bundle), '--json'];
      if (vector.anchor) args.push('--anchor', await file(vector.anchor));
      const { code, stdout, stderr } = await ledgerkit(args);
      const malformed = vector.failing.some(isMalformedInputCheck);
      const expected = vector.ok ? 0 : malformed ? 2 : 1;
      expect({ name: vector.name, code, stderr }).toEqual({
        name: vector.name,
        code: expected,
        stderr: expect.any(String),
      });
      if (code === 2) {
        expect(stderr.trim().split('\n')).toHaveLength(1);
        continue;
      }
      const output = JSON.parse(stdout) as { ok: boolean; results: { checks: { name: string; ok: boolean }[] }[] };
      expect(output.ok).toBe(vector.ok);
      const failed = output.results.flatMap((result) => result.checks.filter((c) => !c.ok).map((c) => c.name));
      for (const check of vector.failing) expect(failed, vector.name).toContain(check);
    }
  }, 120_000);

  test('a valid revision with one byte of its value changed exits 1', async () => {
    const cases = (await goldenVectors(backend)).flatMap((vector) => {
      const changed = vector.ok ? changeOneByte(vector.bundle) : undefined;
      return changed ? [{ name: vector.name, changed, anchor: vector.anchor }] : [];
    });
    expect(cases.length).toBeGreaterThan(0);
    for (const { name, changed, anchor } of cases) {
      const args = ['verify', await file(changed)];
      if (anchor) args.push('--anchor', await file(anchor));
      const { code, stdout } = await ledgerkit(args);
      expect({ name, code }).toEqual({ name, code: 1 });
      expect(stdout).toMatch(/^NOT VERIFIED/m);
    }
  }, 120_000);
});

describe('anchors from the files an auditor has', () => {
  async function vector(backend: string, name: string) {
    const found = (await goldenVectors(backend)).find((entry) => entry.name === name);
    if (!found) throw new Error(`no golden vector ${backend}/${name}`);
    return found;
  }

  test('an Ethereum block header file: its hash is computed and anchors the receipt', async () => {
    const { bundle, anchor } = await vector('ethereum', join('valid', 'receipt-anchored.json'));
    const headers = bundle.evidence.headers as Record<string, unknown>[];
    const header = headers.find((entry) => Number(entry.number) === (anchor as { number: number }).number);
    const { hash: _hash, ...withoutHash } = header as Record<string, unknown>;
    const good = await ledgerkit(['verify', await file(bundle), '--anchor', await file(withoutHash)]);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('anchor chosen by the verifier');
    const forged = await ledgerkit([
      'verify',
      await file(bundle),
      '--anchor',
      await file({ ...withoutHash, gasUsed: '0x7' }),
    ]);
    expect(forged.code).toBe(1);
    const lying = await ledgerkit([
      'verify',
      await file(bundle),
      '--anchor',
      await file({ ...header, gasUsed: '0x7' }),
    ]);
    expect(lying.code).toBe(2);
    expect(lying.stderr).toMatch(/does not match its contents/);
  });

  test('--anchor-block NUMBER:HASH', async () => {
    const { bundle, anchor } = await vector('ethereum', join('valid', 'receipt-anchored.json'));
    const { number, hash } = anchor as { number: number; hash: string };
    expect((await ledgerkit(['verify', await file(bundle), '--anchor-block', `${number}:${hash}`])).code).toBe(0);
    const other = `${number}:0x${'00'.repeat(32)}`;
    expect((await ledgerkit(['verify', await file(bundle), '--anchor-block', other])).code).toBe(1);
  });

  test('a Fabric config block file: its header hash is computed and pinned', async () => {
    const { bundle, anchor } = await vector('fabric', 'valid-receipt-pinned-config.json');
    const block = join(dir, 'config.block');
    await writeFile(block, Buffer.from(bundle.evidence.configBlock as string, 'base64'));
    const { code, stdout } = await ledgerkit(['verify', await file(bundle), '--anchor', block, '--json']);
    expect(code).toBe(0);
    expect(stdout).toContain((anchor as { hash: string }).hash);
    // A transaction block is a Fabric block but not a config block.
    const transactionBlock = join(dir, 'tx.block');
    await writeFile(transactionBlock, Buffer.from(bundle.evidence.block as string, 'base64'));
    const refused = await ledgerkit(['verify', await file(bundle), '--anchor', transactionBlock]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/not a config block/);
  });

  test('--msp-root MSPID=FILE for each organization', async () => {
    const { bundle, anchor } = await vector('fabric', 'valid-receipt-msp-roots.json');
    const args = ['verify', await file(bundle)];
    for (const [mspId, pems] of Object.entries((anchor as { roots: Record<string, string[]> }).roots)) {
      const pem = join(dir, `${mspId}.pem`);
      await writeFile(pem, pems.join(''));
      args.push('--msp-root', `${mspId}=${pem}`);
    }
    expect((await ledgerkit(args)).code).toBe(0);
    const wrong = args.map((arg) => (arg.startsWith('Org2MSP=') ? `Org2MSP=${join(dir, 'Org1MSP.pem')}` : arg));
    const { code, stdout } = await ledgerkit(wrong);
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL {2}endorsement:Org2MSP/);
  });
});

describe('--rpc: a bare Ethereum receipt, evidence fetched from a node the auditor names', () => {
  // A contract written by hand: set(uint256) stores its argument in slot 0.
  const box = {
    contractName: 'Box',
    abi: [
      {
        type: 'function',
        name: 'set',
        inputs: [{ name: 'value', type: 'uint256' }],
        outputs: [],
        stateMutability: 'nonpayable',
      },
    ],
    bytecode: '0x600780600b6000396000f360043560005500',
  } as const;

  test('exit 0 against the served head or a pinned block, 1 for a changed receipt', async () => {
    const anvil = await startAnvil();
    try {
      const ledger = (await connectLedger(`ethereum+${anvil.url}`)) as unknown as EthereumLedger;
      let receiptFile: string;
      let tamperedFile: string;
      try {
        await ledger.deploy(box, []);
        const receipt = await ledger.submit({ contract: 'Box', method: 'set', args: [7] });
        receiptFile = await file(receipt);
        const txId = receipt.txId;
        tamperedFile = await file({ ...receipt, txId: `${txId.slice(0, -1)}${txId.endsWith('0') ? '1' : '0'}` });
      } finally {
        await ledger.close();
      }
      const served = await ledgerkit(['verify', receiptFile, '--rpc', anvil.url]);
      expect(served.code).toBe(0);
      expect(served.stdout).toContain('anchor taken from the backend that was asked; it is trusted');
      const response = await fetch(anvil.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBlockByNumber', params: ['latest', false] }),
      });
      const { result: head } = (await response.json()) as { result: { number: string; hash: string } };
      const pinned = await ledgerkit([
        'verify',
        receiptFile,
        '--rpc',
        anvil.url,
        '--anchor-block',
        `${Number(head.number)}:${head.hash}`,
      ]);
      expect(pinned.code).toBe(0);
      expect(pinned.stdout).toContain('anchor chosen by the verifier');
      const tampered = await ledgerkit(['verify', tamperedFile, '--rpc', anvil.url]);
      expect(tampered.code).toBe(1);
    } finally {
      await anvil.stop();
    }
  }, 120_000);

  test('an unreachable --rpc node is bad input: exit 2, one line', async () => {
    const { bundle } = (await goldenVectors('ethereum')).find((vector) => vector.ok) as { bundle: VerificationBundle };
    const { code, stderr } = await ledgerkit(['verify', await file(bundle.subject), '--rpc', 'http://127.0.0.1:9']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});

describe('a live ledgerdb ledger', () => {
  let bundles: { receipt: VerificationBundle; revision: VerificationBundle; history: VerificationBundle[] };
  let journalExports: { jsonl: string; ion: string };
  let digestFile: string;
  let keyFile: string;

  beforeAll(async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const signingKey = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const ledger = await connectLedger({ backend: 'ledgerdb', path: join(dir, 'live.db'), signingKey });
    try {
      await (ledger.native as { createTable(name: string): Promise<void> }).createTable('shipments');
      const receipt = await ledger.submit({
        method: 'insert',
        args: ['shipments', { pallet: 'p-7', temperature: 4 }, { id: 'p7' }],
      });
      await ledger.submit({ method: 'update', args: ['shipments', 'p7', { pallet: 'p-7', temperature: 5 }] });
      const history = await ledger.history('shipments/p7');
      const digest = await ledger.evaluate({ method: 'digest', args: [] });
      bundles = {
        receipt: await ledger.evidence(receipt),
        revision: await ledger.evidence(history[0] as Revision),
        history: await Promise.all(history.map((revision) => ledger.evidence(revision))),
      };
      const records = await (ledger.native as LedgerDatabase).exportJournal();
      journalExports = { jsonl: formatJournalExport(records, 'jsonl'), ion: formatJournalExport(records, 'ion') };
      digestFile = await file(digest);
      keyFile = join(dir, 'owner.pem');
      await writeFile(keyFile, publicKey.export({ type: 'spki', format: 'pem' }).toString());
    } finally {
      await ledger.close();
    }
  });

  test('a receipt verifies against the signed digest and the pinned key: exit 0', async () => {
    const { code, stdout } = await ledgerkit([
      'verify',
      await file(bundles.receipt),
      '--anchor',
      digestFile,
      '--public-key',
      keyFile,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('anchor chosen by the verifier');
    expect(stdout).toMatch(/pass {2}digest-signature/);
    expect(stdout).toMatch(/^VERIFIED/m);
  });

  test('an exported history (array of bundles) from stdin: exit 0; one value byte changed: exit 1', async () => {
    const good = await ledgerkit(['verify', '-', '--anchor', digestFile, '--json'], JSON.stringify(bundles.history));
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ ok: true, verdict: 'VERIFIED: 2 of 2 verified' });
    const tampered = [bundles.history[0], changeOneByte(bundles.history[1] as VerificationBundle)];
    const bad = await ledgerkit(['verify', '-', '--anchor', digestFile, '--json'], JSON.stringify(tampered));
    expect(bad.code).toBe(1);
    const output = JSON.parse(bad.stdout) as { ok: boolean; results: { ok: boolean }[] };
    expect(output.results.map((result) => result.ok)).toEqual([true, false]);
  });

  test('a journal export (JSON Lines or Ion) verifies: exit 0; a changed line exits 1, a cut one 2', async () => {
    for (const text of [journalExports.jsonl, journalExports.ion]) {
      const run = await ledgerkit(['verify', await file(text), '--anchor', digestFile, '--public-key', keyFile]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/pass {2}range-root/);
      expect(run.stdout).toMatch(/pass {2}digest-signature/);
    }
    const changed = journalExports.jsonl.replace('"temperature":5', '"temperature":6');
    expect(changed).not.toBe(journalExports.jsonl);
    const bad = await ledgerkit(['verify', '-', '--anchor', digestFile, '--json'], changed);
    expect(bad.code).toBe(1);
    const failing = (JSON.parse(bad.stdout) as { results: { checks: { name: string; ok: boolean }[] }[] }).results[0];
    expect(failing?.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(['revision-data']);
    const cut = journalExports.jsonl.trimEnd().split('\n').slice(0, -1).join('\n');
    const truncated = await ledgerkit(['verify', '-'], cut);
    expect(truncated.code).toBe(2);
    expect(truncated.stderr).toMatch(/export-format/);
  });

  test('--markdown renders a table of checks per receipt', async () => {
    const { code, stdout } = await ledgerkit([
      'verify',
      await file(bundles.history),
      '--anchor',
      digestFile,
      '--markdown',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('| result | check | detail |');
    expect(stdout).toContain('| pass | `inclusion-proof` |');
    expect(stdout).toContain('**VERIFIED: 2 of 2 verified**');
  });

  test('without an anchor the output says it trusted the backend', async () => {
    const { code, stdout } = await ledgerkit(['verify', await file(bundles.revision)]);
    expect(code).toBe(0);
    expect(stdout).toContain('anchor taken from the backend that was asked; it is trusted');
  });

  test('a digest signed by another key fails digest-signature: exit 1', async () => {
    const other = join(dir, 'other.pem');
    await writeFile(other, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const { code, stdout } = await ledgerkit([
      'verify',
      await file(bundles.receipt),
      '--anchor',
      digestFile,
      '--public-key',
      other,
    ]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL {2}digest-signature/);
  });

  describe('bad input exits 2 with one line naming the problem, never a stack', () => {
    const cases: [string, () => Promise<string[]>, RegExp][] = [
      [
        'not JSON',
        async () => ['verify', await file('{"format": "ledgerkit.verification-bundle", "subj')],
        /is not JSON/,
      ],
      ['an empty array', async () => ['verify', await file([])], /empty array/],
      ['no such file', async () => ['verify', join(dir, 'missing.json')], /no such file/],
      [
        'an unknown backend',
        async () => [
          'verify',
          await file({ ...bundles.receipt, subject: { ...bundles.receipt.subject, backend: 'qldb' } }),
        ],
        /unknown backend 'qldb'/,
      ],
      ['not a receipt', async () => ['verify', await file({ hello: 'world' })], /is not a receipt/],
      [
        'an unknown bundle version',
        async () => ['verify', await file({ ...bundles.receipt, version: 9 })],
        /bundle version 9/,
      ],
      [
        'a wrong anchor type',
        async () => ['verify', await file(bundles.receipt), '--anchor-block', `7:0x${'ab'.repeat(32)}`],
        /wrong anchor type/,
      ],
      [
        'a bare receipt without evidence',
        async () => ['verify', await file(bundles.receipt.subject)],
        /without evidence/,
      ],
      [
        'a malformed receipt',
        async () => [
          'verify',
          await file({ ...bundles.receipt, subject: { ...bundles.receipt.subject, position: 'x' } }),
        ],
        /malformed input, check receipt-format/,
      ],
      [
        'an unknown flag',
        async () => ['verify', await file(bundles.receipt), '--anchr', 'x'],
        /unknown option '--anchr' \(Did you mean --anchor\?\)/,
      ],
      ['no FILE', async () => ['verify'], /missing required argument 'FILE'/],
      [
        '--json and --markdown',
        async () => ['verify', await file(bundles.receipt), '--json', '--markdown'],
        /option '--json' cannot be used with option '--markdown'/,
      ],
      [
        '--public-key without a digest',
        async () => ['verify', await file(bundles.receipt), '--public-key', keyFile],
        /--public-key/,
      ],
      [
        'a bad --anchor-block',
        async () => ['verify', await file(bundles.receipt), '--anchor-block', '7:0x12'],
        /NUMBER:0xHASH/,
      ],
      [
        'an anchor file that is no anchor',
        async () => ['verify', await file(bundles.receipt), '--anchor', await file({ colour: 'red' })],
        /is not a trust anchor/,
      ],
      [
        'a binary anchor that is no Fabric block',
        async () => ['verify', await file(bundles.receipt), '--anchor', await file('\u0001\u0002garbage')],
        /neither JSON nor a Fabric block/,
      ],
    ];
    test.each(cases)('%s', async (_name, args, message) => {
      const { code, stdout, stderr } = await ledgerkit(await args());
      expect(code).toBe(2);
      expect(stdout).toBe('');
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^ledgerkit verify: /);
      expect(lines[0]).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    });
  });
});

test('verify --help documents the anchors and its exit codes', async () => {
  const { code, stdout } = await ledgerkit(['verify', '--help']);
  expect(code).toBe(0);
  for (const flag of ['--anchor', '--public-key', '--anchor-block', '--msp-root', '--rpc', '--json']) {
    expect(stdout).toContain(flag);
  }
  expect(stdout).toMatch(/0 {2}every receipt verified/);
  expect(stdout).toMatch(/1 {2}a check failed/);
  expect(stdout).toMatch(/2 {2}bad input/);
});
