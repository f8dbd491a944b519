import { describe, expect, test } from 'vitest';
import { comparison, shortTx, table } from './render.ts';
import { median } from './run-demo.ts';

describe('the demo output', () => {
  test('table aligns columns and wraps long cells within their width', () => {
    const lines = table(
      [
        ['', 'a', 'b'],
        ['row', 'one two three four', 'x'],
      ],
      [4, 9, 3],
    );
    expect(lines).toEqual([
      '      a          b',
      '────  ─────────  ───',
      'row   one two    x',
      '      three',
      '      four',
    ]);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(4 + 2 + 9 + 2 + 3);
  });

  test('the comparison names every backend, the skipped ones with why', () => {
    const lines = comparison([], [{ backend: 'fabric', label: 'fabric (2 orgs)', reason: 'no Go' }], 120).join('\n');
    expect(lines).toMatch(/ledgerdb \(not selected\)\s+ethereum \(not selected\)\s+fabric \(2 orgs\)/);
    expect(lines).toContain('not run: skipped');
    for (const row of ['who enforces the', 'who could rewrite', 'write latency p50', 'what verification']) {
      expect(lines).toContain(row);
    }
  });

  test('short transaction ids and the median', () => {
    expect(shortTx(`0x${'ab'.repeat(32)}`)).toBe('0xababab…abab');
    expect(shortTx('short')).toBe('short');
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
