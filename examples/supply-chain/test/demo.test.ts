// The README's first command, run the way scripts/demo.sh runs it (the same entry, the same
// arguments: every backend, a real Fabric network included), and its output checked; then the
// --json form on the two in-process backends.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import type { BackendRun } from '../src/demo/run-demo.ts';

const entry = fileURLToPath(new URL('../src/demo/main.ts', import.meta.url));

async function demo(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [entry, ...args], {
      timeout: 280_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: Number(failed.code ?? 1), stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

test('npm run demo: three backends, every receipt verified, every tamper caught, the table printed', async () => {
  const { code, stdout, stderr } = await demo();
  expect(code, `${stdout}\n${stderr}`).toBe(0);
  for (const label of ['ledgerdb (embedded)', 'ethereum (EDR)', 'fabric (2 orgs)']) {
    expect(stdout).toContain(`== ${label} ==`);
    expect(stdout).toContain(`OK: ${label}`);
  }
  expect(stdout.match(/auditor: 9 of 9 receipts verified independently/g)).toHaveLength(3);
  expect(stdout.match(/\(pinned by the auditor\)/g)).toHaveLength(3);
  // One tamper on ledgerdb, three on Ethereum (a forged value, a moved receipt, a fork), two on
  // Fabric (a forged value, a lying peer's block): each caught.
  expect(stdout.match(/^\s+CAUGHT: /gm)).toHaveLength(6);
  expect(stdout).toMatch(/history rewritten by forking[\s\S]*?CAUGHT: failed check header-chain/);
  expect(stdout).toMatch(/a lying peer serves[\s\S]*?CAUGHT: failed check block-data-hash/);
  expect(stdout).toMatch(
    /the operator edits the journal file[\s\S]*?CAUGHT: audit against the pinned digest: mismatch/,
  );
  expect(stdout).not.toMatch(/NOT CAUGHT|NOT REFUSED|FAIL /);
  expect(stdout.match(/refused: CONTRACT_REVERTED NOT_CUSTODIAN/g)).toHaveLength(3);
  expect(stdout.match(/refused: CONTRACT_REVERTED BATCH_RECEIVED/g)).toHaveLength(3);
  const table = stdout.slice(stdout.indexOf('== the trust models side by side'));
  expect(table).toMatch(/ledgerdb \(embedded\)\s+ethereum \(EDR\)\s+fabric \(2 orgs\)/);
  for (const row of ['who enforces the', 'who could rewrite', 'write latency p50', 'what verification']) {
    expect(table).toContain(row);
  }
  expect(table).toMatch(/write latency p50\s+\d+ ms \(9 writes\)\s+\d+ ms \(9 writes\)\s+\d+ ms \(9 writes\)/);
  expect(stdout).toMatch(/All receipts verified against pinned anchors, every tamper was caught/);
  // No raw JSON and no stack traces for a person reading the terminal.
  expect(stdout).not.toMatch(/^\s*[{[]"/m);
  expect(`${stdout}${stderr}`).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
});

test('--json: one document on stdout, progress on stderr; --backends selects', async () => {
  const { code, stdout, stderr } = await demo('--backends', 'ethereum,ledgerdb', '--json');
  expect(code, stderr).toBe(0);
  const report = JSON.parse(stdout) as { ok: boolean; runs: BackendRun[]; skipped: unknown[]; failures: unknown[] };
  expect(report.ok).toBe(true);
  expect(report.failures).toEqual([]);
  expect(report.runs.map((run) => run.backend)).toEqual(['ledgerdb', 'ethereum']);
  for (const run of report.runs) {
    expect(run.ok).toBe(true);
    expect(run.steps).toHaveLength(9);
    expect(run.verifications.map((v) => v.ok)).toEqual(Array(9).fill(true));
    expect(run.anchor.explicit).toBe(true);
    expect(run.tampers.length).toBeGreaterThan(0);
    for (const tamper of run.tampers) expect(tamper.caught, tamper.how).toBe(true);
    expect(run.refusals.map((r) => r.error)).toEqual([
      'CONTRACT_REVERTED NOT_CUSTODIAN',
      'CONTRACT_REVERTED BATCH_RECEIVED',
    ]);
    expect(run.p50Ms).toBeGreaterThan(0);
  }
  expect(stderr).toContain('== the trust models side by side');
});

test('--ledgerdb server: ledgerdb serve on PostgreSQL; an edit behind its back is caught', async () => {
  const { code, stdout, stderr } = await demo('--backends', 'ledgerdb', '--ledgerdb', 'server', '--json');
  expect(code, stderr).toBe(0);
  const [run] = (JSON.parse(stdout) as { runs: BackendRun[] }).runs;
  expect(run?.label).toBe('ledgerdb (server)');
  expect(run?.verifications.every((v) => v.ok)).toBe(true);
  expect(run?.tampers.map((t) => [t.attempt.split(' (')[0], t.caught])).toEqual([
    [expect.stringContaining('the operator shows the excursion'), true],
    ['the operator edits the journal in PostgreSQL', true],
  ]);
  expect(run?.tampers[1]?.how).toMatch(/^audit against the pinned digest: mismatch at leaf \d+/);
});

test('a bad flag is one line and exit 2, no stack trace', async () => {
  const { code, stderr } = await demo('--backends', 'ledgerdb,bitcoin');
  expect(code).toBe(2);
  expect(stderr.split('\n')[0]).toBe(
    "demo: unknown backend 'bitcoin' in --backends; choose from ledgerdb,ethereum,fabric",
  );
  expect(stderr).not.toMatch(/\s+at .+:\d+:\d+/);
});
