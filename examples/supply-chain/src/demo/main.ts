// The README's first command (`npm run demo`, through scripts/demo.sh): one supply-chain
// business on ledgerdb, Ethereum and Fabric, side by side. Runs directly under Node 24
// (type stripping): node examples/supply-chain/src/demo/main.ts [--backends …] [--json].
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { isLedgerError } from '@ledgerkit/core';
import {
  type DemoBackend,
  startEthereum,
  startFabric,
  startLedgerdbEmbedded,
  startLedgerdbServer,
} from './backends.ts';
import { comparison, runSections, type SkippedBackend, stepLine } from './render.ts';
import { type BackendRun, runScenario } from './run-demo.ts';

const usage = `Usage: npm run demo -- [options]

Runs one supply-chain journey on each backend, verifies every receipt against an anchor
the auditor pinned out of band, attempts a tamper per backend, shows the rules refusing
violations, and compares the trust models side by side.

Options:
  --backends LIST     comma-separated: ledgerdb,ethereum,fabric (default: all three)
  --ledgerdb MODE     embedded (default: one SQLite file) or server (ledgerdb serve on a
                      throwaway PostgreSQL 15; needs PostgreSQL: bash scripts/postgres.sh install)
  --json              one JSON document on stdout; progress goes to stderr
  -h, --help          this help

Fabric's binaries are built with Go on the first run (a few minutes, cached in
$LEDGERKIT_HOME); without Go, Fabric is skipped with a line saying how to enable it.

Exit codes: 0 everything verified and every tamper was caught, 1 something did not,
2 bad usage or a missing prerequisite.
`;

const kinds = ['ledgerdb', 'ethereum', 'fabric'] as const;
type Kind = (typeof kinds)[number];

class UsageError extends Error {}

interface Options {
  backends: Kind[];
  ledgerdb: 'embedded' | 'server';
  json: boolean;
}

function parseOptions(argv: readonly string[]): Options | 'help' {
  let values: { backends?: string; ledgerdb?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        backends: { type: 'string' },
        ledgerdb: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const backends = (values.backends ?? kinds.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of backends) {
    if (!(kinds as readonly string[]).includes(name)) {
      throw new UsageError(`unknown backend '${name}' in --backends; choose from ${kinds.join(',')}`);
    }
  }
  if (backends.length === 0) throw new UsageError('--backends names no backend');
  const ledgerdb = values.ledgerdb ?? 'embedded';
  if (ledgerdb !== 'embedded' && ledgerdb !== 'server') {
    throw new UsageError(`--ledgerdb must be embedded or server, not '${ledgerdb}'`);
  }
  return {
    backends: kinds.filter((kind) => backends.includes(kind)),
    ledgerdb,
    json: values.json === true,
  };
}

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** A `go` for building the Fabric binaries, from scripts/ensure-go.sh, or why there is none. */
async function findGo(): Promise<{ go: string } | { reason: string }> {
  try {
    const { stdout } = await promisify(execFile)('bash', [`${repoRoot}scripts/ensure-go.sh`], { timeout: 600_000 });
    const go = stdout.trim().split('\n').pop() ?? '';
    return go ? { go } : { reason: 'scripts/ensure-go.sh printed no go command' };
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    return { reason: stderr.split('\n').pop() || 'scripts/ensure-go.sh failed' };
  }
}

function postgresInstalled(): boolean {
  const bin = process.env.LEDGERKIT_PG_BIN ?? '/usr/lib/postgresql/15/bin';
  return existsSync(`${bin}/initdb`) && existsSync(`${bin}/pg_ctl`);
}

/** One line for an error: its code and message, never a stack. */
function errorLine(error: unknown): string {
  if (isLedgerError(error)) return `${error.code}: ${error.shortMessage}`;
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0] ?? message;
  return typeof code === 'string' ? `${code}: ${first}` : first;
}

