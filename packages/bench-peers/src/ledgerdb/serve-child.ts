// The ledgerdb server as `ledgerdb serve --db FILE --tokens FILE --port 0` runs it (the same
// openLedger + createServer + listen), with one difference the CLI has no flag for: the
// ledger's per-transaction document limit raised from QLDB's 40 to 1,000 (and
// --max-statements / --body-limit to match), so the batched workload can run through HTTP.
// Prints {"listening":URL} and serves until SIGTERM or SIGINT.
import { parseArgs } from 'node:util';
import { openLedger } from '@ledgerkit/ledgerdb';
import { createServer, readTokensFile, TokenRegistry } from '@ledgerkit/ledgerdb/server';

const { values } = parseArgs({ options: { db: { type: 'string' }, tokens: { type: 'string' } } });
if (!values.db || !values.tokens) throw new TypeError('serve-child needs --db and --tokens');
const ledger = await openLedger({ path: values.db, limits: { documentsPerTransaction: 1000 } });
const server = await createServer({
  ledger,
  tokens: new TokenRegistry((await readTokensFile(values.tokens)).tokens),
  closeLedger: true,
  maxStatements: 1000,
  bodyLimit: 4 * 1024 * 1024,
});
const url = await server.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ listening: url, ledger: ledger.name })}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void server.close().finally(() => process.exit(0));
  });
}
