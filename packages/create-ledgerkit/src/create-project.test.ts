import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLedgerError } from '@ledgerkit/core';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createProject } from './create-project.js';

let base: string;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'create-ledgerkit-unit-'));
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('createProject', () => {
  test('writes the template with placeholders filled, _gitignore renamed and the name in package.json', async () => {
    const project = await createProject({
      directory: 'notes',
      cwd: base,
      template: 'ledgerdb-service',
      name: '@acme/notes',
      packageManager: 'pnpm',
      git: false,
    });
    expect(project.directory).toBe(join(base, 'notes'));
    expect(project.files).toContain('.gitignore');
    expect(project.files).toContain('biome.json');
    expect(project.files).not.toContain('_gitignore');
    const manifest = JSON.parse(await readFile(join(base, 'notes', 'package.json'), 'utf8'));
    expect(manifest.name).toBe('@acme/notes');
    expect(manifest.dependencies['@ledgerkit/ledgerdb']).toMatch(/^\^\d+\.\d+\.\d+/);
    expect(manifest.overrides).toBeUndefined();
    const readme = await readFile(join(base, 'notes', 'README.md'), 'utf8');
    expect(readme).toContain('# @acme/notes');
    expect(readme).toContain('pnpm install');
    expect(readme).not.toMatch(/\{\{\s*\w+\s*\}\}/);
    expect((await stat(join(base, 'notes'))).mode & 0o777).not.toBe(0o700);
    expect(await readdir(base)).toEqual(['notes']);
  });

  test('bun scripts run with bun run (bun test is its own test runner)', async () => {
    await createProject({ directory: join(base, 'bun-app'), template: 'solidity', packageManager: 'bun', git: false });
    const readme = await readFile(join(base, 'bun-app', 'README.md'), 'utf8');
    expect(readme).toContain('bun install');
    expect(readme).toContain('bun run test');
  });

  test('the name defaults to the directory name, and an existing empty directory is used', async () => {
    await mkdir(join(base, 'empty-dir'));
    const project = await createProject({ directory: join(base, 'empty-dir'), template: 'solidity', git: false });
    expect(project.name).toBe('empty-dir');
    expect(existsSync(join(base, 'empty-dir', 'hardhat.config.ts'))).toBe(true);
  });

  test('runs git init unless asked not to', async () => {
    const withGit = await createProject({ directory: join(base, 'with-git'), template: 'ledgerdb-service' });
    expect(withGit.git).toBe(true);
    expect(existsSync(join(base, 'with-git', '.git'))).toBe(true);
    const without = await createProject({ directory: join(base, 'no-git'), template: 'ledgerdb-service', git: false });
    expect(without.git).toBe(false);
    expect(existsSync(join(base, 'no-git', '.git'))).toBe(false);
  });

  test('refuses a non-empty directory without force and leaves it as it was', async () => {
    await mkdir(join(base, 'taken'));
    await writeFile(join(base, 'taken', 'keep.txt'), 'mine');
    const error = await failure(createProject({ directory: join(base, 'taken'), template: 'solidity' }));
    expect(isLedgerError(error, 'ALREADY_EXISTS')).toBe(true);
    expect(await readdir(join(base, 'taken'))).toEqual(['keep.txt']);
    expect(await readdir(base)).toEqual(['taken']);
  });

  test('with force, replaces the contents but keeps .git', async () => {
    await mkdir(join(base, 'taken', '.git'), { recursive: true });
    await writeFile(join(base, 'taken', 'old.txt'), 'old');
    await createProject({ directory: join(base, 'taken'), template: 'ledgerdb-service', force: true, git: false });
    const entries = await readdir(join(base, 'taken'));
    expect(entries).toContain('.git');
    expect(entries).toContain('package.json');
    expect(entries).not.toContain('old.txt');
    expect(await readdir(base)).toEqual(['taken']);
  });

  test('an invalid name, an unknown template or a file in the way fail before anything is written', async () => {
    const cases = [
      { options: { directory: join(base, 'Bad Name'), template: 'solidity' }, code: 'INVALID_ARGUMENT' },
      { options: { directory: join(base, 'app'), template: 'cobol' }, code: 'INVALID_ARGUMENT' },
      { options: { directory: join(base, 'file.txt'), template: 'solidity' }, code: 'ALREADY_EXISTS' },
      {
        options: { directory: join(base, 'app'), template: 'solidity', ledgerkitSource: join(base, 'none') },
        code: 'INVALID_ARGUMENT',
      },
    ] as const;
    await writeFile(join(base, 'file.txt'), '');
    for (const { options, code } of cases) {
      const error = await failure(createProject(options));
      expect(isLedgerError(error, code), `${JSON.stringify(options)}: ${String(error)}`).toBe(true);
    }
    expect(await readdir(base)).toEqual(['file.txt']);
  });

  test('a tarball directory missing a package the template needs fails and removes the parents it created', async () => {
    await mkdir(join(base, 'tarballs'));
    await writeFile(join(base, 'tarballs', 'ledgerkit-core-0.1.0.tgz'), '');
    const error = await failure(
      createProject({
        directory: join(base, 'a', 'b', 'app'),
        template: 'ledgerdb-service',
        ledgerkitSource: join(base, 'tarballs'),
      }),
    );
    expect(isLedgerError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as { details: { package: string } }).details.package).toBe('@ledgerkit/ledgerdb');
    expect((await readdir(base)).sort()).toEqual(['tarballs']);
  });

  test('a directory that cannot be written is PERMISSION_DENIED or INVALID_ARGUMENT, and nothing is left', async () => {
    await writeFile(join(base, 'plain-file'), '');
    const underFile = await failure(
      createProject({ directory: join(base, 'plain-file', 'app'), template: 'solidity' }),
    );
    expect(isLedgerError(underFile, 'INVALID_ARGUMENT')).toBe(true);
    // sysfs is read-only, for root too.
    const readOnly = await failure(createProject({ directory: '/sys/create-ledgerkit-app', template: 'solidity' }));
    expect(isLedgerError(readOnly, 'PERMISSION_DENIED')).toBe(true);
    expect(await readdir(base)).toEqual(['plain-file']);
  });
});
