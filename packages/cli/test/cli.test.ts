// The command-line conventions, for every command of the tree: the tree is walked, so a
// command added later is covered without touching this file (its --json case must be named
// below, with the arguments that run it here or the test that runs it, or the coverage test fails).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createProgram } from '../src/program/create-program.js';
import { exitCodes, runCli } from '../src/run-cli.js';
import { goldenVectors } from './golden-vectors.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function ledgerkit(argv: string[], stdin?: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    ...(stdin === undefined ? {} : { readStdin: async () => new TextEncoder().encode(stdin) }),
  });
  return { code, stdout, stderr };
}

/** Every command path of the tree (groups too), hidden ones included, `help` excepted. */
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands
    .filter((sub) => sub.name() !== 'help')
    .flatMap((sub) => [[...prefix, sub.name()], ...commandPaths(sub, [...prefix, sub.name()])]);
}

const silentIo = { stdout: () => {}, stderr: () => {} };
const program = await createProgram(silentIo, { load: 'all' });
const paths = commandPaths(program);
const isGroup = (path: string[]) => {
  let command: Command = program;
  for (const name of path) command = command.commands.find((sub) => sub.name() === name) as Command;
  return command.commands.length > 0;
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ledgerkit-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the tree has every group', () => {
  const top = paths.filter((path) => path.length === 1).map((path) => path[0]);
  expect(top).toEqual(expect.arrayContaining(['db', 'demo', 'eth', 'fabric', 'verify', 'completion']));
  expect(paths.map((path) => path.join(' '))).toEqual(
    expect.arrayContaining(['eth node start', 'eth deploy', 'fabric identity', 'db insert', 'db token create']),
  );
});

describe.each(paths.map((path) => [path.join(' '), path] as const))('ledgerkit %s', (_name, path) => {
  test('--help has Usage and Examples and exits 0', async () => {
    const { code, stdout, stderr } = await ledgerkit([...path, '--help']);
    expect(stderr).toBe('');
    expect(code).toBe(exitCodes.ok);
    expect(stdout).toContain(`Usage: ledgerkit ${path.join(' ')}`);
    expect(stdout).toMatch(/\nExamples:\n {2}\$ ledgerkit /);
  });

  test('an unknown flag is bad input: exit 2, one line on stderr, no stack', async () => {
    const { code, stdout, stderr } = await ledgerkit([...path, '--no-such-flag']);
    expect(code).toBe(exitCodes.badInput);
    expect(stdout).toBe('');
    // commander checks required options first; otherwise the message names the flag.
    expect(stderr).toMatch(/^ledgerkit .*(--no-such-flag|required option).*\[INVALID_ARGUMENT\]\n$/);
    expect(stderr.split('\n')).toHaveLength(2);
  });
});

/**
 * How each command's --json output is checked: arguments run here (the output is parsed as
 * JSON, or as JSON lines), or where another test runs it against a real node or network.
 */
const jsonCases: Record<string, ((dir: string) => string[]) | string> = {
  demo: () => ['demo', '--json', '--events', '5'],
  verify: 'test/verify.test.ts: every golden receipt of every backend with --json',
  completion: () => ['completion', 'bash', '--json'],
  complete: 'prints tab-separated completions for the shell scripts, not JSON (no --json output)',
  'eth node start': 'test/eth.test.ts: a real anvil node, start to stop',
  'eth node stop': 'test/eth.test.ts',
  'eth node status': 'test/eth.test.ts',
  'eth node run': 'the background process start spawns: writes only its log',
  'eth deploy': 'test/eth.test.ts',
  'eth call': 'test/eth.test.ts',
  'eth send': 'test/eth.test.ts',
  'eth receipt': 'test/eth.test.ts',
  'fabric up': 'test/fabric-connection.test.ts: a real two-organization network',
  'fabric status': 'test/fabric-connection.test.ts',
  'fabric logs': 'test/fabric-connection.test.ts',
  'fabric deploy': 'test/fabric-connection.test.ts',
  'fabric identity': 'test/fabric-connection.test.ts',
  'fabric down': 'test/fabric-connection.test.ts',
  'network create': 'test/network.test.ts: a real network, create to status',
  'network status': 'test/network.test.ts: a real network, create to status',
  'network propose': 'test/network.test.ts: a real network, create to status',
  'network vote': 'test/network.test.ts: a real network, create to status',
  'network proposals': 'test/network.test.ts: a real network, create to status',
  'network invitations': 'test/network.test.ts: a real network, create to status',
  'network accept': 'test/network.test.ts: a real network, create to status',
  'network reject': 'test/network.test.ts: a real network, create to status',
  'network members': 'test/network.test.ts: a real network, create to status',
  'network add-node': 'test/network.test.ts: a real network, create to status',
  'db create-table': (d) => ['db', 'create-table', 'shipments', '--db', join(d, 'app.ledger'), '--json'],
  'db create-index': (d) => ['db', 'create-index', 'shipments', 'sku', '--db', join(d, 'app.ledger'), '--json'],
  'db insert': (d) => ['db', 'insert', 'shipments', '{"sku":"A-1","qty":5}', '--db', join(d, 'app.ledger'), '--json'],
  'db digest': (d) => ['db', 'digest', '--db', join(d, 'app.ledger'), '--json'],
  'db audit': (d) => ['db', 'audit', '--db', join(d, 'app.ledger'), '--json'],
  'db export': (d) => ['db', 'export', '--db', join(d, 'app.ledger'), '--json'],
  'db query': (d) => ['db', 'query', 'SELECT * FROM shipments', '--db', join(d, 'app.ledger'), '--json'],
};
// The rest of the ledgerdb tree is the same code as the `ledgerdb` bin, whose suite runs
// every command's --json, mounted as `ledgerkit db` too.
const ledgerdbSuite = 'packages/ledgerdb/test/cli.test.ts: every ledgerdb command with --json';

