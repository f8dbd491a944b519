// Load test of `ledgerdb serve`: 32 concurrent HTTP clients do read-modify-write on
// shared documents for LOADTEST_SECONDS (default 30) against a server child process over
// PostgreSQL (scripts/postgres.sh) or SQLite (--storage sqlite). Then it checks that every
// acknowledged write is present exactly once, versions have no gaps, and audit() passes.
// Last stdout line: one JSON object of results.
//
//   npm run loadtest -w @ledgerkit/ledgerdb [-- --storage sqlite|postgres]
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type LedgerDatabase, openLedger, postgresStorage } from '@ledgerkit/ledgerdb';

const { values } = parseArgs({
  options: {
    storage: { type: 'string', default: 'postgres' },
    clients: { type: 'string', default: '32' },
    documents: { type: 'string', default: '256' },
  },
});
const storage = values.storage;
if (storage !== 'postgres' && storage !== 'sqlite') throw new Error('--storage is postgres or sqlite');
const seconds = Number(process.env.LOADTEST_SECONDS ?? 30);
const clients = Number(values.clients);
const documents = Number(values.documents);
const bin = fileURLToPath(new URL('../bin/ledgerdb.js', import.meta.url));
const postgresScript = fileURLToPath(new URL('../../../scripts/postgres.sh', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ledgerdb-loadtest-'));
const log = (text: string) => process.stderr.write(`loadtest: ${text}\n`);

let postgresUrl: string | undefined;
let pgDir = '';
const schema = 'loadtest';
if (storage === 'postgres') {
  // Its own top-level directory: as root the server runs as `postgres`, which must reach it.
  pgDir = mkdtempSync(join(tmpdir(), 'ledgerdb-loadtest-pg-'));
  postgresUrl = execFileSync('bash', [postgresScript, 'start', pgDir], { encoding: 'utf8' }).trim().split('\n').pop();
  log(`PostgreSQL at ${postgresUrl}`);
}
const db = join(dir, 'load.ledger');
const tokens = join(dir, 'tokens.json');
const token = JSON.parse(
  execFileSync(
    process.execPath,
    [
      bin,
      'token',
      'create',
      '--tokens',
      tokens,
      '--name',
      'load',
      '--role',
      'admin',
      '--role',
      'read:*',
      '--role',
      'write:*',
    ],
    { encoding: 'utf8' },
  ),
).token as string;

const storageArgs = postgresUrl ? ['--postgres', postgresUrl, '--schema', schema] : ['--db', db];
const child = spawn(
  process.execPath,
  [
    ...(process.env.LOADTEST_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.LOADTEST_PROF] : []),
    bin,
    'serve',
    ...storageArgs,
    '--tokens',
    tokens,
    '--port',
    '0',
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
const url = await new Promise<string>((resolve, reject) => {
  let text = '';
  child.stdout.on('data', (chunk) => {
    text += chunk;
    const line = text.split('\n').find((candidate) => candidate.includes('"listening"'));
    if (line) resolve(JSON.parse(line).listening);
  });
  child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
});
log(`server at ${url} over ${storage}`);

// node:http with a keep-alive pool: lighter than fetch, so the load generator (on the
// same machine) leaves more CPU to the server.
const agent = new Agent({ keepAlive: true, maxSockets: clients + 4 });
const base = new URL(url);
function call(method: string, path: string, body?: unknown, extra: Record<string, string> = {}) {
  return new Promise<{ status: number; json: any }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = httpRequest(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method,
        path,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          ...extra,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          try {
            resolve({ status: response.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) });
          } catch (error) {
            reject(error);
          }
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

await call('POST', '/v1/tables', { name: 'counters' });
const ids = Array.from({ length: documents }, (_, i) => `doc-${i}`);
for (let i = 0; i < ids.length; i += 30) {
  const statements = ids.slice(i, i + 30).map((id) => ({ op: 'insert', table: 'counters', id, data: { count: 0 } }));
  const { status } = await call('POST', '/v1/transactions', { statements });
  if (status !== 200) throw new Error(`seeding failed with ${status}`);
}

interface Ack {
  id: string;
  writeId: string;
  version: number;
}
const acks: Ack[] = [];
const latencies: number[] = [];
let conflicts = 0;
let retries = 0;
const deadline = performance.now() + seconds * 1000;
const started = performance.now();

async function worker(n: number): Promise<void> {
  let sequence = 0;
  while (performance.now() < deadline) {
    const id = ids[Math.floor(Math.random() * ids.length)] as string;
    const read = await call('GET', `/v1/tables/counters/documents/${id}`);
    if (read.status !== 200) throw new Error(`read failed: ${read.status} ${JSON.stringify(read.json)}`);
    const { version } = read.json.revision.metadata;
    const writeId = `${n}-${sequence++}`;
    const key = randomUUID();
    const body = {
      statements: [
        {
          op: 'update',
          table: 'counters',
          id,
          expectedVersion: version,
          data: { count: read.json.revision.data.count + 1, writeId },
        },
      ],
    };
    for (;;) {
      const begin = performance.now();
      let response: { status: number; json: any };
      try {
        response = await call('POST', '/v1/transactions', body, { 'idempotency-key': key });
      } catch {
        retries++;
        continue;
      }
      if (response.status === 503) {
        retries++;
        continue;
      }
      latencies.push(performance.now() - begin);
      if (response.status === 200) acks.push({ id, writeId, version: response.json.results[0].version });
      else if (response.status === 409) conflicts++;
      else throw new Error(`commit failed: ${response.status} ${JSON.stringify(response.json)}`);
      break;
    }
  }
}

await Promise.all(Array.from({ length: clients }, (_, n) => worker(n)));
const elapsed = (performance.now() - started) / 1000;
child.kill('SIGTERM');
const exitCode = await exited;
log(
  `${acks.length} commits in ${elapsed.toFixed(1)} s, ${conflicts} conflicts, ${retries} retries; serve exited ${exitCode}`,
);

const ledger: LedgerDatabase = postgresUrl
  ? await openLedger({ storage: postgresStorage({ connectionString: postgresUrl, schema }) })
  : await openLedger({ path: db });
let present = 0;
let duplicates = 0;
let versionGaps = 0;
const seen = new Map<string, number>();
for (const id of ids) {
  const history = await ledger.history('counters', id);
  history.forEach((revision, index) => {
    if (revision.metadata.version !== index) versionGaps++;
    const writeId = revision.data?.writeId;
    if (typeof writeId === 'string') seen.set(writeId, (seen.get(writeId) ?? 0) + 1);
  });
}
for (const ack of acks) {
  const times = seen.get(ack.writeId) ?? 0;
  if (times >= 1) present++;
}
for (const times of seen.values()) if (times > 1) duplicates += times - 1;
const audit = await ledger.audit();
await ledger.close();
agent.destroy();

if (postgresUrl) execFileSync('bash', [postgresScript, 'stop', pgDir], { stdio: 'inherit' });
rmSync(dir, { recursive: true, force: true });

const sorted = [...latencies].sort((a, b) => a - b);
const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
const result = {
  storage,
  clients,
  documents,
  seconds: Number(elapsed.toFixed(1)),
  commits_per_s: Math.round(acks.length / elapsed),
  p50_ms: Number(quantile(0.5).toFixed(2)),
  p99_ms: Number(quantile(0.99).toFixed(2)),
  conflicts,
  acknowledged: acks.length,
  present,
  duplicates,
  version_gaps: versionGaps,
  audit_ok: audit.ok,
  serve_exit_code: exitCode,
};
console.log(JSON.stringify(result));
process.exitCode = result.present === result.acknowledged && duplicates === 0 && versionGaps === 0 && audit.ok ? 0 : 1;
