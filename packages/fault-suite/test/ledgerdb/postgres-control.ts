// A throwaway PostgreSQL (the repository's scripts/postgres.sh creates it) that a scenario
// can stop and start again on the same port and data directory, as an operator's restart
// or a crash of the database server would.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../../../scripts/postgres.sh', import.meta.url));
const binDir = process.env.LEDGERKIT_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface ControlledPostgres {
  url: string;
  /** Stops the server: `immediate` is a crash (no checkpoint; WAL recovery on start), `fast` a clean stop. */
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it for good and removes its directory. */
  destroy(): Promise<void>;
}

/** pg_ctl as the data directory's owner (root runs it as `postgres`, like postgres.sh). */
function pgCtl(args: string[]): Promise<unknown> {
  const command = join(binDir, 'pg_ctl');
  return process.getuid?.() === 0
    ? run('runuser', ['-u', 'postgres', '--', command, ...args], { timeout: 90_000 })
    : run(command, args, { timeout: 90_000 });
}

/**
 * Creates and starts a PostgreSQL cluster in a fresh temporary directory.
 *
 * @returns its URL and controls
 */
export async function startControlledPostgres(): Promise<ControlledPostgres> {
  // The `ledgerdb-pg-` prefix and owner.pid let scripts/postgres-server.mjs stop it if this
  // run is killed before its cleanup.
  const dir = mkdtempSync(join(tmpdir(), 'ledgerdb-pg-'));
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  const destroy = async () => {
    await run('bash', [script, 'stop', dir], { timeout: 120_000 });
  };
  let url: string;
  try {
    const { stdout } = await run('bash', [script, 'start', dir], { timeout: 300_000 });
    url = readFileSync(join(dir, 'url'), 'utf8').trim();
    if (!url.startsWith('postgres://')) throw new Error(`postgres.sh start printed ${JSON.stringify(stdout)}`);
  } catch (error) {
    await destroy().catch(() => {});
    throw error;
  }
  const port = new URL(url).port;
  const data = join(dir, 'data');
  return {
    url,
    stop: async (mode) => {
      await pgCtl(['stop', '-D', data, '-m', mode, '-w', '-t', '30']);
    },
    start: async () => {
      await pgCtl([
        'start',
        '-w',
        '-t',
        '60',
        '-D',
        data,
        '-l',
        join(dir, 'server.log'),
        '-o',
        `-c listen_addresses=127.0.0.1 -p ${port} -k ${join(dir, 'socket')} -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=200`,
      ]);
    },
    destroy,
  };
}
