// The README's "use it from a checkout" flow, for real: `scripts/pack.mjs` packs ledgerkit and
// the @ledgerkit packages it depends on into tarballs, a new project outside the repository
// installs them with npm (third-party dependencies from the registry or npm's cache), and
// `npx ledgerkit` runs there from the project's own node_modules. `turbo run test` builds first.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version as string;
let base: string;
let project: string;
/** The user's environment: no binary of the repository's node_modules on PATH. */
const env = {
  ...process.env,
  PATH: (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.startsWith(repoRoot))
    .join(delimiter),
};
// Node itself may live under the repository's cache only when LEDGERKIT_HOME points there;
// keep the running Node reachable either way.
env.PATH = [join(process.execPath, '..'), env.PATH].join(delimiter);

beforeAll(async () => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'ledgerkit-packed-')));
  const tarballs = join(base, 'tarballs');
  await run(process.execPath, [join(repoRoot, 'scripts', 'pack.mjs'), '--out', tarballs, '--no-build', 'ledgerkit'], {
    cwd: repoRoot,
  });
  project = join(base, 'app');
  await run('mkdir', [project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const files = readdirSync(tarballs).map((file) => join(tarballs, file));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...files], {
    cwd: project,
    env,
  });
}, 300_000);

afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

test('pack.mjs packs ledgerkit with the @ledgerkit packages it depends on', () => {
  const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
  expect(Object.keys(manifest.dependencies).sort()).toEqual(
    expect.arrayContaining(['@ledgerkit/core', '@ledgerkit/fabric-network', 'ledgerkit']),
  );
  for (const spec of Object.values(manifest.dependencies)) expect(spec).toMatch(/^file:.*\.tgz$/);
});

test('npx ledgerkit --help and --version run in the new project, from its node_modules', async () => {
  const help = await run('npx', ['--no-install', 'ledgerkit', '--help'], { cwd: project, env });
  expect(help.stdout).toMatch(/^Usage: ledgerkit /);
  expect(help.stdout).toContain('verify');
  const versionRun = await run('npx', ['--no-install', 'ledgerkit', '--version'], { cwd: project, env });
  expect(versionRun.stdout.trim()).toContain(version);
  const bin = realpathSync(join(project, 'node_modules', '.bin', 'ledgerkit'));
  expect(bin.startsWith(join(project, 'node_modules', 'ledgerkit'))).toBe(true);
});
