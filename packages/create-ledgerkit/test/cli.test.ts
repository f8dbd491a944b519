// The create-ledgerkit command as users run it: the built bin (dist/cli.js) in a child
// process, without a TTY (so it never prompts), on temporary directories.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };

const bin = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let base: string;

beforeAll(() => {
  if (!existsSync(bin))
    throw new Error(`${bin} is missing: build first (npx turbo run build --filter=create-ledgerkit)`);
});
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'create-ledgerkit-cli-'));
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: base,
    encoding: 'utf8',
    env: { ...process.env, npm_config_user_agent: '' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('create-ledgerkit', () => {
  test('--help lists the options and every template, exit 0', () => {
    const { status, stdout } = run('--help');
    expect(status).toBe(0);
    for (const text of ['--template', '--yes', '--force', '--no-git', '--ledgerkit-source', '--package-manager']) {
      expect(stdout).toContain(text);
    }
    for (const template of ['solidity', 'fabric-chaincode', 'ledgerdb-service', 'supply-chain']) {
      expect(stdout).toContain(template);
    }
  });

  test('--version prints the version', () => {
    const { status, stdout } = run('--version');
    expect(status).toBe(0);
    expect(stdout.trim()).toBe(packageJson.version);
  });

  test('creates a project with --template and prints the next steps', async () => {
    const { status, stdout, stderr } = run('my-app', '--template', 'ledgerdb-service', '--no-git');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('Next steps:');
    expect(stdout).toContain('cd my-app');
    expect(stdout).toContain('npm install');
    const manifest = JSON.parse(await readFile(join(base, 'my-app', 'package.json'), 'utf8'));
    expect(manifest.name).toBe('my-app');
    expect(existsSync(join(base, 'my-app', '.git'))).toBe(false);
  });

  test('--yes takes the default template and runs git init; --name and --package-manager are used', async () => {
    const { status, stdout } = run('app-dir', '--yes', '--name', '@acme/app', '--package-manager', 'pnpm');
    expect(status).toBe(0);
    expect(stdout).toContain('pnpm install');
    expect(existsSync(join(base, 'app-dir', 'hardhat.config.ts'))).toBe(true);
    expect(existsSync(join(base, 'app-dir', '.git'))).toBe(true);
    expect(JSON.parse(await readFile(join(base, 'app-dir', 'package.json'), 'utf8')).name).toBe('@acme/app');
  });

  test('--ledgerkit-source points the ledgerkit dependencies at the tarballs', async () => {
    await mkdir(join(base, 'tarballs'));
    for (const name of ['core', 'ledgerdb']) await writeFile(join(base, 'tarballs', `ledgerkit-${name}-0.1.0.tgz`), '');
    const { status } = run('svc', '-t', 'ledgerdb-service', '--no-git', '--ledgerkit-source', join(base, 'tarballs'));
    expect(status).toBe(0);
    const manifest = JSON.parse(await readFile(join(base, 'svc', 'package.json'), 'utf8'));
    expect(manifest.dependencies['@ledgerkit/ledgerdb']).toBe(
      `file:${join(base, 'tarballs', 'ledgerkit-ledgerdb-0.1.0.tgz')}`,
    );
    expect(manifest.overrides['@ledgerkit/core']).toBe(`file:${join(base, 'tarballs', 'ledgerkit-core-0.1.0.tgz')}`);
  });

  describe('bad input: one line on stderr, exit 2, nothing written', () => {
    const cases: [string, string[], RegExp][] = [
      ['an invalid name', ['Bad_Name!', '--yes'], /invalid project name "Bad_Name!"/],
      ['an invalid --name', ['ok-dir', '--yes', '--name', 'UPPER'], /invalid project name "UPPER".*capital/],
      ['an unknown template', ['app', '--template', 'cobol'], /unknown template "cobol"; choose one of: solidity/],
      ['an unknown option', ['app', '--yes', '--colour'], /unknown option '--colour'/],
      ['an unknown package manager', ['app', '--yes', '--package-manager', 'pip'], /--package-manager/],
      ['no directory without a terminal', ['--yes'], /give the project directory/],
      ['no template without --yes or a terminal', ['app'], /give --template <name> or --yes/],
      [
        'an unreadable --ledgerkit-source',
        ['app', '--yes', '--ledgerkit-source', 'nowhere'],
        /not a readable directory/,
      ],
      ['a directory under a file', ['a-file/app', '--yes'], /cannot create the project in/],
      ['a read-only directory', ['/sys/create-ledgerkit-app', '--yes'], /cannot write to \/sys/],
    ];
    test.each(cases)('%s', async (_, args, message) => {
      await writeFile(join(base, 'a-file'), '');
      const { status, stdout, stderr } = run(...args);
      expect(status).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stdout).toBe('');
      expect(await readdir(base)).toEqual(['a-file']);
    });

    test('a non-empty directory without --force; with --force it is replaced', async () => {
      await mkdir(join(base, 'taken'));
      await writeFile(join(base, 'taken', 'mine.txt'), 'keep');
      const refused = run('taken', '--yes');
      expect(refused.status).toBe(2);
      expect(refused.stderr).toMatch(/is not empty; choose another directory or pass --force/);
      expect(await readdir(join(base, 'taken'))).toEqual(['mine.txt']);
      expect(run('taken', '--yes', '--force', '--no-git').status).toBe(0);
      expect(await readdir(join(base, 'taken'))).not.toContain('mine.txt');
    });
  });
});
