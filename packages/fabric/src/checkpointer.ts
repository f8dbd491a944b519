import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { type Checkpoint, InvalidArgumentError, LedgerError } from '@ledgerkit/core';

/**
 * Where an event stream's position is kept between runs. {@link FabricLedger.events} loads
 * it once when the stream starts and saves the checkpoint of each event once the loop
 * body that received it has finished (when the next event is asked for).
 */
export interface Checkpointer {
  /**
   * The last saved position.
   *
   * @returns the checkpoint, or `undefined` when nothing was saved yet
   * @throws LedgerError `INVALID_ARGUMENT` when the stored checkpoint is unreadable
   */
  load(): Promise<Checkpoint | undefined>;
  /**
   * Persists a position; once it resolves, a crash no longer loses it.
   *
   * @param checkpoint - the position of the last processed event
   */
  save(checkpoint: Checkpoint): Promise<void>;
}

/**
 * A checkpointer that keeps the position in a JSON file (`{"block":12,"index":0}`),
 * replaced atomically on every save: written to a temporary file in the same folder,
 * fsynced, renamed over the old one, and the folder fsynced, so a crash at any moment
 * leaves either the old or the new checkpoint, never a torn one.
 *
 * @param path - the checkpoint file; its folder is created when missing
 * @returns the checkpointer
 * @throws InvalidArgumentError when `path` is empty
 * @example
 * ```ts
 * const checkpointer = fileCheckpointer('./state/orders.checkpoint.json')
 * for await (const event of ledger.events({ checkpointer })) await handle(event)
 * ```
 */
export function fileCheckpointer(path: string): Checkpointer {
  if (typeof path !== 'string' || path === '') {
    throw new InvalidArgumentError('path', 'fileCheckpointer needs a file path');
  }
  const file = resolve(path);
  let folderReady = false;
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new LedgerError('INVALID_ARGUMENT', `cannot read the checkpoint file ${file}`, {
          details: { file },
          cause: error,
        });
      }
      return parseCheckpoint(text, file);
    },
    async save(checkpoint) {
      const body = `${JSON.stringify(checkCheckpoint(checkpoint))}\n`;
      const folder = dirname(file);
      if (!folderReady) {
        await mkdir(folder, { recursive: true });
        folderReady = true;
      }
      const temporary = join(folder, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        const handle = await open(temporary, 'w');
        try {
          await handle.writeFile(body);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temporary, file);
      } catch (error) {
        await rm(temporary, { force: true });
        throw new LedgerError('INTERNAL', `cannot write the checkpoint file ${file}`, {
          details: { file },
          cause: error,
        });
      }
      // The rename is durable only once the folder's entry is on disk.
      const directory = await open(folder, 'r');
      try {
        await directory.sync();
      } finally {
        await directory.close();
      }
    },
  };
}

/**
 * A checkpointer held in memory, for tests and for streams that need not survive a restart.
 *
 * @param initial - the position to start after
 * @returns the checkpointer
 */
export function memoryCheckpointer(initial?: Checkpoint): Checkpointer {
  let current = initial === undefined ? undefined : checkCheckpoint(initial);
  return {
    async load() {
      return current === undefined ? undefined : { ...current };
    },
    async save(checkpoint) {
      current = checkCheckpoint(checkpoint);
    },
  };
}

function parseCheckpoint(text: string, file: string): Checkpoint {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LedgerError('INVALID_ARGUMENT', `the checkpoint file ${file} is not JSON`, {
      details: { file },
      cause: error,
    });
  }
  try {
    return checkCheckpoint(value as Checkpoint);
  } catch (error) {
    throw new LedgerError('INVALID_ARGUMENT', `the checkpoint file ${file} holds no checkpoint`, {
      details: { file, content: text.slice(0, 200) },
      cause: error,
    });
  }
}

/**
 * Checks a checkpoint's shape: a non-negative integer block and an integer index >= -1.
 *
 * @param checkpoint - the value to check
 * @returns a copy with only `block` and `index`
 * @throws InvalidArgumentError naming `checkpoint`
 */
export function checkCheckpoint(checkpoint: Checkpoint): Checkpoint {
  const { block, index } = (checkpoint ?? {}) as Partial<Checkpoint>;
  if (!Number.isSafeInteger(block) || (block as number) < 0 || !Number.isSafeInteger(index) || (index as number) < -1) {
    throw new InvalidArgumentError('checkpoint', 'a checkpoint is { block: integer >= 0, index: integer >= -1 }', {
      checkpoint,
    });
  }
  return { block: block as number, index: index as number };
}
