import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLedgerError } from '@ledgerkit/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fileCheckpointer, memoryCheckpointer } from './checkpointer.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ledgerkit-fabric-checkpoint-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fileCheckpointer', () => {
  test('loads nothing before the first save, then the last saved checkpoint', async () => {
    const path = join(dir, 'nested', 'stream.json');
    const checkpointer = fileCheckpointer(path);
    expect(await checkpointer.load()).toBeUndefined();
    await checkpointer.save({ block: 4, index: 2 });
    await checkpointer.save({ block: 7, index: -1 });
    expect(await checkpointer.load()).toEqual({ block: 7, index: -1 });
    // A new instance (a restarted process) reads the same.
    expect(await fileCheckpointer(path).load()).toEqual({ block: 7, index: -1 });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ block: 7, index: -1 });
  });

  test('replaces the file by rename, leaving no temporary files', async () => {
    const checkpointer = fileCheckpointer(join(dir, 'atomic', 'stream.json'));
    await Promise.all(Array.from({ length: 20 }, (_, block) => checkpointer.save({ block, index: 0 })));
    expect(await readdir(join(dir, 'atomic'))).toEqual(['stream.json']);
    expect((await checkpointer.load())?.index).toBe(0);
  });

  test('a corrupt or foreign file is INVALID_ARGUMENT naming it', async () => {
    const corrupt = join(dir, 'corrupt.json');
    await writeFile(corrupt, '{"block":');
    const error = await fileCheckpointer(corrupt)
      .load()
      .catch((caught: unknown) => caught);
    expect(isLedgerError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as { details: { file: string } }).details.file).toBe(corrupt);
    const foreign = join(dir, 'foreign.json');
    await writeFile(foreign, '{"height":3}');
    await expect(fileCheckpointer(foreign).load()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  test('refuses to save a malformed checkpoint', async () => {
    const checkpointer = fileCheckpointer(join(dir, 'refuse.json'));
    await expect(checkpointer.save({ block: -1, index: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(checkpointer.save({ block: 1, index: -2 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() => fileCheckpointer('')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

test('memoryCheckpointer keeps a copy', async () => {
  const checkpointer = memoryCheckpointer({ block: 1, index: 0 });
  const loaded = await checkpointer.load();
  expect(loaded).toEqual({ block: 1, index: 0 });
  if (loaded) loaded.block = 99;
  expect(await checkpointer.load()).toEqual({ block: 1, index: 0 });
});
