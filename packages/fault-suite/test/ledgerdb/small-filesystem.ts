// A real, small filesystem for disk-full scenarios: an ext4 image on a loop device
// (mkfs.ext4 + mount -o loop), so SQLite's writes, WAL growth and fsyncs meet ENOSPC from
// a real block allocator, delayed allocation included. tmpfs would also return ENOSPC, but
// it has no block allocation or fsync to speak of. Needs root (CI and this machine run as
// root); `mountSmallFilesystem` says why when it cannot mount.
import { execFile } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SmallFilesystem {
  /** Where it is mounted. */
  dir: string;
  /** Bytes free for an unprivileged writer. */
  free(): number;
  /** Fills it with a ballast file until `leave` bytes are free; `release()` deletes the ballast. */
  fill(leave: number): { release(): void };
  /** Unmounts and deletes the image. */
  destroy(): Promise<void>;
}

/**
 * Creates and loop-mounts an ext4 filesystem of `megabytes` MiB.
 *
 * @throws Error when the machine refuses (not root, no loop devices, no mkfs.ext4)
 */
export async function mountSmallFilesystem(megabytes: number): Promise<SmallFilesystem> {
  const root = mkdtempSync(join(tmpdir(), 'fault-fs-'));
  const image = join(root, 'disk.img');
  const dir = join(root, 'mnt');
  try {
    await run('mkdir', [dir]);
    await run('truncate', ['-s', `${megabytes}M`, image]);
    await run('mkfs.ext4', ['-q', '-F', '-m', '0', image]);
    await run('mount', ['-o', 'loop', image, dir]);
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(
      `cannot loop-mount a small ext4 filesystem (the disk-full scenarios need root, loop devices and mkfs.ext4): ${String(error)}`,
    );
  }
  return {
    dir,
    free: () => {
      const stats = statfsSync(dir);
      return stats.bavail * stats.bsize;
    },
    fill(leave) {
      const path = join(dir, `ballast-${Date.now()}`);
      const fd = openSync(path, 'w');
      const chunk = new Uint8Array(64 * 1024).fill(1);
      try {
        for (;;) {
          const stats = statfsSync(dir);
          const free = stats.bavail * stats.bsize;
          if (free <= leave) break;
          writeSync(fd, chunk, 0, Math.min(chunk.length, free - leave));
        }
      } finally {
        closeSync(fd);
      }
      return { release: () => rmSync(path) };
    },
    destroy: async () => {
      await run('umount', [dir]).catch(() => run('umount', ['-l', dir]));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
