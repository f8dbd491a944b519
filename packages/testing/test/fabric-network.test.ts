import { access } from 'node:fs/promises';
import { processesOfNetwork } from '@ledgerkit/fabric-network/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FabricNetworkFixture, startFabricNetwork } from '../src/fabric-network.js';

// The fixture really starts a network of native Fabric processes and really stops them.
describe('startFabricNetwork', () => {
  let fabric: FabricNetworkFixture | undefined;
  beforeAll(async () => {
    fabric = await startFabricNetwork({ orgs: 2, channel: 'fixture' });
  }, 600_000);
  afterAll(async () => {
    await fabric?.close();
  }, 120_000);

  test('starts a healthy two-organization network in its own directory', async () => {
    const status = await (fabric as FabricNetworkFixture).network.status();
    expect(status.channel).toBe('fixture');
    expect(status.healthy).toBe(true);
    expect(status.components.filter((component) => component.kind === 'peer')).toHaveLength(2);
    expect(fabric?.dir).toMatch(/ledgerkit-testing-fabric-/);
    expect((await processesOfNetwork(fabric?.dir as string)).length).toBeGreaterThanOrEqual(3);
  });

  test('close() leaves no process and no directory behind, and can be called twice', async () => {
    const { dir } = fabric as FabricNetworkFixture;
    await fabric?.close();
    await fabric?.close();
    expect(await processesOfNetwork(dir)).toEqual([]);
    await expect(access(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 120_000);
});
