import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createToken, parseRoles } from '@ledgerkit/ledgerdb/server';
import { type StartedProcess, startProcess } from '../processes.ts';

/** A running `ledgerdb serve` and an admin token for it. */
export interface LedgerdbServer {
  url: string;
  token: string;
  process: StartedProcess;
  stop: () => Promise<void>;
}

/** The `ledgerdb` command of the installed @ledgerkit/ledgerdb (its `bin`). */
function ledgerdbBin(): string {
  const manifest = createRequire(import.meta.url).resolve('@ledgerkit/ledgerdb/package.json');
  return join(dirname(manifest), 'bin', 'ledgerdb.js');
}

/**
 * Starts `ledgerdb serve` on loopback in its own process, on a new SQLite file (durable:
 * every commit fsynced), with a token that may read, write and create tables. The
 * per-transaction document limit is raised from QLDB's 40 to 1,000 (with the statement and
 * body limits to match) so the batched workload runs through HTTP.
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
  const started = await startProcess({
    command: process.execPath,
    args: [
      ledgerdbBin(),
      'serve',
      ...['--db', join(options.dataDir, 'bench.ledger'), '--tokens', tokens],
      ...['--port', '0', '--host', '127.0.0.1'],
      ...[
        '--max-documents-per-transaction',
        '1000',
        '--max-statements',
        '1000',
        '--body-limit',
        String(4 * 1024 * 1024),
      ],
    ],
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
