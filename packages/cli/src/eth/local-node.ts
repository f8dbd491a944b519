// `ledgerkit eth node start|stop|status`: a local anvil node that outlives the command.
// `start` spawns `ledgerkit eth node run` detached; that process starts anvil with
// `startAnvil` (state file in the folder, so a restart keeps the chain), records itself in
// node.json and stops anvil cleanly (dumping the chain) on SIGTERM. `stop` signals it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LedgerError } from '@ledgerkit/core';
import { loadOptional } from '../load-optional.js';

/** What `node.json` in the folder records about a running node. */
export interface NodeRecord {
  /** The supervising `ledgerkit eth node run` process; signal it to stop the node. */
  pid: number;
  /** anvil's own process id. */
  anvilPid: number;
  /** JSON-RPC URL. */
  url: string;
  port: number;
  chainId: number;
  /** The node folder. */
  dir: string;
  /** The chain, dumped at stop and loaded at start. */
  stateFile: string;
  /** The supervisor's and anvil's output. */
  logFile: string;
  startedAt: string;
}

/** Options of {@link startNode} and {@link runNode}. */
export interface NodeOptions {
  port?: number;
  chainId?: number;
  blockTime?: number;
}

/** The files of a node folder. */
export function nodeFiles(dir: string) {
  const root = resolve(dir);
  return {
    dir: root,
    record: join(root, 'node.json'),
    state: join(root, 'chain-state.json'),
    log: join(root, 'node.log'),
    deployments: join(root, 'deployments.json'),
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * The node running from a folder, if any: a record whose process is gone is stale.
 *
 * @param dir - the node folder
 * @returns the record, or undefined when no node runs there
 */
export async function readNode(dir: string): Promise<NodeRecord | undefined> {
  let record: NodeRecord;
  try {
    record = JSON.parse(await readFile(nodeFiles(dir).record, 'utf8')) as NodeRecord;
  } catch {
    return undefined;
  }
  return isAlive(record.pid) ? record : undefined;
}

/**
 * The running node of a folder.
 *
 * @param dir - the node folder
 * @returns its record
 * @throws LedgerError `UNAVAILABLE` when no node runs there
 */
export async function requireNode(dir: string): Promise<NodeRecord> {
  const record = await readNode(dir);
  if (!record) {
    throw new LedgerError(
      'UNAVAILABLE',
      `no node is running in ${resolve(dir)}; start one with 'ledgerkit eth node start --dir ${dir}' or pass --rpc URL`,
      { details: { dir: resolve(dir) } },
    );
  }
  return record;
}

/** `startAnvil`, or UNSUPPORTED naming @ledgerkit/ethereum when it is not installed. */
async function loadAnvil() {
  const module = await loadOptional('@ledgerkit/ethereum', 'this command', () => import('@ledgerkit/ethereum/testing'));
  return module.startAnvil;
}

/** The built bin that runs the supervisor: next to this code in dist/, or dist/ beside src/. */
function binPath(): string {
  for (const candidate of ['./cli.js', '../cli.js', '../../dist/cli.js']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path) && path.endsWith(join('dist', 'cli.js'))) return path;
  }
  throw new LedgerError('INTERNAL', 'cannot find the built ledgerkit bin (dist/cli.js); build the package');
}

/**
 * Starts a node in the background and waits until it answers.
 *
 * @param dir - the node folder (created)
 * @param options - port, chain id, block time
 * @returns the record of the running node, and whether it was already running
 * @throws LedgerError `UNAVAILABLE` with the log's last lines when it does not come up
 */
