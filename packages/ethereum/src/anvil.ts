import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { LedgerError } from '@ledgerkit/core';

/** Options of {@link startAnvil}. */
export interface AnvilOptions {
  /** Port to listen on (default: a free one). */
  port?: number;
  /** File to load the chain from at start and dump it to at stop, so a restart keeps it. */
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
  if (options.stateFile) args.push('--state', options.stateFile);
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
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, port, process: child, stop };
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
