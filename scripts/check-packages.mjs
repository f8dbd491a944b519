// Checks that every workspace follows the package template (docs/package-template.md):
// publishable packages ship ESM + types from tsdown, pin their public exports with a
// snapshot test, and keep entry files free of logic; examples and contracts are private.
// Prints every violation and exits 1 if there is any.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const problems = [];
const problem = (where, what) => problems.push(`${where}: ${what}`);
/** Where every published package's source lives (its package.json `repository`). */
const repositoryUrl = 'git+https://github.com/ledgerkit/ledgerkit.git';
/** The packages the API reference covers (typedoc.json). */
const typedocPackages = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')).entryPoints;
/** The tsdown settings the packages' tsdown.config.ts spread. */
const sharedBundlerConfig = readFileSync(join(root, 'tsdown.base.mjs'), 'utf8');

function workspaces(group) {
  const dir = join(root, group);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => existsSync(join(path, 'package.json')));
}

for (const group of ['contracts', 'examples']) {
  for (const dir of workspaces(group)) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (manifest.private !== true) problem(`${group}/${dir.split('/').pop()}`, 'must be "private": true');
  }
}

for (const dir of workspaces('packages')) {
  const where = `packages/${dir.split('/').pop()}`;
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (manifest.type !== 'module') problem(where, 'package.json needs "type": "module"');
  if (!manifest.engines?.node) problem(where, 'package.json needs engines.node');
  for (const script of ['build', 'typecheck', 'test']) {
    if (!manifest.scripts?.[script]) problem(where, `package.json needs a "${script}" script`);
  }
  for (const file of ['tsconfig.json', 'src/index.ts', 'src/exports.test.ts']) {
    if (!existsSync(join(dir, file))) problem(where, `missing ${file}`);
  }
  if (manifest.private === true) continue;
  for (const file of ['tsdown.config.ts', 'README.md']) {
    if (!existsSync(join(dir, file))) problem(where, `missing ${file}`);
  }
  if (!/^tsdown\b|&& tsdown$/.test(manifest.scripts?.build ?? '')) problem(where, 'the "build" script must run tsdown');
  const bundlerConfig = existsSync(join(dir, 'tsdown.config.ts'))
    ? readFileSync(join(dir, 'tsdown.config.ts'), 'utf8')
    : '';
  // The shared settings come from tsdown.base.mjs at the root, spread first so a package's own
  // settings (entries, deps) add to them.
  const extendsBase =
    /from '\.\.\/\.\.\/tsdown\.base\.mjs'/.test(bundlerConfig) && bundlerConfig.includes('...tsdownBase,');
  const bundlerSettings = extendsBase ? `${bundlerConfig}\n${sharedBundlerConfig}` : bundlerConfig;
  // dist/<entry>.js and .d.ts as exports names them, and node: specifiers kept (node:sqlite has no other name).
  for (const setting of ["format: 'esm'", 'fixedExtension: false', 'nodeProtocol: false', 'sourcemap: true']) {
    if (bundlerConfig && !bundlerSettings.includes(setting)) {
      problem(where, `tsdown.config.ts needs ${setting} (or to spread tsdownBase from ../../tsdown.base.mjs)`);
    }
  }
  if (!manifest.license) problem(where, 'package.json needs a license');
  const directory = `packages/${dir.split('/').pop()}`;
  if (
    manifest.repository?.type !== 'git' ||
    manifest.repository?.url !== repositoryUrl ||
    manifest.repository?.directory !== directory
  ) {
    problem(
      where,
      `package.json needs "repository": { "type": "git", "url": "${repositoryUrl}", "directory": "${directory}" }`,
    );
  }
  if (typeof manifest.homepage !== 'string') problem(where, 'package.json needs a "homepage"');
  if (typeof manifest.bugs?.url !== 'string') problem(where, 'package.json needs "bugs": { "url": ... }');
  if (!Array.isArray(manifest.files)) problem(where, 'package.json needs "files"');
  const exportsMap = manifest.exports ?? {};
  if (!exportsMap['.']) problem(where, 'package.json exports needs "."');
  // TypeDoc (typedoc.json, packages strategy) documents exactly the exported entry points.
  const entryPoints = Object.keys(exportsMap)
    .filter((subpath) => subpath !== './package.json')
    .map((subpath) => `src/${subpath === '.' ? 'index' : subpath.slice(2)}.ts`);
  if (JSON.stringify(manifest.typedocOptions?.entryPoints) !== JSON.stringify(entryPoints)) {
    problem(where, `package.json typedocOptions.entryPoints must be ${JSON.stringify(entryPoints)} (its exports)`);
  }
  if (!typedocPackages.includes(where)) problem(where, 'typedoc.json entryPoints must list it');
  if (exportsMap['./package.json'] !== './package.json') problem(where, 'exports should include "./package.json"');
  for (const [subpath, target] of Object.entries(exportsMap)) {
    if (subpath === './package.json') continue;
    const entry = subpath === '.' ? 'index' : subpath.slice(2);
    if (target?.types !== `./dist/${entry}.d.ts` || target?.import !== `./dist/${entry}.js`) {
      problem(where, `exports["${subpath}"] must be { types: "./dist/${entry}.d.ts", import: "./dist/${entry}.js" }`);
    }
    if (bundlerConfig && !bundlerConfig.includes(`'src/${entry}.ts'`)) {
      problem(where, `tsdown.config.ts does not build exports["${subpath}"] (entry src/${entry}.ts)`);
    }
    const source = join(dir, 'src', `${entry}.ts`);
    if (!existsSync(source)) {
      problem(where, `exports["${subpath}"] has no entry file src/${entry}.ts`);
      continue;
    }
    // Entry files only re-export: one statement per public name, no code to run.
    const statements = readFileSync(source, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '')
      .split(';')
      .map((statement) => statement.trim())
      .filter(Boolean);
    for (const statement of statements) {
      if (!/^export (type )?(\{[\s\S]*\}|\*( as \w+)?) from '[^']+'$/.test(statement)) {
        problem(where, `src/${entry}.ts may only re-export; found: ${statement.split('\n')[0]}`);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`Package layout problems (see docs/package-template.md):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('package layout: ok');
