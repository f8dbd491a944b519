// No imports of our own modules: a test runs this file in child processes as it is.
import { AsyncLocalStorage } from 'node:async_hooks';
import { link, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';

const held = new AsyncLocalStorage<Set<string>>();
const queues = new Map<string, Promise<unknown>>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates the lock file with our pid; false while a live process holds it. A dead holder's lock is taken over. */
async function tryAcquire(lockFile: string): Promise<{ acquired: boolean; holder?: number }> {
  try {
    const handle = await open(lockFile, 'wx');
    try {
      await handle.writeFile(`${process.pid}\n`);
    } finally {
      await handle.close();
    }
    return { acquired: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
  // An empty file is a holder between creating and writing it; wait for it.
  if (!Number.isInteger(holder) || holder <= 0) return { acquired: false };
  if (holder !== process.pid && alive(holder)) return { acquired: false, holder };
  // Left by a process that died (or by this one before a crash of the work): take it over.
  // The rename is atomic, so of two processes taking over only one wins the unlink's target.
  const stale = `${lockFile}.${process.pid}.stale`;
  if (
    await rename(lockFile, stale).then(
      () => true,
      () => false,
    )
  ) {
    // Another process may have taken it over and locked again between our read and rename:
    // then the file moved is its live lock, and it goes back.
    const moved = Number((await readFile(stale, 'utf8').catch(() => '')).trim());
    if (moved !== holder) await link(stale, lockFile).catch(() => {});
    await unlink(stale).catch(() => {});
  }
  return { acquired: false };
}

/**
 * Runs `work` while holding an exclusive lock on `lockFile`: one holder at a time among
 * the processes of the machine (a pid lock file, taken over when its holder died) and among
 * the calls of this process (a queue). A call made inside `work` (in its async context)
 * runs without waiting again.
 *
 * @param lockFile - the lock file, next to the state it guards
 * @param work - what to do while holding it
 * @param options - how long to wait (default 10 minutes) and the error to throw then
 * @returns what `work` returns
 */
export async function withFileLock<T>(
  lockFile: string,
  work: () => Promise<T>,
  options: { timeoutMs?: number; busy?: (holder: number | undefined) => Error } = {},
): Promise<T> {
  const mine = held.getStore();
  if (mine?.has(lockFile)) return work();
  const previous = queues.get(lockFile) ?? Promise.resolve();
  let release: () => void = () => {};
  const turn = new Promise<void>((resolve) => {
    release = resolve;
  });
  const queued = previous.then(() => turn);
  queues.set(lockFile, queued);
  await previous;
  try {
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    for (;;) {
      const { acquired, holder } = await tryAcquire(lockFile);
      if (acquired) break;
      if (Date.now() > deadline) {
        throw options.busy?.(holder) ?? new Error(`${lockFile} is held by process ${holder ?? 'unknown'}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 75));
    }
    try {
      return await held.run(new Set([...(mine ?? []), lockFile]), work);
    } finally {
      await unlink(lockFile).catch(() => {});
    }
  } finally {
    release();
    if (queues.get(lockFile) === queued) queues.delete(lockFile);
  }
}

/**
 * Replaces a file's content atomically: a reader sees the old content or the new one,
 * never a partial write (a temporary file in the same directory, then a rename).
 *
 * @param file - the file
 * @param text - its new content
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
}
