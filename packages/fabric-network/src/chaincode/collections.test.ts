import { isLedgerError } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import { collectionsConfig } from './collections.js';

const mspIds = ['Org1MSP', 'Org2MSP'];

function rejection(collections: unknown): Record<string, unknown> {
  try {
    collectionsConfig(collections as never, mspIds);
  } catch (error) {
    expect(isLedgerError(error, 'INVALID_ARGUMENT')).toBe(true);
    return (error as { details: Record<string, unknown> }).details;
  }
  throw new Error(`expected ${JSON.stringify(collections)} to be refused`);
}

describe('collectionsConfig', () => {
  test('writes the JSON array the peer CLI reads, with Fabric’s defaults filled in', () => {
    const text = collectionsConfig(
      [
        { name: 'pricing' },
        {
          name: 'org1-only',
          policy: "OR('Org1MSP.member')",
          requiredPeerCount: 1,
          maxPeerCount: 2,
          blockToLive: 10,
          memberOnlyRead: true,
          memberOnlyWrite: true,
        },
      ],
      mspIds,
    );
    expect(JSON.parse(text as string)).toEqual([
      {
        name: 'pricing',
        policy: "OR('Org1MSP.member','Org2MSP.member')",
        requiredPeerCount: 0,
        maxPeerCount: 1,
        blockToLive: 0,
        memberOnlyRead: false,
        memberOnlyWrite: false,
      },
      {
        name: 'org1-only',
        policy: "OR('Org1MSP.member')",
        requiredPeerCount: 1,
        maxPeerCount: 2,
        blockToLive: 10,
        memberOnlyRead: true,
        memberOnlyWrite: true,
      },
    ]);
  });

  test('no collections means no file', () => {
    expect(collectionsConfig(undefined, mspIds)).toBeUndefined();
    expect(collectionsConfig([], mspIds)).toBeUndefined();
  });

  test('accepts OutOf(1, …) as an OR', () => {
    expect(collectionsConfig([{ name: 'c', policy: "OutOf(1,'Org1MSP.member','Org2MSP.member')" }], mspIds)).toContain(
      'OutOf(1,',
    );
  });

  test.each([
    ['not an array', { name: 'c' }],
    ['not an object', ['c']],
    ['a name starting with _', [{ name: '_c' }]],
    ['a name with a space', [{ name: 'my c' }]],
    ['an empty name', [{ name: '' }]],
    ['a duplicate name', [{ name: 'c' }, { name: 'c' }]],
    ['an unknown field', [{ name: 'c', requiredPeers: 1 }]],
    ['a shorthand policy', [{ name: 'c', policy: 'any' }]],
    ['an AND policy', [{ name: 'c', policy: "AND('Org1MSP.member','Org2MSP.member')" }]],
    ['an OutOf(2) policy', [{ name: 'c', policy: "OutOf(2,'Org1MSP.member','Org2MSP.member')" }]],
    ['an unknown organization', [{ name: 'c', policy: "OR('Org3MSP.member')" }]],
    ['an unparsable policy', [{ name: 'c', policy: 'OR(' }]],
    ['a negative count', [{ name: 'c', requiredPeerCount: -1 }]],
    ['a fractional count', [{ name: 'c', maxPeerCount: 1.5 }]],
    ['maxPeerCount below requiredPeerCount', [{ name: 'c', requiredPeerCount: 2, maxPeerCount: 1 }]],
    ['a non-boolean flag', [{ name: 'c', memberOnlyRead: 'yes' }]],
  ])('refuses %s as BAD_OPTION', (_why, collections) => {
    expect(rejection(collections)).toMatchObject({ reason: 'BAD_OPTION', option: 'collections' });
  });
});
