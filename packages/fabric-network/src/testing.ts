// @ledgerkit/fabric-network/testing: helpers for test suites that run Fabric networks.
export { claimNetworkDir, networkOwnerFile, stopLeftoverNetworks } from './testing/leftover-networks.js';
export { processesOfNetwork } from './testing/leftovers.js';
