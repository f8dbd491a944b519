import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLedgerError } from '@ledgerkit/core';
import { afterEach, describe, expect, test } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { publishedLedgerkitSpecs, tarballLedgerkitSpecs, withLedgerkitDependencies } from './ledgerkit-dependencies.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tarballDir(names: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'create-ledgerkit-tarballs-'));
  dirs.push(dir);
  for (const name of names) await writeFile(join(dir, name), '');
  return dir;
}

describe('publishedLedgerkitSpecs', () => {
  test('a caret range of each ledgerkit package this release lists', () => {
    const specs = publishedLedgerkitSpecs();
    expect(specs['@ledgerkit/core']).toBe(`^${packageJson.dependencies['@ledgerkit/core']}`);
    expect(specs['@ledgerkit/testing']).toBe(`^${packageJson.devDependencies['@ledgerkit/testing']}`);
    expect(Object.keys(specs).every((name) => name.startsWith('@ledgerkit/'))).toBe(true);
  });
});

describe('tarballLedgerkitSpecs', () => {
  test('maps npm pack file names to file: specs, including hyphenated names and prereleases', async () => {
    const dir = await tarballDir([
      'ledgerkit-core-0.1.0.tgz',
      'ledgerkit-fabric-network-0.1.0.tgz',
      'ledgerkit-testing-1.0.0-next.2.tgz',
      'create-ledgerkit-0.1.0.tgz',
      'notes.txt',
    ]);
    expect(tarballLedgerkitSpecs(dir)).toEqual({
      '@ledgerkit/core': `file:${join(dir, 'ledgerkit-core-0.1.0.tgz')}`,
      '@ledgerkit/fabric-network': `file:${join(dir, 'ledgerkit-fabric-network-0.1.0.tgz')}`,
      '@ledgerkit/testing': `file:${join(dir, 'ledgerkit-testing-1.0.0-next.2.tgz')}`,
    });
  });

  test('a directory without tarballs, or none at all, is INVALID_ARGUMENT', async () => {
    const empty = await tarballDir(['readme.md']);
    expect(() => tarballLedgerkitSpecs(empty)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => tarballLedgerkitSpecs(join(empty, 'missing'))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('withLedgerkitDependencies', () => {
  const manifest = {
    name: 'x',
    dependencies: { '@ledgerkit/core': '*', ethers: '6.17.0' },
    devDependencies: { '@ledgerkit/testing': '*', vitest: '^5.1.1' },
  };

  test('replaces only the @ledgerkit/* dependencies, without overrides for published ranges', () => {
    const result = withLedgerkitDependencies(
      manifest,
      { '@ledgerkit/core': '^0.1.0', '@ledgerkit/testing': '^0.1.0' },
      false,
    );
    expect(result).toEqual({
      name: 'x',
      dependencies: { '@ledgerkit/core': '^0.1.0', ethers: '6.17.0' },
      devDependencies: { '@ledgerkit/testing': '^0.1.0', vitest: '^5.1.1' },
    });
    expect(manifest.dependencies['@ledgerkit/core']).toBe('*');
  });

  test('with tarballs, every tarball is also an override (transitive ledgerkit dependencies)', () => {
    const specs = {
      '@ledgerkit/core': 'file:/t/ledgerkit-core-0.1.0.tgz',
      '@ledgerkit/testing': 'file:/t/ledgerkit-testing-0.1.0.tgz',
      '@ledgerkit/ethereum': 'file:/t/ledgerkit-ethereum-0.1.0.tgz',
    };
    const result = withLedgerkitDependencies(manifest, specs, true);
    expect(result.dependencies?.['@ledgerkit/core']).toBe(specs['@ledgerkit/core']);
    expect(result.overrides).toEqual(specs);
  });

  test('a package the specs lack is INVALID_ARGUMENT naming it', () => {
    let error: unknown;
    try {
      withLedgerkitDependencies(manifest, { '@ledgerkit/core': 'file:/t/c.tgz' }, true);
    } catch (caught) {
      error = caught;
    }
    expect(isLedgerError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as { details: { package: string } }).details.package).toBe('@ledgerkit/testing');
  });
});
