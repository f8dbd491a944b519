#!/usr/bin/env node
// Launcher of the `ledgerdb` command. Plain JavaScript that any Node.js can parse, so it
// can say what is wrong instead of failing on node:sqlite: the command needs Node.js
// >= 22.13. On an older Node it re-runs itself with the Node 24 that
// scripts/with-node.sh keeps in the ledgerkit cache, when there is one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants, homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Node.js major version scripts/with-node.sh installs (the repository's .nvmrc). */
const cachedNodeMajor = 24;
/** Set in the environment of the re-run, so a wrong cached Node cannot loop. */
const relaunchedVariable = 'LEDGERDB_RELAUNCHED';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const hasSqlite = major > 22 || (major === 22 && minor >= 13);

if (!hasSqlite) {
  const cachedNode = cachedNodePath();
  if (cachedNode === undefined || process.env[relaunchedVariable] === '1') {
    process.stderr.write(
      `ledgerdb: needs Node.js >= 22.13 (for node:sqlite); this is Node.js ${process.versions.node}.\n` +
        'Install Node.js 24, or from a clone of the ledgerkit repository run\n' +
        '  bash scripts/with-node.sh npx ledgerdb --help\n' +
        `which fetches Node.js ${cachedNodeMajor} into ${cacheRoot()}/node, where ledgerdb then finds it.\n`,
    );
    process.exit(1);
  }
  const result = spawnSync(cachedNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [relaunchedVariable]: '1' },
  });
  if (result.error) {
    process.stderr.write(`ledgerdb: cannot run ${cachedNode}: ${result.error.message}\n`);
    process.exit(1);
  }
  // Killed by a signal: exit as a shell reports it, 128 + the signal number.
  process.exit(result.status ?? 128 + (constants.signals[result.signal] ?? 0));
}

const cli = new URL('../dist/main.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    `ledgerdb: ${fileURLToPath(cli)} is missing: the package must be built first (npm run build).\n`,
  );
  process.exit(1);
}
silenceSqliteExperimentalWarning();
await import(cli.href);

/** Where scripts/with-node.sh keeps Node: `$LEDGERKIT_HOME`, default `${XDG_CACHE_HOME:-~/.cache}/ledgerkit`. */
function cacheRoot() {
  const { LEDGERKIT_HOME: home, XDG_CACHE_HOME: cache } = process.env;
  if (home) return home;
  return join(cache || join(homedir(), '.cache'), 'ledgerkit');
}

/** The cached Node binary for this machine, or undefined when there is none. */
function cachedNodePath() {
  const platforms = { linux: 'linux', darwin: 'darwin' };
  const architectures = { x64: 'x64', arm64: 'arm64' };
  const platform = platforms[process.platform];
  const architecture = architectures[process.arch];
  if (platform === undefined || architecture === undefined) return undefined;
  const target = `${platform}-${architecture}`;
  const path = join(
    cacheRoot(),
    'node',
    `${cachedNodeMajor}-${target}`,
    'node_modules',
    `node-${target}`,
    'bin',
    'node',
  );
  return existsSync(path) ? path : undefined;
}

/**
 * Node 22.13 to 23 print an ExperimentalWarning when node:sqlite loads; the command's
 * stderr is reserved for its one-line errors, so that warning (and only it) is dropped.
 */
function silenceSqliteExperimentalWarning() {
  const emitWarning = process.emitWarning;
  process.emitWarning = function emitWarningExceptSqlite(warning, ...rest) {
    const text = typeof warning === 'string' ? warning : warning?.message;
    if (typeof text === 'string' && text.startsWith('SQLite is an experimental feature')) return;
    return emitWarning.call(process, warning, ...rest);
  };
}
