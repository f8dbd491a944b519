import { isLedgerError } from '@ledgerkit/core';
import { describe, expect, it } from 'vitest';
import { type LedgerConfig, parseLedgerUrl, validateLedgerConfig } from './ledger-config.js';

function failure(run: () => unknown): { code: string; argument: unknown } {
  try {
    run();
  } catch (error) {
    if (!isLedgerError(error)) throw error;
    return { code: error.code, argument: error.details.argument };
  }
  throw new Error('expected an error');
}

describe('parseLedgerUrl', () => {
  const good: [string, LedgerConfig][] = [
    ['ledgerdb:./data/ledger.db', { backend: 'ledgerdb', path: './data/ledger.db' }],
    ['ledgerdb:/tmp/x.db?name=audit', { backend: 'ledgerdb', path: '/tmp/x.db', name: 'audit' }],
    ['ledgerdb::memory:', { backend: 'ledgerdb', path: ':memory:' }],
    ['ledgerdb:./my%20ledger.db', { backend: 'ledgerdb', path: './my ledger.db' }],
    [
      'ledgerdb+https://ledger.example.com:8443/ledger?token=s3cret',
      { backend: 'ledgerdb', url: 'https://ledger.example.com:8443/ledger', token: 's3cret' },
    ],
    [
      'ledgerdb+http://127.0.0.1:7070?token=t&publicKey=ab12',
      { backend: 'ledgerdb', url: 'http://127.0.0.1:7070/', token: 't', publicKey: 'ab12' },
    ],
    ['ledgerdb+http://localhost:7070?token=t', { backend: 'ledgerdb', url: 'http://localhost:7070/', token: 't' }],
    ['ethereum:edr', { backend: 'ethereum', url: 'edr' }],
    ['ethereum:edr?account=2', { backend: 'ethereum', url: 'edr', account: 2 }],
    ['ethereum+http://127.0.0.1:8545', { backend: 'ethereum', url: 'http://127.0.0.1:8545/' }],
    [
      'ethereum+http://127.0.0.1:8545?contracts=./deployed.json&account=0',
      { backend: 'ethereum', url: 'http://127.0.0.1:8545/', contractsFile: './deployed.json', account: 0 },
    ],
    [
      'ethereum+https://node.example.com/v1?apikey=k&confirmations=3',
      { backend: 'ethereum', url: 'https://node.example.com/v1?apikey=k', confirmations: 3 },
    ],
    [
      'fabric:./network/org1/connection.json?channel=mychannel&chaincode=assets',
      {
        backend: 'fabric',
        connectionProfile: './network/org1/connection.json',
        channel: 'mychannel',
        chaincode: 'assets',
      },
    ],
    [
      'fabric:/etc/org2.json?chaincode=supply:SupplyChain&identity=admin&organization=Org2',
      {
        backend: 'fabric',
        connectionProfile: '/etc/org2.json',
        chaincode: 'supply:SupplyChain',
        identity: 'admin',
        organization: 'Org2',
      },
    ],
  ];
  it.each(good)('reads %s', (url, expected) => {
    expect(parseLedgerUrl(url)).toEqual(expected);
  });

  const bad: [string, string][] = [
    ['', 'config'],
    ['./data/ledger.db', 'config.url'],
    ['postgres://localhost/db', 'config.backend'],
    ['sqlite:./x.db', 'config.backend'],
    ['ledgerdb:', 'config.path'],
    ['ledgerdb:./x.db?token=t', 'config.token'],
    ['ledgerdb:./x.db?colour=red', 'config.colour'],
    ['ledgerdb+https://host:8443/ledger', 'config.token'],
    ['ledgerdb+http://ledger.example.com:8443?token=t', 'config.url'],
    ['ledgerdb+ftp://host?token=t', 'config.url'],
    ['ledgerdb+https://user:pw@host?token=t', 'config.url'],
    ['ledgerdb+https://?token=t', 'config.url'],
    ['ethereum:mainnet', 'config.url'],
    ['ethereum:edr?account=bob', 'config.account'],
    ['ethereum:edr?confirmations=0', 'config.confirmations'],
    ['ethereum:edr?confirmations=x', 'config.confirmations'],
    ['ethereum+ws://127.0.0.1:8546', 'config.url'],
    ['fabric:./org1.json', 'config.chaincode'],
    ['fabric:./org1.json?chaincode=assets&channel=My_Channel', 'config.channel'],
    ['fabric:./org1.json?chaincode=assets&identity=root', 'config.identity'],
    ['fabric:?chaincode=assets', 'config.connectionProfile'],
    ['fabric+https://peer:7051', 'config.url'],
  ];
  it.each(bad)('refuses %j naming %s', (url, argument) => {
    expect(failure(() => parseLedgerUrl(url))).toEqual({ code: 'INVALID_ARGUMENT', argument });
  });

  it('keeps the token out of the message', () => {
    try {
      parseLedgerUrl('ledgerdb+http://ledger.example.com?token=s3cret');
    } catch (error) {
      expect(String(error)).not.toContain('s3cret');
      return;
    }
    throw new Error('expected an error');
  });
});

describe('validateLedgerConfig', () => {
  const bad: [unknown, string][] = [
    [null, 'config'],
    [{ backend: 'qldb' }, 'config.backend'],
    [{ backend: 'ledgerdb' }, 'config.path'],
    [{ backend: 'ledgerdb', path: './a.db', url: 'https://h', token: 't' }, 'config.path'],
    [{ backend: 'ledgerdb', path: 42 }, 'config.path'],
    [{ backend: 'ledgerdb', url: 'https://h' }, 'config.token'],
    [{ backend: 'ledgerdb', url: 'https://h', token: 't', signingKey: 'k' }, 'config.signingKey'],
    [{ backend: 'ethereum' }, 'config.url'],
    [{ backend: 'ethereum', url: 'edr', account: -1 }, 'config.account'],
    [{ backend: 'ethereum', url: 'edr', contracts: [] }, 'config.contracts'],
    [{ backend: 'ethereum', url: 'edr', contracts: { Token: { address: '0x12', abi: [] } } }, 'config.contracts.Token'],
    [{ backend: 'ethereum', url: 'edr', contractsFile: '' }, 'config.contractsFile'],
    [{ backend: 'fabric', chaincode: 'assets' }, 'config.connectionProfile'],
    [{ backend: 'fabric', connectionProfile: './p.json' }, 'config.chaincode'],
  ];
  it.each(bad)('refuses %j naming %s', (config, argument) => {
    expect(failure(() => validateLedgerConfig(config as LedgerConfig))).toEqual({ code: 'INVALID_ARGUMENT', argument });
  });

  it('accepts a complete ethereum config', () => {
    const config: LedgerConfig = {
      backend: 'ethereum',
      url: 'http://127.0.0.1:8545',
      account: `0x${'11'.repeat(32)}`,
      contracts: { Token: { address: `0x${'ab'.repeat(20)}`, abi: [] } },
      confirmations: 2,
    };
    expect(validateLedgerConfig(config)).toBe(config);
  });
});
