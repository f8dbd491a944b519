import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLedgerError } from '@ledgerkit/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureFabricCaBinaries } from './ca-binaries.js';

let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ledgerkit-ca-binaries-'));
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

async function script(name: string, body: string): Promise<string> {
  const path = join(home, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('ensureFabricCaBinaries', () => {
  test('an empty cache without building is BINARY_MISSING', async () => {
    expect(await reasonOf(ensureFabricCaBinaries({ home, build: false }))).toEqual(['NOT_FOUND', 'BINARY_MISSING']);
  });

  test('a Go older than the release needs is GO_TOO_OLD', async () => {
    const go = await script('go-1.25', 'echo go1.25.9');
    expect(await reasonOf(ensureFabricCaBinaries({ home, go }))).toEqual(['UNSUPPORTED', 'GO_TOO_OLD']);
  });

  test('no C compiler is C_COMPILER_MISSING, before anything is downloaded', async () => {
    const go = await script('go-1.26', 'echo go1.26.8');
    expect(await reasonOf(ensureFabricCaBinaries({ home, go, cc: join(home, 'no-such-cc') }))).toEqual([
      'UNSUPPORTED',
      'C_COMPILER_MISSING',
    ]);
  });
});
