import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { DualProofMessage } from './client.ts';
import { type ImmudbVectors, parseVectors } from './vectors.ts';
import { txHeaderAlh, verifyEntry, verifyStateConsistency } from './verify.ts';

// Real answers of immudb 1.9.5, recorded by generate-vectors.ts.
const load = (): ImmudbVectors =>
  parseVectors(readFileSync(join(import.meta.dirname, '../../testdata/immudb-1.9.5-answers.json'), 'utf8'));
const flip = (buffer: Buffer) => {
  const copy = Buffer.from(buffer);
  copy[0] = (copy[0] as number) ^ 1;
  return copy;
};

describe('verifyEntry on immudb 1.9.5 answers', () => {
  test.each(load().reads.map((v) => [v.name, v] as const))('%s verifies', (_, vector) => {
    const { value, state } = verifyEntry(vector.key, vector.answer, vector.state);
    expect(value.equals(vector.answer.entry.value)).toBe(true);
    expect(state.txId).toBe(vector.expectedState.txId);
    expect(state.txHash.equals(vector.expectedState.txHash)).toBe(true);
  });

  const tampers: [string, (v: ImmudbVectors['reads'][number]) => void][] = [
    [
      'a changed value',
      (v) => {
        v.answer.entry.value = Buffer.from('{"n":999}');
      },
    ],
    [
      'another key asked for',
      (v) => {
        v.key = Buffer.from('single:4');
      },
    ],
    [
      'a changed trusted state',
      (v) => {
        v.state.txHash = flip(v.state.txHash);
      },
    ],
    [
      'a changed entry inclusion term',
      (v) => {
        const terms = v.answer.inclusionProof.terms;
        if (terms.length === 0) v.answer.inclusionProof.width += 1;
        else terms[0] = flip(terms[0] as Buffer);
      },
    ],
    [
      'a changed transaction header',
      (v) => {
        const proof = v.answer.verifiableTx.dualProof;
        const header = (v.state.txId <= v.answer.entry.tx ? proof.targetTxHeader : proof.sourceTxHeader) as NonNullable<
          DualProofMessage['sourceTxHeader']
        >;
        header.ts += 1;
      },
    ],
    [
      'a changed linear proof term',
      (v) => {
        const linear = v.answer.verifiableTx.dualProof.linearProof;
        if (linear) linear.terms[linear.terms.length - 1] = flip(linear.terms[linear.terms.length - 1] as Buffer);
      },
    ],
  ];
  test.each(tampers)('%s is refused in every answer', (_, tamper) => {
    for (const vector of load().reads) {
      tamper(vector);
      expect(() => verifyEntry(vector.key, vector.answer, vector.state), vector.name).toThrow();
    }
  });
});

describe('verifyStateConsistency on immudb 1.9.5 answers', () => {
  test.each(load().consistency.map((v) => [v.name, v] as const))('%s verifies', (_, vector) => {
    expect(verifyStateConsistency(vector.old, vector.newer, vector.proof)).toBe(true);
  });

  test('a rewritten old state, a forged newer header or a cut proof is refused', () => {
    for (const vector of load().consistency) {
      expect(
        verifyStateConsistency({ ...vector.old, txHash: flip(vector.old.txHash) }, vector.newer, vector.proof),
      ).toBe(false);
      const forged = structuredClone(vector.proof);
      const target = forged.targetTxHeader as NonNullable<DualProofMessage['targetTxHeader']>;
      target.eH = flip(target.eH);
      expect(verifyStateConsistency(vector.old, { ...vector.newer, txHash: txHeaderAlh(target) }, forged)).toBe(false);
      const cut = structuredClone(vector.proof);
      cut.linearProof?.terms.pop();
      cut.inclusionProof.pop();
      expect(verifyStateConsistency(vector.old, vector.newer, cut)).toBe(false);
    }
  });
});
