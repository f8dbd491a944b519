// Builds the page and starts the app exactly as `npm run web` does (its API server in a child
// process, on a free loopback port), and stops it after the tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

/** A running app server. */
export interface AppServer {
  url: string;
  /** Everything the server printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Builds the page with Vite, then starts `src/server/main.ts` on port 0 and waits for its URL.
 *
 * @param args - more flags for the server (`--fabric`)
 * @param readyTimeoutMs - how long the server may take to print its URL
 * @returns the server
 * @throws Error when the build fails or the server exits or stays silent
 */
export async function startAppServer(args: string[] = [], readyTimeoutMs = 120_000): Promise<AppServer> {
  await build({ root, logLevel: 'warn', configFile: `${root}/vite.config.ts` });
  const child = spawn(process.execPath, ['src/server/main.ts', '--port', '0', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY: 'true' },
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the app server printed no URL in time:\n${output}`)),
      readyTimeoutMs,
    );
    const poll = setInterval(() => {
      const match = /Supply-chain web app: (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (match?.[1]) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(match[1]);
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`the app server exited with ${code}:\n${output}`));
    });
  });
  return { url, output: () => output, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}
