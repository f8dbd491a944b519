import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerError } from '@ledgerkit/core';
import type { FabricNetwork, UpOptions } from '@ledgerkit/fabric-network';

/** A running throwaway Fabric network for a test suite. */
export interface FabricNetworkFixture {
  /** The network: deploy chaincode, get organizations' identities and connection files. */
  readonly network: FabricNetwork;
  /** Its temporary directory (crypto material, ledgers, logs). */
  readonly dir: string;
  /** Stops every process of the network and deletes its directory. */
  close(): Promise<void>;
}

/**
 * Starts a real Fabric network (native orderer and peers, see `@ledgerkit/fabric-network`)
 * in a fresh temporary directory, for integration tests of chaincode and clients. The
 * first use on a machine builds the Fabric binaries (minutes); later ones reuse them.
 *
 * @param options - network shape (organizations, peers, orderers, channel); the
 * directory is always a new temporary one
 * @returns the network and a `close()` to call when the suite ends
 * @throws LedgerError `UNSUPPORTED` when `@ledgerkit/fabric-network` is not installed,
 * and whatever `FabricNetwork.up` throws (whatever it started is stopped and the
 * directory removed then)
 *
 * @example
 * ```ts
 * let fabric: FabricNetworkFixture
 * beforeAll(async () => { fabric = await startFabricNetwork({ orgs: 2 }) }, 600_000)
 * afterAll(() => fabric?.close())
 * ```
 */
export async function startFabricNetwork(options: Omit<UpOptions, 'dir'> = {}): Promise<FabricNetworkFixture> {
  const { FabricNetwork, claimNetworkDir } = await loadFabricNetwork();
  // Not `ledgerkit-fabric-*`: fabric-network's own test runs stop leftovers of that name.
  const dir = await mkdtemp(join(tmpdir(), 'ledgerkit-testing-fabric-'));
  let network: FabricNetwork;
  try {
    // Who started it: a test run's cleanup of leftover networks skips those of live processes.
    await claimNetworkDir(dir);
    network = await FabricNetwork.up({ ...options, dir });
  } catch (error) {
    // A start that failed half-way may have left processes running: stop them first.
    await (await FabricNetwork.open(dir).catch(() => undefined))?.down({ purge: true }).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let closed = false;
  return {
    network,
    dir,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await network.down({ purge: true });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

async function loadFabricNetwork(): Promise<{
  FabricNetwork: typeof import('@ledgerkit/fabric-network').FabricNetwork;
  claimNetworkDir: typeof import('@ledgerkit/fabric-network/testing').claimNetworkDir;
}> {
  try {
    const [{ FabricNetwork }, { claimNetworkDir }] = await Promise.all([
      import('@ledgerkit/fabric-network'),
      import('@ledgerkit/fabric-network/testing'),
    ]);
    return { FabricNetwork, claimNetworkDir };
  } catch (error) {
    throw new LedgerError(
      'UNSUPPORTED',
      'startFabricNetwork needs @ledgerkit/fabric-network: npm install -D @ledgerkit/fabric-network',
      {
        cause: error,
      },
    );
  }
}
