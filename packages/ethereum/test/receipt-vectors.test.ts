// The golden receipt vectors (testdata/receipts, from scripts/generate-receipt-vectors.ts against
// EDR) are kept forever: every version of the verifier must accept each valid one and reject
// each tampered one with the named check failing. Pure: no node is started.
import { readdirSync, readFileSync } from 'node:fs';
import type { Receipt, Revision, TrustAnchor } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import { type EthereumEvidence, verifyEthereumReceipt } from '../src/verify.js';

interface Vector {
  description: string;
  subject: Receipt | Revision;
  evidence: EthereumEvidence;
  anchor?: TrustAnchor;
  expect: { ok: true } | { ok: false; failingCheck: string };
}

function load(kind: 'valid' | 'tampered'): Array<[string, Vector]> {
  const dir = new URL(`../testdata/receipts/${kind}/`, import.meta.url);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => [name, JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as Vector]);
}

const valid = load('valid');
const tampered = load('tampered');

describe('golden Ethereum receipt vectors', () => {
  test('there are valid and tampered vectors', () => {
    expect(valid.length).toBeGreaterThanOrEqual(3);
    expect(tampered.length).toBeGreaterThanOrEqual(10);
  });

  test("a receipt whose timestamp is not its block's, or has no zone, fails the timestamp check", async () => {
    const [, vector] = valid.find(([name]) => name === 'receipt-anchored.json') as [string, Vector];
    const receipt = vector.subject as Receipt;
    for (const timestamp of ['2020-01-01T00:00:00.000Z', receipt.timestamp.replace(/Z$/, '')]) {
      const result = await verifyEthereumReceipt({ ...receipt, timestamp }, vector.evidence, vector.anchor);
      expect(result.ok).toBe(false);
      expect(result.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(['timestamp']);
    }
    const shifted = new Date(Date.parse(receipt.timestamp)).toISOString().replace('Z', '+00:00');
    expect((await verifyEthereumReceipt({ ...receipt, timestamp: shifted }, vector.evidence, vector.anchor)).ok).toBe(
      true,
    );
  });

  test.each(valid)('valid %s verifies', async (_name, vector) => {
    const result = await verifyEthereumReceipt(vector.subject, vector.evidence, vector.anchor);
    expect(result.checks.filter((check) => !check.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.anchor?.explicit).toBe(vector.anchor !== undefined);
  });

  test.each(tampered)('tampered %s is rejected by its named check', async (_name, vector) => {
    const result = await verifyEthereumReceipt(vector.subject, vector.evidence, vector.anchor);
    expect(result.ok).toBe(false);
    const failing = result.checks.filter((check) => !check.ok).map((check) => check.name);
    expect(failing).toContain((vector.expect as { failingCheck: string }).failingCheck);
  });
});