test('every command that does something has its --json case named', () => {
  const missing = paths
    .filter((path) => !isGroup(path))
    .map((path) => path.join(' '))
    .filter((name) => !(name in jsonCases) && !name.startsWith('db '));
  expect(missing).toEqual([]);
  expect(ledgerdbSuite).toContain('--json');
});

describe('--json output parses as JSON', () => {
  const runnable = Object.entries(jsonCases).filter(
    (entry): entry is [string, (dir: string) => string[]] => typeof entry[1] === 'function',
  );
  test.each(runnable)('ledgerkit %s --json', async (_name, args) => {
    const { code, stdout, stderr } = await ledgerkit(args(dir));
    // stderr has progress only, as JSON lines.
    for (const line of stderr.split('\n').filter(Boolean)) expect(JSON.parse(line)).toHaveProperty('progress');
    expect(code).toBe(exitCodes.ok);
    const lines =
      stdout.trim().startsWith('{') && !stdout.trim().includes('\n{') ? [stdout] : stdout.trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.length).toBeGreaterThan(0);
  });
});

describe('the program', () => {
  test('--version and -V print the version', async () => {
    const { version } = (await import('../package.json', { with: { type: 'json' } })).default;
    for (const flag of ['--version', '-V']) {
      const { code, stdout } = await ledgerkit([flag]);
      expect(code).toBe(exitCodes.ok);
      expect(stdout).toBe(`${version}\n`);
    }
  });

  test('no command, an unknown command, a missing subcommand: exit 2, one line', async () => {
    for (const argv of [[], ['launch'], ['fabric'], ['eth', 'node']]) {
      const { code, stdout, stderr } = await ledgerkit(argv);
      expect(code, argv.join(' ')).toBe(exitCodes.badInput);
      expect(stdout).toBe('');
      expect(stderr.split('\n')).toHaveLength(2);
    }
    expect((await ledgerkit(['fabirc'])).stderr).toContain('fabric');
  });

  test('the top-level help lists every group and the exit codes', async () => {
    const { stdout } = await ledgerkit(['--help']);
    for (const group of ['db', 'demo', 'eth', 'fabric', 'verify', 'completion'])
      expect(stdout).toMatch(new RegExp(`\n  ${group} `));
    expect(stdout).toContain('3  verification failed');
  });

  test('an error that is not a LedgerError is one line [INTERNAL], its stack only with --debug', async () => {
    // A node folder below a file: node's ENOTDIR from mkdir, not a LedgerError.
    await writeFile(join(dir, 'plain-file'), '');
    const args = ['eth', 'node', 'start', '--dir', join(dir, 'plain-file', 'node')];
    const plain = await ledgerkit(args);
    expect(plain.code).toBe(exitCodes.failure);
    expect(plain.stderr).toMatch(/^ledgerkit eth node start: ENOTDIR.*\[INTERNAL\]\n$/);
    const debug = await ledgerkit([...args, '--debug']);
    expect(debug.stderr.split('\n').length).toBeGreaterThan(2);
    expect(debug.stderr).toContain('    at ');
  });

  test('completion: scripts for bash, zsh and fish, and completions from the tree', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const { code, stdout } = await ledgerkit(['completion', shell]);
      expect(code).toBe(exitCodes.ok);
      expect(stdout).toContain('ledgerkit complete');
    }
    const groups = await ledgerkit(['complete', '--', 'fa']);
    expect(groups.stdout).toMatch(/^fabric\t/m);
    const nested = await ledgerkit(['complete', '--', 'eth', 'node', '']);
    expect(nested.stdout).toMatch(/^start\t/m);
    expect(nested.stdout).toMatch(/^status\t/m);
    const db = await ledgerkit(['complete', '--', 'db', 'ins']);
    expect(db.stdout).toMatch(/^insert\t/m);
  });
});

