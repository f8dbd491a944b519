import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createToken, parseRoles } from '@ledgerkit/ledgerdb/server';
import { type StartedProcess, startProcess } from '../processes.ts';

/** A running ledgerdb server (serve-child.ts) and an admin token for it. */
export interface LedgerdbServer {
  url: string;
  token: string;
  process: StartedProcess;
  stop: () => Promise<void>;
}

/**
 * Starts ledgerdb's HTTP server on loopback in its own process, on a new SQLite file
 * (durable: every commit fsynced), with a token that may read, write and create tables.
 *
 * @param options - the run directory (marks the process) and a data directory of its own
 * @returns the server, listening
 * @throws Error when it exits or does not print its address within the timeout
 */
export async function startLedgerdbServer(options: {
  runDir: string;
  dataDir: string;
  timeoutMs?: number;
}): Promise<LedgerdbServer> {
  const tokens = join(options.dataDir, 'tokens.json');
  const { token } = await createToken(tokens, 'bench', parseRoles(['admin', 'read:*', 'write:*']));
  const logFile = join(options.dataDir, 'server.log');
  const child = join(dirname(fileURLToPath(import.meta.url)), 'serve-child.ts');
  const started = await startProcess({
    command: process.execPath,
    args: [child, '--db', join(options.dataDir, 'bench.ledger'), '--tokens', tokens],
    runDir: options.runDir,
    cwd: options.dataDir,
    logFile,
  });
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    const line = log.split('\n').find((l) => l.startsWith('{"listening"'));
    if (line) {
      const { listening } = JSON.parse(line) as { listening: string };
      return { url: listening, token, process: started, stop: () => started.stop() };
    }
    if (started.child.exitCode !== null || Date.now() > deadline) {
      await started.stop();
      throw new Error(`the ledgerdb server did not start; its log:\n${log.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
