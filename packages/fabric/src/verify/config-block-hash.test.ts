// fabricConfigBlockHash on the blocks of the golden receipt vectors (produced from a real Fabric
// network by scripts/generate-receipt-vectors): their config blocks, pinned by the vectors'
// anchors, and their ordinary transaction blocks.
import { readdirSync, readFileSync } from 'node:fs';
import { isLedgerError } from '@ledgerkit/core';
import { describe, expect, test } from 'vitest';
import { fromBase64 } from './bytes.js';
import { fabricConfigBlockHash } from './config-block-hash.js';
import { fabricBlockHash } from './fabric-receipt.js';

interface Vector {
  bundle: { evidence: { block: string; configBlock: string } };
  anchor?: { type: string; hash?: string };
  expect: { ok: boolean };
}

const directory = new URL('../../testdata/receipts/', import.meta.url);
const vectors = readdirSync(directory)
  .filter((name) => name.startsWith('valid-') && name.endsWith('.json'))
  .map((name) => [name, JSON.parse(readFileSync(new URL(name, directory), 'utf8')) as Vector] as const);

function invalid(run: () => unknown): Record<string, unknown> {
  try {
    run();
  } catch (error) {
    expect(isLedgerError(error, 'INVALID_ARGUMENT')).toBe(true);
    return (error as { details: Record<string, unknown> }).details;
  }
  throw new Error('expected an INVALID_ARGUMENT error');
}

describe('fabricConfigBlockHash', () => {
  test('the valid vectors carry config blocks', () => {
    expect(vectors.length).toBeGreaterThan(0);
    expect(vectors.filter(([, vector]) => vector.anchor?.type === 'fabric-config-block').length).toBeGreaterThan(0);
  });

  test.each(vectors)('%s: its config block hashes to the block header hash', (_name, vector) => {
    const bytes = fromBase64(vector.bundle.evidence.configBlock);
    const { number, hash } = fabricConfigBlockHash(bytes);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(fabricBlockHash(bytes));
    expect(number).toBeGreaterThanOrEqual(0);
    if (vector.anchor?.type === 'fabric-config-block') expect(hash).toBe(vector.anchor.hash);
  });

  test.each(vectors)('%s: its transaction block is not a config block', (_name, vector) => {
    const details = invalid(() => fabricConfigBlockHash(fromBase64(vector.bundle.evidence.block)));
    expect(details).toMatchObject({ argument: 'block', headerType: 3 });
  });

  test('bytes that are not a Fabric block', () => {
    const [, first] = vectors[0] as (typeof vectors)[number];
    const config = fromBase64(first.bundle.evidence.configBlock);
    for (const bytes of [
      Uint8Array.of(1, 2, 3),
      new TextEncoder().encode('not a block'),
      new Uint8Array(),
      config.subarray(0, config.length - 40),
    ]) {
      expect(invalid(() => fabricConfigBlockHash(bytes)).argument).toBe('block');
    }
  });
});