describe('a failure per group', () => {
  test('demo: a bad --events is bad input', async () => {
    const { code, stderr } = await ledgerkit(['demo', '--events', 'many']);
    expect(code).toBe(exitCodes.badInput);
    expect(stderr).toMatch(/^ledgerkit demo: .*--events.*'many'.*\[INVALID_ARGUMENT\]\n$/);
  });

  test('verify: a tampered receipt fails a check (1), a non-JSON document is bad input (2)', async () => {
    const tampered = (await goldenVectors('ledgerdb')).find((vector) => !vector.ok && vector.failing.length > 0);
    if (!tampered) throw new Error('no tampered ledgerdb vector');
    const file = join(dir, 'tampered.json');
    await writeFile(file, JSON.stringify(tampered.bundle));
    const args = ['verify', file, '--json'];
    if (tampered.anchor) {
      await writeFile(join(dir, 'anchor.json'), JSON.stringify(tampered.anchor));
      args.push('--anchor', join(dir, 'anchor.json'));
    }
    const result = await ledgerkit(args);
    expect([1, 2]).toContain(result.code);
    if (result.code === 1) expect((JSON.parse(result.stdout) as { ok: boolean }).ok).toBe(false);
    const notJson = await ledgerkit(['verify', '-'], '{"truncated":');
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^ledgerkit verify: stdin is not JSON .*\[INVALID_ARGUMENT\]\n$/);
  });

  test('fabric: status of a network that does not exist says to run up', async () => {
    const { code, stderr } = await ledgerkit(['fabric', 'status', '--dir', join(dir, 'no-network')]);
    expect(code).toBe(exitCodes.badInput);
    expect(stderr).toMatch(
      /^ledgerkit fabric status: no Fabric network in .*run 'ledgerkit fabric up.*\[INVALID_ARGUMENT\]\n$/,
    );
  });

  test('fabric: a bad --attr, a bad role and a bad org name are bad input', async () => {
    const network = ['--dir', join(dir, 'no-network')];
    const attribute = await ledgerkit([
      'fabric',
      'identity',
      ...network,
      '--org',
      'Org1',
      '--name',
      'a',
      '--attr',
      'role',
    ]);
    expect(attribute.code).toBe(exitCodes.badInput);
    expect(attribute.stderr).toContain('--attr takes name=value');
    expect(
      (await ledgerkit(['fabric', 'identity', ...network, '--org', 'Org1', '--name', 'a', '--role', 'peer'])).code,
    ).toBe(exitCodes.badInput);
    expect((await ledgerkit(['fabric', 'identity', ...network, '--name', 'a'])).code).toBe(exitCodes.badInput);
    const org = await ledgerkit(['fabric', 'up', ...network, '--orgs', 'Bad Name']);
    expect(org.code).toBe(exitCodes.badInput);
    expect(org.stderr).toContain('invalid organization name');
  });

  test('eth: a call without a running node fails; a bad artifact is bad input', async () => {
    const address = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
    const artifact = join(dir, 'artifact.json');
    const count = {
      type: 'function',
      name: 'count',
      inputs: [],
      outputs: [{ type: 'uint256' }],
      stateMutability: 'view',
    };
    await writeFile(artifact, JSON.stringify({ contractName: 'X', abi: [count], bytecode: '0x00' }));
    const stopped = await ledgerkit([
      'eth',
      'call',
      address,
      'count',
      '--artifact',
      artifact,
      '--dir',
      join(dir, 'eth'),
    ]);
    expect(stopped.code).toBe(exitCodes.failure);
    expect(stopped.stderr).toMatch(/^ledgerkit eth call: no node is running in .*\[UNAVAILABLE\]\n$/);
    await writeFile(join(dir, 'not-artifact.json'), '{"contractName":"X"}');
    const bad = await ledgerkit(['eth', 'deploy', join(dir, 'not-artifact.json'), '--dir', join(dir, 'eth')]);
    expect(bad.code).toBe(exitCodes.badInput);
    expect(bad.stderr).toMatch(
      /^ledgerkit eth deploy: .* is not a contract artifact: it has no "abi" array \[INVALID_ARGUMENT\]\n$/,
    );
  });

  test('db: a table that does not exist', async () => {
    const ledger = join(dir, 'missing-table.ledger');
    expect((await ledgerkit(['db', 'create-table', 'shipments', '--db', ledger])).code).toBe(exitCodes.ok);
    const { code, stdout, stderr } = await ledgerkit(['db', 'insert', 'invoices', '{"n":1}', '--db', ledger]);
    expect(code).toBe(exitCodes.badInput);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^ledgerkit db insert: .*invoices.*\[NOT_FOUND\]\n$/);
  });
});
