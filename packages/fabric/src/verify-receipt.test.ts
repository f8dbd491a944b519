import { isLedgerError, type Receipt } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import { verifyFabricReceipt, verifyFabricTransaction } from './verify-receipt.js';

const receipt: Receipt = {
  backend: 'fabric',
  ledger: 'mychannel',
  txId: 'a'.repeat(64),
  position: { block: 5, index: -1 },
  timestamp: '2026-01-01T00:00:00.000Z',
  proof: { chaincode: 'kv', transaction: 'Put', mspId: 'Org1MSP', validationCode: 'VALID' },
};

const noSource = {
  blockByNumber: () => Promise.reject(new Error('not called')),
  blockByTxId: () => Promise.reject(new Error('not called')),
};

describe('verifyFabricTransaction input', () => {
  test('bytes that are no block fail block-decodes instead of throwing', () => {
    const result = verifyFabricTransaction({
      txId: receipt.txId,
      block: Buffer.from('definitely not a protobuf block'),
      configBlock: new Uint8Array(),
    });
    expect(result.ok).toBe(false);
    expect(result.checks.map((check) => [check.name, check.ok])).toEqual([['block-decodes', false]]);
  });

  test('an empty block fails, since it cannot hold the transaction', () => {
    const result = verifyFabricTransaction({
      txId: receipt.txId,
      block: new Uint8Array(),
      configBlock: new Uint8Array(),
    });
    expect(result.ok).toBe(false);
  });

  test('rejects inputs that are not bytes and a txId that is not the receipt one', () => {
    const bad = (input: Parameters<typeof verifyFabricTransaction>[0]) => {
      try {
        verifyFabricTransaction(input);
      } catch (error) {
        return isLedgerError(error, 'INVALID_ARGUMENT') ? (error.details.argument as string) : 'other error';
      }
      return 'no error';
    };
    const block = new Uint8Array();
    expect(bad({ txId: receipt.txId, block: 'block' as unknown as Uint8Array, configBlock: block })).toBe('block');
    expect(bad({ txId: '', block, configBlock: block })).toBe('txId');
    expect(bad({ txId: 'b'.repeat(64), block, configBlock: block, receipt })).toBe('txId');
  });
});

describe('verifyFabricReceipt input', () => {
  test.each([
    ['a receipt of another backend', { ...receipt, backend: 'ethereum' }, 'receipt.backend'],
    ['no transaction id', { ...receipt, txId: '' }, 'receipt.txId'],
    ['a negative block', { ...receipt, position: { block: -1, index: 0 } }, 'receipt.position.block'],
    ['an index below -1', { ...receipt, position: { block: 1, index: -2 } }, 'receipt.position.index'],
    ['a timestamp that is no time', { ...receipt, timestamp: 'yesterday' }, 'receipt.timestamp'],
    ['a proof field that is no string', { ...receipt, proof: { mspId: 7 } }, 'receipt.proof.mspId'],
  ])('rejects %s as bad input', async (_name, malformed, argument) => {
    const error = await verifyFabricReceipt(malformed as Receipt, noSource).catch((caught: unknown) => caught);
    expect(isLedgerError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as { details: { argument: string } }).details.argument).toBe(argument);
  });
});