export async function startNode(
  dir: string,
  options: NodeOptions,
): Promise<{ record: NodeRecord; alreadyRunning: boolean }> {
  const running = await readNode(dir);
  if (running) return { record: running, alreadyRunning: true };
  // Said here, in one line, rather than in the log of a process that could not start.
  await loadAnvil();
  const files = nodeFiles(dir);
  await mkdir(files.dir, { recursive: true });
  await rm(files.record, { force: true });
  const log = await open(files.log, 'a');
  const args = [binPath(), 'eth', 'node', 'run', '--dir', files.dir];
  if (options.port !== undefined) args.push('--port', String(options.port));
  if (options.chainId !== undefined) args.push('--chain-id', String(options.chainId));
  if (options.blockTime !== undefined) args.push('--block-time', String(options.blockTime));
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log.fd, log.fd] });
  await log.close();
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  child.unref();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const record = await readNode(dir);
    if (record && record.pid === child.pid) return { record, alreadyRunning: false };
    if (exited !== undefined) break;
    await new Promise((done) => setTimeout(done, 100));
  }
  if (exited === undefined) child.kill('SIGTERM');
  const tail = (await readFile(files.log, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n');
  const reason = tail.split('\n').at(-1) ?? '';
  throw new LedgerError('UNAVAILABLE', `the node did not start${reason ? `: ${reason}` : ''} (log: ${files.log})`, {
    details: { logTail: tail, log: files.log },
  });
}

/**
 * Runs the node in this process until SIGTERM or SIGINT (the `run` command that
 * {@link startNode} spawns): starts anvil, records it, and stops it cleanly.
 *
 * @param dir - the node folder
 * @param options - port, chain id, block time
 * @returns when the node stopped; 0 after a signal, 1 when anvil exited by itself
 */
export async function runNode(dir: string, options: NodeOptions): Promise<number> {
  const startAnvil = await loadAnvil();
  const files = nodeFiles(dir);
  const chainId = options.chainId ?? 31337;
  const anvil = await startAnvil({
    stateFile: files.state,
    chainId,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.blockTime === undefined ? {} : { blockTime: options.blockTime }),
  });
  const record: NodeRecord = {
    pid: process.pid,
    anvilPid: anvil.process.pid ?? -1,
    url: anvil.url,
    port: anvil.port,
    chainId,
    dir: files.dir,
    stateFile: files.state,
    logFile: files.log,
    startedAt: new Date().toISOString(),
  };
  const staging = `${files.record}.${process.pid}.tmp`;
  await writeFile(staging, `${JSON.stringify(record, null, 2)}\n`);
  await rename(staging, files.record);
  console.error(
    `${record.startedAt} anvil ${anvil.url} (pid ${record.anvilPid}), chain ${chainId}, state ${files.state}`,
  );
  const code = await new Promise<number>((done) => {
    const stop = (signal: string) => {
      console.error(`${new Date().toISOString()} ${signal}: stopping anvil (dumping the chain to ${files.state})`);
      void anvil.stop().then(() => done(0));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    anvil.process.once('exit', (exitCode, signal) => {
      console.error(`${new Date().toISOString()} anvil exited (${signal ?? exitCode})`);
      done(1);
    });
  });
  await rm(files.record, { force: true });
  return code;
}

/**
 * Stops the node of a folder and waits until its process is gone (anvil dumps the chain first).
 *
 * @param dir - the node folder
 * @returns the record of the node it stopped
 * @throws LedgerError `UNAVAILABLE` when no node runs there, `TIMEOUT` when it does not exit in 30 s
 */
export async function stopNode(dir: string): Promise<NodeRecord> {
  const record = await requireNode(dir);
  process.kill(record.pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (isAlive(record.pid)) {
    if (Date.now() > deadline) {
      throw new LedgerError('TIMEOUT', `the node (pid ${record.pid}) did not stop within 30 s`, {
        details: { pid: record.pid },
      });
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  await rm(nodeFiles(dir).record, { force: true });
  return record;
}

/**
 * Asks a node for its chain id and head block.
 *
 * @param url - JSON-RPC URL
 * @returns chain id and block number
 * @throws LedgerError `UNAVAILABLE` when it does not answer
 */
export async function probeNode(url: string): Promise<{ chainId: number; blockNumber: number }> {
  const [chainId, blockNumber] = await Promise.all([rpc(url, 'eth_chainId', []), rpc(url, 'eth_blockNumber', [])]);
  return { chainId: Number(BigInt(chainId as string)), blockNumber: Number(BigInt(blockNumber as string)) };
}

/**
 * One JSON-RPC request.
 *
 * @param url - the node
 * @param method - e.g. `eth_getTransactionReceipt`
 * @param params - its parameters
 * @returns the result (null when the node has none)
 * @throws LedgerError `UNAVAILABLE` when the node cannot be reached or answers an error
 */
export async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  let body: { result?: unknown; error?: { message?: string } };
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      signal: AbortSignal.timeout(10_000),
    });
    body = (await response.json()) as typeof body;
  } catch (error) {
    throw new LedgerError('UNAVAILABLE', `cannot reach ${url}: ${(error as Error).message}`, {
      details: { url },
      cause: error,
    });
  }
  if (body.error) {
    throw new LedgerError('UNAVAILABLE', `${url} answered ${method} with ${body.error.message ?? 'an error'}`, {
      details: { url, method },
    });
  }
  return body.result ?? null;
}
