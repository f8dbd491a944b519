// Runs the real `ledgerdb serve` command as a child process (the built bin), for tests of
// what only the command does: flags, exit codes, signals, restarts.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package's bin; it runs `dist/`, so tests that use it need a build. */
export const ledgerdbBin = fileURLToPath(new URL('../bin/ledgerdb.js', import.meta.url));
/** Whether `dist/` is built (turbo builds it before the tests in CI). */
export const cliBuilt = existsSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)));

/** A started `ledgerdb serve`: the process, its URL, and its exit code once it exits. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  /** The whole listening line, e.g. `{ listening, ledger, metrics? }`. */
  listening: Record<string, unknown>;
  /** Everything it wrote to stderr so far (its JSON log lines). */
  stderr(): string;
}

/** How to start it: the environment (default: this process's) and working directory. */
export interface ServeSpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Starts `ledgerdb serve` with `args` and resolves once it prints its `listening` line.
 *
 * @throws when the process exits before listening, with its stderr
 */
export function startServe(args: readonly string[], options: ServeSpawnOptions = {}): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ledgerdbBin, 'serve', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.env ? { env: options.env } : {}),
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n').find((candidate) => candidate.includes('"listening"'));
      if (line) {
        const listening = JSON.parse(line) as Record<string, unknown>;
        resolve({ child, url: listening.listening as string, exited, listening, stderr: () => stderr });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code} before listening: ${stderr}`)));
  });
}
