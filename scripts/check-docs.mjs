// Checks claims of README.md and the package READMEs against the code, so they cannot drift:
//
// - the root README's package table lists exactly the published packages (packages/* without
//   "private": true), each under its package.json name and linked to its folder, and every
//   published package's README says it is not on npm yet;
// - the Node.js prerequisites: every `Node.js >= X` / `Node.js X or newer` in the docs is the
//   `engines.node` minimum (the same in every package), the README names the `.nvmrc` major
//   and each CPU scripts/with-node.sh fetches Node for, and it does not promise macOS for
//   Fabric while @ledgerkit/fabric-network reads Linux's /proc;
// - the `ledgerkit` commands: every `ledgerkit <command> [<subcommand>]` in a code span or
//   block of README.md and packages/cli/README.md exists in the real program, read from the
//   built CLI's `--help` (recursively, each command's own `--help`), and packages/cli/README.md
//   mentions every command there is (README.md every top-level one).
//
//   node scripts/check-docs.mjs [--no-cli] [--readme FILE] [--cli-readme FILE]
//
// --no-cli skips the commands (they need packages/cli built; `npm run lint` runs without a
// build, the cli package's tests run the whole check). --readme/--cli-readme check another copy.
// Prints every wrong claim and exits 1 if there is any.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    'no-cli': { type: 'boolean', default: false },
    readme: { type: 'string', default: join(root, 'README.md') },
    'cli-readme': { type: 'string', default: join(root, 'packages', 'cli', 'README.md') },
  },
});
const problems = [];
const problem = (where, what) => problems.push(`${where}: ${what}`);
const read = (path) => readFileSync(path, 'utf8');
const shown = (path) => (path.startsWith(root) ? relative(root, path) : path);

const readmePath = values.readme;
const readme = read(readmePath);
const rootManifest = JSON.parse(read(join(root, 'package.json')));

const packages = readdirSync(join(root, 'packages'))
  .filter((dir) => existsSync(join(root, 'packages', dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(read(join(root, 'packages', dir, 'package.json'))) }));
const published = packages.filter(({ manifest }) => manifest.private !== true);

// The package table: the rows of the table under "## Packages".
const packagesSection = section(readme, 'Packages');
if (packagesSection === undefined) problem(shown(readmePath), 'has no "## Packages" section');
const rows = [...(packagesSection ?? '').matchAll(/^\| \[`([^`]+)`\]\(packages\/([^)/]+)\/?\)/gm)].map((match) => ({
  name: match[1],
  dir: match[2],
}));
for (const { dir, manifest } of published) {
  const row = rows.find((candidate) => candidate.dir === dir);
  if (!row) problem(shown(readmePath), `the package table lacks ${manifest.name} (packages/${dir})`);
  else if (row.name !== manifest.name) {
    problem(
      shown(readmePath),
      `the package table names packages/${dir} ${row.name}; its package.json says ${manifest.name}`,
    );
  }
  const packageReadme = join(root, 'packages', dir, 'README.md');
  if (existsSync(packageReadme) && !read(packageReadme).includes('Not on npm yet')) {
    problem(`packages/${dir}/README.md`, 'must say the package is not on npm yet ("Not on npm yet")');
  }
}
for (const row of rows) {
  if (!published.some(({ dir }) => dir === row.dir)) {
    problem(
      shown(readmePath),
      `the package table lists ${row.name} (packages/${row.dir}), which is not a published package`,
    );
  }
}

// Node.js and platforms.
const minimum = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(rootManifest.engines?.node ?? '')?.[1];
if (minimum === undefined) problem('package.json', `engines.node must be ">=X.Y", found ${rootManifest.engines?.node}`);
for (const { dir, manifest } of packages) {
  if (manifest.engines?.node !== rootManifest.engines?.node) {
    problem(
      `packages/${dir}/package.json`,
      `engines.node ${manifest.engines?.node} differs from the root's ${rootManifest.engines?.node}`,
    );
  }
}
const nvmrc = read(join(root, '.nvmrc')).trim();
const docs = [
  readmePath,
  ...readdirSync(join(root, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => join(root, 'docs', file)),
  ...packages.map(({ dir }) => join(root, 'packages', dir, 'README.md')).filter((path) => existsSync(path)),
];
for (const path of docs) {
  const text = read(path).replace(/\s+/g, ' ');
  for (const match of text.matchAll(/Node(?:\.js)? (?:>= ?(\d+(?:\.\d+)*)|(\d+(?:\.\d+)*) or newer)/g)) {
    const claimed = match[1] ?? match[2];
    if (minimum !== undefined && claimed !== minimum) {
      problem(shown(path), `"${match[0]}" contradicts engines.node >=${minimum}`);
    }
  }
}
const prerequisites = section(readme, 'Prerequisites') ?? '';
if (!prerequisites) problem(shown(readmePath), 'has no "## Prerequisites" section');
const flat = prerequisites.replace(/\s+/g, ' ');
if (minimum !== undefined && !flat.includes(`Node.js >= ${minimum}`)) {
  problem(shown(readmePath), `the prerequisites must say "Node.js >= ${minimum}" (engines.node)`);
}
if (!flat.includes(`Node.js ${nvmrc}`))
  problem(shown(readmePath), `the prerequisites must name Node.js ${nvmrc} (.nvmrc)`);
const withNode = read(join(root, 'scripts', 'with-node.sh'));
for (const [, arch] of withNode.matchAll(/\) arch=(\w+) ;;/g)) {
  if (!flat.includes(arch))
    problem(shown(readmePath), `the prerequisites do not mention ${arch}, which scripts/with-node.sh supports`);
}
if (readsProc(join(root, 'packages', 'fabric-network', 'src'))) {
  if (/Linux or macOS/.test(readme.replace(/\s+/g, ' '))) {
    problem(
      shown(readmePath),
      'says "Linux or macOS", but Hyperledger Fabric needs Linux (fabric-network reads /proc)',
    );
  }
  if (!/Fabric needs Linux/.test(flat)) {
    problem(
      shown(readmePath),
      'the prerequisites must say that Hyperledger Fabric needs Linux (fabric-network reads /proc)',
    );
  }
}

