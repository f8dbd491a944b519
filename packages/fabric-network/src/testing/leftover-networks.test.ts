import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { claimNetworkDir, networkOwnerFile, stopLeftoverNetworks } from './leftover-networks.js';

test('removes directories of dead or unknown owners and keeps those of live processes', async () => {
  const prefix = `ledgerkit-leftover-test-${process.pid}-`;
  const mine = await mkdtemp(join(tmpdir(), prefix));
  await claimNetworkDir(mine);
  expect((await readFile(join(mine, networkOwnerFile), 'utf8')).trim()).toBe(String(process.pid));
  const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
  const dead = await mkdtemp(join(tmpdir(), prefix));
  await writeFile(join(dead, networkOwnerFile), `${deadPid}\n`);
  const unowned = await mkdtemp(join(tmpdir(), prefix));
  const other = await mkdtemp(join(tmpdir(), 'ledgerkit-leftover-other-'));

  const removed = await stopLeftoverNetworks(prefix);

  expect(removed.map((entry) => entry.dir).sort()).toEqual([dead, unowned].sort());
  expect(removed.every((entry) => entry.stopped.length === 0)).toBe(true);
  const exists = (dir: string) =>
    stat(dir).then(
      () => true,
      () => false,
    );
  expect(await exists(mine)).toBe(true);
  expect(await exists(dead)).toBe(false);
  expect(await exists(unowned)).toBe(false);
  expect(await exists(other)).toBe(true);
  await rm(mine, { recursive: true, force: true });
  await rm(other, { recursive: true, force: true });
});
