// ion-js is loaded only when Ion is used: a class that extends String, as ion-js's value
// classes do, makes V8 slow down every String.prototype method call for the rest of the
// process. A child Node process (the built package, as an application imports it) opens a
// ledger, serves and answers requests, PartiQL included, without ion-js loaded; an Ion
// literal in a statement then loads it.
// `turbo run test` builds first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

const script = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const ionLoaded = () => Object.keys(require.cache).some((path) => /[\\\\/]ion-js[\\\\/]/.test(path));
const report = {};
const { openLedgerDatabase, formatJournalExport } = await import('@ledgerkit/ledgerdb');
const { createServer, createToken, parseRoles, readTokensFile, TokenRegistry } = await import('@ledgerkit/ledgerdb/server');
const { LedgerDriver } = await import('@ledgerkit/ledgerdb/partiql');
const ledger = await openLedgerDatabase();
await ledger.createTable('t');
const tokensPath = process.argv[1];
const { token } = await createToken(tokensPath, 'x', parseRoles(['admin', 'read:*', 'write:*']));
const tokens = new TokenRegistry((await readTokensFile(tokensPath)).tokens);
const server = await createServer({ ledger, tokens, docs: false });
const url = await server.listen();
const call = (method, path, body) => fetch(url + path, { method, headers: { authorization: 'Bearer ' + token, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
const committed = await call('POST', '/v1/transactions', { statements: [{ op: 'insert', table: 't', id: 'a', data: { n: 1 } }] });
const read = await call('GET', '/v1/tables/t/documents/a');
report.statuses = [committed.status, read.status];
const driver = new LedgerDriver(ledger);
report.partiqlRows = [...(await driver.executeLambda((txn) => txn.execute('SELECT * FROM t WHERE n = ?', 1)))].length;
report.afterServingAndPartiql = ionLoaded();
await driver.executeLambda((txn) => txn.execute('SELECT * FROM t WHERE n = ?', { n: 1 }));
report.afterObjectParameter = ionLoaded();
report.ionLiteralRows = [...(await driver.executeLambda((txn) => txn.execute('SELECT * FROM t WHERE n = \`1\`')))].length;
report.afterIonLiteral = ionLoaded();
report.ionExport = formatJournalExport([], 'ion');
await server.close();
await ledger.close();
console.log(JSON.stringify(report));
`;

test('ion-js stays unloaded until Ion is used', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerdb-ion-lazy-'));
  try {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, join(dir, 'tokens.json')], {
      cwd: packageDir,
      encoding: 'utf8',
    });
    expect(child.status, child.stderr).toBe(0);
    const report = JSON.parse(child.stdout.trim().split('\n').at(-1) as string);
    expect(report).toEqual({
      statuses: [200, 200],
      partiqlRows: 1,
      afterServingAndPartiql: false,
      afterObjectParameter: false,
      ionLiteralRows: 1,
      afterIonLiteral: true,
      ionExport: '',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
