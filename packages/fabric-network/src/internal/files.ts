import { access, rm } from 'node:fs/promises';

/**
 * Whether a path exists (and is accessible).
 *
 * @param path - a file or directory
 * @returns true when it exists
 */
export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Deletes a file or directory tree; a path that cannot exist (a file where a folder of it
 * should be) is gone already.
 *
 * @param path - the file or directory
 */
export async function removePath(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOTDIR') throw error;
  });
}
