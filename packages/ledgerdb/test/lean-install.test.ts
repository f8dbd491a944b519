// The lean install: a project that installs @ledgerkit/ledgerdb gets its dependencies but
// none of its optional peers (pg, fastify and the server's plugins). The packages are packed
// with `npm pack` (the real published file set) and unpacked into a temporary project outside
// the repository, next to the package's non-optional dependencies only; a child Node process
// there opens an embedded ledger, commits and verifies, and meets the typed errors of the
// PostgreSQL and server entries. `turbo run test` builds first (the tarball holds dist/).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(packageDir, '..', '..');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};
const optionalPeers = Object.keys(manifest.peerDependenciesMeta).filter(
  (name) => manifest.peerDependenciesMeta[name]?.optional === true,
);
let project: string;

/** Packs a workspace with npm and unpacks it as `node_modules/<name>` of the project. */
function installPacked(workspaceDir: string, name: string): void {
  const out = mkdtempSync(join(tmpdir(), 'ledgerdb-pack-'));
  try {
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: workspaceDir, encoding: 'utf8' }),
    ) as { filename: string }[];
    const target = join(project, 'node_modules', name);
    mkdirSync(target, { recursive: true });
    execFileSync('tar', [
      '-xzf',
      join(out, (packed as { filename: string }).filename),
      '-C',
      target,
      '--strip-components=1',
    ]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * Links a registry dependency (and, recursively, its dependencies) from the repository's
 * install, found the way Node finds it from `from`: in the nearest node_modules upwards.
 */
function linkDependency(name: string, from: string): void {
  const target = join(project, 'node_modules', name);
  if (existsSync(target)) return;
  let source: string | undefined;
  for (let dir = from; source === undefined; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', name, 'package.json'))) source = join(dir, 'node_modules', name);
    else if (dir === dirname(dir)) throw new Error(`${name} is not installed in the repository (npm install)`);
  }
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(source, target, 'dir');
  const dependencies = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')).dependencies ?? {};
  for (const dependency of Object.keys(dependencies)) linkDependency(dependency, realpathSync(source));
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'ledgerdb-lean-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'lean-app', private: true, type: 'module' }));
  installPacked(packageDir, '@ledgerkit/ledgerdb');
  installPacked(join(packageDir, '..', 'core'), '@ledgerkit/core');
  const coreDir = join(packageDir, '..', 'core');
  const core = JSON.parse(readFileSync(join(coreDir, 'package.json'), 'utf8'));
  for (const [dir, names] of [
    [packageDir, Object.keys(manifest.dependencies)],
    [coreDir, Object.keys(core.dependencies ?? {})],
  ] as const) {
    for (const name of names) if (!name.startsWith('@ledgerkit/')) linkDependency(name, dir);
  }
}, 120_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

test('pg, fastify and the server plugins are optional peers, not dependencies', () => {
  expect(optionalPeers).toEqual(expect.arrayContaining(['pg', 'fastify', '@fastify/swagger']));
  for (const name of optionalPeers) {
    expect(manifest.dependencies[name], name).toBeUndefined();
    expect(manifest.peerDependencies[name], name).toBeDefined();
  }
});

test('the main entry works with no optional peer installed; ./postgres and ./server name the package to install', () => {
  const script = `
    const missing = [];
    for (const name of ${JSON.stringify(optionalPeers)}) {
      try { await import(name); } catch (error) { if (error.code === 'ERR_MODULE_NOT_FOUND') missing.push(name); }
    }
    const { openLedgerDatabase } = await import('@ledgerkit/ledgerdb');
    const ledger = await openLedgerDatabase({ path: 'app.ledger' });
    await ledger.createTable('orders');
    const { value: id, commit } = await ledger.transaction((tx) => tx.insert('orders', { qty: 2 }));
    const { verifyRevisionProof } = await import('@ledgerkit/ledgerdb');
    const verified = verifyRevisionProof(await ledger.proof('orders', id, 0), await ledger.digest()).ok;
    await ledger.close();
    const failure = async (run) => {
      try { await run(); return { code: 'none' }; } catch (error) { return { code: error.code, name: error.name, details: error.details }; }
    };
    const { postgresStorage } = await import('@ledgerkit/ledgerdb/postgres');
    const postgres = await failure(() => openLedgerDatabase({ storage: postgresStorage({ connectionString: 'postgres://127.0.0.1:1/x' }) }));
    const { createServer, TokenRegistry } = await import('@ledgerkit/ledgerdb/server');
    const serverLedger = await openLedgerDatabase({ path: 'server.ledger' });
    const server = await failure(() => createServer({ ledger: serverLedger, tokens: new TokenRegistry([]) }));
    await serverLedger.close();
    console.log(JSON.stringify({ missing, committed: typeof commit.txId === 'string', verified, postgres, server }));
  `;
  writeFileSync(join(project, 'check.mjs'), script);
  const run = spawnSync(process.execPath, ['check.mjs'], { cwd: project, encoding: 'utf8' });
  expect(run.stderr).not.toMatch(/Error/);
  expect(run.status).toBe(0);
  const outcome = JSON.parse(run.stdout.trim().split('\n').pop() as string);
  expect(outcome.missing).toEqual(optionalPeers);
  expect(outcome.committed).toBe(true);
  expect(outcome.verified).toBe(true);
  expect(outcome.postgres).toMatchObject({ code: 'UNSUPPORTED', name: 'LedgerError', details: { package: 'pg' } });
  expect(outcome.server).toMatchObject({ code: 'UNSUPPORTED', name: 'LedgerError', details: { package: 'fastify' } });
});
