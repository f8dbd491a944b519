import { chmod, copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FabricNetworkError } from './errors.js';
import { runCommand } from './internal/exec.js';
import { exists } from './internal/files.js';
import { buildGoRelease, releaseIsBuilt } from './internal/go-release.js';

/**
 * The pinned Fabric release. The Go module path has no `/v2`, so release tags are not
 * valid module versions: the build asks for the release commit's pseudo-version, and
 * go.sum pins the module's hash (the checksum database does not list this version).
 */
export const fabricRelease = {
  version: '2.5.9',
  commit: '7c3876255bf064b789a839ce347b6a02adb6333c',
  module: 'github.com/hyperledger/fabric',
  moduleVersion: 'v0.0.0-20240618194258-7c3876255bf0',
  moduleSum: 'h1:IWNViWCrLReBEZ8EoM9iIZYP4xT6QvL+UqwKQg9eDvA=',
  goModSum: 'h1:kNGP0htTW6MAA5Psl/+9utzXGLXh2roCnu/25tnysOE=',
  /** From the release's go.mod. */
  minimumGo: '1.22.0',
} as const;

/** The Fabric commands the network runs; each is built into `<cache>/bin/`. */
export const fabricBinaryNames = ['peer', 'orderer', 'configtxgen', 'cryptogen', 'osnadmin', 'configtxlator'] as const;

/** A name from {@link fabricBinaryNames}. */
export type FabricBinaryName = (typeof fabricBinaryNames)[number];

/** Where the built Fabric release lives. */
export interface FabricBinaries {
  /** The Fabric version, e.g. `2.5.9`. */
  version: string;
  /** `<cache>/fabric/<version>`. */
  root: string;
  /** Directory holding every binary of {@link fabricBinaryNames}. */
  binDir: string;
  /** Fabric's sampleconfig (core.yaml, orderer.yaml), the base every process overrides by env. */
  configDir: string;
  /** Absolute path of each binary. */
  paths: Record<FabricBinaryName, string>;
  /** How long the build took, when this call built it; undefined when the cache was reused. */
  builtInSeconds?: number;
}

/** Options of {@link ensureFabricBinaries}. */
export interface EnsureBinariesOptions {
  /** Cache root; default `$LEDGERKIT_HOME`, else `${XDG_CACHE_HOME:-~/.cache}/ledgerkit`. */
  home?: string;
  /** Build when the cache lacks the release (default true). When false, a missing binary is an error. */
  build?: boolean;
  /** The `go` command to build with (default `go` on PATH, then /usr/local/go/bin/go). */
  go?: string;
  /** Receives one line per build phase, and Go's progress lines (modules downloaded, packages compiled). */
  onProgress?: (message: string) => void;
}

/** The cache root ledgerkit uses (the same rule as scripts/with-node.sh). */
export function ledgerkitHome(): string {
  const explicit = process.env.LEDGERKIT_HOME;
  if (explicit) return explicit;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ledgerkit');
}

function layout(home: string): Omit<FabricBinaries, 'builtInSeconds'> {
  const root = join(home, 'fabric', fabricRelease.version);
  const binDir = join(root, 'bin');
  const paths = Object.fromEntries(fabricBinaryNames.map((name) => [name, join(binDir, name)])) as Record<
    FabricBinaryName,
    string
  >;
  return { version: fabricRelease.version, root, binDir, configDir: join(root, 'config'), paths };
}

async function cacheIsComplete(binaries: Omit<FabricBinaries, 'builtInSeconds'>): Promise<boolean> {
  const files = [...Object.values(binaries.paths), join(binaries.configDir, 'core.yaml')];
  return releaseIsBuilt(binaries.root, fabricRelease, files);
}

/**
 * Makes sure the pinned Fabric binaries and sampleconfig are in the cache, building
 * them with Go (once per machine, a few minutes) when they are not.
 *
 * @param options - cache root, whether to build, which `go`
 * @returns where the binaries and config are
 * @throws FabricNetworkError GO_MISSING / GO_TOO_OLD (install Go >= 1.22), BUILD_FAILED,
 *   BINARY_MISSING (when `build: false` and the cache is empty)
 * @example
 * ```ts
 * const { paths } = await ensureFabricBinaries();
 * console.log(paths.peer);
 * ```
 */
export async function ensureFabricBinaries(options: EnsureBinariesOptions = {}): Promise<FabricBinaries> {
  const home = options.home ?? ledgerkitHome();
  const binaries = layout(home);
  if (await cacheIsComplete(binaries)) return binaries;
  if (options.build === false) {
    const missing: string[] = [];
    for (const [name, path] of Object.entries(binaries.paths)) if (!(await exists(path))) missing.push(name);
    throw new FabricNetworkError(
      'BINARY_MISSING',
      `the Fabric ${fabricRelease.version} binaries are not in ${binaries.binDir}; run 'ledgerkit fabric up' once (it builds them with Go) or call ensureFabricBinaries()`,
      { binDir: binaries.binDir, missing },
    );
  }
  return withBuildLock(binaries.root, async () => {
    if (await cacheIsComplete(binaries)) return binaries;
    const seconds = await build(binaries, options);
    return { ...binaries, builtInSeconds: seconds };
  });
}

