import { fdatasyncSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger } from '/work/main/packages/ledgerdb/dist/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ps-'));
const fd = openSync(join(dir, 'raw'), 'w');
const b = Buffer.alloc(4096, 1);
function raw() {
  let r = 0;
  const s0 = performance.now();
  while (performance.now() - s0 < 1000) {
    writeSync(fd, b, 0, 4096, (r % 256) * 4096);
    fdatasyncSync(fd);
    r++;
  }
  return r;
}
const ledger = await openLedger({ path: join(dir, 'x.ledger') });
await ledger.createTable('t');
for (let round = 0; round < 3; round++) {
  const r = raw();
  let n = 0;
  const s = performance.now();
  while (performance.now() - s < 2000) {
    await ledger.transaction((tx) => tx.insert('t', { n, sku: 'A', qty: 5 }));
    n++;
  }
  console.log('raw', r, 'single', Math.round(n / 2), 'ratio', (n / 2 / r).toFixed(2));
}
