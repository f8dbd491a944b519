// `ledgerkit eth` as a user runs it: the built bin, in a project folder of its own, against a
// real anvil node that `eth node start` leaves running in the background.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { counterArtifact } from './counter-artifact.js';

const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let project: string;

function ledgerkit(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: project, stdio: ['pipe', 'pipe', 'pipe'] });
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
    child.stdin.end(stdin);
  });
}

async function json<T>(args: string[], stdin?: string): Promise<T> {
  const { code, stdout, stderr } = await ledgerkit([...args, '--json'], stdin);
  expect({ code, stderr: stderr.split('\n').filter((line) => line && !line.startsWith('{"progress"')) }).toEqual({
    code: 0,
    stderr: [],
  });
  return JSON.parse(stdout) as T;
}

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'ledgerkit-eth-'));
  await writeFile(join(project, 'Counter.json'), JSON.stringify(counterArtifact()));
});

afterAll(async () => {
  // A failed test must not leave the node running.
  await ledgerkit(['eth', 'node', 'stop']);
  await rm(project, { recursive: true, force: true });
});

test('node start, deploy, send, call, receipt, node stop; the chain survives a restart', async () => {
  const started = await json<{ running: boolean; url: string; pid: number; dir: string; blockNumber: number }>([
    'eth',
    'node',
    'start',
  ]);
  expect(started.running).toBe(true);
  // The node's files are in the working directory, not in the package.
  expect(started.dir).toBe(join(project, '.ledgerkit', 'eth'));
  expect(started.blockNumber).toBe(0);
  const status = await json<{ running: boolean; url: string }>(['eth', 'node', 'status']);
  expect(status).toMatchObject({ running: true, url: started.url });

  // The artifact from stdin, constructor arguments typed from the ABI.
  const deployed = await json<{ address: string; txHash: string; block: number }>(
    ['eth', 'deploy', '-', '41', 'pallets'],
    await readFile(join(project, 'Counter.json'), 'utf8'),
  );
  expect(deployed.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
  expect(deployed.block).toBe(1);

  const sent = await json<{ function: string; txHash: string; block: number }>([
    'eth',
    'send',
    deployed.address,
    'add',
    '1',
  ]);
  expect(sent).toMatchObject({ function: 'add(uint256)', block: 2 });
  // Human output: labelled fields, not JSON.
  const human = await ledgerkit(['eth', 'call', deployed.address, 'count']);
  expect(human).toMatchObject({ code: 0, stdout: '42\n' });
  const described = await json<{ result: unknown }>([
    'eth',
    'call',
    deployed.address,
    'describe',
    '--artifact',
    'Counter.json',
  ]);
  expect(described.result).toEqual(['pallets', '42']);

  const receipt = await json<{ status: string; blockNumber: number; to: string; logs: unknown[] }>([
    'eth',
    'receipt',
    sent.txHash,
  ]);
  expect(receipt).toMatchObject({ status: 'success', blockNumber: 2, to: deployed.address.toLowerCase() });
  expect(receipt.logs).toHaveLength(1);
  const humanReceipt = await ledgerkit(['eth', 'receipt', sent.txHash]);
  expect(humanReceipt.stdout).toMatch(/^transactionHash +0x/m);
  expect(humanReceipt.stdout).not.toContain('{');

  // Arguments from a file; a bad argument is bad input and sends nothing.
  await writeFile(join(project, 'args.json'), '[false]');
  await json(['eth', 'send', deployed.address, 'set', '--args-file', 'args.json']);
  const bad = await ledgerkit(['eth', 'send', deployed.address, 'set', 'maybe']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toBe(
    "ledgerkit eth send: set(bool): argument reset of type bool must be true or false, got 'maybe' [INVALID_ARGUMENT]\n",
  );

  const stopped = await json<{ stopped: boolean; pid: number }>(['eth', 'node', 'stop']);
  expect(stopped).toMatchObject({ stopped: true, pid: started.pid });
  expect(() => process.kill(started.pid, 0)).toThrow();
  const afterStop = await ledgerkit(['eth', 'call', deployed.address, 'count']);
  expect(afterStop.code).toBe(1);
  expect(afterStop.stderr).toMatch(/^ledgerkit eth call: no node is running in .*\[UNAVAILABLE\]\n$/);
  const statusStopped = await ledgerkit(['eth', 'node', 'status', '--json']);
  expect(statusStopped.code).toBe(1);
  expect(JSON.parse(statusStopped.stdout)).toMatchObject({ running: false });
  expect(existsSync(join(project, '.ledgerkit', 'eth', 'chain-state.json'))).toBe(true);

  // anvil dumped the chain at stop and loads it at start: the contract keeps its state.
  await json(['eth', 'node', 'start']);
  expect((await ledgerkit(['eth', 'call', deployed.address, 'count'])).stdout).toBe('42\n');
  await json(['eth', 'node', 'stop']);
}, 120_000);
