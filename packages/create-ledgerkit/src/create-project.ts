import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { LedgerError } from '@ledgerkit/core';
import { fillPlaceholders, type PlaceholderValues } from './fill-placeholders.js';
import {
  type LedgerkitSpecs,
  publishedLedgerkitSpecs,
  tarballLedgerkitSpecs,
  withLedgerkitDependencies,
} from './ledgerkit-dependencies.js';
import { listTemplates, templatesDir } from './templates.js';
import { validateProjectName } from './validate-project-name.js';

/** Package managers the next steps can be written for. */
export const packageManagers = ['npm', 'pnpm', 'yarn', 'bun'] as const;

/** One of {@link packageManagers}. */
export type PackageManager = (typeof packageManagers)[number];

/** Options of {@link createProject}. */
export interface CreateProjectOptions {
  /** Directory to create the project in, relative to `cwd`; created if missing. */
  directory: string;
  /** npm package name of the project (default: the directory's base name). */
  name?: string;
  /** Template folder name, see `listTemplates()`. */
  template: string;
  /** Package manager named in the README and next steps (default `npm`). */
  packageManager?: PackageManager;
  /** Replace the contents of a non-empty directory (its `.git` is kept). */
  force?: boolean;
  /** Run `git init` in the new project (default true; skipped inside an existing work tree). */
  git?: boolean;
  /** Directory of `npm pack` tarballs to depend on instead of the published packages. */
  ledgerkitSource?: string;
  /** Base of a relative `directory` (default `process.cwd()`). */
  cwd?: string;
}

/** What {@link createProject} wrote. */
export interface CreatedProject {
  /** Absolute path of the project. */
  directory: string;
  /** Its package name. */
  name: string;
  template: string;
  packageManager: PackageManager;
  /** Files written, relative to `directory`, sorted. */
  files: string[];
  /** Whether `git init` ran. */
  git: boolean;
}

/** Template files whose names npm or git would act on inside this package; renamed on copy. */
const renamedOnCopy: Readonly<Record<string, string>> = {
  _gitignore: '.gitignore',
  _npmrc: '.npmrc',
  // A biome.json inside this repository would be a second root configuration.
  '_biome.json': 'biome.json',
};

const textExtensions = /\.(ts|mts|cts|js|mjs|cjs|json|jsonc|md|sol|yaml|yml|txt|html|css)$|^(_gitignore|_npmrc)$/;

/**
 * Writes a new project from a template: copies the template folder with its placeholders
 * filled in and its ledgerkit dependencies pointed at the published packages (or at local
 * tarballs), then runs `git init`.
 *
 * The project is written into a temporary directory beside the target and renamed into
 * place, so a failure leaves nothing half-written behind.
 *
 * @param options - directory, name, template and the switches of the CLI
 * @returns where the project is and what was written
 * @throws LedgerError `INVALID_ARGUMENT` for an invalid package name, an unknown template or a
 *   bad `ledgerkitSource`; `ALREADY_EXISTS` when the directory is not empty (without
 *   `force`) or is a file; `PERMISSION_DENIED` when the directory cannot be written
 * @example
 * ```ts
 * const project = await createProject({ directory: 'my-app', template: 'solidity' })
 * console.log(project.files) // ['.gitignore', 'README.md', 'contracts/Counter.sol', ...]
 * ```
 */
