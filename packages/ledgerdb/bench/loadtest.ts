// Load test of `ledgerdb serve`: 32 concurrent HTTP clients do read-modify-write on
// shared documents against the real server (a child process) over PostgreSQL
// (scripts/postgres.sh) or SQLite (--storage sqlite).
//
// One run (default): LOADTEST_SECONDS (default 30) of load, then it checks that every
// acknowledged write is present exactly once, versions have no gaps, and audit() passes.
//
// --compare: the cost of observability. Two servers run side by side, each over a fresh
// ledger: one with JSON logs (info, one line per request, into a pipe a process of its own
// reads, as journald would) and metrics (scraped every second, as a Prometheus would, only
// far more often; LOADTEST_SCRAPE_SECONDS sets the interval, 0 for none), one with
// `--log-level silent --no-metrics`. The comparison runs in LOADTEST_BLOCKS blocks (default
// 6), each with a fresh pair of servers started in alternating order, since two processes of
// the same build differ by a point or two for as long as they live; an even number, so each
// server is started first, warmed up first and loaded right after its own warm-up equally
// often. In a block, after a warm-up slice each (LOADTEST_WARMUP_SECONDS, default 15: a
// serve's CPU per commit keeps falling for tens of seconds after it starts, as the process
// warms up, the observed one's further; after 3 s the first pairs measured that warm-up more
// than the running server), the load alternates between the two in short slices,
// A B B A A B ... (LOADTEST_ROUNDS pairs per block, default 4, of LOADTEST_SECONDS, default 4,
// each way), so the two slices of a pair are seconds apart and a change in the machine's
// load hits both alike. The overhead is 1 minus the median of all pairs' throughput ratios
// (on / off); the bar is 5 %.
// LOADTEST_ON_ARGS replaces the observed serve's flags to cost one part alone ('--log-level
// silent': metrics only; '--log-level info --no-metrics': logs only; '--log-level silent
// --no-metrics': two identical servers, the method's own error).
//
// Last stdout line: one JSON object of results, with the CPU milliseconds each process
// (server, this load generator, PostgreSQL's processes) spent per acknowledged commit:
// steadier than commits/s on a machine shared with other work.
//
// LOADTEST_PROF=DIR writes each serve's CPU profile there; LOADTEST_NODE_ARGS adds Node flags
// to each serve (e.g. --trace-gc). LOADTEST_BIN runs another build's bin for both serves,
// LOADTEST_ON_BIN for the observed one alone (a modified copy, to cost one change).
//
//   npm run loadtest -w @ledgerkit/ledgerdb [-- --storage sqlite|postgres] [--compare]
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type LedgerDatabase, openLedgerDatabase } from '@ledgerkit/ledgerdb';
import { postgresStorage } from '@ledgerkit/ledgerdb/postgres';

