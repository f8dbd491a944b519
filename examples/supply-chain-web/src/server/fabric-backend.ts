// The decentralized model on Fabric: a two-organization network (one Raft orderer, one peer
// per organization, native processes) with the supply-chain chaincode of contracts/fabric,
// endorsed by both organizations. Each participant is a certificate of its organization's CA
// with a `role` attribute; the server holds their keys.
import { type SupplyChain, startFabricSupplyChainNetwork } from '@ledgerkit/example-supply-chain';
import type { FabricLedger } from '@ledgerkit/fabric';
import { type Backend, type Participant, people, portOf } from './backend.ts';

/** Offers go to an organization, so the two carriers of the other backends are one here. */
const orgOf: Readonly<Record<string, 'Org1' | 'Org2'>> = { acme: 'Org1', haulage: 'Org2', shop: 'Org1', audit: 'Org2' };

/**
 * Starts a two-organization Fabric network in a temporary directory, deploys the supply-chain
 * chaincode and issues one identity per participant.
 *
 * @param onProgress - one line per stage (the first start on a machine builds the binaries)
 * @returns the backend; `close` stops the network and deletes its directory
 * @throws Error when the binaries cannot be built or the network does not start
 */
export async function startFabricBackend(onProgress: (line: string) => void = () => {}): Promise<Backend> {
  // The prefix the tests' cleanup of leftover networks looks for.
  const fabric = await startFabricSupplyChainNetwork({ dirPrefix: 'ledgerkit-testing-fabric-', onProgress });
  try {
    const participants: Participant[] = [];
    const ports = new Map<string, SupplyChain>();
    let reader: FabricLedger | undefined;
    for (const person of people) {
      const org = orgOf[person.name];
      if (!org) continue;
      const { ledger, supplyChain } = await fabric.connectAs(org, person.name, person.role);
      ports.set(person.name, supplyChain);
      participants.push({ ...person, party: supplyChain.identity });
      reader = ledger;
    }
    if (!reader) throw new Error('no participant has a Fabric organization');
    const history = reader;
    const anchor = await fabric.mspRootsAnchor();
    const ids: string[] = [];
    onProgress('Fabric network ready');
    return {
      kind: 'fabric',
      trustModel: 'decentralized',
      description:
        'The chaincode enforces the rules, endorsed by both organizations; an auditor trusts the MSP root certificates.',
      participants,
      as: (name) => portOf(ports, name),
      batchIds: async () => [...ids],
      registered: (id) => {
        if (!ids.includes(id)) ids.push(id);
      },
      bundles: async (id) => {
        // Receipts, not revisions: the chaincode's History names the batch id, while the
        // transaction writes the asset under its own prefixed key, which `revision-value` compares.
        const revisions = await history.history(id);
        return Promise.all(revisions.map((revision) => history.evidence(revision.receipt)));
      },
      currentAnchor: async () => anchor,
      close: fabric.stop,
    };
  } catch (error) {
    await fabric.stop().catch(() => {});
    throw error;
  }
}
