// connectLedger against real backends, and in a project where the adapters are not installed.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isLedgerError } from '@ledgerkit/core';
import type { EthereumLedger } from '@ledgerkit/ethereum';
import { startAnvil } from '@ledgerkit/ethereum/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectLedger } from '../src/index.js';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ledgerkit-connect-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('ledgerdb: a file URL submits, reads back and verifies', async () => {
  const ledger = await connectLedger(`ledgerdb:${join(dir, 'x.db')}`);
  try {
    expect(ledger.kind).toBe('ledgerdb');
    expect(ledger.id).toBe('x');
    // Tables are created through the backend's own API; the unified interface writes documents.
    await (ledger.native as { createTable(name: string): Promise<void> }).createTable('assets');
    const receipt = await ledger.submit({ method: 'insert', args: ['assets', { owner: 'Acme' }, { id: 'pallet-1' }] });
    expect(await ledger.evaluate({ method: 'get', args: ['assets', 'pallet-1'] })).toMatchObject({ owner: 'Acme' });
    const result = await ledger.verify(JSON.parse(JSON.stringify(receipt)));
    expect(result.ok).toBe(true);
    const [revision] = await ledger.history('assets/pallet-1');
    expect(revision?.value).toEqual({ owner: 'Acme' });
    if (!revision) return;
    expect((await ledger.verify(revision)).ok).toBe(true);
    expect((await ledger.verify({ ...revision, value: { owner: 'Acmf' } })).ok).toBe(false);
  } finally {
    await ledger.close();
  }
});

test('ledgerdb+http: a real ledgerdb server on loopback, through the verifying client', async () => {
  const { openLedgerDatabase } = await import('@ledgerkit/ledgerdb');
  const { createServer, createToken, parseRoles, readTokensFile, TokenRegistry } = await import(
    '@ledgerkit/ledgerdb/server'
  );
  const tokensPath = join(dir, 'tokens.json');
  const { token } = await createToken(tokensPath, 'app', parseRoles(['read:*', 'write:*']));
  const database = await openLedgerDatabase({ path: join(dir, 'served.db') });
  await database.createTable('assets');
  const server = await createServer({
    ledger: database,
    tokens: new TokenRegistry((await readTokensFile(tokensPath)).tokens),
    closeLedger: true,
  });
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  try {
    const ledger = await connectLedger(`ledgerdb+${url}?token=${encodeURIComponent(token)}`);
    try {
      expect(ledger.kind).toBe('ledgerdb');
      const receipt = await ledger.submit({ method: 'insert', args: ['assets', { owner: 'Acme' }, { id: 'p1' }] });
      expect((await ledger.verify(receipt)).ok).toBe(true);
    } finally {
      await ledger.close();
    }
    const refused = await connectLedger(`ledgerdb+${url}?token=wrong`).catch((caught: unknown) => caught);
    expect(isLedgerError(refused, 'UNAUTHENTICATED')).toBe(true);
  } finally {
    await server.close();
  }
});

test('ethereum:edr connects to an in-process chain without a Hardhat project', async () => {
  const ledger = await connectLedger({ backend: 'ethereum', url: 'edr' });
  try {
    expect(ledger.kind).toBe('ethereum');
    expect(ledger.id).toBe('31337');
  } finally {
    await ledger.close();
  }
}, 60_000);

