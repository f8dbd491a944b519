import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LedgerError } from '@ledgerkit/core';

/** Where the generated project's `@ledgerkit/*` dependencies come from, by package name. */
export type LedgerkitSpecs = Readonly<Record<string, string>>;

interface Manifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  overrides?: Record<string, string>;
}

const ownManifest = new URL('../package.json', import.meta.url);

/**
 * The version ranges of the published ledgerkit packages this release of create-ledgerkit
 * was tested with: `^` + the versions in its own package.json (the workspace versions the
 * acceptance test packed).
 *
 * @returns a caret range per `@ledgerkit/*` package name
 */
export function publishedLedgerkitSpecs(): LedgerkitSpecs {
  const manifest = JSON.parse(readFileSync(ownManifest, 'utf8')) as Manifest;
  const specs: Record<string, string> = {};
  for (const [name, version] of Object.entries({ ...manifest.devDependencies, ...manifest.dependencies })) {
    if (name.startsWith('@ledgerkit/')) specs[name] = `^${version}`;
  }
  return specs;
}

/** `npm pack` names `@ledgerkit/fabric-network@0.1.0` `ledgerkit-fabric-network-0.1.0.tgz`. */
const tarballName = /^ledgerkit-(.+)-(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\.tgz$/;

/**
 * The `file:` specs of `npm pack` tarballs of ledgerkit packages in a directory, for trying a
 * template against packages that are not published yet.
 *
 * @param dir - directory holding `ledgerkit-<name>-<version>.tgz` files
 * @returns a `file:` spec (absolute path) per `@ledgerkit/*` package name
 * @throws LedgerError `INVALID_ARGUMENT` when the directory cannot be read or holds no tarball
 */
export function tarballLedgerkitSpecs(dir: string): LedgerkitSpecs {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new LedgerError('INVALID_ARGUMENT', `--ledgerkit-source ${dir} is not a readable directory`, {
      details: { dir },
      cause: error,
    });
  }
  const specs: Record<string, string> = {};
  for (const name of names) {
    const match = tarballName.exec(name);
    if (match) specs[`@ledgerkit/${match[1]}`] = `file:${resolve(dir, name)}`;
  }
  if (Object.keys(specs).length === 0) {
    throw new LedgerError('INVALID_ARGUMENT', `--ledgerkit-source ${dir} holds no ledgerkit-*.tgz tarball (npm pack)`, {
      details: { dir },
    });
  }
  return specs;
}

/**
 * Points a template's `@ledgerkit/*` dependencies at the given specs. With tarballs, every
 * tarball also becomes an `overrides` entry, so the ledgerkit packages those packages depend
 * on come from the tarballs too instead of the registry.
 *
 * @param manifest - the template's package.json, parsed; not modified
 * @param specs - from {@link publishedLedgerkitSpecs} or {@link tarballLedgerkitSpecs}
 * @param tarballs - whether `specs` are tarballs
 * @returns the manifest with the dependencies replaced
 * @throws LedgerError `INVALID_ARGUMENT` when the template needs a package `specs` lacks
 */
export function withLedgerkitDependencies<T extends Manifest>(
  manifest: T,
  specs: LedgerkitSpecs,
  tarballs: boolean,
): T & Pick<Manifest, 'overrides'> {
  const result: T & Pick<Manifest, 'overrides'> = { ...manifest };
  for (const field of ['dependencies', 'devDependencies'] as const) {
    const dependencies = manifest[field];
    if (dependencies === undefined) continue;
    const replaced: Record<string, string> = {};
    for (const [name, spec] of Object.entries(dependencies)) {
      if (!name.startsWith('@ledgerkit/')) {
        replaced[name] = spec;
        continue;
      }
      const source = specs[name];
      if (source === undefined) {
        throw new LedgerError(
          'INVALID_ARGUMENT',
          tarballs
            ? `--ledgerkit-source has no tarball of ${name}: run npm pack for it into that directory`
            : `create-ledgerkit does not know a version of ${name}`,
          { details: { package: name } },
        );
      }
      replaced[name] = source;
    }
    result[field] = replaced;
  }
  if (tarballs) result.overrides = { ...manifest.overrides, ...specs };
  return result;
}