/**
 * Finds a `go` command at least as recent as `needed` (default: what the pinned Fabric release needs).
 *
 * @param explicit - a `go` command to use instead of searching PATH and /usr/local/go/bin
 * @param needed - minimum Go version and the name of what is built, for the error message
 * @returns the command and its version string (e.g. `go1.26.8`)
 * @throws FabricNetworkError GO_MISSING, GO_TOO_OLD
 */
export async function findGo(
  explicit: string | undefined,
  needed: { minimumGo: string; what: string } = {
    minimumGo: fabricRelease.minimumGo,
    what: `Fabric ${fabricRelease.version}`,
  },
): Promise<{ go: string; version: string }> {
  const candidates = explicit ? [explicit] : ['go', '/usr/local/go/bin/go'];
  for (const go of candidates) {
    try {
      const { stdout } = await runCommand(go, ['env', 'GOVERSION'], { timeoutMs: 30_000 });
      const version = stdout.trim();
      if (!versionAtLeast(version.replace(/^go/, ''), needed.minimumGo)) {
        throw new FabricNetworkError(
          'GO_TOO_OLD',
          `${go} is ${version}; building ${needed.what} needs Go >= ${needed.minimumGo}: install a current Go from go.dev/dl (Debian's golang-go is too old)`,
          { go, found: version, needed: needed.minimumGo },
        );
      }
      return { go, version };
    } catch (error) {
      if (error instanceof FabricNetworkError && error.reason === 'GO_TOO_OLD') throw error;
    }
  }
  throw new FabricNetworkError(
    'GO_MISSING',
    `Go was not found; building ${needed.what} needs Go >= ${needed.minimumGo}: install it from go.dev/dl and put its bin/ on PATH`,
    { tried: candidates },
  );
}

/** Compares dotted versions such as `1.26.8` and `1.22.0`; a missing part counts as 0. */
export function versionAtLeast(found: string, needed: string): boolean {
  const parse = (text: string) =>
    text
      .split(/[^0-9]+/)
      .filter(Boolean)
      .map(Number);
  const a = parse(found);
  const b = parse(needed);
  if (a.length === 0) return false;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

async function build(
  binaries: Omit<FabricBinaries, 'builtInSeconds'>,
  options: EnsureBinariesOptions,
): Promise<number> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => {});
  const go = await findGo(options.go);
  const fabric = fabricRelease.module;
  return buildGoRelease({
    release: fabricRelease,
    what: 'Fabric',
    root: binaries.root,
    commands: fabricBinaryNames,
    buildModule: 'ledgerkit.local/fabric-build',
    goDirective: '1.22',
    go,
    env: { CGO_ENABLED: '0' },
    buildFlags: [
      '-ldflags',
      `-X ${fabric}/common/metadata.Version=${fabricRelease.version} -X ${fabric}/common/metadata.CommitSHA=${fabricRelease.commit.slice(0, 12)}`,
    ],
    streamGoOutput: true,
    compiling: `compiling ${fabricBinaryNames.join(', ')}`,
    retryHint: 'and retry',
    // Fabric's sampleconfig, from the module's source in the module cache.
    afterBuild: async (staging, module, env) => {
      const { stdout } = await runCommand(
        go.go,
        ['mod', 'download', '-json', `${fabric}@${fabricRelease.moduleVersion}`],
        {
          cwd: module,
          env,
          purpose: 'locating Fabric sampleconfig',
        },
      );
      const sourceDir = (JSON.parse(stdout) as { Dir: string }).Dir;
      await mkdir(join(staging, 'config'), { recursive: true });
      for (const file of ['core.yaml', 'orderer.yaml', 'configtx.yaml']) {
        const target = join(staging, 'config', file);
        await copyFile(join(sourceDir, 'sampleconfig', file), target);
        await chmod(target, 0o644);
      }
    },
    started,
    progress,
  });
}

/**
 * One build per machine at a time: a lock directory `<root>.lock` with the builder's pid in it.
 *
 * @param root - the cache directory being built
 * @param work - the build, run while the lock is held
 * @returns what `work` returns
 * @throws FabricNetworkError BUILD_FAILED when another live build holds the lock for 40 minutes
 */
export async function withBuildLock<T>(root: string, work: () => Promise<T>): Promise<T> {
  const lock = `${root}.lock`;
  await mkdir(join(root, '..'), { recursive: true });
  const deadline = Date.now() + 40 * 60_000;
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
      if (Date.now() > deadline) throw new FabricNetworkError('BUILD_FAILED', `another build holds ${lock}`, { lock });
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
