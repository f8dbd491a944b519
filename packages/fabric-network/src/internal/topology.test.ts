import { isLedgerError } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import { checkChannelName, configtx, cryptoConfig, orgNames, planNetwork } from './topology.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isLedgerError(error) ? error.code : 'not a LedgerError';
  }
  return undefined;
}

describe('network topology', () => {
  test('a count of organizations gets default names', () => {
    expect(orgNames(3)).toEqual(['Org1', 'Org2', 'Org3']);
  });

  test.each([['Org 1'], ['1Org'], ['Orderer'], ['a'.repeat(31)], ['Org-1']])('rejects the org name %s', (name) => {
    expect(codeOf(() => orgNames([name]))).toBe('INVALID_ARGUMENT');
  });

  test('rejects duplicate names, counts out of range and bad channel names', () => {
    expect(codeOf(() => orgNames(['Acme', 'acme']))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => orgNames(0))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => orgNames(9))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => checkChannelName('MyChannel'))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => checkChannelName('trade-2'))).toBeUndefined();
  });

  test('three orderers and two orgs get distinct loopback ports, anchor peers and consenters', async () => {
    const spec = await planNetwork({
      orgs: ['Acme', 'Globex'],
      peersPerOrg: 2,
      orderers: 3,
      channel: 'trade',
      fabricVersion: '2.5.9',
    });
    const ports = [
      ...spec.orderers.flatMap((o) => Object.values(o.ports)),
      ...spec.orgs.flatMap((o) => o.peers.flatMap((p) => Object.values(p.ports))),
    ];
    expect(new Set(ports).size).toBe(3 * 3 + 4 * 3);
    const profile = JSON.parse(configtx(spec, '/net')).Profiles.LedgerkitChannel;
    expect(profile.Orderer.EtcdRaft.Consenters).toHaveLength(3);
    expect(profile.Application.Capabilities).toEqual({ V2_5: true });
    expect(profile.Application.Organizations.map((org: { AnchorPeers: unknown[] }) => org.AnchorPeers.length)).toEqual([
      1, 1,
    ]);
    const crypto = JSON.parse(cryptoConfig(spec));
    expect(crypto.PeerOrgs.every((org: { EnableNodeOUs: boolean }) => org.EnableNodeOUs)).toBe(true);
    expect(crypto.PeerOrgs[0].Template.SANS).toEqual(['localhost', '127.0.0.1']);
  });
});
