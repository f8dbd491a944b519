import { rm } from 'node:fs/promises';

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
