import { join } from 'node:path';
import { findGo, ledgerkitHome, withBuildLock } from '../binaries.js';
import { FabricNetworkError } from '../errors.js';
import { runCommand } from '../internal/exec.js';
import { buildGoRelease, releaseIsBuilt } from '../internal/go-release.js';

/**
 * The pinned Fabric CA release: the newest v1.5 the Go module proxy serves (its tags are
 * proper v1 module versions). go.sum pins the module's hash; the server needs CGO (sqlite).
 */
export const fabricCaRelease = {
  version: '1.5.22',
  module: 'github.com/hyperledger/fabric-ca',
  moduleVersion: 'v1.5.22',
  moduleSum: 'h1:7Um2vrLjwdVKHb3zjHWPQLH2iCQJBD2XwcUgixk7EMs=',
  goModSum: 'h1:Nw/kdgcIaIJCSgVFz/kUfullgPrc0PpyWlK9UAfiZNo=',
  /** From the release's go.mod. */
  minimumGo: '1.26.3',
} as const;

/** The Fabric CA commands, built into `<cache>/fabric-ca/<version>/bin/`. */
export const fabricCaBinaryNames = ['fabric-ca-server', 'fabric-ca-client'] as const;

/** Where the built Fabric CA release lives. */
export interface FabricCaBinaries {
  /** The Fabric CA version, e.g. `1.5.22`. */
  version: string;
  /** `<cache>/fabric-ca/<version>`. */
  root: string;
  /** Absolute path of `fabric-ca-server` and `fabric-ca-client`. */
  paths: Record<(typeof fabricCaBinaryNames)[number], string>;
  /** How long the build took, when this call built it; undefined when the cache was reused. */
  builtInSeconds?: number;
}

/** Options of {@link ensureFabricCaBinaries}. */
export interface EnsureCaBinariesOptions {
  /** Cache root; default `$LEDGERKIT_HOME`, else `${XDG_CACHE_HOME:-~/.cache}/ledgerkit`. */
  home?: string;
  /** Build when the cache lacks the release (default true). When false, a missing binary is an error. */
  build?: boolean;
  /** The `go` command to build with (default `go` on PATH, then /usr/local/go/bin/go). */
  go?: string;
  /** The C compiler CGO uses (default `$CC`, else `gcc`). */
  cc?: string;
  /** Receives one line per build phase. */
  onProgress?: (message: string) => void;
}

function layout(home: string): Omit<FabricCaBinaries, 'builtInSeconds'> {
  const root = join(home, 'fabric-ca', fabricCaRelease.version);
  const bin = join(root, 'bin');
  return {
    version: fabricCaRelease.version,
    root,
    paths: { 'fabric-ca-server': join(bin, 'fabric-ca-server'), 'fabric-ca-client': join(bin, 'fabric-ca-client') },
  };
}

async function complete(binaries: Omit<FabricCaBinaries, 'builtInSeconds'>): Promise<boolean> {
  return releaseIsBuilt(binaries.root, fabricCaRelease, Object.values(binaries.paths));
}

/**
 * Makes sure `fabric-ca-server` and `fabric-ca-client` of the pinned Fabric CA release are
 * in the cache, building them with Go and CGO (once per machine, about two minutes) when not.
 *
 * @param options - cache root, whether to build, which `go` and C compiler
 * @returns where the binaries are
 * @throws FabricNetworkError GO_MISSING / GO_TOO_OLD (Go >= 1.26.3), C_COMPILER_MISSING (gcc for
 *   the server's sqlite), BUILD_FAILED, BINARY_MISSING (when `build: false` and the cache is empty)
 * @example
 * ```ts
 * const { paths } = await ensureFabricCaBinaries({ onProgress: console.log });
 * console.log(paths['fabric-ca-server']);
 * ```
 */
export async function ensureFabricCaBinaries(options: EnsureCaBinariesOptions = {}): Promise<FabricCaBinaries> {
  const binaries = layout(options.home ?? ledgerkitHome());
  if (await complete(binaries)) return binaries;
  if (options.build === false) {
    throw new FabricNetworkError(
      'BINARY_MISSING',
      `the Fabric CA ${fabricCaRelease.version} binaries are not in ${join(binaries.root, 'bin')}; run 'npm run binaries -w @ledgerkit/fabric-network' or call ensureFabricCaBinaries()`,
      { binDir: join(binaries.root, 'bin') },
    );
  }
  return withBuildLock(binaries.root, async () => {
    if (await complete(binaries)) return binaries;
    return { ...binaries, builtInSeconds: await build(binaries, options) };
  });
}

async function build(
  binaries: Omit<FabricCaBinaries, 'builtInSeconds'>,
  options: EnsureCaBinariesOptions,
): Promise<number> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => {});
  const go = await findGo(options.go, {
    minimumGo: fabricCaRelease.minimumGo,
    what: `Fabric CA ${fabricCaRelease.version}`,
  });
  const cc = options.cc ?? process.env.CC ?? 'gcc';
  await runCommand(cc, ['--version'], { timeoutMs: 30_000 }).catch((error: unknown) => {
    throw new FabricNetworkError(
      'C_COMPILER_MISSING',
      `no C compiler '${cc}': fabric-ca-server needs CGO for its sqlite database; install gcc (Debian: apt-get install gcc libc6-dev) or set CC`,
      { cc },
      error,
    );
  });
  return buildGoRelease({
    release: fabricCaRelease,
    what: 'Fabric CA',
    root: binaries.root,
    commands: fabricCaBinaryNames,
    buildModule: 'ledgerkit.local/fabric-ca-build',
    goDirective: fabricCaRelease.minimumGo,
    go,
    env: { CGO_ENABLED: '1', CC: cc },
    compiling: `compiling ${fabricCaBinaryNames.join(', ')} with CGO (${cc})`,
    retryHint: `and that ${cc} works, then retry`,
    started,
    progress,
  });
}