async function main(argv: readonly string[]): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseOptions(argv);
  } catch (error) {
    process.stderr.write(`demo: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  const { json } = options;
  if (options.backends.includes('ledgerdb') && options.ledgerdb === 'server' && !postgresInstalled()) {
    process.stderr.write(
      'demo: --ledgerdb server needs PostgreSQL 15 (not found in /usr/lib/postgresql/15/bin): run `bash scripts/postgres.sh install`, or leave out --ledgerdb server to use the embedded ledger\n',
    );
    return 2;
  }
  const started = performance.now();
  // Human output on stdout; with --json, stdout carries only the final document.
  // After Ctrl-C, whatever the interrupted backend reports while it stops is noise.
  const out = (line: string) => {
    if (!interrupted.signal) (json ? process.stderr : process.stdout).write(`${line}\n`);
  };
  const progress = (line: string) => {
    if (!interrupted.signal) process.stderr.write(`  … ${line}\n`);
  };
  const width = process.stdout.columns ?? 120;

  out('ledgerkit supply-chain demo: one business, three ledgers, two trust models');
  out('  A manufacturer registers a batch of mRNA vaccine (max 8 °C); a carrier takes custody (offer, then accept)');
  out('  and records checkpoints, one of them too warm; a retailer receives it; an auditor verifies every receipt.');

  const runs: BackendRun[] = [];
  const skipped: SkippedBackend[] = [];
  const failures: { backend: Kind; error: string }[] = [];
  for (const kind of options.backends) {
    const label =
      kind === 'ledgerdb'
        ? `ledgerdb (${options.ledgerdb})`
        : kind === 'ethereum'
          ? 'ethereum (EDR)'
          : 'fabric (2 orgs)';
    let backend: DemoBackend | undefined;
    try {
      if (kind === 'fabric') {
        const ready = await fabricReady(progress);
        if ('skip' in ready) {
          skipped.push({ backend: 'fabric', label, reason: ready.skip });
          out('');
          out(`== ${label}: skipped. ${ready.skip}`);
          continue;
        }
      }
      out('');
      out(`== ${label} ${'='.repeat(Math.max(3, 60 - label.length))}`);
      progress(`starting ${label}`);
      interrupted.label = label;
      const onStarting = (stop: () => Promise<void>) => {
        interrupted.stop = stop;
      };
      backend =
        kind === 'ledgerdb'
          ? options.ledgerdb === 'server'
            ? await startLedgerdbServer(onStarting)
            : await startLedgerdbEmbedded()
          : kind === 'ethereum'
            ? await startEthereum()
            : await startFabric(progress, onStarting);
      interrupted.stop = backend.stop;
      const run = await runScenario(backend, (step) => out(stepLine(step)));
      runs.push(run);
      for (const line of runSections(run)) out(line);
    } catch (error) {
      failures.push({ backend: kind, error: errorLine(error) });
      out(`  FAILED on ${label}: ${errorLine(error)}`);
    } finally {
      interrupted.stop = undefined;
      await backend?.stop().catch((error: unknown) => progress(`stopping ${label}: ${errorLine(error)}`));
    }
  }

  const ok = failures.length === 0 && runs.length > 0 && runs.every((run) => run.ok);
  const seconds = (performance.now() - started) / 1000;
  out('');
  out('== the trust models side by side');
  for (const line of comparison(runs, skipped, width)) out(`  ${line}`);
  for (const skip of skipped) out(`  ${skip.label} skipped: ${skip.reason}`);
  out('');
  out(
    ok
      ? `All receipts verified against pinned anchors, every tamper was caught, every violation refused (${seconds.toFixed(1)} s).`
      : `FAILED: ${[...failures.map((f) => `${f.backend}: ${f.error}`), ...runs.filter((run) => !run.ok).map((run) => `${run.label}: a check did not hold`)].join('; ')}`,
  );
  if (json && !interrupted.signal) {
    process.stdout.write(
      `${JSON.stringify({ format: 'ledgerkit.supply-chain-demo', version: 1, ok, seconds: Number(seconds.toFixed(1)), runs, skipped, failures }, null, 2)}\n`,
    );
  }
  return ok ? 0 : 1;
}

/** Whether Fabric can run: its binaries cached, or built now with a Go found or fetched. */
async function fabricReady(progress: (line: string) => void): Promise<{ ok: true } | { skip: string }> {
  const { ensureFabricBinaries, fabricRelease } = await import('@ledgerkit/fabric-network');
  try {
    await ensureFabricBinaries({ build: false });
    return { ok: true };
  } catch {
    // Not cached yet: build them once, with Go.
  }
  progress(
    `fabric: the Fabric ${fabricRelease.version} binaries are not built yet; looking for Go (scripts/ensure-go.sh)`,
  );
  const found = await findGo();
  if ('reason' in found) {
    return {
      skip: `Go 1.22+ is needed once to build the Fabric binaries and none was found (${found.reason}). Install Go (https://go.dev/dl) or make scripts/ensure-go.sh work, then run npm run demo again; or pass --backends ledgerdb,ethereum.`,
    };
  }
  progress(`fabric: building the Fabric binaries with ${found.go} (once per machine, a few minutes)`);
  try {
    await ensureFabricBinaries({ go: found.go, onProgress: (message) => progress(`fabric binaries: ${message}`) });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'GO_MISSING' || code === 'GO_TOO_OLD') {
      return {
        skip: `${errorLine(error)}. Install Go 1.22+ and run npm run demo again, or pass --backends ledgerdb,ethereum.`,
      };
    }
    throw error;
  }
  return { ok: true };
}

/** What Ctrl-C must stop: the backend running now (a Fabric network is native processes). */
const interrupted: { label?: string; stop?: (() => Promise<void>) | undefined; signal?: string } = {};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted.signal = signal;
    process.stderr.write(`\ndemo: interrupted${interrupted.stop ? `, stopping ${interrupted.label}` : ''}\n`);
    const stop = interrupted.stop ?? (async () => {});
    stop()
      .catch(() => {})
      .finally(() => process.exit(130));
  });
}

// A failure in a background task of a backend ends the demo with one line, not a stack.
process.on('unhandledRejection', (error) => {
  process.stderr.write(`demo: ${errorLine(error)}\n`);
  process.exit(1);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo: ${errorLine(error)}\n`);
    process.exitCode = 1;
  },
);
