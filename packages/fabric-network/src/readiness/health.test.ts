import { describe, expect, test } from 'vitest';
import { keyMetrics, parsePrometheusText } from './health.js';

// Lines as a Fabric 2.5 peer and orderer print them on /metrics.
const peerMetrics = `# HELP ledger_blockchain_height Height of the chain in blocks.
# TYPE ledger_blockchain_height gauge
ledger_blockchain_height{channel="members"} 7
ledger_blockchain_height{channel="other"} 99
# TYPE endorser_proposals_received counter
endorser_proposals_received 12
endorser_successful_proposals 10
gossip_membership_total_peers_known{channel="members"} 3
go_goroutines 211
process_resident_memory_bytes 7.4104832e+07
`;
const ordererMetrics = `consensus_etcdraft_is_leader{channel="members"} 1
broadcast_processed_count{channel="members",status="SUCCESS",type="ENDORSER_TRANSACTION"} 5
broadcast_processed_count{channel="members",status="SUCCESS",type="CONFIG_UPDATE"} 2
ledger_blockchain_height{channel="members"} 7
`;

describe('operations metrics', () => {
  test('parses names, labels and values, skipping comments and malformed lines', () => {
    expect(parsePrometheusText('# HELP x\nx{a="1",b="two"} 3\ny 4.5\nnot a sample\nz NaN-ish\n')).toEqual([
      { name: 'x', labels: { a: '1', b: 'two' }, value: 3 },
      { name: 'y', labels: {}, value: 4.5 },
    ]);
  });

  test("a peer's key metrics on the network's channel", () => {
    expect(keyMetrics(peerMetrics, 'members')).toEqual({
      ledgerHeight: 7,
      proposalsReceived: 12,
      successfulEndorsements: 10,
      peersKnown: 3,
      goroutines: 211,
      residentMemoryBytes: 74_104_832,
    });
  });

  test("an orderer's: Raft leadership and broadcasts summed over types", () => {
    expect(keyMetrics(ordererMetrics, 'members')).toEqual({
      ledgerHeight: 7,
      raftLeader: true,
      broadcastsProcessed: 7,
    });
    expect(keyMetrics(ordererMetrics.replace('} 1', '} 0'), 'members').raftLeader).toBe(false);
    expect(keyMetrics('', 'members')).toEqual({});
  });
});