const { values } = parseArgs({
  options: {
    storage: { type: 'string', default: 'postgres' },
    clients: { type: 'string', default: '32' },
    documents: { type: 'string', default: '256' },
    compare: { type: 'boolean', default: false },
  },
});
const storage = values.storage;
if (storage !== 'postgres' && storage !== 'sqlite') throw new Error('--storage is postgres or sqlite');
const compare = values.compare;
const seconds = Number(process.env.LOADTEST_SECONDS ?? (compare ? 4 : 30));
const blocks = Number(process.env.LOADTEST_BLOCKS ?? 6);
const rounds = Number(process.env.LOADTEST_ROUNDS ?? 4);
const warmupSeconds = Number(process.env.LOADTEST_WARMUP_SECONDS ?? 15);
// Seconds between scrapes of the observed serve's /metrics (0: none).
const scrapeSeconds = Number(process.env.LOADTEST_SCRAPE_SECONDS ?? 1);
const clients = Number(values.clients);
const documents = Number(values.documents);
// The observed serve's flags; LOADTEST_ON_ARGS tries another, e.g. '--log-level silent' (metrics only).
const onArgs = (process.env.LOADTEST_ON_ARGS ?? '--log-level info').split(' ').filter((arg) => arg !== '');
const metricsOn = !onArgs.includes('--no-metrics');
// A line per request only at info and below (the default level is info).
const onLevel = onArgs[onArgs.indexOf('--log-level') + 1];
const logsOn = !onArgs.includes('--log-level') || ['info', 'debug', 'trace'].includes(onLevel ?? '');
// LOADTEST_BIN: another build's bin (a copy of bin/ and dist/ that a rebuild cannot change mid-run).
const bin = process.env.LOADTEST_BIN ?? fileURLToPath(new URL('../bin/ledgerdb.js', import.meta.url));
// LOADTEST_ON_BIN: a build for the observed serve alone (an experiment's modified copy against this build).
const onBin = process.env.LOADTEST_ON_BIN ?? bin;
const postgresScript = fileURLToPath(new URL('../../../scripts/postgres.sh', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ledgerdb-loadtest-'));
// The machine's load before this run started (other work on a shared machine).
const loadBefore = loadavg().map((value) => Number(value.toFixed(2)));
const log = (text: string) => process.stderr.write(`loadtest: ${text}\n`);

let postgresUrl: string | undefined;
let pgDir = '';
if (storage === 'postgres') {
  // Its own top-level directory: as root the server runs as `postgres`, which must reach it.
  pgDir = mkdtempSync(join(tmpdir(), 'ledgerdb-loadtest-pg-'));
  postgresUrl = execFileSync('bash', [postgresScript, 'start', pgDir], { encoding: 'utf8' }).trim().split('\n').pop();
  log(`PostgreSQL at ${postgresUrl}`);
}
const tokens = join(dir, 'tokens.json');
const token = JSON.parse(
  execFileSync(
    process.execPath,
    [bin, 'token', 'create', '--json', '--tokens', tokens, '--name', 'load']
      .concat(['--role', 'admin', '--role', 'read:*', '--role', 'write:*'])
      .concat(['--role', 'metrics']),
    { encoding: 'utf8' },
  ),
).token as string;

interface Answer {
  status: number;
  body: string;
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
  readonly #base: URL;

  constructor(url: string) {
    this.#base = new URL(url);
  }

  request(method: string, path: string, body?: unknown, headers = ''): Promise<Answer> {
    if (this.#waiting) return Promise.reject(new Error('one request at a time per connection'));
    let text = `${method} ${path} HTTP/1.1\r\nhost: ${this.#base.host}\r\nauthorization: Bearer ${token}\r\n${headers}`;
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

  async json(method: string, path: string, body?: unknown, headers = ''): Promise<{ status: number; json: any }> {
    const answer = await this.request(method, path, body, headers);
    return { status: answer.status, json: JSON.parse(answer.body) };
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
  }

  #connected(): Socket {
    if (this.#socket) return this.#socket;
    const socket = connect({ host: this.#base.hostname, port: Number(this.#base.port), noDelay: true });
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
    waiting?.resolve({ status: Number(head.slice(9, 12)), body: data.toString('utf8', headEnd + 4, end) });
  }
}

// CPU time per acknowledged commit, per process: steadier than throughput on a machine
// shared with other work. Linux /proc: utime + stime in clock ticks (USER_HZ, 100).
const ticksPerSecond = 100;
function processTicks(pid: number): number {
  const [user, system] = processTicksSplit(pid);
  return user + system;
}
/** A process's user and system (kernel: system calls such as writes) CPU ticks. */
function processTicksSplit(pid: number): [number, number] {
  try {
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [Number(fields[11]), Number(fields[12])];
  } catch {
    return [0, 0];
  }
}
/**
 * A process's CPU ticks by thread, grouped by the thread's name: Node's main thread
 * (`node`), V8's workers (`V8 DefaultWorke`: parallel and concurrent garbage collection,
 * background compilation), libuv's pool (`libuv-worker`).
 */
function threadTicks(pid: number): Record<string, number> {
  const byName: Record<string, number> = {};
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byName[name] = (byName[name] ?? 0) + Number(fields[11]) + Number(fields[12]);
    }
  } catch {}
  return byName;
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

/** The value of a metric without labels in Prometheus text. */
function metric(text: string, name: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

interface Ack {
  id: string;
  writeId: string;
  version: number;
}

/** What one slice of load did, and the CPU each process spent on it. */
interface SliceResult {
  observed: boolean;
  seconds: number;
  commits_per_s: number;
  p50_ms: number;
  p99_ms: number;
  conflicts: number;
  acknowledged: number;
  retries: number;
  cpu_ms_per_commit_server: number;
  /** Of which in the kernel (system calls: socket, pipe and file writes, fsync). */
  cpu_ms_per_commit_server_system: number;
  cpu_ms_per_commit_log_reader: number;
  cpu_ms_per_commit_generator: number;
  cpu_ms_per_commit_postgres: number | null;
  cpu_ms_per_commit_total: number;
  cores_server: number;
  cores_generator: number;
  cores_postgres: number | null;
}

/** A running `ledgerdb serve` child over a fresh ledger, seeded with the documents. */
interface Serve {
  tag: string;
  observed: boolean;
  url: string;
  child: ReturnType<typeof spawn>;
  exited: Promise<number | null>;
  /** The process reading its logs (stderr), as journald or a container runtime would. */
  reader: ReturnType<typeof spawn>;
  /** The JSON lines it logged, and its last 2,000 characters; known once it has exited. */
  logged: Promise<{ lines: number; tail: string }>;
  /** Scrapes of /metrics so far (observed serves with metrics). */
  scrapes: number;
  /** Acknowledged writes, over every slice. */
  acks: Ack[];
  /** Opens its ledger directly, once it is stopped. */
  ledger(): Promise<LedgerDatabase>;
}

const ids = Array.from({ length: documents }, (_, i) => `doc-${i}`);
const seedingCommits = Math.ceil(documents / 30);

/** The log reader's program: counts the lines on stdin; at its end prints the count and the tail. */
const logReaderScript = `
let lines = 0;
let tail = '';
process.stdin.on('data', (chunk) => {
  for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines++;
  tail = (tail + chunk.toString('utf8', Math.max(0, chunk.length - 2000))).slice(-2000);
});
process.stdin.on('end', () => process.stdout.write(JSON.stringify({ lines, tail })));
`;

/**
 * Starts a serve over a fresh ledger (`observed`: logs at info into a pipe and metrics on,
 * or LOADTEST_ON_ARGS; else silent without metrics) and seeds its documents.
 */
async function startServe(tag: string, observed: boolean): Promise<Serve> {
  const schema = `loadtest_${tag}`;
  const db = join(dir, `${tag}.ledger`);
  const storageArgs = postgresUrl ? ['--postgres', postgresUrl, '--schema', schema] : ['--db', db];
  // The log reader: a process of its own that counts the lines, as journald or a container
  // runtime reads a server's output, so the server's writes never wait on this busy load
  // generator. (Logs into a file on the ledger's disk also slowed SQLite's fsyncs.)
  const reader = spawn(process.execPath, ['-e', logReaderScript], { stdio: ['pipe', 'pipe', 'inherit'] });
  const logged = new Promise<{ lines: number; tail: string }>((resolve, reject) => {
    let text = '';
    reader.stdout?.on('data', (chunk) => {
      text += chunk;
    });
    reader.on('exit', () => {
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new Error(`the log reader printed ${text}`));
      }
    });
  });
  const child = spawn(
    process.execPath,
    [
      ...(process.env.LOADTEST_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.LOADTEST_PROF] : []),
      ...(process.env.LOADTEST_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== ''),
      observed ? onBin : bin,
      'serve',
      ...storageArgs,
      '--tokens',
      tokens,
      '--port',
      '0',
      ...(observed ? onArgs : ['--log-level', 'silent', '--no-metrics']),
    ],
    { stdio: ['ignore', 'pipe', reader.stdin as NonNullable<typeof reader.stdin>] },
  );
  // The serve holds the pipe's writing end now; the reader sees its end when the serve exits.
  reader.stdin?.destroy();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk) => {
      text += chunk;
      const line = text.split('\n').find((candidate) => candidate.includes('"listening"'));
      if (line) resolve(JSON.parse(line).listening);
    });
    child.on('exit', (code) => {
      logged.then(
        ({ tail }) => reject(new Error(`serve exited with ${code}: ${tail}`)),
        () => reject(new Error(`serve exited with ${code}`)),
      );
    });
  });
  log(
    `${tag}: server at ${url} over ${storage}, ${observed ? `observed (${onArgs.join(' ')})` : 'logs and metrics off'}`,
  );

  const setup = new HttpConnection(url);
  await setup.request('POST', '/v1/tables', { name: 'counters' });
  for (let i = 0; i < ids.length; i += 30) {
    const statements = ids.slice(i, i + 30).map((id) => ({ op: 'insert', table: 'counters', id, data: { count: 0 } }));
    const { status } = await setup.request('POST', '/v1/transactions', { statements });
    if (status !== 200) throw new Error(`seeding failed with ${status}`);
  }
  setup.close();
  return {
    tag,
    observed,
    url,
    child,
    exited,
    reader,
    logged,
    scrapes: 0,
    acks: [],
    ledger: () =>
      postgresUrl
        ? openLedgerDatabase({ storage: postgresStorage({ connectionString: postgresUrl, schema }) })
        : openLedgerDatabase({ path: db }),
  };
}

