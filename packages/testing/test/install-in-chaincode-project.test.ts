// `npm i -D @ledgerkit/testing` in a chaincode project pinned to an older fabric-contract-api
// (2.5.6, as fabric-samples' asset-transfer-basic lockfile has it) must resolve: the peer
// dependency range accepts every 2.x a peer runs. Checked with npm itself, installing the
// packed package (and @ledgerkit/core, packed too, as it is not published here) with
// --dry-run; a package asking for ^2.5.8, as @ledgerkit/testing did, shows the check fails
// with ERESOLVE.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const packages = fileURLToPath(new URL('../../', import.meta.url));

async function pack(packageDir: string, destination: string): Promise<string> {
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], {
    cwd: packageDir,
    maxBuffer: 64 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
  return join(destination, (packed as { filename: string }).filename);
}

/** `npm install -D <spec> --dry-run` in the project: its exit code and output. */
async function installDev(project: string, spec: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(
      'npm',
      ['install', '-D', spec, '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
      { cwd: project, timeout: 240_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; signal?: string; message?: string; stdout?: string; stderr?: string };
    // Keep everything npm and the child process said: a failure must be diagnosable from the log.
    const said = [failed.message, failed.signal && `signal ${failed.signal}`, failed.stdout, failed.stderr];
    return { code: typeof failed.code === 'number' ? failed.code : 1, output: said.filter(Boolean).join('\n') };
  }
}

describe('installing @ledgerkit/testing into a chaincode project on fabric-contract-api 2.5.6', () => {
  let dir: string;
  let project: string;
  let testingTarball: string;
  let needs258Tarball: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgerkit-peer-range-'));
    project = join(dir, 'chaincode');
    await mkdir(project);
    const coreTarball = await pack(join(packages, 'core'), dir);
    testingTarball = await pack(join(packages, 'testing'), dir);
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'asset-transfer-basic',
        version: '1.0.0',
        private: true,
        dependencies: { 'fabric-contract-api': '2.5.6', 'fabric-shim': '2.5.6' },
        overrides: { '@ledgerkit/core': `file:${coreTarball}` },
      }),
    );
    const needs258 = join(dir, 'needs-258');
    await mkdir(needs258);
    await writeFile(
      join(needs258, 'package.json'),
      JSON.stringify({ name: 'needs-258', version: '1.0.0', peerDependencies: { 'fabric-contract-api': '^2.5.8' } }),
    );
    // Packed, like the real package: npm only warns about a linked directory's peers.
    needs258Tarball = await pack(needs258, dir);
  }, 300_000);

  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('resolves without ERESOLVE, keeping the project’s fabric-contract-api', async () => {
    const { code, output } = await installDev(project, testingTarball);
    expect(output).not.toContain('ERESOLVE');
    expect(code, output).toBe(0);
    expect(output).toContain('add @ledgerkit/testing 0.1.0');
    expect(output).toContain('add fabric-contract-api 2.5.6');
    expect(output).not.toMatch(/add fabric-contract-api 2\.5\.(?!6)/);
  }, 300_000);

  test('a peer range of ^2.5.8 fails there with ERESOLVE (the check can fail)', async () => {
    const { code, output } = await installDev(project, needs258Tarball);
    expect(code).not.toBe(0);
    expect(output).toContain('ERESOLVE');
  }, 300_000);
});
