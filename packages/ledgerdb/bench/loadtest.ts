// Load test of `ledgerdb serve`: 32 concurrent HTTP clients do read-modify-write on
// shared documents for LOADTEST_SECONDS (default 30) against a server child process over
// PostgreSQL (scripts/postgres.sh) or SQLite (--storage sqlite). Then it checks that every
// acknowledged write is present exactly once, versions have no gaps, and audit() passes.
// Last stdout line: one JSON object of results, with the CPU milliseconds each process
// (server, this load generator, PostgreSQL's processes) spent per acknowledged commit:
// steadier than commits/s on a machine shared with other work.
//
//   npm run loadtest -w @ledgerkit/ledgerdb [-- --storage sqlite|postgres]
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type LedgerDatabase, openLedger } from '@ledgerkit/ledgerdb';
import { postgresStorage } from '@ledgerkit/ledgerdb/postgres';

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
// The machine's load before this run started (other work on a shared machine).
const loadBefore = loadavg().map((value) => Number(value.toFixed(2)));
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
      '--json',
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

const base = new URL(url);
const host = base.hostname;
const port = Number(base.port);

interface Answer {
  status: number;
  json: any;
}

/**
 * One client's keep-alive HTTP/1.1 connection: a request goes out in one write and its
 * answer is read by content-length. Much lighter than node:http's agent, request and
 * response streams, so the load generator, on the same two cores, leaves more CPU to
 * the server and PostgreSQL. Each client has its own connection, as independent clients do.
 */
class HttpConnection {
  #socket: Socket | undefined;
  #received: Buffer | undefined;
  #waiting: { resolve: (answer: Answer) => void; reject: (error: Error) => void } | undefined;

