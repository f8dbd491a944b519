import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type StartedProcess, startProcess } from '../processes.ts';
import { ImmudbClient } from './client.ts';

/** A running immudb server. */
export interface ImmudbServer {
  /** `127.0.0.1:<port>` of its gRPC API. */
  address: string;
  process: StartedProcess;
  /** The flags it was started with (recorded in the result). */
  flags: string[];
  /** Stops the server's process group. */
  stop: () => Promise<void>;
}

/** Options of {@link startImmudb}. */
export interface StartImmudbOptions {
  /** The immudb executable. */
  binary: string;
  /** The run directory (processes.ts `claimRunDir`): marks the process for the leftover sweep. */
  runDir: string;
  /** Data directory (created); the server's log goes next to it. */
  dataDir: string;
  /** Include directory of the gRPC schema. */
  protoDir: string;
  /** How long to wait for it to answer (default 30 s). */
  timeoutMs?: number;
}

/** A free TCP port on loopback (closed again; the server binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts immudb on loopback with synced (fsynced) commits and nothing but its gRPC API:
 * no web console, metrics or PostgreSQL wire servers.
 *
 * @param options - binary, directories
 * @returns the server, answering a login
 * @throws Error when it exits or does not answer in time (with the log's path)
 */
export async function startImmudb(options: StartImmudbOptions): Promise<ImmudbServer> {
  await mkdir(options.dataDir, { recursive: true });
  const port = await freePort();
  const flags = [
    `--dir=${options.dataDir}`,
    '--address=127.0.0.1',
    `--port=${port}`,
    // Synced is immudb's default since 1.0; stated so the run says what it measured.
    '--synced=true',
    '--web-server=false',
    '--metrics-server=false',
    '--pgsql-server=false',
    '--grpc-reflection=false',
  ];
  const logFile = join(options.dataDir, '..', 'immudb.log');
  const process = await startProcess({
    command: options.binary,
    args: flags,
    runDir: options.runDir,
    cwd: options.dataDir,
    env: { ...globalThis.process.env, LOG_LEVEL: 'error' },
    logFile,
  });
  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (process.child.exitCode !== null || process.child.signalCode !== null) {
      throw new Error(`immudb exited while starting (code ${process.child.exitCode}); see ${logFile}`);
    }
    try {
      const client = await ImmudbClient.connect({ address, protoDir: options.protoDir });
      client.close();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await process.stop();
        throw new Error(`immudb did not answer on ${address} within the timeout; see ${logFile}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return { address, process, flags, stop: () => process.stop() };
}
