// Building the commands of a pinned Go module release into a cache directory, as the Fabric
// and the Fabric CA binaries are: a module of ours that requires the release (go.sum pins its
// hashes), `go get` and `go build` in a staging directory, a build.json stamp, then a rename
// into place, so an interrupted build never looks complete.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FabricNetworkError } from '../errors.js';
import { runCommand, tail } from './exec.js';
import { exists } from './files.js';

/** A Go module release pinned by its module version and go.sum hashes. */
export interface GoRelease {
  /** The product's version, e.g. `2.5.9`. */
  readonly version: string;
  readonly module: string;
  readonly moduleVersion: string;
  readonly moduleSum: string;
  readonly goModSum: string;
}

/** What `build.json` in a built release's directory says. */
interface BuildStamp {
  version: string;
  moduleVersion: string;
  go: string;
  builtAt: string;
  seconds: number;
}

/**
 * Whether a release's cache directory is complete: its build.json names this release and
 * every file of it exists.
 *
 * @param root - the release's cache directory
 * @param release - the release it should hold
 * @param files - the files a complete build has (the binaries, any config)
 * @returns true when nothing needs building
 */
export async function releaseIsBuilt(root: string, release: GoRelease, files: readonly string[]): Promise<boolean> {
  try {
    const stamp = JSON.parse(await readFile(join(root, 'build.json'), 'utf8')) as BuildStamp;
    if (stamp.version !== release.version || stamp.moduleVersion !== release.moduleVersion) return false;
  } catch {
    return false;
  }
  for (const file of files) if (!(await exists(file))) return false;
  return true;
}

/** What {@link buildGoRelease} builds, and how. */
export interface GoReleaseBuild {
  release: GoRelease;
  /** The product in messages, e.g. `Fabric CA`. */
  what: string;
  /** The release's cache directory; the commands end up in `<root>/bin/`. */
  root: string;
  /** Commands under `<module>/cmd/`. */
  commands: readonly string[];
  /** The name of the module of ours that requires the release, e.g. `ledgerkit.local/fabric-build`. */
  buildModule: string;
  /** The `go` directive of that module. */
  goDirective: string;
  /** The `go` command and its version string, from findGo. */
  go: { go: string; version: string };
  /** Environment besides the process's, GOFLAGS and GOWORK (CGO_ENABLED, CC). */
  env: NodeJS.ProcessEnv;
  /** Flags of `go build` before `-o` (besides -v and -trimpath), e.g. `-ldflags`. */
  buildFlags?: readonly string[];
  /** Go's own progress lines (modules downloaded, packages compiled, with -v) as progress too. */
  streamGoOutput?: boolean;
  /** The progress line before compiling. */
  compiling: string;
  /** What the BUILD_FAILED message asks to check besides the module proxy, e.g. `and retry`. */
  retryHint: string;
  /** Runs after the build in the staging directory, before the stamp (e.g. copies config files). */
  afterBuild?: (staging: string, module: string, env: NodeJS.ProcessEnv) => Promise<void>;
  /** `performance.now()` when the build started, for the stamp's seconds. */
  started: number;
  progress: (message: string) => void;
}

/**
 * Builds a release's commands into its cache directory (replacing what was there).
 *
 * @param build - the release, the commands and the build's settings
 * @returns how long the build took, in seconds
 * @throws FabricNetworkError BUILD_FAILED when `go get` or `go build` fails
 */
export async function buildGoRelease(build: GoReleaseBuild): Promise<number> {
  const { release, what, root, go, progress } = build;
  await mkdir(join(root, '..'), { recursive: true });
  // Built in a staging directory renamed into place: an interrupted build never looks complete.
  const staging = `${root}.staging-${randomBytes(4).toString('hex')}`;
  const module = join(staging, 'module');
  await mkdir(module, { recursive: true });
  const { module: path, moduleVersion, moduleSum, goModSum } = release;
  await writeFile(join(module, 'go.mod'), `module ${build.buildModule}\n\ngo ${build.goDirective}\n`);
  await writeFile(
    join(module, 'go.sum'),
    `${path} ${moduleVersion} ${moduleSum}\n${path} ${moduleVersion}/go.mod ${goModSum}\n`,
  );
  // `go install pkg@version` would ask the proxy for the module's version list (for its
  // deprecation notice), which the proxy may refuse; `go get` in a module of ours does not.
  const env: NodeJS.ProcessEnv = { ...process.env, GOFLAGS: '-mod=mod', GOWORK: 'off', ...build.env };
  const packages = build.commands.map((name) => `${path}/cmd/${name}`);
  const stream = build.streamGoOutput === true;
  try {
    progress(`downloading ${path}@${moduleVersion} and its dependencies (${go.version})`);
    await runCommand(go.go, ['get', ...packages.map((pkg) => `${pkg}@${moduleVersion}`)], {
      cwd: module,
      env,
      timeoutMs: 15 * 60_000,
      purpose: `go get of the ${what} commands`,
      // "go: downloading MODULE VERSION" lines, as they come.
      ...(stream ? { onStderrLine: progress } : {}),
    });
    progress(build.compiling);
    // -v: the name of each package as it is compiled, streamed as progress.
    const flags = [...(stream ? ['-v'] : []), '-trimpath', ...(build.buildFlags ?? [])];
    await runCommand(go.go, ['build', ...flags, '-o', `${join(staging, 'bin')}/`, ...packages], {
      cwd: module,
      env,
      timeoutMs: 30 * 60_000,
      purpose: `go build of the ${what} commands`,
      ...(stream ? { onStderrLine: (line: string) => progress(`compiled ${line}`) } : {}),
    });
    await build.afterBuild?.(staging, module, env);
    await rm(module, { recursive: true, force: true });
    const seconds = Math.round((performance.now() - build.started) / 100) / 10;
    const stamp: BuildStamp = {
      version: release.version,
      moduleVersion,
      go: go.version,
      builtAt: new Date().toISOString(),
      seconds,
    };
    await writeFile(join(staging, 'build.json'), `${JSON.stringify(stamp, null, 2)}\n`);
    await rm(root, { recursive: true, force: true });
    await rename(staging, root);
    progress(`built ${what} ${release.version} in ${seconds}s into ${root}`);
    return seconds;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (error instanceof FabricNetworkError && error.reason === 'COMMAND_FAILED') {
      throw new FabricNetworkError(
        'BUILD_FAILED',
        `building ${what} ${release.version} with ${go.version} failed; check that the Go module proxy is reachable (GOPROXY) ${build.retryHint}`,
        { ...error.details, reason: 'BUILD_FAILED', output: tail(String(error.details.output ?? ''), 30) },
        error,
      );
    }
    throw error;
  }
}
