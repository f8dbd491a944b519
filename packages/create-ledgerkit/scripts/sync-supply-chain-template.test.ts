import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import {
  defaultPaths,
  supplyChainTemplateFiles,
  syncSupplyChainTemplate,
  TemplateSyncError,
  type TemplateSyncReason,
} from './sync-supply-chain-template.js';

const { repoRoot, templateDir } = defaultPaths;
const generatedFolders = ['src', 'test', 'contracts'];

/** The reason of the TemplateSyncError that `generate` throws, or a failed expectation. */
function refusal(generate: () => unknown): TemplateSyncReason {
  try {
    generate();
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateSyncError);
    return (error as TemplateSyncError).reason;
  }
  throw new Error('the template was generated');
}

/** Every file under the template's generated folders, template-relative. */
function filesOnDisk(dir: string): string[] {
  return generatedFolders
    .filter((folder) => existsSync(join(dir, folder)))
    .flatMap((folder) => readdirSync(join(dir, folder), { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe('the supply-chain template', () => {
  test('holds exactly the files generated from examples/supply-chain and contracts/ethereum (npm run build)', () => {
    const expected = supplyChainTemplateFiles(repoRoot, templateDir);
    expect(filesOnDisk(templateDir)).toEqual([...expected.keys()].sort());
    for (const [path, text] of expected) {
      expect(readFileSync(join(templateDir, path), 'utf8'), `templates/supply-chain/${path} is stale`).toBe(text);
    }
  });

  test('commits none of the generated files', () => {
    const tracked = spawnSync(
      'git',
      ['ls-files', '--', ...generatedFolders.map((folder) => join(templateDir, folder))],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    );
    expect(tracked.status).toBe(0);
    expect(tracked.stdout).toBe('');
  });

  test('leaves out Fabric, the contract package and repository paths', () => {
    const files = supplyChainTemplateFiles(repoRoot, templateDir);
    expect(files.has('src/fabric-supply-chain.ts')).toBe(false);
    expect(files.get('src/index.ts')).not.toContain('fabricSupplyChain');
    expect(files.get('src/ethereum-deploy.ts')).toContain("from './contracts/index.ts';");
    expect(files.get('src/contracts/generated/supply-chain.ts')).toMatch(
      /^\/\/ Compiled from contracts\/SupplyChain\.sol \(solc /,
    );
    for (const [path, text] of files) {
      for (const named of ['@ledgerkit/contracts-ethereum', '@ledgerkit/fabric', 'examples/', 'scripts/export-abi']) {
        expect(text.includes(named), `${path} names ${named}`).toBe(false);
      }
    }
  });
});

describe('syncSupplyChainTemplate', () => {
  let scratch: string | undefined;
  afterEach(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    scratch = undefined;
  });

  /** A copy of the sources and of the template's own files, to change without touching the repository. */
  function copyOfRepository(): { root: string; template: string } {
    scratch = mkdtempSync(join(tmpdir(), 'sync-supply-chain-template-'));
    for (const path of [
      'examples/supply-chain/src',
      'examples/supply-chain/test',
      'contracts/ethereum/src',
      'contracts/ethereum/contracts',
      'contracts/ethereum/package.json',
      'contracts/ethereum/hardhat.config.ts',
    ]) {
      cpSync(join(repoRoot, path), join(scratch, path), { recursive: true });
    }
    const template = join(scratch, 'template');
    cpSync(templateDir, template, { recursive: true });
    return { root: scratch, template };
  }

  test('removes stale files and writes what the sources give', () => {
    const { root, template } = copyOfRepository();
    writeFileSync(join(template, 'src', 'removed-upstream.ts'), 'export {};\n');
    const written = syncSupplyChainTemplate(root, template);
    expect(filesOnDisk(template)).toEqual([...written].sort());
    expect(existsSync(join(template, 'src', 'removed-upstream.ts'))).toBe(false);
    expect(readFileSync(join(template, 'package.json'), 'utf8')).toBe(
      readFileSync(join(templateDir, 'package.json'), 'utf8'),
    );
  });

  test('refuses a source importing a package the template does not depend on', () => {
    const { root, template } = copyOfRepository();
    appendFileSync(join(root, 'examples/supply-chain/src/rules.ts'), "import '@ledgerkit/testing';\n");
    expect(refusal(() => supplyChainTemplateFiles(root, template))).toBe('undeclared-package');
  });

  test('refuses a source importing a file the example does not have', () => {
    const { root, template } = copyOfRepository();
    appendFileSync(join(root, 'examples/supply-chain/src/rules.ts'), "import './not-there.ts';\n");
    expect(refusal(() => supplyChainTemplateFiles(root, template))).toBe('missing-file');
  });

  test('refuses a kept file importing the Fabric implementation', () => {
    const { root, template } = copyOfRepository();
    appendFileSync(
      join(root, 'examples/supply-chain/src/ledgerdb-supply-chain.ts'),
      "import { fabricSupplyChain } from './fabric-supply-chain.ts';\nexport const f = fabricSupplyChain;\n",
    );
    expect(refusal(() => supplyChainTemplateFiles(root, template))).toBe('fabric-import');
  });
});
