import { type ChildProcess, spawn } from 'node:child_process';
import { open, rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { LedgerError, sleep } from '@ledgerkit/core';

/** Options of {@link startAnvil}. */
export interface AnvilOptions {
  /** Port to listen on (default: a free one). */
  port?: number;
  /**
   * File to load the chain from at start and dump it to at stop (and at each `persist()`),
   * with the state of every block, so a restart keeps the chain and its receipts verifiable.
   * A SIGKILL skips the dump at exit: everything since the last dump is lost.
   */
  stateFile?: string;
  /** Seconds between blocks; default: a block per transaction (automine). */
  blockTime?: number;
  /** Chain id (default 31337). */
  chainId?: number;
  /** Extra command-line arguments. */
  args?: readonly string[];
  /** How long to wait for the node to answer (default 20 s). */
  startTimeoutMs?: number;
}

/** A running anvil child process. */
export interface AnvilNode {
  /** Its JSON-RPC URL. */
  readonly url: string;
  /** Its port. */
  readonly port: number;
  /** The child process. */
  readonly process: ChildProcess;
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and waits until it exited; dumps state first. */
  stop(): Promise<void>;
  /**
   * Writes the chain (blocks, receipts, accounts) to the state file now, as a SIGTERM
   * would: anvil keeps everything in memory and dumps only at exit (and every
   * `--state-interval` seconds), so a SIGKILL loses every block since the last dump. Pass
   * it as `connectEthereum`'s `persist` to make each returned receipt durable. Concurrent
   * calls share dumps; each resolves after a dump that started after it was called. The
   * file is replaced atomically (written, fsynced, renamed).
   *
   * @returns the head block the dump holds
   * @throws LedgerError `INVALID_ARGUMENT` without `stateFile`, `UNAVAILABLE` when the node does not answer
   */
  persist(): Promise<{ block: number }>;
}

/**
 * Starts an anvil node from the `@foundry-rs/anvil` npm package (its native binary, no
 * download) as a child process and waits until it answers JSON-RPC.
 *
 * @param options - port, state file, block time
 * @returns the running node; always `stop()` it
 * @throws LedgerError `UNSUPPORTED` when the package or the platform binary is missing,
 *   `UNAVAILABLE` when the node does not answer in time
 * @example
 * ```ts
 * const anvil = await startAnvil()
 * const ledger = await connectEthereum({ url: anvil.url })
 * // ...
 * await ledger.close(); await anvil.stop()
 * ```
 */
export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilNode> {
  const binary = anvilBinary();
  const port = options.port ?? (await freePort());
  const args = ['--port', String(port), '--host', '127.0.0.1', '--silent'];
  // Without the historical states a restarted node answers eth_getProof only at its head,
  // so receipts of earlier blocks could no longer be verified.
  if (options.stateFile) args.push('--state', options.stateFile, '--preserve-historical-states');
  if (options.blockTime) args.push('--block-time', String(options.blockTime));
  if (options.chainId) args.push('--chain-id', String(options.chainId));
  args.push(...(options.args ?? []));
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  for (;;) {
    if (child.exitCode !== null) {
      throw new LedgerError('UNAVAILABLE', 'anvil exited during start', { details: { stderr, args } });
    }
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new LedgerError('UNAVAILABLE', 'anvil did not answer in time', { details: { stderr, url } });
    }
    await sleep(50);
  }
  const persist = persistence(url, options.stateFile);
  return { url, port, process: child, stop, persist };
}

/** Group commit: a call waits for the next dump to start after it, so one dump serves many callers. */
function persistence(url: string, stateFile: string | undefined): () => Promise<{ block: number }> {
  let running: Promise<{ block: number }> | undefined;
  let next: Promise<{ block: number }> | undefined;
  const dump = async (): Promise<{ block: number }> => {
    if (!stateFile) {
      throw new LedgerError('INVALID_ARGUMENT', 'persist() needs startAnvil({ stateFile })', {
        details: { option: 'stateFile' },
      });
    }
    let head: string;
    let state: string;
    try {
      // The head first: the dump that follows holds at least this block.
      head = (await rpc(url, 'eth_blockNumber', [])) as string;
      // `true`: with the historical states, as the dump at exit writes them.
      state = (await rpc(url, 'anvil_dumpState', [true])) as string;
    } catch (error) {
      throw new LedgerError('UNAVAILABLE', 'anvil did not answer the state dump', { details: { url }, cause: error });
    }
    // anvil_dumpState answers the gzipped JSON that --state reads back, hex-encoded.
    const json = gunzipSync(Buffer.from(state.slice(2), 'hex'));
    const staging = `${stateFile}.${process.pid}.tmp`;
    const file = await open(staging, 'w');
    try {
      await file.writeFile(json);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(staging, stateFile);
    return { block: Number(BigInt(head)) };
  };
  const start = () => {
    const current = dump().finally(() => {
      if (running === current) running = undefined;
    });
    running = current;
    return current;
  };
  return () => {
    if (!running) return start();
    if (!next) {
      const after = running.then(
        () => undefined,
        () => undefined,
      );
      next = after.then(() => {
        next = undefined;
        return start();
      });
    }
    return next;
  };
}

async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message?: string } };
  if (body.error || body.result === undefined) throw new Error(body.error?.message ?? `no result from ${method}`);
  return body.result;
}

function anvilBinary(): string {
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string];
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${arch}`;
  try {
    const require = createRequire(import.meta.url);
    const anvilPackage = require.resolve('@foundry-rs/anvil/package.json');
    const fromAnvil = createRequire(anvilPackage);
    const manifest = fromAnvil.resolve(`${platformPackage}/package.json`);
    return join(dirname(manifest), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  } catch (error) {
    throw new LedgerError('UNSUPPORTED', `install @foundry-rs/anvil (needs ${platformPackage})`, { cause: error });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
