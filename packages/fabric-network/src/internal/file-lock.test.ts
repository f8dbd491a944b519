import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withFileLock, writeFileAtomic } from './file-lock.js';

const lockModule = fileURLToPath(new URL('./file-lock.ts', import.meta.url));

/** A read-modify-write of a counter file, `times` over, in another Node process. */
function incrementer(counter: string, lock: string, times: number, locked: boolean): Promise<number> {
  const script = `
    import { readFile } from 'node:fs/promises';
    import { withFileLock, writeFileAtomic } from ${JSON.stringify(lockModule)};
    const step = async () => {
      const value = Number(await readFile(${JSON.stringify(counter)}, 'utf8'));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
      await writeFileAtomic(${JSON.stringify(counter)}, String(value + 1));
    };
    for (let i = 0; i < ${times}; i++) {
      ${locked ? `await withFileLock(${JSON.stringify(lock)}, step);` : 'await step();'}
    }`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

describe('withFileLock', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgerkit-lock-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serializes read-modify-write across processes (without it, updates are lost)', async () => {
    const counter = join(dir, 'counter');
    const lock = join(dir, 'counter.lock');
    await writeFile(counter, '0');
    const codes = await Promise.all([1, 2, 3].map(() => incrementer(counter, lock, 40, true)));
    expect(codes).toEqual([0, 0, 0]);
    expect(Number(await readFile(counter, 'utf8'))).toBe(120);
    // The same processes without the lock lose updates, so the check above can fail.
    await writeFile(counter, '0');
    await Promise.all([1, 2, 3].map(() => incrementer(counter, lock, 40, false)));
    expect(Number(await readFile(counter, 'utf8'))).toBeLessThan(120);
  });

  it('takes over a lock whose holder died, and calls in this process wait their turn', async () => {
    const lock = join(dir, 'stale.lock');
    const dead = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '']);
      child.once('exit', () => resolve(child.pid as number));
    });
    await writeFile(lock, `${dead}\n`);
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        withFileLock(lock, async () => {
          order.push(`${name}+`);
          await new Promise((resolve) => setTimeout(resolve, 20));
          // A nested call in the holder's context does not wait for itself.
          await withFileLock(lock, async () => order.push(`${name}*`));
          order.push(`${name}-`);
        }),
      ),
    );
    expect(order).toEqual(['a+', 'a*', 'a-', 'b+', 'b*', 'b-', 'c+', 'c*', 'c-']);
    await expect(readFile(lock)).rejects.toThrow(/ENOENT/);
  });

  it('gives up after the timeout with the error the caller names', async () => {
    const lock = join(dir, 'held.lock');
    await writeFile(lock, `${process.ppid}\n`);
    await expect(
      withFileLock(lock, async () => 'never', { timeoutMs: 200, busy: (holder) => new Error(`busy ${holder}`) }),
    ).rejects.toThrow(`busy ${process.ppid}`);
  });

  it('writes a file atomically, leaving no temporary file', async () => {
    const file = join(dir, 'state.json');
    await writeFileAtomic(file, '{"a":1}\n');
    await writeFileAtomic(file, '{"a":2}\n');
    expect(await readFile(file, 'utf8')).toBe('{"a":2}\n');
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
