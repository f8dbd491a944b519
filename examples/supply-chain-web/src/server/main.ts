// `npm run web`: serves the built page and its API on loopback, with ledgerdb embedded and
// Ethereum on in-process EDR; Fabric with --fabric, or when the page asks for it.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BackendSlot, createApi, startSlot } from './api.ts';
import { startEthereumBackend } from './ethereum-backend.ts';
import { startFabricBackend } from './fabric-backend.ts';
import { startLedgerdbBackend } from './ledgerdb-backend.ts';

const usage = `Usage: npm run web -- [--port N] [--host ADDRESS] [--fabric] [--ledgerdb-path FILE]

Serves the supply-chain web app and its API server (which holds every participant's key).
  --port N              port to listen on (default 5180; 0 picks a free one)
  --host ADDRESS        address to listen on (default 127.0.0.1, loopback only)
  --fabric              start a two-organization Fabric network too (the page can also start it)
  --ledgerdb-path FILE  keep the ledgerdb journal in FILE (default: in memory)
  --no-ethereum         do not start the in-process Ethereum chain`;

let values: ReturnType<typeof parse>['values'];
function parse() {
  return parseArgs({
    options: {
      port: { type: 'string', default: '5180' },
      host: { type: 'string', default: '127.0.0.1' },
      fabric: { type: 'boolean', default: false },
      'ledgerdb-path': { type: 'string' },
      'no-ethereum': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
}
try {
  values = parse().values;
} catch (error) {
  console.error(`${(error as Error).message}\n\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number, not ${values.port}`);
  process.exit(2);
}

const log = (line: string) => console.log(`[supply-chain-web] ${line}`);
const ledgerdbPath = values['ledgerdb-path'];
/** A start-up failure is one line and exit code 1, not a stack trace. */
function fail(what: string, error: unknown): never {
  console.error(`[supply-chain-web] ${what}: ${(error as Error)?.message ?? String(error)}`);
  process.exit(1);
}

const slots: BackendSlot[] = [
  { kind: 'ledgerdb', backend: await startLedgerdbBackend(ledgerdbPath).catch((error) => fail('ledgerdb', error)) },
  values['no-ethereum']
    ? { kind: 'ethereum', reason: 'the server was started with --no-ethereum' }
    : { kind: 'ethereum', backend: await startEthereumBackend().catch((error) => fail('Ethereum', error)) },
  {
    kind: 'fabric',
    reason: 'no Fabric network is running: press "Start Fabric" or restart with `npm run web -- --fabric`',
    start: () => startFabricBackend((line) => log(`fabric: ${line}`)),
  },
];
const staticDir = fileURLToPath(new URL('../../dist', import.meta.url));
const app = await createApi({ slots, staticDir, log });
const url = await app
  .listen({ port, host: values.host })
  .catch((error) => fail(`cannot listen on ${values.host}:${port} (try --port)`, error));
log(
  `ledgerdb (embedded, ${ledgerdbPath ?? 'in memory'})${values['no-ethereum'] ? '' : ' and Ethereum (in-process EDR)'} ready`,
);
console.log(`Supply-chain web app: ${url}/`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  log('stopping');
  await app.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

if (values.fabric) {
  const fabric = slots[2] as BackendSlot;
  await startSlot(fabric, log).catch((error: Error) => log(`fabric unavailable: ${error.message}`));
}
