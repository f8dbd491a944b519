import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pidAlive } from '../processes.ts';

/** The pinned immudb release. */
export const immudbRelease = {
  version: '1.9.5',
  module: 'github.com/codenotary/immudb',
  moduleVersion: 'v1.9.5',
  /** The release's gRPC-gateway v1 module: its googleapis and swagger option protos are imported by schema.proto. */
  gatewayModule: 'github.com/grpc-ecosystem/grpc-gateway',
  gatewayVersion: 'v1.16.0',
} as const;

/** Where the built immudb lives. */
export interface ImmudbBinary {
  version: string;
  /** `<cache>/immudb/v1.9.5`. */
  root: string;
  /** The `immudb` server executable. */
  binary: string;
  /** Include root for the gRPC schema: `schema.proto` and the protos it imports. */
  protoDir: string;
  /** Seconds the build took when this call built it. */
  builtInSeconds?: number;
}

/** Options of {@link ensureImmudb}. */
export interface EnsureImmudbOptions {
  /** Cache root; default `$LEDGERKIT_HOME`, else `${XDG_CACHE_HOME:-~/.cache}/ledgerkit`. */
  home?: string;
  /** Build when the cache lacks it (default true); when false a missing build throws. */
  build?: boolean;
  onProgress?: (message: string) => void;
}

const protoFiles = [
  ['immudb', 'pkg/api/schema/schema.proto', 'schema.proto'],
  ['gateway', 'third_party/googleapis/google/api/annotations.proto', 'google/api/annotations.proto'],
  ['gateway', 'third_party/googleapis/google/api/http.proto', 'google/api/http.proto'],
  ['gateway', 'protoc-gen-swagger/options/annotations.proto', 'protoc-gen-swagger/options/annotations.proto'],
  ['gateway', 'protoc-gen-swagger/options/openapiv2.proto', 'protoc-gen-swagger/options/openapiv2.proto'],
] as const;

/** The cache root ledgerkit uses (the rule of scripts/with-node.sh). */
export function ledgerkitHome(): string {
  return process.env.LEDGERKIT_HOME || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ledgerkit');
}

function layout(home: string): ImmudbBinary {
  const root = join(home, 'immudb', immudbRelease.moduleVersion);
  return { version: immudbRelease.version, root, binary: join(root, 'bin', 'immudb'), protoDir: join(root, 'proto') };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function complete(layout: ImmudbBinary): Promise<boolean> {
  const stamp = await readFile(join(layout.root, 'build.json'), 'utf8').catch(() => '');
  if (!stamp.includes(`"${immudbRelease.moduleVersion}"`)) return false;
  return (await exists(layout.binary)) && (await exists(join(layout.protoDir, 'schema.proto')));
}

function run(file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { ...options, timeout: 20 * 60_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const output = `${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n');
          reject(new Error(`${[file, ...args].join(' ')} failed:\n${output}`, { cause: error }));
        } else resolve(stdout);
      },
    );
  });
}

/**
 * Makes sure the pinned immudb server is built into the cache (`go install`, once per
 * machine, about a minute with a warm module cache) together with its gRPC schema.
 *
 * The module's go.mod carries `replace` directives (a forked service library), which
 * `go install module/cmd@version` refuses, so the command is installed from the module's
 * own directory: `go mod download` fetches the pinned release from the Go module proxy
 * (checked against the checksum database), and `go install ./cmd/immudb` builds it with
 * the release's go.mod and go.sum as they are. The protos are copied from the module
 * cache (data for the client, not code).
 *
 * @param options - cache root, whether to build
 * @returns paths of the binary and the protos
 * @throws Error when Go is missing or the build fails (the message has the tail of the output)
 */
export async function ensureImmudb(options: EnsureImmudbOptions = {}): Promise<ImmudbBinary> {
  const target = layout(options.home ?? ledgerkitHome());
  if (await complete(target)) return target;
  if (options.build === false) throw new Error(`immudb ${immudbRelease.version} is not built in ${target.root}`);
  return withLock(`${target.root}.lock`, async () => {
    if (await complete(target)) return target;
    const progress = options.onProgress ?? (() => {});
    const started = performance.now();
    const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
    const go = (await run('bash', [join(repoRoot, 'scripts/ensure-go.sh')], {})).trim();
    const staging = `${target.root}.staging-${randomBytes(4).toString('hex')}`;
    const env = { ...process.env, GOWORK: 'off', GOFLAGS: '-mod=readonly', CGO_ENABLED: '0' };
    try {
      await mkdir(join(staging, 'bin'), { recursive: true });
      progress(`downloading ${immudbRelease.module}@${immudbRelease.moduleVersion}`);
      const download = async (module: string, version: string) =>
        (
          JSON.parse(await run(go, ['mod', 'download', '-json', `${module}@${version}`], { cwd: staging, env })) as {
            Dir: string;
          }
        ).Dir;
      const source = await download(immudbRelease.module, immudbRelease.moduleVersion);
      const gateway = await download(immudbRelease.gatewayModule, immudbRelease.gatewayVersion);
      progress(`go install ./cmd/immudb (${immudbRelease.version})`);
      await run(
        go,
        [
          'install',
          '-trimpath',
          '-ldflags',
          `-s -X ${immudbRelease.module}/cmd/version.Version=${immudbRelease.version}`,
          './cmd/immudb',
        ],
        { cwd: source, env: { ...env, GOBIN: join(staging, 'bin') } },
      );
      for (const [from, path, to] of protoFiles) {
        const destination = join(staging, 'proto', to);
        await mkdir(dirname(destination), { recursive: true });
        await copyFile(join(from === 'immudb' ? source : gateway, path), destination);
      }
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      await writeFile(
        join(staging, 'build.json'),
        `${JSON.stringify({ moduleVersion: immudbRelease.moduleVersion, go, builtAt: new Date().toISOString(), seconds }, null, 2)}\n`,
      );
      await rm(target.root, { recursive: true, force: true });
      await rename(staging, target.root);
      progress(`built immudb ${immudbRelease.version} in ${seconds}s into ${target.root}`);
      return { ...target, builtInSeconds: seconds };
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  });
}

async function withLock<T>(lock: string, work: () => Promise<T>): Promise<T> {
  await mkdir(dirname(lock), { recursive: true });
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => '0'));
      const age = await stat(lock).then(
        (info) => Date.now() - info.mtimeMs,
        () => 0,
      );
      if ((owner > 0 && !pidAlive(owner)) || (owner === 0 && age > 10_000)) {
        await rm(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`another build holds ${lock}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
