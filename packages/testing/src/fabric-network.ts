export { type FabricNetworkFixture, startFabricNetwork } from './fabric-network-fixture.js';
