// Times adding a member through governance, end to end, on a running two-organization
// network: Org1 proposes inviting Org3, Org1 and Org2 vote YES, Org3 accepts (its own
// fabric-ca-server, MSP, admin, user and peer; the channel config update adding its MSP,
// signed by both approving admins and ordered; its peer joins and catches up). Also times one
// plain governance config update (creating the governance sets the Admins policy) and the
// votes alone. The baseline in the same run is the network's own `up`; ratios are against it.
// Audit entries go to a ledgerdb ledger in the run's directory. Prints one JSON line last.
// Run it alone, after `npm run build` (dist/ of this package and of @ledgerkit/ledgerdb):
// `node bench/governance.bench.ts`.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asLedger, openLedgerDatabase } from '@ledgerkit/ledgerdb';
import { ensureFabricBinaries, ensureFabricCaBinaries, FabricGovernance, FabricNetwork } from '../dist/index.js';

await ensureFabricBinaries();
await ensureFabricCaBinaries();
const dir = await mkdtemp(join(tmpdir(), 'ledgerkit-bench-fabric-governance-'));
const seconds = (started: number) => Math.round((performance.now() - started) / 10) / 100;
const database = await openLedgerDatabase({
  path: join(dir, 'audit.ledger'),
  name: 'governance',
  signingKey: generateKeyPairSync('ed25519').privateKey,
});
await database.createTable('governance');
const ledger = asLedger(database);
try {
  let started = performance.now();
  const network = await FabricNetwork.up({ dir: join(dir, 'network'), orgs: 2, channel: 'bench' });
  const upSeconds = seconds(started);

  started = performance.now();
  const governance = await FabricGovernance.create(network, {
    policy: { thresholdPercentage: 50, comparator: 'GREATER_THAN', proposalDurationHours: 24 },
    ledger,
  });
  const createSeconds = seconds(started);

  started = performance.now();
  const { result: proposal } = await governance.propose('Org1', { type: 'INVITE', organization: 'Org3' });
  await governance.vote(proposal.id, 'Org1', 'YES');
  await governance.vote(proposal.id, 'Org2', 'YES');
  const votesSeconds = seconds(started);
  const accepted = await governance.acceptInvitation('Org3', { admin: { name: 'admin', password: 'Passw0rd1' } });
  const addMemberSeconds = seconds(started);

  const auditEntries = (await governance.auditTrail()).length;
  await network.down({ purge: true });
  const ratio = (value: number) => Math.round((value / upSeconds) * 100) / 100;
  console.log(
    JSON.stringify({
      network_up_s: upSeconds,
      governance_create_s: createSeconds,
      votes_s: votesSeconds,
      add_member_end_to_end_s: addMemberSeconds,
      add_member_vs_up: ratio(addMemberSeconds),
      config_update_vs_up: ratio(createSeconds),
      config_sequence_after: accepted.configUpdate?.sequence,
      audit_entries: auditEntries,
    }),
  );
} finally {
  await ledger.close();
  await (await FabricNetwork.open(join(dir, 'network')).catch(() => undefined))?.down({ purge: true });
  await rm(dir, { recursive: true, force: true });
}