test('ethereum+http: an anvil node, contracts from a file named in the URL', async () => {
  // set(uint256) stores its argument in slot 0.
  const box = {
    contractName: 'Box',
    abi: [
      {
        type: 'function',
        name: 'set',
        inputs: [{ name: 'v', type: 'uint256' }],
        outputs: [],
        stateMutability: 'nonpayable',
      },
    ],
    bytecode: '0x600780600b6000396000f360043560005500',
  } as const;
  const anvil = await startAnvil();
  try {
    const deployer = (await connectLedger(`ethereum+${anvil.url}`)) as unknown as EthereumLedger;
    let address: string;
    try {
      address = (await deployer.deploy(box, [])).contract.address;
    } finally {
      await deployer.close();
    }
    const contracts = join(dir, 'contracts.json');
    await writeFile(contracts, JSON.stringify({ Box: { address, abi: box.abi } }));
    const ledger = await connectLedger(`ethereum+${anvil.url}?account=1&contracts=${encodeURIComponent(contracts)}`);
    try {
      expect(ledger.id).toBe('31337');
      const receipt = await ledger.submit({ contract: 'Box', method: 'set', args: [9] });
      expect((await ledger.verify(receipt)).ok).toBe(true);
    } finally {
      await ledger.close();
    }
    await writeFile(contracts, JSON.stringify({ Box: { address: '0x12', abi: [] } }));
    const refused = await connectLedger(`ethereum+${anvil.url}?contracts=${encodeURIComponent(contracts)}`).catch(
      (caught: unknown) => caught,
    );
    expect(isLedgerError(refused, 'INVALID_ARGUMENT') && refused.details.argument).toBe('config.contractsFile.Box');
  } finally {
    await anvil.stop();
  }
}, 60_000);

test('ethereum+http: an unreachable node is UNAVAILABLE, not a hang', async () => {
  const error = await connectLedger('ethereum+http://127.0.0.1:9').catch((caught: unknown) => caught);
  expect(isLedgerError(error, 'UNAVAILABLE')).toBe(true);
}, 60_000);

test('fabric: a missing connection profile is INVALID_ARGUMENT', async () => {
  const error = await connectLedger(`fabric:${join(dir, 'nope.json')}?chaincode=assets`).catch(
    (caught: unknown) => caught,
  );
  expect(isLedgerError(error, 'INVALID_ARGUMENT')).toBe(true);
});

