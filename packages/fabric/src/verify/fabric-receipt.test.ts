import type { Receipt, TrustAnchor } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import { verifyFabricReceipt } from './fabric-receipt.js';

const receipt: Receipt = {
  version: 1,
  backend: 'fabric',
  ledger: 'mychannel',
  txId: 'a'.repeat(64),
  position: { block: 5, index: 0 },
  timestamp: '2026-01-01T00:00:00.000Z',
  proof: { chaincode: 'kv', transaction: 'Put', mspId: 'Org1MSP', validationCode: 'VALID' },
};
const evidence = { type: 'fabric-blocks', block: 'AAAA', configBlock: 'AAAA' };
const failed = async (subject: unknown, bundleEvidence: unknown = evidence, anchor?: unknown) => {
  const result = await verifyFabricReceipt(
    subject as Receipt,
    bundleEvidence as Record<string, unknown>,
    anchor as TrustAnchor | undefined,
  );
  expect(result.ok).toBe(false);
  return result.checks.filter((check) => !check.ok).map((check) => check.name);
};

describe('verifyFabricReceipt on bad input: failed named checks, never exceptions', () => {
  test.each([
    ['not an object', null],
    ['another backend', { ...receipt, backend: 'ethereum' }],
    ['no transaction id', { ...receipt, txId: '' }],
    ['a negative block', { ...receipt, position: { block: -1, index: 0 } }],
    ['an index below -1', { ...receipt, position: { block: 1, index: -2 } }],
    ['a timestamp that is no time', { ...receipt, timestamp: 'yesterday' }],
    [
      "a timestamp without a zone (read in the verifying machine's zone)",
      { ...receipt, timestamp: '2026-01-01T00:00:00.000' },
    ],
    ['a proof field that is no string', { ...receipt, proof: { mspId: 7 } }],
    ['an unknown format version', { ...receipt, version: 99 }],
  ])('a receipt with %s fails receipt-format', async (_label, subject) => {
    expect(await failed(subject)).toEqual(['receipt-format']);
  });

  test('a malformed revision fails revision-format', async () => {
    const revision = { key: 'k', version: 0, value: {}, deleted: false, receipt };
    expect(await failed({ ...revision, key: '' })).toEqual(['revision-format']);
    expect(await failed({ ...revision, version: 'first' })).toEqual(['revision-format']);
    expect(await failed({ ...revision, receipt: 'garbage' })).toEqual(['receipt-format']);
  });

  test('an anchor of another backend fails anchor-type', async () => {
    expect(await failed(receipt, evidence, { type: 'ledgerdb-digest', digest: {} })).toEqual(['anchor-type']);
    expect(await failed(receipt, evidence, 'pinned')).toEqual(['anchor-type']);
  });

  test('evidence that is not base64 blocks fails evidence-format; undecodable blocks fail block-decodes', async () => {
    expect(await failed(receipt, null)).toEqual(['evidence-format']);
    expect(await failed(receipt, { ...evidence, type: 'ethereum' })).toEqual(['evidence-format']);
    expect(await failed(receipt, { ...evidence, block: 42 })).toEqual(['evidence-format']);
    expect(await failed(receipt, { ...evidence, configBlock: 'not base64!' })).toEqual(['evidence-format']);
    expect(await failed(receipt, { ...evidence, block: 'CgUBAg==' })).toEqual(['block-decodes']);
  });

  test('malformed MSP roots fail anchor-msp-roots', async () => {
    for (const roots of [{}, { Org1MSP: [] }, { Org1MSP: ['no pem'] }, { Org1MSP: [42] }, 'roots']) {
      expect(await failed(receipt, evidence, { type: 'fabric-msp-roots', roots })).toEqual(['anchor-msp-roots']);
    }
  });
});
