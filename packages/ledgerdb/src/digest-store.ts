import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LedgerError } from '@ledgerkit/core';
import type { Digest } from './types.js';
import type { DigestStore } from './verifier.js';

/**
 * A digest store in a JSON file, replaced atomically (write, fsync, rename) so a crash
 * never leaves a half-written trusted digest.
 *
 * @param path - file to keep the digest in
 * @returns the store
 */
export function fileDigestStore(path: string): DigestStore {
  return {
    async load() {
      try {
        return JSON.parse(await readFile(path, 'utf8')) as Digest;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new LedgerError('INVALID_ARGUMENT', `cannot read the trusted digest in ${path}`, { cause: error });
      }
    },
    async save(digest) {
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${process.pid}.tmp`;
      const handle = await open(temporary, 'w');
      try {
        await handle.writeFile(`${JSON.stringify(digest)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, path);
    },
  };
}