export async function createProject(options: CreateProjectOptions): Promise<CreatedProject> {
  const directory = resolve(options.cwd ?? process.cwd(), options.directory);
  const name = options.name ?? basename(directory);
  const packageManager = options.packageManager ?? 'npm';
  const nameCheck = validateProjectName(name);
  if (!nameCheck.ok) {
    throw new LedgerError('INVALID_ARGUMENT', `invalid project name "${name}": ${nameCheck.problems.join('; ')}`, {
      details: { name, problems: nameCheck.problems },
    });
  }
  const templates = listTemplates().map((template) => template.name);
  if (!templates.includes(options.template)) {
    throw new LedgerError(
      'INVALID_ARGUMENT',
      `unknown template "${options.template}"; choose one of: ${templates.join(', ')}`,
      { details: { template: options.template, templates } },
    );
  }
  if (!(packageManagers as readonly string[]).includes(packageManager)) {
    throw new LedgerError('INVALID_ARGUMENT', `unknown package manager "${packageManager}"`, {
      details: { packageManager, packageManagers },
    });
  }
  const specs: LedgerkitSpecs =
    options.ledgerkitSource === undefined ? publishedLedgerkitSpecs() : tarballLedgerkitSpecs(options.ledgerkitSource);
  const existing = await existingEntries(directory);
  if (existing.length > 0 && options.force !== true) {
    throw new LedgerError('ALREADY_EXISTS', `${directory} is not empty; choose another directory or pass --force`, {
      details: { directory, entries: existing.slice(0, 5) },
    });
  }

  const createdParent = await makeParents(dirname(directory));
  let staging: string | undefined;
  try {
    staging = await mkdtemp(join(dirname(directory), `.${basename(directory)}-`)).catch((error: unknown) => {
      throw writeError(dirname(directory), error);
    });
    const values: PlaceholderValues = {
      projectName: name,
      // `bun test` is bun's own test runner, not the package's test script.
      run: packageManager === 'npm' || packageManager === 'bun' ? `${packageManager} run` : packageManager,
      install: `${packageManager} install`,
    };
    const files = await copyTemplate(join(templatesDir, options.template), staging, values);
    const manifestPath = join(staging, 'package.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
    const filled = withLedgerkitDependencies(manifest, specs, options.ledgerkitSource !== undefined);
    await writeFile(manifestPath, `${JSON.stringify({ ...filled, name }, null, 2)}\n`);
    await moveIntoPlace(staging, directory, existing);
    staging = undefined;
    const git = options.git !== false && gitInit(directory);
    return { directory, name, template: options.template, packageManager, files: files.sort(), git };
  } catch (error) {
    if (staging !== undefined) await rm(staging, { recursive: true, force: true });
    if (createdParent !== undefined) await rm(createdParent, { recursive: true, force: true });
    throw error;
  }
}

/** Entries of `directory` other than `.git`; none when it does not exist. */
async function existingEntries(directory: string): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(directory);
  } catch {
    return [];
  }
  if (!info.isDirectory()) {
    throw new LedgerError('ALREADY_EXISTS', `${directory} exists and is not a directory`, { details: { directory } });
  }
  try {
    return (await readdir(directory)).filter((entry) => entry !== '.git');
  } catch (error) {
    throw writeError(directory, error);
  }
}

/** Creates missing parent directories; returns the topmost one created, to remove on failure. */
async function makeParents(parent: string): Promise<string | undefined> {
  let topmost: string | undefined;
  for (let dir = parent; !existsSync(dir); dir = dirname(dir)) topmost = dir;
  try {
    await mkdir(parent, { recursive: true });
  } catch (error) {
    throw writeError(parent, error);
  }
  return topmost;
}

function writeError(directory: string, error: unknown): LedgerError {
  const code = (error as { code?: unknown }).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new LedgerError('PERMISSION_DENIED', `cannot write to ${directory} (${String(code)})`, {
      details: { directory },
      cause: error,
    });
  }
  return new LedgerError('INVALID_ARGUMENT', `cannot create the project in ${directory}: ${String(code ?? error)}`, {
    details: { directory },
    cause: error,
  });
}

async function copyTemplate(from: string, to: string, values: PlaceholderValues, prefix = ''): Promise<string[]> {
  const written: string[] = [];
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const targetName = renamedOnCopy[entry.name] ?? entry.name;
    const target = join(to, targetName);
    const path = prefix === '' ? targetName : `${prefix}/${targetName}`;
    if (entry.isDirectory()) {
      await mkdir(target);
      written.push(...(await copyTemplate(source, target, values, path)));
    } else if (textExtensions.test(entry.name)) {
      await writeFile(target, fillPlaceholders(await readFile(source, 'utf8'), values, relative(templatesDir, source)));
      written.push(path);
    } else {
      await writeFile(target, await readFile(source));
      written.push(path);
    }
  }
  return written;
}

/** Renames the staged project to `directory`; with `--force`, replaces what was there first. */
async function moveIntoPlace(staging: string, directory: string, existing: string[]): Promise<void> {
  if (!existsSync(directory)) {
    // mkdtemp made the staging directory private (0700); the project gets the usual mode.
    await chmod(staging, 0o777 & ~process.umask());
    await rename(staging, directory);
    return;
  }
  for (const entry of existing) await rm(join(directory, entry), { recursive: true, force: true });
  for (const entry of await readdir(staging)) await rename(join(staging, entry), join(directory, entry));
  await rm(staging, { recursive: true, force: true });
}

/** `git init`, unless the directory is already inside a work tree or git is missing. */
function gitInit(directory: string): boolean {
  const inside = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: directory, encoding: 'utf8' });
  if (inside.error !== undefined || inside.stdout.trim() === 'true') return false;
  const init = spawnSync('git', ['init', '--quiet'], { cwd: directory, stdio: 'ignore' });
  return init.status === 0;
}
