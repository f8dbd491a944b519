// Starts a real two-organization Fabric network (1 Raft orderer, 2 peers, native
// processes from the cached Fabric binaries, built by Go on first use), deploys the
// test's own TypeScript chaincode as a chaincode server, and drives it through
// @hyperledger/fabric-gateway. Every test tears the network down, even on failure.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FabricNetwork } from '../src/index.js';
import { claimNetworkDir, processesOfNetwork } from '../src/testing.js';
import { gatewayFor, whenDiscovered } from './gateway-client.js';

const chaincodePath = fileURLToPath(new URL('./fixtures/asset-transfer', import.meta.url));
const decoder = new TextDecoder();

async function expectNothingLeft(dir: string, pids: number[]) {
  for (const pid of pids) expect(() => process.kill(pid, 0), `pid ${pid} still alive`).toThrow();
  expect(await processesOfNetwork(dir)).toEqual([]);
}

describe('a two-organization network', () => {
  let dir: string;
  let network: FabricNetwork | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgerkit-fabric-'));
    await claimNetworkDir(dir);
  });

  afterAll(async () => {
    await network?.down({ purge: true }).catch(() => {});
    await (await FabricNetwork.open(dir).catch(() => undefined))?.down({ purge: true });
    await rm(dir, { recursive: true, force: true });
  });

  test('up, deploy, submit as Org1, read as Org2, down with nothing left behind', async () => {
    const steps: string[] = [];
    network = await FabricNetwork.up({
      dir,
      orgs: 2,
      peersPerOrg: 1,
      orderers: 1,
      channel: 'acceptance',
      onProgress: (event) => {
        if (event.type === 'step-end' && event.ok) steps.push(event.step);
      },
    });
    expect(steps).toContain('orderers (1, Raft)');
    const status = await network.status();
    expect(status.healthy).toBe(true);
    expect(status.components.map((component) => component.id)).toEqual(['orderer0', 'peer0.org1', 'peer0.org2']);

    const deployed = await network.deployChaincode({ name: 'assets', path: chaincodePath });
    expect(deployed.policy).toBe("OutOf(2,'Org1MSP.peer','Org2MSP.peer')");
    expect(deployed.sequence).toBe(1);

    const org1 = await gatewayFor(network.organization('Org1'));
    const org2 = await gatewayFor(network.organization('Org2'));
    try {
      const asOrg1 = org1.gateway.getNetwork('acceptance').getContract('assets');
      const created = JSON.parse(
        decoder.decode(await whenDiscovered(() => asOrg1.submitTransaction('CreateAsset', 'pallet-1', 'Acme', '42'))),
      );
      expect(created).toEqual({ id: 'pallet-1', owner: 'Acme', value: 42, createdBy: 'Org1MSP' });
      const asOrg2 = org2.gateway.getNetwork('acceptance').getContract('assets');
      const read = JSON.parse(decoder.decode(await asOrg2.evaluateTransaction('ReadAsset', 'pallet-1')));
      expect(read).toEqual(created);
    } finally {
      org1.close();
      org2.close();
    }

    const running = await network.status();
    expect(running.components.map((component) => component.id)).toContain('chaincode-assets');
    const pids = running.components.flatMap((component) => (component.pid ? [component.pid] : []));
    expect(pids).toHaveLength(4);
    expect((await processesOfNetwork(dir)).length).toBe(4);

    const { stopped } = await network.down();
    expect(stopped.sort()).toEqual(pids.sort());
    await expectNothingLeft(dir, pids);
  });

  test('a restart after down keeps the ledger; a killed peer shows in status and catches up on up', async () => {
    network = await FabricNetwork.up({ dir });
    expect((await network.status()).healthy).toBe(true);
    // A second chaincode any one organization can endorse, so Org1 can write while Org2 is down.
    const any = await network.deployChaincode({ name: 'any-assets', path: chaincodePath, policy: 'any' });
    expect(any.policy).toBe("OR('Org1MSP.peer','Org2MSP.peer')");
    const org1 = await gatewayFor(network.organization('Org1'));
    try {
      const contract = org1.gateway.getNetwork('acceptance').getContract('assets');
      // Written before the restart, read after it: the ledger survived down and up.
      expect(
        JSON.parse(decoder.decode(await whenDiscovered(() => contract.evaluateTransaction('ReadAsset', 'pallet-1'))))
          .value,
      ).toBe(42);

      const victim = (await network.status()).components.find((component) => component.id === 'peer0.org2');
      process.kill(victim?.pid as number, 'SIGKILL');
      await waitFor(async () => !(await network?.status())?.components.find((c) => c.id === 'peer0.org2')?.running);
      const crashed = await network.status();
      expect(crashed.healthy).toBe(false);
      expect(crashed.components.find((component) => component.id === 'peer0.org2')).toMatchObject({
        running: false,
        healthy: false,
      });
      expect(crashed.components.find((component) => component.id === 'peer0.org2')?.logTail).toBeTruthy();

      const whileDown = org1.gateway.getNetwork('acceptance').getContract('any-assets');
      for (const id of ['crate-1', 'crate-2', 'crate-3'])
        await whenDiscovered(() => whileDown.submitTransaction('CreateAsset', id, 'Org1', '1'));

      network = await FabricNetwork.up({ dir });
      const heightOf = async (id: string) =>
        (await network?.status())?.components.find((component) => component.id === id)?.height ?? -1;
      const target = await heightOf('peer0.org1');
      await waitFor(async () => (await heightOf('peer0.org2')) === target);
      expect(await heightOf('peer0.org2')).toBe(target);

      // Its ledger directory deleted while it is down: up joins it to the channel again, it
      // rebuilds every block from the orderer (in seconds, not a minute per block of private
      // data it cannot fetch) and gets the chaincode packages installed again.
      const again = (await network.status()).components.find((component) => component.id === 'peer0.org2');
      process.kill(again?.pid as number, 'SIGKILL');
      await waitFor(async () => !(await network?.status())?.components.find((c) => c.id === 'peer0.org2')?.running);
      await rm(join(dir, 'data', 'peer0.org2'), { recursive: true, force: true });
      await whenDiscovered(() => whileDown.submitTransaction('CreateAsset', 'crate-4', 'Org1', '4'));
      const steps: string[] = [];
      network = await FabricNetwork.up({
        dir,
        onProgress: (event) => {
          if (event.type === 'step-end') steps.push(event.step);
        },
      });
      expect(steps).toContain('chaincode packages installed again on peer0.org2');
      const rebuiltTarget = await heightOf('peer0.org1');
      await waitFor(async () => (await heightOf('peer0.org2')) === rebuiltTarget, 20_000);
      const org2 = await gatewayFor(network.organization('Org2'));
      try {
        // Evaluated by Org2's own peer: the rebuilt state, through the reinstalled chaincode.
        const read = org2.gateway.getNetwork('acceptance').getContract('any-assets');
        expect(
          JSON.parse(decoder.decode(await whenDiscovered(() => read.evaluateTransaction('ReadAsset', 'crate-4')))),
        ).toMatchObject({ id: 'crate-4', value: 4 });
      } finally {
        org2.close();
      }
    } finally {
      org1.close();
    }
    const pids = (await network.status()).components.flatMap((component) => (component.pid ? [component.pid] : []));
    await network.down({ purge: true });
    network = undefined;
    await expectNothingLeft(dir, pids);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
