// Root exports that moved to the ./testing subpath, kept as aliases for one minor version.
import {
  claimNetworkDir as claimNetworkDirForTests,
  networkOwnerFile as ownerFile,
  stopLeftoverNetworks as stopLeftoverNetworksForTests,
} from './testing/leftover-networks.js';
import { processesOfNetwork as processesOfNetworkForTests } from './testing/leftovers.js';

/**
 * The file in a claimed network directory holding the pid of the process that owns it.
 *
 * @deprecated Since 0.2.0: import it from `@ledgerkit/fabric-network/testing`; the root export goes in 0.3.0.
 */
export const networkOwnerFile = ownerFile;

/**
 * Marks a (temporary) network directory as this process's.
 *
 * @param dir - the network directory
 * @returns when `owner.pid` is written
 * @deprecated Since 0.2.0: import it from `@ledgerkit/fabric-network/testing`; the root export goes in 0.3.0.
 */
export function claimNetworkDir(dir: string): Promise<void> {
  return claimNetworkDirForTests(dir);
}

/**
 * Stops the networks a killed earlier test run left behind.
 *
 * @param prefix - the `mkdtemp` prefix of the suite's network directories
 * @returns each directory removed and the pids stopped in it
 * @deprecated Since 0.2.0: import it from `@ledgerkit/fabric-network/testing`; the root export goes in 0.3.0.
 */
export function stopLeftoverNetworks(prefix: string): Promise<{ dir: string; stopped: number[] }[]> {
  return stopLeftoverNetworksForTests(prefix);
}

/**
 * Lists live processes that belong to a network.
 *
 * @param dir - the network directory
 * @returns pid and command line of each process still alive
 * @deprecated Since 0.2.0: import it from `@ledgerkit/fabric-network/testing`; the root export goes in 0.3.0.
 */
export function processesOfNetwork(dir: string): Promise<{ pid: number; command: string }[]> {
  return processesOfNetworkForTests(dir);
}