  request(method: string, path: string, body?: unknown, headers = ''): Promise<Answer> {
    if (this.#waiting) return Promise.reject(new Error('one request at a time per connection'));
    let text = `${method} ${path} HTTP/1.1\r\nhost: ${base.host}\r\nauthorization: Bearer ${token}\r\n${headers}`;
    if (body === undefined) text += '\r\n';
    else {
      const payload = JSON.stringify(body);
      text += `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`;
    }
    return new Promise<Answer>((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#connected().write(text);
    });
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
  }

  #connected(): Socket {
    if (this.#socket) return this.#socket;
    const socket = connect({ host, port, noDelay: true });
    socket.on('data', (chunk: Buffer) => {
      if (socket === this.#socket) this.#onData(chunk);
    });
    socket.on('error', (error) => {
      if (socket === this.#socket) this.#fail(error);
    });
    socket.on('close', () => {
      if (socket === this.#socket) this.#fail(new Error('the server closed the connection'));
    });
    this.#socket = socket;
    this.#received = undefined;
    return socket;
  }

  #fail(error: Error): void {
    this.close();
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(error);
  }

  #onData(chunk: Buffer): void {
    const data = this.#received === undefined ? chunk : Buffer.concat([this.#received, chunk]);
    this.#received = data;
    const headEnd = data.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = data.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length: *([0-9]+)/i.exec(head);
    if (!head.startsWith('HTTP/1.1 ') || !length) {
      this.#fail(new Error(`unexpected response: ${head.slice(0, 200)}`));
      return;
    }
    const end = headEnd + 4 + Number(length[1]);
    if (data.length < end) return;
    if (data.length > end) {
      this.#fail(new Error('the server sent more than one response'));
      return;
    }
    this.#received = undefined;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (/\r\nconnection: *close/i.test(head)) this.close();
    try {
      waiting?.resolve({
        status: Number(head.slice(9, 12)),
        json: JSON.parse(data.toString('utf8', headEnd + 4, end)),
      });
    } catch (error) {
      waiting?.reject(error as Error);
    }
  }
}

const setup = new HttpConnection();
const call = (method: string, path: string, body?: unknown) => setup.request(method, path, body);

await call('POST', '/v1/tables', { name: 'counters' });
const ids = Array.from({ length: documents }, (_, i) => `doc-${i}`);
for (let i = 0; i < ids.length; i += 30) {
  const statements = ids.slice(i, i + 30).map((id) => ({ op: 'insert', table: 'counters', id, data: { count: 0 } }));
  const { status } = await call('POST', '/v1/transactions', { statements });
  if (status !== 200) throw new Error(`seeding failed with ${status}`);
}

// CPU time per acknowledged commit, per process: steadier than throughput on a machine
// shared with other work. Linux /proc: utime + stime in clock ticks (USER_HZ, 100).
const ticksPerSecond = 100;
function processTicks(pid: number): number {
  try {
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}
/** The postmaster and every process it forked (backends, WAL writer, checkpointer). */
function postgresTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  if (!pgDir) return ticks;
  const postmaster = Number(readFileSync(join(pgDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  ticks.set(postmaster, processTicks(postmaster));
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === postmaster) ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {}
  }
  return ticks;
}
function cpuSnapshot() {
  return {
    server: processTicks(child.pid as number),
    generator: process.cpuUsage(),
    postgres: postgresTicks(),
  };
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
const cpuBefore = cpuSnapshot();
const deadline = performance.now() + seconds * 1000;
const started = performance.now();

async function worker(n: number): Promise<void> {
  const connection = new HttpConnection();
  let sequence = 0;
  while (performance.now() < deadline) {
    const id = ids[Math.floor(Math.random() * ids.length)] as string;
    const read = await connection.request('GET', `/v1/tables/counters/documents/${id}`);
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
      let response: Answer;
      try {
        response = await connection.request('POST', '/v1/transactions', body, `idempotency-key: ${key}\r\n`);
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
  connection.close();
}

await Promise.all(Array.from({ length: clients }, (_, n) => worker(n)));
const elapsed = (performance.now() - started) / 1000;
const cpuAfter = cpuSnapshot();
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
setup.close();

if (postgresUrl) execFileSync('bash', [postgresScript, 'stop', pgDir], { stdio: 'inherit' });
rmSync(dir, { recursive: true, force: true });

const sorted = [...latencies].sort((a, b) => a - b);
const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
// The load window only: checking the journal afterwards is not load.
const generatorCpu = {
  user: cpuAfter.generator.user - cpuBefore.generator.user,
  system: cpuAfter.generator.system - cpuBefore.generator.system,
};
let postgresTicksUsed = 0;
for (const [pid, ticks] of cpuAfter.postgres) postgresTicksUsed += ticks - (cpuBefore.postgres.get(pid) ?? 0);
const perCommit = (seconds: number) => Number(((seconds * 1000) / Math.max(1, acks.length)).toFixed(3));
const cpu = {
  server: (cpuAfter.server - cpuBefore.server) / ticksPerSecond,
  generator: (generatorCpu.user + generatorCpu.system) / 1e6,
  postgres: postgresTicksUsed / ticksPerSecond,
};
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
  // CPU milliseconds per acknowledged commit, and cores used, per process.
  cpu_ms_per_commit_server: perCommit(cpu.server),
  cpu_ms_per_commit_generator: perCommit(cpu.generator),
  cpu_ms_per_commit_postgres: postgresUrl ? perCommit(cpu.postgres) : null,
  cpu_ms_per_commit_total: perCommit(cpu.server + cpu.generator + cpu.postgres),
  cores_server: Number((cpu.server / elapsed).toFixed(2)),
  cores_generator: Number((cpu.generator / elapsed).toFixed(2)),
  cores_postgres: postgresUrl ? Number((cpu.postgres / elapsed).toFixed(2)) : null,
  load_average_before: loadBefore,
};
console.log(JSON.stringify(result));
process.exitCode = result.present === result.acknowledged && duplicates === 0 && versionGaps === 0 && audit.ok ? 0 : 1;
