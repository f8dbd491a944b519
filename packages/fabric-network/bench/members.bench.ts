// Times membership operations on a running two-organization network with a chaincode
// deployed: adding a peer to Org1 end to end (crypto material, start, channel join, catch-up
// to the orderer's height, chaincode package installed, gossip with every other peer),
// removing it, creating a Fabric CA for Org1, registering and enrolling a user from it, and
// adding a new organization (its own fabric-ca-server, MSP, one peer started). The baseline in
// the same run is the network's own `up`; ratios are against it. Prints one JSON line last.
// Run it alone (`npm run bench:members -w @ledgerkit/fabric-network`, after `npm run build`).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureFabricBinaries, ensureFabricCaBinaries, FabricNetwork } from '../dist/index.js';

await ensureFabricBinaries();
await ensureFabricCaBinaries();
const chaincodePath = fileURLToPath(new URL('../test/fixtures/whoami', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'ledgerkit-bench-fabric-members-'));
const seconds = (started: number) => Math.round((performance.now() - started) / 10) / 100;
const admin = { name: 'admin', password: 'Passw0rd1' };
try {
  let started = performance.now();
  const network = await FabricNetwork.up({ dir, orgs: 2, peersPerOrg: 1, orderers: 1, channel: 'bench' });
  const upSeconds = seconds(started);
  await network.deployChaincode({ name: 'whoami', path: chaincodePath, policy: 'any' });

  started = performance.now();
  const added = await network.addPeer('Org1');
  const addPeerSeconds = seconds(started);

  started = performance.now();
  await network.removePeer('Org1', added.id);
  const removePeerSeconds = seconds(started);

  started = performance.now();
  const ca = await network.certificateAuthority('Org1', { admin });
  const caSeconds = seconds(started);

  started = performance.now();
  const { secret } = await ca.register({ name: 'bench-user', attributes: { role: 'bench' } });
  await ca.enroll({ name: 'bench-user', secret });
  const enrollSeconds = seconds(started);

  started = performance.now();
  await network.addOrganization({ name: 'Org3', admin });
  const addOrganizationSeconds = seconds(started);

  const health = await network.nodeHealth();
  const ratio = (value: number) => Math.round((value / upSeconds) * 100) / 100;
  console.log(
    JSON.stringify({
      up_s: upSeconds,
      add_peer_s: addPeerSeconds,
      add_peer_height: added.height,
      remove_peer_s: removePeerSeconds,
      create_ca_s: caSeconds,
      register_enroll_s: enrollSeconds,
      add_organization_s: addOrganizationSeconds,
      add_peer_vs_up: ratio(addPeerSeconds),
      add_organization_vs_up: ratio(addOrganizationSeconds),
      healthy_nodes: health.filter((node) => node.healthy).length,
      nodes: health.length,
    }),
  );
} finally {
  await (await FabricNetwork.open(dir).catch(() => undefined))?.down({ purge: true });
  await rm(dir, { recursive: true, force: true });
}
