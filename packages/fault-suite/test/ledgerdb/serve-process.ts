// Runs `ledgerdb serve` (the built CLI of @ledgerkit/ledgerdb) as a child process, the way
// an operator runs it, so a fault can kill it or pull its storage away.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

const manifest = createRequire(import.meta.url).resolve('@ledgerkit/ledgerdb/package.json');
/** The `ledgerdb` executable of the workspace package. */
export const ledgerdbBin: string = join(dirname(manifest), 'bin', 'ledgerdb.js');

/** A free loopback port (closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Creates an admin token in a tokens file with `ledgerdb token create`; returns the token. */
export function createAdminToken(tokensFile: string): string {
  const output = execFileSync(process.execPath, [
    ledgerdbBin,
    'token',
    'create',
    '--json',
    '--tokens',
    tokensFile,
    '--name',
    'fault',
    '--role',
    'admin',
    '--role',
    'read:*',
    '--role',
    'write:*',
  ]);
  return JSON.parse(output.toString()).token;
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves when it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `ledgerdb serve` with the given arguments and waits until it listens.
 *
 * @param args arguments after `serve`
 * @returns the running process and its URL
 * @throws Error when it exits before listening or does not listen within 60 s
 */
export function startServe(args: string[]): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ledgerdbBin, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ledgerdb serve did not listen within 60 s: ${stderr}`));
    }, 60_000);
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n').find((candidate) => candidate.includes('"listening"'));
      if (!line) return;
      clearTimeout(timer);
      resolve({
        child,
        url: JSON.parse(line).listening,
        exited,
        stderr: () => stderr,
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(force);
        },
      });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ledgerdb serve exited with ${code} before listening: ${stderr}`));
    });
  });
}
