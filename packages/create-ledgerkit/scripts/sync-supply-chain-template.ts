// Generates the code of the supply-chain template from the repository's own example and contract,
// so the two cannot drift: `src/`, `test/` and `contracts/` under templates/supply-chain are build
// output (gitignored, published); the template's own files (package.json, README, configs) are not
// touched. Run by `npm run build` before tsdown; `node scripts/sync-supply-chain-template.ts`.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Template folder → repository folder. A file the template takes is copied with the files it
 * imports (relative imports are followed), so a module the example splits out comes along.
 */
const sourceFolders: [template: string, repository: string][] = [
  ['src/contracts/', 'contracts/ethereum/src/'],
  ['src/', 'examples/supply-chain/src/'],
  ['test/', 'examples/supply-chain/test/'],
  ['contracts/', 'contracts/ethereum/contracts/'],
];

/**
 * The files the template takes, by template path; what they import comes along. Left out: the
 * Fabric implementation and its network tests, the demo, the example's public-surface snapshot.
 */
const roots = [
  'src/index.ts',
  'src/ledgerdb-supply-chain.test.ts',
  'src/rules.test.ts',
  'test/ledgerdb-server.test.ts',
  'test/scenario.test.ts',
  'contracts/SupplyChain.sol',
];

/** Whether a template path is in a folder this script generates. */
function isGenerated(path: string): boolean {
  return sourceFolders.some(([template]) => path.startsWith(template));
}

/** Repository path of a template path. */
function sourceOf(path: string): string {
  const folder = sourceFolders.find(([template]) => path.startsWith(template));
  if (!folder) throw new TemplateSyncError('missing-file', `${path}: not under a folder the template copies`);
  return folder[1] + path.slice(folder[0].length);
}

/** The contract package the example imports; the template carries its module under src/contracts/. */
const contractsPackage = '@ledgerkit/contracts-ethereum';
const contractsModule = 'src/contracts/index.ts';