describe('in a project where no adapter is installed', () => {
  // A copy of the built package next to @ledgerkit/core only: Node resolves the lazy imports
  // from the copy's location, where the adapters are really absent.
  let project: string;
  beforeAll(async () => {
    project = join(dir, 'project');
    const modules = join(project, 'node_modules');
    const cli = fileURLToPath(new URL('..', import.meta.url));
    await mkdir(join(modules, 'ledgerkit'), { recursive: true });
    await mkdir(join(modules, '@ledgerkit'), { recursive: true });
    await cp(join(cli, 'dist'), join(modules, 'ledgerkit', 'dist'), { recursive: true });
    await cp(join(cli, 'package.json'), join(modules, 'ledgerkit', 'package.json'));
    for (const name of ['core', 'fabric-network']) {
      await symlink(fileURLToPath(new URL(`../../${name}`, import.meta.url)), join(modules, '@ledgerkit', name), 'dir');
    }
    // ledgerkit's own third-party dependencies, as npm would install them.
    await mkdir(join(modules, '@bomb.sh'), { recursive: true });
    for (const name of ['commander', '@bomb.sh/tab']) {
      await symlink(join(cli, 'node_modules', name), join(modules, name), 'dir');
    }
    await writeFile(
      join(project, 'probe.mjs'),
      `import { connectLedger } from 'ledgerkit';
try { await connectLedger(process.argv[2]); console.log(JSON.stringify({ connected: true })) }
catch (error) { console.log(JSON.stringify({ code: error.code, details: error.details })) }
`,
    );
  });

  test.each([
    ['ledgerdb:./x.db', '@ledgerkit/ledgerdb'],
    ['ledgerdb+https://ledger.example.com?token=t', '@ledgerkit/ledgerdb'],
    ['ethereum:edr', '@ledgerkit/ethereum'],
    ['fabric:./org1.json?chaincode=assets', '@ledgerkit/fabric'],
  ])('%s is UNSUPPORTED naming %s', async (url, packageName) => {
    const { stdout } = await run(process.execPath, ['probe.mjs', url], { cwd: project });
    expect(JSON.parse(stdout)).toEqual({
      code: 'UNSUPPORTED',
      details: { package: packageName, install: `npm install ${packageName}` },
    });
  });

  test('ledgerkit verify of a backend whose package is missing exits 2 naming it', async () => {
    const bundle = join(project, 'bundle.json');
    const vector = JSON.parse(
      await readFile(
        fileURLToPath(new URL('../../ledgerdb/testdata/receipts/valid-receipt.json', import.meta.url)),
        'utf8',
      ),
    ) as { bundle: unknown };
    await writeFile(bundle, JSON.stringify(vector.bundle));
    const error = await run(process.execPath, [
      join(project, 'node_modules/ledgerkit/dist/cli.js'),
      'verify',
      bundle,
    ]).catch((caught: unknown) => caught as { code: number; stderr: string });
    expect(error).toMatchObject({ code: 2 });
    const { stderr } = error as { stderr: string };
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('needs the @ledgerkit/ledgerdb package');
    expect(stderr).toContain('npm install @ledgerkit/ledgerdb');
  });

  test('ledgerkit db and ledgerkit eth without their packages: one line naming the package, UNSUPPORTED', async () => {
    const cli = join(project, 'node_modules/ledgerkit/dist/cli.js');
    for (const [args, pkg] of [
      [['db', 'digest', '--db', join(project, 'x.ledger')], '@ledgerkit/ledgerdb'],
      [['eth', 'node', 'start', '--dir', join(project, 'eth')], '@ledgerkit/ethereum'],
    ] as const) {
      const error = await run(process.execPath, [cli, ...args]).catch(
        (caught: unknown) => caught as { code: number; stderr: string },
      );
      expect(error).toMatchObject({ code: 1 });
      const { stderr } = error as { stderr: string };
      expect(stderr).toMatch(new RegExp(`^ledgerkit ${args[0]}.*needs the ${pkg} package.*\\[UNSUPPORTED\\]\\n$`));
    }
    // The other groups do not need them, and neither does the help.
    const help = await run(process.execPath, [cli, '--help']);
    expect(help.stdout).toContain('db ');
  });

  test('ledgerkit verify --anchor with a header or config block of a missing backend exits 2 naming it', async () => {
    interface Vector {
      evidence: { headers: unknown[] };
      bundle: { evidence: { configBlock: string } };
    }
    const vector = async (path: string) =>
      JSON.parse(await readFile(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8')) as Vector;
    const ethereum = await vector('ethereum/testdata/receipts/valid/receipt-anchored.json');
    const fabric = await vector('fabric/testdata/receipts/valid-receipt-pinned-config.json');
    const header = join(project, 'header.json');
    await writeFile(header, JSON.stringify(ethereum.evidence.headers[0]));
    const configBlock = join(project, 'config.block');
    await writeFile(configBlock, Buffer.from(fabric.bundle.evidence.configBlock, 'base64'));
    // The anchor file is read before any verifier loads, so any bundle does.
    const bundle = join(project, 'bundle.json');
    await writeFile(bundle, JSON.stringify(fabric.bundle));
    for (const [anchor, packageName] of [
      [header, '@ledgerkit/ethereum'],
      [configBlock, '@ledgerkit/fabric'],
    ] as const) {
      const error = await run(process.execPath, [
        join(project, 'node_modules/ledgerkit/dist/cli.js'),
        'verify',
        bundle,
        '--anchor',
        anchor,
      ]).catch((caught: unknown) => caught as { code: number; stderr: string });
      expect(error).toMatchObject({ code: 2 });
      const { stderr } = error as { stderr: string };
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain(`needs the ${packageName} package`);
      expect(stderr).toContain('--anchor');
    }
  });

  test('a bad config is still INVALID_ARGUMENT before any import', async () => {
    const { stdout } = await run(process.execPath, ['probe.mjs', 'fabric:./org1.json'], { cwd: project });
    expect(JSON.parse(stdout)).toMatchObject({ code: 'INVALID_ARGUMENT', details: { argument: 'config.chaincode' } });
  });
});
