import validateNpmPackageName from 'validate-npm-package-name';

/** Result of {@link validateProjectName}. */
export type ProjectNameCheck = { ok: true } | { ok: false; problems: string[] };

/**
 * Checks a project name against npm's package-name rules (the generated `package.json` uses
 * it as `name`): lower case, URL-safe, at most 214 characters, not a Node.js core module.
 *
 * @param name - the name to check, e.g. `my-app` or `@acme/ledger-app`
 * @returns `{ ok: true }`, or every rule the name breaks, as npm states it
 * @example
 * ```ts
 * validateProjectName('My App') // { ok: false, problems: ['name can no longer contain capital letters', ...] }
 * ```
 */
export function validateProjectName(name: string): ProjectNameCheck {
  const result = validateNpmPackageName(name);
  if (result.validForNewPackages) return { ok: true };
  return { ok: false, problems: [...(result.errors ?? []), ...(result.warnings ?? [])] };
}
