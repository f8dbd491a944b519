import { isLedgerError } from '@ledgerkit/core';
import { Interface } from 'ethers';
import { describe, expect, test } from 'vitest';
import { decodeRevert } from './decode-revert.js';
import { toLedgerError } from './internal/rpc-errors.js';

const abi = ['error NotCustodian(bytes32 assetId, address caller)'];
const iface = new Interface(abi);
const assetId = `0x${'12'.repeat(32)}`;
const caller = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const data = iface.encodeErrorResult('NotCustodian', [assetId, caller]);

describe('decodeRevert', () => {
  test('decodes an ethers CALL_EXCEPTION from a JSON-RPC node', () => {
    const error = Object.assign(new Error('execution reverted'), { code: 'CALL_EXCEPTION', data, revert: null });
    expect(decodeRevert(error, [abi])).toEqual({
      errorName: 'NotCustodian',
      errorArgs: [assetId, caller],
      selector: data.slice(0, 10),
      data,
    });
  });

  test('decodes an EDR error (code 3 with data) and nested JSON-RPC error shapes', () => {
    const edr = Object.assign(new Error('reverted with custom error'), { code: 3, data });
    const nested = { code: 'UNKNOWN_ERROR', info: { error: { code: 3, message: 'reverted', data: { data } } } };
    const wrapped = new Error('outer', { cause: edr });
    for (const error of [edr, nested, wrapped]) expect(decodeRevert(error, [abi])?.errorName).toBe('NotCustodian');
  });

  test('decodes require messages and panics without an ABI', () => {
    const builtin = new Interface(['error Error(string)', 'error Panic(uint256)']);
    expect(decodeRevert({ data: builtin.encodeErrorResult('Error', ['no']) }, [])).toMatchObject({
      errorName: 'Error',
      errorArgs: ['no'],
    });
    expect(decodeRevert({ data: builtin.encodeErrorResult('Panic', [0x11]) }, [])).toMatchObject({
      errorName: 'Panic',
      errorArgs: ['17'],
    });
  });

  test('returns undefined without revert data and names unknown selectors', () => {
    expect(decodeRevert(new Error('nonce too low'), [abi])).toBeUndefined();
    expect(decodeRevert({ data: '0xdeadbeef' }, [abi])).toMatchObject({ errorName: 'unknown', selector: '0xdeadbeef' });
  });
});

describe('toLedgerError', () => {
  test('maps reverts, unreachable nodes and rejected sends to codes', () => {
    const reverted = toLedgerError({ code: 3, data }, { operation: 'submit', interfaces: [iface] });
    expect(isLedgerError(reverted, 'CONTRACT_REVERTED')).toBe(true);
    expect(reverted.details).toMatchObject({ errorName: 'NotCustodian' });
    const refused = Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(toLedgerError(refused, { operation: 'submit' }).code).toBe('UNAVAILABLE');
    expect(toLedgerError(refused, { operation: 'submit' }).retryable).toBe(true);
    expect(toLedgerError(new Error('nonce too low'), { operation: 'send' }).code).toBe('COMMIT_FAILED');
    expect(toLedgerError(new Error('odd'), { operation: 'evaluate' }).code).toBe('INTERNAL');
  });
});