/** One `import … from '…';`, `import '…';` or `export … from '…';` statement at the start of a line. */
const moduleStatement = /^(?:import|export)\b(?:[^;']*?\bfrom)? *'([^']+)';\n/gm;

/** Why the template cannot be generated from the sources as they are. */
export type TemplateSyncReason = 'source-shape' | 'missing-file' | 'fabric-import' | 'undeclared-package';

/** Thrown when a source no longer fits the template: fix the source, this script or the template. */
export class TemplateSyncError extends Error {
  override name = 'TemplateSyncError';
  /** Which check failed. */
  readonly reason: TemplateSyncReason;

  /**
   * @param reason - which check failed
   * @param message - the file and what is wrong with it
   */
  constructor(reason: TemplateSyncReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/**
 * Points imports of the contract package at the template's copy of the contract module, placed
 * where biome's import sorting puts a relative import (the generated project runs `biome check`).
 */
function useLocalContractsModule(path: string, text: string): string {
  const statements = [...text.matchAll(moduleStatement)];
  const imported = statements.filter((match) => match[1] === contractsPackage);
  if (imported.length === 0) return text;
  if (imported.length > 1)
    throw new TemplateSyncError('source-shape', `${path}: more than one import of ${contractsPackage}`);
  const [statement] = imported as [RegExpExecArray];
  let local = posix.relative(posix.dirname(path), contractsModule);
  if (!local.startsWith('.')) local = `./${local}`;
  const rewritten = statement[0].replace(`'${contractsPackage}'`, `'${local}'`);
  const without = text.slice(0, statement.index) + text.slice(statement.index + statement[0].length);
  const rest = [...without.matchAll(moduleStatement)].filter((match) => match[0].startsWith('import'));
  const next = rest.find((match) => match[1]?.startsWith('.') && (match[1] ?? '') > local);
  const last = rest.at(-1);
  if (!last) throw new TemplateSyncError('source-shape', `${path}: no import left to place ${local} next to`);
  const at = next ? next.index : last.index + last[0].length;
  return without.slice(0, at) + rewritten + without.slice(at);
}

/** Removes re-exports and imports of the Fabric implementation, which the template leaves out. */
function withoutFabric(path: string, text: string): string {
  return text.replace(moduleStatement, (statement: string, source: string) => {
    if (!/fabric/i.test(source)) return statement;
    if (!statement.startsWith('export')) {
      throw new TemplateSyncError(
        'fabric-import',
        `${path} imports ${source}: the template has no Fabric implementation`,
      );
    }
    return '';
  });
}

/** The header of the generated ABI module names the repository's script; the template has none. */
function compiledModuleHeader(repoRoot: string, text: string): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'contracts/ethereum/package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>;
  };
  const solc = manifest.devDependencies?.solc;
  const config = readFileSync(join(repoRoot, 'contracts/ethereum/hardhat.config.ts'), 'utf8');
  const runs = /optimizer: \{ enabled: true, runs: ([\d_]+) \}/.exec(config)?.[1];
  const [first, ...rest] = text.split('\n');
  if (!solc || !runs || !first?.startsWith('// Generated by ')) {
    throw new TemplateSyncError(
      'source-shape',
      'contracts/ethereum: the solc version, optimizer runs or ABI module header moved',
    );
  }
  const optimizer = Number(runs.replaceAll('_', '')).toLocaleString('en-US');
  const header = `// Compiled from contracts/SupplyChain.sol (solc ${solc}, optimizer ${optimizer} runs) by the ledgerkit repository's contracts/ethereum build; do not edit.`;
  return [header, ...rest].join('\n');
}

/** Package name of a bare import specifier (`@scope/name/sub` → `@scope/name`). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/**
 * Fails when a generated file imports what the generated project will not have: a relative file
 * that is not in the template, or a package missing from the template's package.json.
 */
function checkImports(files: Map<string, string>, templateDir: string): void {
  const manifest = JSON.parse(readFileSync(join(templateDir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.devDependencies ?? {}),
  ]);
  const builtins = new Set(builtinModules);
  for (const [path, text] of files) {
    if (!path.endsWith('.ts')) continue;
    for (const [, specifier = ''] of text.matchAll(moduleStatement)) {
      if (specifier.startsWith('.')) {
        const target = posix.join(posix.dirname(path), specifier);
        if (isGenerated(target) ? !files.has(target) : !existsSync(join(templateDir, target))) {
          throw new TemplateSyncError('missing-file', `${path} imports ${specifier}, which the template does not have`);
        }
      } else if (!specifier.startsWith('node:') && !builtins.has(specifier) && !declared.has(packageOf(specifier))) {
        throw new TemplateSyncError(
          'undeclared-package',
          `${path} imports ${specifier}, missing from templates/supply-chain/package.json`,
        );
      }
    }
  }
}

/**
 * Computes the generated files of the supply-chain template from their sources in the repository.
 *
 * @param repoRoot - the ledgerkit repository's root folder
 * @param templateDir - the template folder, for its package.json and the files it owns
 * @returns template-relative path (POSIX) → file text, in a stable order
 * @throws TemplateSyncError when a source no longer fits a transformation or imports something
 *   the template lacks
 */
export function supplyChainTemplateFiles(repoRoot: string, templateDir: string): Map<string, string> {
  const files = new Map<string, string>();
  const pending = [...roots];
  for (let path = pending.shift(); path !== undefined; path = pending.shift()) {
    if (files.has(path)) continue;
    const source = sourceOf(path);
    if (!existsSync(join(repoRoot, source)))
      throw new TemplateSyncError('missing-file', `${path}: ${source} does not exist`);
    let text = readFileSync(join(repoRoot, source), 'utf8');
    if (path.endsWith('.ts')) text = useLocalContractsModule(path, withoutFabric(path, text));
    if (path === 'src/contracts/generated/supply-chain.ts') text = compiledModuleHeader(repoRoot, text);
    files.set(path, text);
    if (!path.endsWith('.ts')) continue;
    for (const [, specifier = ''] of text.matchAll(moduleStatement)) {
      const target = posix.join(posix.dirname(path), specifier);
      if (specifier.startsWith('.') && isGenerated(target)) pending.push(target);
    }
  }
  checkImports(files, templateDir);
  return files;
}

/**
 * Rewrites the generated folders of the supply-chain template (stale files removed).
 *
 * @param repoRoot - the ledgerkit repository's root folder
 * @param templateDir - the template folder to write into
 * @returns the template-relative paths written
 * @throws TemplateSyncError as {@link supplyChainTemplateFiles}
 */
export function syncSupplyChainTemplate(repoRoot: string, templateDir: string): string[] {
  const files = supplyChainTemplateFiles(repoRoot, templateDir);
  for (const [folder] of sourceFolders) rmSync(join(templateDir, folder), { recursive: true, force: true });
  for (const [path, text] of files) {
    mkdirSync(dirname(join(templateDir, path)), { recursive: true });
    writeFileSync(join(templateDir, path), text);
  }
  return [...files.keys()];
}

/** The repository root and template folder, relative to this script. */
export const defaultPaths = {
  repoRoot: fileURLToPath(new URL('../../../', import.meta.url)),
  templateDir: fileURLToPath(new URL('../templates/supply-chain/', import.meta.url)),
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const written = syncSupplyChainTemplate(defaultPaths.repoRoot, defaultPaths.templateDir);
  console.log(`templates/supply-chain: generated ${written.length} files`);
}
