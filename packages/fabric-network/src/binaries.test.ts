import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLedgerError } from '@ledgerkit/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureFabricBinaries, versionAtLeast } from './binaries.js';

let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ledgerkit-binaries-'));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

async function reasonOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return isLedgerError(error) ? [error.code, error.details.reason] : error;
  }
  return 'no error';
}

describe('ensureFabricBinaries', () => {
  test('compares Go versions numerically', () => {
    expect(versionAtLeast('1.26.8', '1.22.0')).toBe(true);
    expect(versionAtLeast('1.22', '1.22.0')).toBe(true);
    expect(versionAtLeast('1.9.1', '1.22.0')).toBe(false);
    expect(versionAtLeast('', '1.22.0')).toBe(false);
  });

  test('an empty cache without building is BINARY_MISSING', async () => {
    expect(await reasonOf(ensureFabricBinaries({ home, build: false }))).toEqual(['NOT_FOUND', 'BINARY_MISSING']);
  });

  test('no Go is GO_MISSING', async () => {
    expect(await reasonOf(ensureFabricBinaries({ home, go: join(home, 'no-such-go') }))).toEqual([
      'UNSUPPORTED',
      'GO_MISSING',
    ]);
  });

  test('an old Go is GO_TOO_OLD', async () => {
    const fakeGo = join(home, 'old-go');
    await writeFile(fakeGo, '#!/bin/sh\necho go1.19.8\n');
    await chmod(fakeGo, 0o755);
    expect(await reasonOf(ensureFabricBinaries({ home, go: fakeGo }))).toEqual(['UNSUPPORTED', 'GO_TOO_OLD']);
  });
});
