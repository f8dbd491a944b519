import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLedgerError } from '@ledgerkit/core';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { checkChaincodeProject } from './project.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ledgerkit-chaincode-project-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('checkChaincodeProject', () => {
  test('resolves main as fabric-shim’s require does: with or without extension, or a directory’s index', async () => {
    await mkdir(join(dir, 'dist'));
    await writeFile(join(dir, 'dist', 'index.js'), 'module.exports = {};\n');
    for (const main of ['dist/index.js', 'dist/index', 'dist', './dist/index.js']) {
      await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'cc', main }));
      expect(await checkChaincodeProject(dir)).toBe(join(dir, 'dist', 'index.js'));
    }
  });

  test('an unbuilt project (main missing) is CHAINCODE_NOT_BUILT naming the file', async () => {
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'cc', main: 'dist/index.js' }));
    const error = await failure(checkChaincodeProject(dir));
    expect(isLedgerError(error, 'NOT_FOUND')).toBe(true);
    expect((error as { details: Record<string, unknown> }).details).toMatchObject({
      reason: 'CHAINCODE_NOT_BUILT',
      main: 'dist/index.js',
      file: join(dir, 'dist', 'index.js'),
    });
    expect((error as Error).message).toContain(join(dir, 'dist', 'index.js'));
  });

  test('no package.json, or one without main, is BAD_OPTION', async () => {
    expect((await failure(checkChaincodeProject(dir))) as object).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { reason: 'BAD_OPTION', option: 'path' },
    });
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'cc' }));
    expect((await failure(checkChaincodeProject(dir))) as object).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { reason: 'BAD_OPTION', option: 'path' },
    });
  });
});