/** Loads `serve` with the clients for `seconds` (and scrapes it every scrapeSeconds when observed). */
async function loadSlice(serve: Serve, seconds: number): Promise<SliceResult> {
  const cpuSnapshot = () => {
    const [serverUser, serverSystem] = processTicksSplit(serve.child.pid as number);
    return {
      server: serverUser + serverSystem,
      serverSystem,
      reader: processTicks(serve.reader.pid as number),
      generator: process.cpuUsage(),
      postgres: postgresTicks(),
    };
  };
  const acks: Ack[] = [];
  const latencies: number[] = [];
  let conflicts = 0;
  let retries = 0;
  const cpuBefore = cpuSnapshot();
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();

  async function worker(n: number): Promise<void> {
    const connection = new HttpConnection(serve.url);
    let sequence = 0;
    while (performance.now() < deadline) {
      const id = ids[Math.floor(Math.random() * ids.length)] as string;
      const read = await connection.json('GET', `/v1/tables/counters/documents/${id}`);
      if (read.status !== 200) throw new Error(`read failed: ${read.status} ${JSON.stringify(read.json)}`);
      const { version } = read.json.revision.metadata;
      const writeId = `${serve.tag}-${n}-${serve.acks.length + acks.length}-${sequence++}`;
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
          response = await connection.json('POST', '/v1/transactions', body, `idempotency-key: ${key}\r\n`);
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

  // A scraper, as Prometheus would run (every 15 s or more; here every second by default).
  const scrapeMs = scrapeSeconds * 1000;
  const scraping =
    serve.observed && metricsOn && scrapeMs > 0
      ? (async () => {
          const scraper = new HttpConnection(serve.url);
          while (performance.now() + scrapeMs < deadline) {
            await new Promise((resolve) => setTimeout(resolve, scrapeMs));
            const answer = await scraper.request('GET', '/metrics');
            if (answer.status !== 200) throw new Error(`scrape failed: ${answer.status}`);
            serve.scrapes++;
          }
          scraper.close();
        })()
      : Promise.resolve();
  await Promise.all([...Array.from({ length: clients }, (_, n) => worker(n)), scraping]);
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = cpuSnapshot();
  serve.acks.push(...acks);

  const sorted = [...latencies].sort((a, b) => a - b);
  const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const generatorCpu = {
    user: cpuAfter.generator.user - cpuBefore.generator.user,
    system: cpuAfter.generator.system - cpuBefore.generator.system,
  };
  let postgresTicksUsed = 0;
  for (const [pid, ticks] of cpuAfter.postgres) postgresTicksUsed += ticks - (cpuBefore.postgres.get(pid) ?? 0);
  const perCommit = (cpuSeconds: number) => Number(((cpuSeconds * 1000) / Math.max(1, acks.length)).toFixed(3));
  const cpu = {
    server: (cpuAfter.server - cpuBefore.server) / ticksPerSecond,
    reader: (cpuAfter.reader - cpuBefore.reader) / ticksPerSecond,
    generator: (generatorCpu.user + generatorCpu.system) / 1e6,
    postgres: postgresTicksUsed / ticksPerSecond,
  };
  log(
    `${serve.tag}: ${acks.length} commits in ${elapsed.toFixed(1)} s (${Math.round(acks.length / elapsed)}/s), ${conflicts} conflicts, ${retries} retries`,
  );
  return {
    observed: serve.observed,
    seconds: Number(elapsed.toFixed(1)),
    commits_per_s: Math.round(acks.length / elapsed),
    p50_ms: Number(quantile(0.5).toFixed(2)),
    p99_ms: Number(quantile(0.99).toFixed(2)),
    conflicts,
    acknowledged: acks.length,
    retries,
    // CPU milliseconds per acknowledged commit, and cores used, per process.
    cpu_ms_per_commit_server: perCommit(cpu.server),
    cpu_ms_per_commit_server_system: perCommit((cpuAfter.serverSystem - cpuBefore.serverSystem) / ticksPerSecond),
    cpu_ms_per_commit_log_reader: perCommit(cpu.reader),
    cpu_ms_per_commit_generator: perCommit(cpu.generator),
    cpu_ms_per_commit_postgres: postgresUrl ? perCommit(cpu.postgres) : null,
    cpu_ms_per_commit_total: perCommit(cpu.server + cpu.reader + cpu.generator + cpu.postgres),
    cores_server: Number((cpu.server / elapsed).toFixed(2)),
    cores_generator: Number((cpu.generator / elapsed).toFixed(2)),
    cores_postgres: postgresUrl ? Number((cpu.postgres / elapsed).toFixed(2)) : null,
  };
}

/** The server's own count of the commits it made (seeding included), from /metrics. */
async function countedCommits(serve: Serve): Promise<number | undefined> {
  const scraper = new HttpConnection(serve.url);
  try {
    return metric((await scraper.request('GET', '/metrics')).body, 'ledgerdb_commits_total');
  } finally {
    scraper.close();
  }
}

/** Stops `serve` with SIGTERM; resolves to its exit code. */
async function stopServe(serve: Serve): Promise<number | null> {
  serve.child.kill('SIGTERM');
  const code = await serve.exited;
  await serve.logged.catch(() => undefined);
  return code;
}

/** Every acknowledged write present exactly once, versions without gaps, and the journal audits. */
async function checkJournal(ledger: LedgerDatabase, acks: readonly Ack[]) {
  let present = 0;
  let duplicates = 0;
  let versionGaps = 0;
  const seen = new Map<string, number>();
  for (let i = 0; i < documents; i++) {
    const history = await ledger.history('counters', `doc-${i}`);
    history.forEach((revision, index) => {
      if (revision.metadata.version !== index) versionGaps++;
      const writeId = revision.data?.writeId;
      if (typeof writeId === 'string') seen.set(writeId, (seen.get(writeId) ?? 0) + 1);
    });
  }
  for (const ack of acks) if ((seen.get(ack.writeId) ?? 0) >= 1) present++;
  for (const times of seen.values()) if (times > 1) duplicates += times - 1;
  const audit = await ledger.audit();
  return { present, duplicates, version_gaps: versionGaps, audit_ok: audit.ok };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

let ok: boolean;
let output: Record<string, unknown>;
const started: Serve[] = [];
try {
  if (!compare) {
    const serve = await startServe('single', true);
    started.push(serve);
    const result = await loadSlice(serve, seconds);
    const counted = metricsOn ? await countedCommits(serve) : undefined;
    const exitCode = await stopServe(serve);
    const opened = await serve.ledger();
    const checks = await checkJournal(opened, serve.acks);
    await opened.close();
    ok =
      exitCode === 0 &&
      checks.present === result.acknowledged &&
      checks.duplicates === 0 &&
      checks.version_gaps === 0 &&
      checks.audit_ok;
    output = {
      storage,
      clients,
      documents,
      ...result,
      serve_exit_code: exitCode,
      log_lines: (await serve.logged).lines,
      scrapes: serve.scrapes,
      ...(counted === undefined ? {} : { metrics_commits_total: counted - seedingCommits }),
      ...checks,
      load_average_before: loadBefore,
    };
  } else {
    const pairs: { on: SliceResult; off: SliceResult }[] = [];
    const blockResults: { overhead: number; server_cpu_overhead: number }[] = [];
    let countedEvery = true;
    let logged = true;
    let acknowledgedOn = 0;
    let onLogLines = 0;
    const exitCodes: (number | null)[] = [];
    const threads: Record<'on' | 'off', Record<string, number[]>> = { on: {}, off: {} };
    for (let block = 0; block < blocks; block++) {
      // A fresh pair of servers per block, started in alternating order: what a process
      // happens to get at its start (memory layout, the JIT's choices, the cores it lands on)
      // differs between two runs of the same build by a percentage point or two, which
      // pairing slices of one pair of processes cannot cancel; several pairs of processes do.
      const fresh = block % 2 === 0 ? [true, false] : [false, true];
      const servers: Serve[] = [];
      for (const observed of fresh) {
        const serve = await startServe(`${observed ? 'on' : 'off'}${block}`, observed);
        started.push(serve);
        servers.push(serve);
      }
      const on = servers.find((serve) => serve.observed) as Serve;
      const off = servers.find((serve) => !serve.observed) as Serve;
      // Warm-up: the JIT and the rest of the process (tens of seconds under this load), the
      // connections, the storage's caches; not counted.
      for (const serve of servers) await loadSlice(serve, warmupSeconds);
      const blockPairs: { on: SliceResult; off: SliceResult }[] = [];
      for (let round = 0; round < rounds; round++) {
        // A B, B A, A B, ...: each serve goes first as often, and a pair's slices are adjacent.
        const order = (round + block) % 2 === 0 ? [off, on] : [on, off];
        const pair: Partial<{ on: SliceResult; off: SliceResult }> = {};
        for (const serve of order) pair[serve.observed ? 'on' : 'off'] = await loadSlice(serve, seconds);
        blockPairs.push(pair as { on: SliceResult; off: SliceResult });
      }
      const counted = metricsOn ? await countedCommits(on) : undefined;
      // CPU by thread over the block (warm-up included), in ms per acknowledged commit.
      for (const serve of servers) {
        const perThread = threads[serve.observed ? 'on' : 'off'];
        for (const [name, ticks] of Object.entries(threadTicks(serve.child.pid as number))) {
          perThread[name] = [...(perThread[name] ?? []), (ticks * 1000) / ticksPerSecond / serve.acks.length];
        }
      }
      exitCodes.push(await stopServe(on), await stopServe(off));
      const lines = (await on.logged).lines;
      // /metrics counted every commit the observed serve acknowledged (the seeding ones too).
      if (counted !== undefined && counted - seedingCommits !== on.acks.length) countedEvery = false;
      // At least one log line per request: a read and a commit per acknowledged write.
      if (logsOn && lines < 2 * on.acks.length) logged = false;
      acknowledgedOn += on.acks.length;
      onLogLines += lines;
      pairs.push(...blockPairs);
      const blockOverhead = 1 - median(blockPairs.map((pair) => pair.on.commits_per_s / pair.off.commits_per_s));
      const blockCpu =
        median(blockPairs.map((pair) => pair.on.cpu_ms_per_commit_server / pair.off.cpu_ms_per_commit_server)) - 1;
      blockResults.push({
        overhead: Number(blockOverhead.toFixed(4)),
        server_cpu_overhead: Number(blockCpu.toFixed(4)),
      });
      log(`block ${block + 1} of ${blocks}: overhead ${(blockOverhead * 100).toFixed(1)} %`);
    }
    const ratios = pairs.map((pair) => pair.on.commits_per_s / pair.off.commits_per_s);
    const cpuRatios = pairs.map((pair) => pair.on.cpu_ms_per_commit_server / pair.off.cpu_ms_per_commit_server);
    const overhead = 1 - median(ratios);
    ok = countedEvery && logged && exitCodes.every((code) => code === 0);
    output = {
      storage,
      clients,
      documents,
      blocks,
      pairs_per_block: rounds,
      seconds_per_slice: seconds,
      scrape_seconds: metricsOn ? scrapeSeconds : null,
      on_args: onArgs.join(' '),
      commits_per_s_on: pairs.map((pair) => pair.on.commits_per_s),
      commits_per_s_off: pairs.map((pair) => pair.off.commits_per_s),
      commits_per_s_on_median: median(pairs.map((pair) => pair.on.commits_per_s)),
      commits_per_s_off_median: median(pairs.map((pair) => pair.off.commits_per_s)),
      throughput_ratio_per_pair: ratios.map((ratio) => Number(ratio.toFixed(3))),
      overhead_per_block: blockResults.map((result) => result.overhead),
      server_cpu_overhead_per_block: blockResults.map((result) => result.server_cpu_overhead),
      overhead: Number(overhead.toFixed(4)),
      bar: 0.05,
      withinBar: overhead < 0.05,
      server_cpu_ms_per_commit_on: pairs.map((pair) => pair.on.cpu_ms_per_commit_server),
      server_cpu_ms_per_commit_off: pairs.map((pair) => pair.off.cpu_ms_per_commit_server),
      server_cpu_overhead: Number((median(cpuRatios) - 1).toFixed(4)),
      server_system_cpu_ms_per_commit_on: median(pairs.map((pair) => pair.on.cpu_ms_per_commit_server_system)),
      server_system_cpu_ms_per_commit_off: median(pairs.map((pair) => pair.off.cpu_ms_per_commit_server_system)),
      log_reader_cpu_ms_per_commit: median(pairs.map((pair) => pair.on.cpu_ms_per_commit_log_reader)),
      // The other processes on the same cores, each way: this load generator, PostgreSQL, and all of them.
      generator_cpu_ms_per_commit_on: Number(
        median(pairs.map((pair) => pair.on.cpu_ms_per_commit_generator)).toFixed(4),
      ),
      generator_cpu_ms_per_commit_off: Number(
        median(pairs.map((pair) => pair.off.cpu_ms_per_commit_generator)).toFixed(4),
      ),
      postgres_cpu_ms_per_commit_on: postgresUrl
        ? Number(median(pairs.map((pair) => pair.on.cpu_ms_per_commit_postgres ?? 0)).toFixed(4))
        : null,
      postgres_cpu_ms_per_commit_off: postgresUrl
        ? Number(median(pairs.map((pair) => pair.off.cpu_ms_per_commit_postgres ?? 0)).toFixed(4))
        : null,
      total_cpu_ms_per_commit_on: Number(median(pairs.map((pair) => pair.on.cpu_ms_per_commit_total)).toFixed(4)),
      total_cpu_ms_per_commit_off: Number(median(pairs.map((pair) => pair.off.cpu_ms_per_commit_total)).toFixed(4)),
      cores_used_on_median: Number(
        median(pairs.map((pair) => (pair.on.cpu_ms_per_commit_total * pair.on.commits_per_s) / 1000)).toFixed(2),
      ),
      cores_used_off_median: Number(
        median(pairs.map((pair) => (pair.off.cpu_ms_per_commit_total * pair.off.commits_per_s) / 1000)).toFixed(2),
      ),
      server_cores_on_median: Number(median(pairs.map((pair) => pair.on.cores_server)).toFixed(2)),
      server_cores_off_median: Number(median(pairs.map((pair) => pair.off.cores_server)).toFixed(2)),
      // The server's CPU by thread (median over the blocks), ms per commit.
      server_cpu_ms_per_commit_by_thread: Object.fromEntries(
        (['on', 'off'] as const).map((side) => [
          side,
          Object.fromEntries(
            Object.entries(threads[side]).map(([name, values]) => [name, Number(median(values).toFixed(4))]),
          ),
        ]),
      ),
      metrics_counted_every_commit: countedEvery,
      acknowledged_on: acknowledgedOn,
      log_lines_per_commit: Number((onLogLines / Math.max(1, acknowledgedOn)).toFixed(2)),
      serve_exit_codes: exitCodes,
      load_average_before: loadBefore,
      load_average_after: loadavg().map((value) => Number(value.toFixed(2))),
    };
  }
} finally {
  for (const serve of started) {
    if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    if (serve.reader.exitCode === null) serve.reader.kill('SIGKILL');
  }
  if (postgresUrl) execFileSync('bash', [postgresScript, 'stop', pgDir], { stdio: 'inherit' });
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(output));
process.exitCode = ok ? 0 : 1;
