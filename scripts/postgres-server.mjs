// Starts a throwaway PostgreSQL 15 for tests through the repository's scripts/postgres.sh
// (initdb in a fresh temporary directory, a free loopback port, fsync on) and stops it.
// Plain JavaScript with its types in postgres-server.d.mts, so the test code of any
// package imports it from here (ledgerdb's tests, the conformance run in @ledgerkit/testing).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const script = fileURLToPath(new URL('./postgres.sh', import.meta.url));
const run = promisify(execFile);

/**
 * Starts a new PostgreSQL cluster in a temporary directory.
 *
 * @returns its connection URL and a `stop()` that shuts it down and removes it
 */
export async function startPostgres() {
  await stopAbandoned();
  const dir = mkdtempSync(join(tmpdir(), 'ledgerdb-pg-'));
  // Whose server this is: a run killed before its teardown leaves it behind, and the
  // next run stops it (stopAbandoned).
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  const stop = async () => {
    await run('bash', [script, 'stop', dir], { timeout: 120_000 });
  };
  try {
    const { stdout } = await run('bash', [script, 'start', dir], { timeout: 300_000 });
    const url = stdout.trim().split('\n').pop() ?? '';
    if (!url.startsWith('postgres://')) throw new Error(`postgres.sh start printed ${JSON.stringify(stdout)}`);
    return { url, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

/** True when a process with this pid exists. */
/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

/** Stops test servers whose owning test run no longer exists (it was killed mid-run). */
async function stopAbandoned() {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('ledgerdb-pg-')) continue;
    const dir = join(tmpdir(), name);
    let owner;
    try {
      owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
    } catch {
      continue;
    }
    if (Number.isSafeInteger(owner) && owner > 0 && !alive(owner)) {
      await run('bash', [script, 'stop', dir], { timeout: 120_000 }).catch(() => {});
    }
  }
}