// The ledgerkit command tree.
if (!values['no-cli']) {
  const cli = join(root, 'packages', 'cli', 'dist', 'cli.js');
  if (!existsSync(cli)) {
    problem('packages/cli', 'dist/cli.js is missing: build first (npm run build), or pass --no-cli');
  } else {
    const tree = commandTree(cli, []);
    const cliReadmePath = values['cli-readme'];
    for (const [path, { complete }] of [
      [readmePath, 'top'],
      [cliReadmePath, 'all'],
    ].map(([file, complete]) => [file, { complete }])) {
      const mentioned = new Set();
      for (const words of ledgerkitMentions(read(path))) {
        checkMention(tree, words, shown(path), mentioned);
      }
      for (const command of listCommands(tree, complete === 'top' ? 1 : Number.POSITIVE_INFINITY)) {
        if (!mentioned.has(command))
          problem(shown(path), `never mentions \`ledgerkit ${command}\`, a command of the CLI`);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`Docs that contradict the code (scripts/check-docs.mjs):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('docs: ok');

/** @returns the text of the `## title` section, or undefined */
function section(text, title) {
  const start = text.search(new RegExp(`^## ${title}\\s*$`, 'm'));
  if (start < 0) return undefined;
  const rest = text.slice(start + 1);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** @returns whether a TypeScript source under dir reads /proc */
function readsProc(dir) {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { recursive: true })
    .filter((file) => String(file).endsWith('.ts') && !String(file).endsWith('.test.ts'))
    .some((file) => /['"`]\/proc[/'"`]/.test(read(join(dir, String(file)))));
}

/**
 * The commands under `ledgerkit ...path`, from the "Commands:" section of its `--help`
 * (commander's layout: two spaces, the name, `|alias`, then arguments and a description).
 *
 * @returns a map of command name to its own subtree
 */
function commandTree(cli, path) {
  const run = spawnSync(process.execPath, [cli, ...path, '--help'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (run.status !== 0) {
    // The CLI's own tests own --help; here the command just counts as one without subcommands.
    console.log(
      `note: \`ledgerkit ${[...path, '--help'].join(' ')}\` exits ${run.status}; read as a command without subcommands`,
    );
    return new Map();
  }
  const tree = new Map();
  const lines = run.stdout.split('\n');
  const start = lines.findIndex((line) => /^Commands:\s*$/.test(line));
  if (start < 0) return tree;
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const match = /^ {2}([a-z][\w-]*(?:\|[a-z][\w-]*)*)(?:\s|$)/.exec(line);
    if (!match) continue;
    const [name] = match[1].split('|');
    if (name === 'help' || path.length > 3) continue;
    tree.set(name, commandTree(cli, [...path, name]));
  }
  return tree;
}

/** @returns the words after `ledgerkit` in each code span and code block of a Markdown text */
function* ledgerkitMentions(markdown) {
  const code = [
    ...[...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].flatMap((match) => match[1].split('\n')),
    ...[...markdown.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '').matchAll(/`([^`\n]+)`/g)].map((match) => match[1]),
  ];
  for (const snippet of code) {
    for (const match of snippet.matchAll(
      /(?<![\w@/.-])ledgerkit(?![\w@/.-])((?:[ \t]+[a-z][\w-]*(?:\/[a-z][\w-]*)*)*)/g,
    )) {
      const words = match[1].trim().split(/\s+/).filter(Boolean);
      if (words.length > 0) yield words;
    }
  }
}

/** Checks one mention against the tree: a word where commands are expected must be one. */
function checkMention(tree, words, where, mentioned, prefix = []) {
  if (words.length === 0 || tree.size === 0) return;
  const [word, ...rest] = words;
  for (const alternative of word.split('/')) {
    const subtree = tree.get(alternative);
    const path = [...prefix, alternative];
    if (subtree === undefined) {
      const parent = prefix.length === 0 ? 'ledgerkit' : `ledgerkit ${prefix.join(' ')}`;
      problem(
        where,
        `\`ledgerkit ${path.join(' ')}\`: ${parent} has no command ${alternative} (it has: ${[...tree.keys()].join(', ')})`,
      );
      continue;
    }
    mentioned.add(path.join(' '));
    checkMention(subtree, rest, where, mentioned, path);
  }
}

/** @returns every command path of the tree down to `depth` levels, as "group command" */
function listCommands(tree, depth, prefix = []) {
  if (depth === 0) return [];
  return [...tree].flatMap(([name, subtree]) => [
    [...prefix, name].join(' '),
    ...listCommands(subtree, depth - 1, [...prefix, name]),
  ]);
}
