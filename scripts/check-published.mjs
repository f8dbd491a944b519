// Checks every publishable package (packages/* without "private": true) as npm would ship
// it: packs it with `npm pack` (the packages must be built first: `npm run build`), then runs
// publint (package.json and the packed files agree: exports, types, files) and
// @arethetypeswrong/cli (the types resolve under node16 and bundler resolution; the packages
// are ESM only, hence its esm-only profile) on the tarball.
//
//   node scripts/check-published.mjs [package-dir...]
//
// Prints one line per package and every problem found; exits 1 if there is any.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = new URL('..', import.meta.url).pathname;
const attw = join(root, 'node_modules', '.bin', 'attw');

/** @returns the directories of the publishable workspaces */
function publishable() {
  const dir = join(root, 'packages');
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => existsSync(join(path, 'package.json')))
    .filter((path) => JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')).private !== true);
}

const dirs = process.argv.length > 2 ? process.argv.slice(2).map((dir) => resolve(dir)) : publishable();
const out = mkdtempSync(join(tmpdir(), 'ledgerkit-check-published-'));
let failed = 0;
try {
  for (const dir of dirs) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const problems = [];
    if (!existsSync(join(dir, 'dist'))) {
      problems.push('dist/ is missing: build first (npm run build)');
    } else {
      const [packed] = JSON.parse(
        execFileSync('npm', ['pack', '--json', '--pack-destination', out, '--loglevel=error'], {
          cwd: dir,
          encoding: 'utf8',
        }),
      );
      const tarball = join(out, packed.filename);
      const lint = await publint({ pack: { tarball: readFileSync(tarball).buffer }, strict: true });
      for (const message of lint.messages) {
        problems.push(`publint ${message.type}: ${formatMessage(message, lint.pkg) ?? message.code}`);
      }
      const types = spawnSync(
        attw,
        [tarball, '--profile', 'esm-only', '--no-definitely-typed', '--format', 'ascii', '--no-color', '--no-emoji'],
        { encoding: 'utf8' },
      );
      if (types.status !== 0) problems.push(`attw:\n${(types.stdout + types.stderr).trim()}`);
    }
    console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${manifest.name}`);
    for (const problem of problems) console.log(`     ${problem.replaceAll('\n', '\n     ')}`);
    if (problems.length > 0) failed++;
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (failed > 0) {
  console.error(`published packages: ${failed} of ${dirs.length} with problems`);
  process.exit(1);
}
console.log(`published packages: ${dirs.length} pass publint and attw`);
