// Builds and packs the publishable packages into one folder of tarballs, for using ledgerkit
// from a checkout before the packages are on npm:
//
//   npm run pack:all                          # every package -> ./tarballs/*.tgz
//   node scripts/pack.mjs --out DIR [--no-build] [NAME...]
//
// NAME is a package name (ledgerkit, @ledgerkit/ledgerdb, ...); the @ledgerkit packages it
// depends on are packed with it, since npm cannot fetch them from the registry yet. Prints the
// `npm install` command that installs the tarballs into another project.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values, positionals } = parseArgs({
  options: {
    out: { type: 'string', default: join(root, 'tarballs') },
    'no-build': { type: 'boolean', default: false },
  },
  allowPositionals: true,
});

/** name -> { dir, manifest } of every publishable workspace under packages/. */
const publishable = new Map();
for (const name of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', name);
  if (!existsSync(join(dir, 'package.json'))) continue;
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (manifest.private !== true) publishable.set(manifest.name, { dir, manifest });
}

const wanted = new Set();
const add = (name) => {
  if (wanted.has(name)) return;
  const found = publishable.get(name);
  if (!found) {
    console.error(`pack: ${name} is not a publishable package (${[...publishable.keys()].join(', ')})`);
    process.exit(2);
  }
  wanted.add(name);
  // Workspace dependencies travel along: they are not on the npm registry yet.
  for (const dependency of Object.keys(found.manifest.dependencies ?? {})) {
    if (publishable.has(dependency)) add(dependency);
  }
};
for (const name of positionals.length > 0 ? positionals : publishable.keys()) add(name);

const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const names = [...wanted];
if (!values['no-build']) {
  console.error(`pack: building ${names.join(', ')}`);
  execFileSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only', ...names.map((n) => `--filter=${n}`)], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
const tarballs = [];
for (const name of names) {
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--loglevel=error', '--pack-destination', out], {
      cwd: publishable.get(name).dir,
      encoding: 'utf8',
    }),
  );
  tarballs.push(join(out, packed.filename));
  console.log(join(out, packed.filename));
}
console.error(
  `\npack: ${tarballs.length} tarballs in ${out}. In another project:\n  npm install ${tarballs.join(' ')}`,
);
