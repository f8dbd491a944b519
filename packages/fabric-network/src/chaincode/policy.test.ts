import { isLedgerError } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import { endorsementPolicy } from './policy.js';

const orgs = ['Org1MSP', 'Org2MSP', 'Org3MSP'];

describe('endorsementPolicy', () => {
  test('majority of three organizations is two of three peers', () => {
    expect(endorsementPolicy(undefined, orgs)).toBe("OutOf(2,'Org1MSP.peer','Org2MSP.peer','Org3MSP.peer')");
    expect(endorsementPolicy('majority', orgs.slice(0, 2))).toBe("OutOf(2,'Org1MSP.peer','Org2MSP.peer')");
  });

  test('any and all expand to OR and AND', () => {
    expect(endorsementPolicy('any', orgs.slice(0, 2))).toBe("OR('Org1MSP.peer','Org2MSP.peer')");
    expect(endorsementPolicy('all', orgs.slice(0, 2))).toBe("AND('Org1MSP.peer','Org2MSP.peer')");
  });

  test('accepts nested expressions over the network organizations', () => {
    const policy = "OR(AND('Org1MSP.peer', 'Org2MSP.member'), OutOf(1, 'Org3MSP.admin'))";
    expect(endorsementPolicy(policy, orgs)).toBe(policy);
  });

  test.each([
    ["AND('Org9MSP.peer')", 'unknown organization'],
    ["AND('Org1MSP.boss')", 'unknown role'],
    ["AND('Org1MSP.peer'", 'unclosed'],
    ["XOR('Org1MSP.peer')", 'unknown operator'],
    ["OutOf('Org1MSP.peer')", 'OutOf without a count'],
    ["AND('Org1MSP.peer') extra", 'trailing text'],
  ])('rejects %s (%s) as INVALID_ARGUMENT', (policy) => {
    let caught: unknown;
    try {
      endorsementPolicy(policy, orgs);
    } catch (error) {
      caught = error;
    }
    expect(isLedgerError(caught, 'INVALID_ARGUMENT')).toBe(true);
  });
});
