// The scenario on a real two-organization Fabric network (1 Raft orderer, 1 peer per
// organization, native processes), with the supply-chain chaincode of contracts/fabric
// deployed as a chaincode server and endorsed by both organizations. Each identity is a
// certificate signed by its organization's CA with a `role` attribute, and connects through
// its own organization's gateway peer.
import { startFabricSupplyChainNetwork } from '../src/fabric-network-backend.ts';
import { type Parties, type StartBackend, supplyChainScenario } from './scenario.ts';

const startFabric: StartBackend = async () => {
  // The prefix the global setup's cleanup of leftover networks looks for.
  const fabric = await startFabricSupplyChainNetwork({ dirPrefix: 'ledgerkit-testing-fabric-' });
  try {
    if (fabric.chaincode.policy !== "OutOf(2,'Org1MSP.peer','Org2MSP.peer')") {
      throw new Error(`expected both organizations to endorse, got ${fabric.chaincode.policy}`);
    }
    const parties: Parties = {
      manufacturer: (await fabric.connectAs('Org1', 'maker', 'manufacturer')).supplyChain,
      carrier: (await fabric.connectAs('Org2', 'carrier', 'carrier')).supplyChain,
      retailer: (await fabric.connectAs('Org1', 'shop', 'retailer')).supplyChain,
      auditor: (await fabric.connectAs('Org2', 'audit', 'auditor')).supplyChain,
    };
    const anchor = await fabric.mspRootsAnchor();
    return { parties, stop: fabric.stop, pinAnchor: async () => anchor };
  } catch (error) {
    await fabric.stop();
    throw error;
  }
};

supplyChainScenario('fabric', startFabric);
